from __future__ import annotations

from flask import Blueprint, after_this_request, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from network.auth import services, sessions, tokens
from network.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from network.extensions import db, limiter
from network.outbox.services import send_pending

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("main.my_page"))
    if form.validate_on_submit():
        person = services.authenticate(form.email.data, form.password.data)
        if person is None:
            db.session.rollback()
            # One message for unknown e-mail and wrong password alike.
            form.form_errors.append(_("Feil e-postadresse eller passord."))
        else:
            sessions.start(person)
            db.session.commit()
            login_user(person)
            flash(_("Du er logget inn."), "success")
            target = form.next.data if services.is_safe_next(form.next.data) else url_for("main.my_page")
            return redirect(target)
    status = 200 if request.method == "GET" or not form.errors and not form.form_errors else 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    sessions.end(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("main.index"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(token, tokens.INVITATION)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_page(token, tokens.PASSWORD_RESET)


def _set_password_page(token: str, purpose: str):
    person = tokens.person_from_token(token, purpose)
    if person is None:
        return render_template("auth/token_invalid.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(person, form.password.data)  # signs the person out everywhere
        sessions.start(person)
        db.session.commit()
        logout_user()
        login_user(person)
        flash(_("Passordet er lagret. Velkommen!"), "success")
        return redirect(url_for("main.my_page"))
    status = 422 if form.errors else 200
    return render_template("auth/set_password.html", form=form, person=person, purpose=purpose), status


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_id = services.request_password_reset(form.email.data)
        db.session.commit()
        _handle_after_response(request_id)
        # The same answer whether or not the account exists.
        flash(_("Hvis adressen hører til en konto, får du snart en e-post med en lenke for å velge nytt passord."), "info")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


def _handle_after_response(request_id: int) -> None:
    """Look the address up, and mail the link, once the response has left: the request's own time
    says nothing about whether the account exists. ``flask mail send-pending`` (cron) handles any
    request this misses."""
    app = current_app._get_current_object()

    def handle() -> None:
        with app.app_context():
            try:
                send_pending(ids=services.handle_password_reset_requests(ids=[request_id]))
            except Exception:  # the response is gone; the request waits for the cron run
                app.logger.exception("Password reset request %s not handled; cron will retry", request_id)
                db.session.rollback()

    @after_this_request
    def on_close(response):
        response.call_on_close(handle)
        return response
