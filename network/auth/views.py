from __future__ import annotations

from flask import Blueprint, after_this_request, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse_many

from network.auth import services, sessions, tokens
from network.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from network.auth.models import normalise_email
from network.extensions import db, limiter
from network.jobs.services import deliver_mail

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# --- failed sign-ins per e-mail address, from any IP address -----------------------------------
# Counted for every address typed, known or not, so the lock says nothing about which accounts
# exist. While an address is locked, only the password is refused: «Glemt passord» still mails a
# link that signs the person in, so nobody can keep the real person out.

ACCOUNT_SCOPE = "login-account"


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _sign_in_failed(_response) -> bool:
    return g.get("sign_in_failed", False)


def _account_locked(_limit) -> None:
    g.login_account_locked = True  # errors/429.html points to «Glemt passord»


def _clear_account_limit(email: str) -> None:
    """Forget an address's failed sign-ins (after a successful sign-in or a new password)."""
    if not limiter.enabled:
        return
    prefix = [current_app.config["RATELIMIT_KEY_PREFIX"]] if current_app.config.get("RATELIMIT_KEY_PREFIX") else []
    for item in parse_many(_account_limit()):
        limiter.limiter.clear(item, *prefix, normalise_email(email), ACCOUNT_SCOPE)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.shared_limit(_account_limit, ACCOUNT_SCOPE, key_func=_account_key, methods=["POST"],
                      deduct_when=_sign_in_failed, on_breach=_account_locked)
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
            g.sign_in_failed = True
            # One message for unknown e-mail and wrong password alike.
            form.form_errors.append(_("Feil e-postadresse eller passord."))
        else:
            sessions.start(person)
            db.session.commit()
            login_user(person)
            # The request's language was chosen before sign-in; the person's own choice now decides.
            refresh_locale()
            _clear_account_limit(person.email)
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
    form = SetPasswordForm(person=person)
    if form.validate_on_submit():
        services.set_password(person, form.password.data)  # signs the person out everywhere
        sessions.start(person)
        db.session.commit()
        logout_user()
        login_user(person)
        refresh_locale()
        _clear_account_limit(person.email)
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
    says nothing about whether the account exists. The outbox sweep (the scheduler's, or
    ``flask mail send-pending``) handles any request this misses."""
    app = current_app._get_current_object()

    def handle() -> None:
        with app.app_context():
            try:
                # Onto the job queue when there is one, like every other mail; else sent here.
                deliver_mail(services.handle_password_reset_requests(ids=[request_id]))
            except Exception:  # the response is gone; the request waits for the cron run
                app.logger.exception("Password reset request %s not handled; cron will retry", request_id)
                db.session.rollback()

    @after_this_request
    def on_close(response):
        response.call_on_close(handle)
        return response
