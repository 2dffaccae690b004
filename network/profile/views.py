"""The person's own profile ("Min profil"), under /me/profile. Everyone signed in may change their
own details and nobody else's, so the only access rule is being signed in; the confirmation link for
a new e-mail address works without signing in, as the link itself proves who opened it."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from network.auth.models import ContactPreference
from network.extensions import db, limiter
from network.profile import services
from network.profile.forms import ConfirmForm, DetailsForm, EmailChangeForm, PasswordChangeForm
from network.profile.services import ProfileError
from network.validators import format_phone

bp = Blueprint("profile", __name__, url_prefix="/me/profile")


@bp.app_template_filter("phone")
def phone_filter(value: str | None) -> str:
    return format_phone(value)


def _profile_limit() -> str:
    return current_app.config["PROFILE_RATE_LIMIT"]


def _person_key() -> str:
    # Per person, wherever they are: the current password is asked for, so each try is a guess.
    return f"person-{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _status(form) -> int:
    return 422 if form.errors else 200


@bp.route("", methods=["GET", "POST"])
@login_required
def edit():
    person = current_user._get_current_object()
    form = DetailsForm()
    if request.method == "GET":
        form.name.data = person.name
        form.job_title.data = person.job_title
        form.phone.data = format_phone(person.phone)
        form.preferred_contact.data = person.preferred_contact.value
    if form.validate_on_submit():
        try:
            services.save_details(person, name=form.name.data, job_title=form.job_title.data, phone=form.phone.data,
                                  preferred_contact=ContactPreference(form.preferred_contact.data))
        except ProfileError as error:
            db.session.rollback()
            form.phone.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Profilen er lagret."), "success")
            return redirect(url_for("profile.edit"))
    return render_template("profile/edit.html", form=form, person=person,
                           pending=services.pending_email_change(person)), _status(form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_profile_limit, key_func=_person_key, methods=["POST"])
def password():
    person = current_user._get_current_object()
    form = PasswordChangeForm(person=person, check_current=lambda typed: services.check_password(person, typed))
    if form.validate_on_submit():
        services.change_password(person, form.password.data)
        db.session.commit()
        flash(_("Passordet er endret. Du er logget ut alle andre steder du var logget inn."), "success")
        return redirect(url_for("profile.edit"))
    return render_template("profile/password.html", form=form), _status(form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(_profile_limit, key_func=_person_key, methods=["POST"])
def email():
    person = current_user._get_current_object()
    form = EmailChangeForm(check_current=lambda typed: services.check_password(person, typed))
    if form.validate_on_submit():
        try:
            change = services.request_email_change(person, form.email.data)
        except ProfileError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Vi har sendt en lenke til %(email)s. E-postadressen byttes når du åpner lenken.",
                    email=change.new_email), "success")
            return redirect(url_for("profile.edit"))
    return render_template("profile/email.html", form=form, person=person,
                           pending=services.pending_email_change(person)), _status(form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    change = services.email_change_for(token)
    if change is None:
        return render_template("profile/link_invalid.html"), 410
    form = ConfirmForm()
    if form.validate_on_submit():
        signed_in = current_user._get_current_object() if current_user.is_authenticated else None
        try:
            person = services.confirm_email_change(change, signed_in)
            db.session.commit()
        except (ProfileError, IntegrityError) as error:
            db.session.rollback()
            message = str(error) if isinstance(error, ProfileError) else _(
                "Adressen er tatt i bruk på en annen konto. Velg en annen adresse.")
            return render_template("profile/confirm_email.html", change=change, form=form, problem=message), 409
        flash(_("E-postadressen er byttet til %(email)s.", email=person.email), "success")
        if signed_in is not None and signed_in.id == person.id:
            return redirect(url_for("profile.edit"))
        flash(_("Logg inn med den nye adressen."), "info")
        return redirect(url_for("auth.login"))
    return render_template("profile/confirm_email.html", change=change, form=form, problem=None), _status(form)
