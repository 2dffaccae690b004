"""The person's own profile ("Min profil"), under /me/profile. Everyone signed in may change their
own details and nobody else's, so the only access rule is being signed in; the confirmation link for
a new e-mail address works without signing in, as the link itself proves who opened it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from network.api import tokens as api_tokens
from network.auth.models import ContactPreference
from network.extensions import db, limiter
from network.profile import services
from network.main.confirm import ask_first
from network.main.hygiene import parse_id
from network.networks.services import networks_for
from network.profile.forms import ApiTokenForm, ConfirmForm, DetailsForm, EmailChangeForm, PasswordChangeForm
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


def _has_errors(form) -> bool:
    return any(field.errors for field in form)


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
    now = api_tokens.utcnow()
    return render_template("profile/edit.html", form=form, person=person,
                           pending=services.pending_email_change(person),
                           token_count=sum(1 for token in api_tokens.tokens_of(person)
                                           if token.is_usable(now))), _status(form)


# The new token's secret, kept in the session from the POST until the page after the redirect shows
# it (once: it is popped). It is in no log and no row.
NEW_TOKEN_KEY = "new_api_token"


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The person's API tokens: made, listed and revoked here (network/api)."""
    person = current_user._get_current_object()
    form = ApiTokenForm()
    networks = [network for network, _roles in networks_for(person)]
    form.network_id.choices = [("", _("Alle nettverkene mine"))] + [(str(network.id), network.name)
                                                                   for network in networks]
    if request.method == "GET" and form.expires_on.data is None:
        form.expires_on.data = api_tokens.clock.oslo_today() + api_tokens.timedelta(days=90)
    if form.validate_on_submit():
        network_id = parse_id(form.network_id.data) if form.network_id.data else None
        expires_at, refused = None, False
        if form.network_id.data and network_id not in {network.id for network in networks}:
            form.network_id.errors.append(_("Velg et av nettverkene i lista."))
            refused = True
        try:
            expires_at = api_tokens.expiry_of(form.expires_on.data)
        except api_tokens.TokenError as error:
            form.expires_on.errors.append(str(error))
            refused = True
        if not refused:
            token, secret = api_tokens.create(person, form.name.data, expires_at, network_id)
            db.session.commit()
            session[NEW_TOKEN_KEY] = {"id": token.id, "secret": secret}
            flash(_("Tilgangsnøkkelen «%(name)s» er laget.", name=token.name), "success")
            return redirect(url_for("profile.tokens"))
    shown = session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    return render_template("profile/tokens.html", form=form, tokens=api_tokens.tokens_of(person),
                           new_token=shown, now=api_tokens.utcnow()), 422 if _has_errors(form) else 200


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    person = current_user._get_current_object()
    token = api_tokens.token_of(person, token_id)
    if token is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    page = ask_first(
        title=_("Trekke tilbake tilgangsnøkkelen?"),
        message=_("Nøkkelen «%(name)s» slutter å virke med en gang. Verktøy som bruker den, får ikke lenger hentet data.",
                  name=token.name),
        button=_("Ja, trekk tilbake nøkkelen"), back=url_for("profile.tokens"),
        afterwards=_("Dette kan ikke angres, men du kan lage en ny nøkkel."))
    if page is not None:
        return page
    api_tokens.revoke(token)
    db.session.commit()
    flash(_("Tilgangsnøkkelen «%(name)s» er trukket tilbake.", name=token.name), "success")
    return redirect(url_for("profile.tokens"))


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
