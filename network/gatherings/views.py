"""Gathering pages and registration. Each view loads, checks access in ``access``, then acts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from network.auth.models import Person
from network.costs import services as cost_services
from network.extensions import db
from network.gatherings import access, followup, registration_list, services
from network.gatherings.loading import load_gathering, load_gathering_and_own_seats
from network.gatherings.forms import (
    DayForm, GatheringForm, NewGatheringForm, RegistrationForm, StatusForm, TeamRegistrationForm, to_local, to_utc,
)
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.gatherings.services import GatheringError, RegistrationDetails
from network.privacy.audit import audited
from network.privacy.models import ExportKind
from network.main import undo
from network.main.confirm import ask_first
from network.main.formatting import date_time, long_date
from network.main.hygiene import parse_id
from network.networks import access as network_access
from network.networks import services as network_services
from network.networks.forms import EmptyForm
from network.networks.loading import load_network, require
from network.networks.models import Network, RoleKind
from network.organisations.models import Organisation
from network.programme.services import programme_for

bp = Blueprint("gatherings", __name__, url_prefix="/networks/<int:network_id>/gatherings")

DATETIME_FIELDS = ("registration_opens_at", "registration_closes_at", "cancellation_deadline")


def load_registration(gathering: Gathering, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.gathering_id != gathering.id:
        abort(404)
    return registration


def membership_of(network: Network, person: Person):
    return network_services.get_membership(network, person.organisation_id) if person.organisation_id else None


def status_code(form) -> int:
    return 422 if form.errors else 200


@bp.get("/")
@login_required
def index(network_id: int):
    network = load_network(network_id)
    return render_template("gatherings/index.html", network=network, gatherings=services.gatherings_for(network),
                           can_manage=access.can_manage_gathering(current_user, network))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_gathering(current_user, network))
    form = NewGatheringForm()
    if _validate_all(form, network, None):
        try:
            gathering = services.create_gathering(network, _gathering_fields(form), form.first_day.data,
                                                  form.starts_at.data, form.ends_at.data)
        except GatheringError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Samlingen er opprettet."), "success")
            return redirect(url_for("gatherings.show", network_id=network.id, gathering_id=gathering.id))
    return render_template("gatherings/edit.html", network=network, gathering=None, form=form), status_code(form)


def _gathering_fields(form: GatheringForm) -> dict:
    fields = {name: getattr(form, name).data for name in services.GATHERING_FIELDS if hasattr(form, name)}
    for name in DATETIME_FIELDS:
        fields[name] = to_utc(fields[name])
    for name in ("theme", "venue", "address"):
        fields[name] = (fields[name] or "").strip()
    return fields


def _validate_all(form: GatheringForm, network: Network, gathering: Gathering | None) -> bool:
    """The fields' own rules and the rules between fields, all at once: a form shows every
    error in one round. Cross-field rules skip fields that are missing or typed wrong."""
    if request.method != "POST":
        return False
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        return False
    fields = {name: value for name, value in _gathering_fields(form).items()
              if not getattr(form, name).errors}
    first_day = getattr(form, "first_day", None)
    day = first_day.data if first_day is not None and not first_day.errors else None
    problems = services.gathering_problems(network, gathering, fields, day)
    for name, problem in problems.items():
        getattr(form, name).errors.append(problem)
    if isinstance(form, NewGatheringForm) and not (form.starts_at.errors or form.ends_at.errors) \
            and form.starts_at.data and form.ends_at.data and form.ends_at.data <= form.starts_at.data:
        form.ends_at.errors.append(_("Sluttidspunktet må være etter starttidspunktet."))
        problems["ends_at"] = ""
    return valid and not problems


@bp.route("/<int:gathering_id>/edit", methods=["GET", "POST"])
@login_required
def edit(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    form = GatheringForm(obj=gathering)
    if request.method == "GET":
        for name in DATETIME_FIELDS:
            getattr(form, name).data = to_local(getattr(gathering, name))
    if _validate_all(form, gathering.network, gathering):
        fields = _gathering_fields(form)
        changes = services.notice_changes(gathering, fields)
        registered = len(services.active_registrations(gathering)) if changes else 0
        try:
            services.check_gathering(gathering.network, gathering, fields)
        except GatheringError:
            registered = 0  # said on the form below, before anything is asked
        if registered:  # a new venue or address is mailed to everyone registered
            page = ask_first(
                below={"gathering": gathering}, title=_("Lagre og varsle de påmeldte?"),
                message=_("Lagre endringene i «%(title)s» og send e-post om dem til de %(n)s påmeldte.",
                          title=gathering.title, n=registered),
                details=[_("Dette er endret: %(changes)s.", changes=", ".join(map(str, changes)))],
                button=_("Ja, lagre og send e-post"),
                back=url_for("gatherings.edit", network_id=network_id, gathering_id=gathering.id),
                afterwards=_("E-posten kan ikke trekkes tilbake."))
            if page is not None:
                return page
        try:
            _saved, changes = services.save_gathering(gathering.network, gathering, **fields)
        except GatheringError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Samlingen er lagret.") + (" " + _("Påmeldte har fått beskjed om endringen.") if changes else ""), "success")
            return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering.id))
    return _edit_page(gathering, form, DayForm(), status_code(form))


def _edit_page(gathering: Gathering, form, day_form, code: int):
    return render_template("gatherings/edit.html", network=gathering.network, gathering=gathering, form=form,
                           day_form=day_form, status_form=StatusForm(choices=services.next_statuses(gathering)),
                           action_form=EmptyForm(), held_refused=services.status_refused(gathering, GatheringStatus.HELD),
                           can_cancel=gathering.can_move_to(GatheringStatus.CANCELLED),
                           delete_refused=services.delete_refused(gathering),
                           days_refused=services.days_refused(gathering)), code


@bp.post("/<int:gathering_id>/status")
@login_required
def change_status(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    form = StatusForm(choices=list(GatheringStatus))
    if not form.validate_on_submit():
        abort(400)
    status = GatheringStatus(form.status.data)
    refused = services.status_refused(gathering, status)
    if refused:  # said before anything is asked
        flash(refused, "danger")
        return redirect(url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))
    page = None
    if status is GatheringStatus.HELD:
        n = services.to_evaluate(gathering)
        page = ask_first(
            below={"gathering": gathering}, title=_("Merke samlingen som gjennomført?"),
            message=_("Merk «%(title)s» som gjennomført.", title=gathering.title),
            details=[ngettext("%(num)s person får nå e-post med invitasjon til å evaluere samlingen.",
                              "%(num)s personer får nå e-post med invitasjon til å evaluere samlingen.", n),
                     _("Påmeldingen kan ikke åpnes igjen.")],
            button=_("Ja, merk som gjennomført"),
            back=url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))
    elif status is GatheringStatus.CANCELLED:
        page = _ask_before_cancelling(gathering)
    if page is not None:
        return page
    try:
        services.change_status(gathering, status)
    except GatheringError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Status er nå «%(status)s».", status=gathering.status.label), "success")
    return redirect(url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))


def _ask_before_cancelling(gathering: Gathering):
    n = len(services.to_tell_of_cancellation(gathering))
    return ask_first(
        below={"gathering": gathering}, title=_("Avlyse samlingen?"),
        message=_("Avlys «%(title)s».", title=gathering.title),
        details=[ngettext("%(num)s påmeldt får e-post om at samlingen er avlyst, med en kalenderfil som fjerner den.",
                          "%(num)s påmeldte får e-post om at samlingen er avlyst, med en kalenderfil som fjerner den.",
                          n) if n else _("Ingen er påmeldt, så ingen får e-post."),
                 _("Ingen faktureres for samlingen. Den blir stående i listene som avlyst.")],
        button=_("Ja, avlys samlingen"),
        back=url_for("gatherings.edit", network_id=gathering.network_id, gathering_id=gathering.id))


@bp.post("/<int:gathering_id>/cancel")
@login_required
def cancel_gathering(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    if not EmptyForm().validate_on_submit():
        abort(400)
    refused = services.status_refused(gathering, GatheringStatus.CANCELLED)
    if refused:
        flash(refused, "danger")
        return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))
    page = _ask_before_cancelling(gathering)
    if page is not None:
        return page
    told = services.cancel_gathering(gathering)
    db.session.commit()
    flash(ngettext("Samlingen er avlyst. %(num)s påmeldt har fått e-post.",
                   "Samlingen er avlyst. %(num)s påmeldte har fått e-post.", told), "success")
    return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))


@bp.post("/<int:gathering_id>/delete")
@login_required
def delete(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    if not EmptyForm().validate_on_submit():
        abort(400)
    refused = services.delete_refused(gathering)
    if refused:
        flash(refused, "danger")
        return redirect(url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))
    files = sum(material.file_id is not None for material in gathering.materials)
    page = ask_first(
        below={"gathering": gathering}, title=_("Slette samlingen?"),
        message=_("Slett «%(title)s» med dager og program.", title=gathering.title),
        details=[ngettext("%(num)s opplastet fil slettes også.", "%(num)s opplastede filer slettes også.", files)]
        if files else [],
        button=_("Ja, slett samlingen"),
        back=url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))
    if page is not None:
        return page
    title = gathering.title
    services.delete_gathering(gathering)
    db.session.commit()
    flash(_("Samlingen «%(title)s» er slettet.", title=title), "success")
    return redirect(url_for("gatherings.index", network_id=network_id))


@bp.post("/<int:gathering_id>/days")
@login_required
def add_day(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    form = DayForm()
    valid = form.validate_on_submit()
    if valid:
        try:  # checked before asking, so a confirmed day is one that can be added
            services.check_new_day(gathering, form.day.data, form.starts_at.data, form.ends_at.data)
        except GatheringError as error:
            form.day.errors.append(str(error))
            valid = False
    if valid:
        registered = len(services.active_registrations(gathering))
        if registered:  # the new day is mailed to everyone registered
            page = ask_first(
                below={"gathering": gathering}, title=_("Legge til dagen og varsle de påmeldte?"),
                message=_("Legg til %(day)s i «%(title)s» og send e-post om endringen til de %(n)s påmeldte.",
                          day=long_date(form.day.data), title=gathering.title, n=registered),
                button=_("Ja, legg til dagen og send e-post"),
                back=url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id),
                afterwards=_("E-posten kan ikke trekkes tilbake. Dagen kan fjernes igjen."))
            if page is not None:
                return page
        try:
            services.add_day(gathering, form.day.data, form.starts_at.data, form.ends_at.data)
        except GatheringError as error:
            db.session.rollback()
            form.day.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Dagen er lagt til."), "success")
            return redirect(url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))
    edit_form = GatheringForm(obj=gathering)
    for name in DATETIME_FIELDS:
        getattr(edit_form, name).data = to_local(getattr(gathering, name))
    return _edit_page(gathering, edit_form, form, 422)


@bp.post("/<int:gathering_id>/days/<int:day_id>/delete")
@login_required
def remove_day(network_id: int, gathering_id: int, day_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    day = db.session.get(GatheringDay, day_id)
    if day is None or day.gathering_id != gathering.id or not EmptyForm().validate_on_submit():
        abort(404)
    if refused := services.days_refused(gathering):  # said before anything is asked
        flash(refused, "danger")
        return redirect(url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))
    registered = len(services.active_registrations(gathering))
    page = ask_first(
        below={"gathering": gathering}, title=_("Fjerne dagen?"),
        message=_("Fjern %(day)s fra «%(title)s».", day=long_date(day.day), title=gathering.title),
        details=[_("Programpunktene den dagen mister datoen sin, og påmeldingene til dagen fjernes.")]
        + ([_("De %(n)s påmeldte får e-post om endringen.", n=registered)] if registered else []),
        button=_("Ja, fjern dagen"),
        back=url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id),
        afterwards=_("Dette kan ikke angres. Du kan legge til dagen igjen, men de påmeldte må da velge den på nytt."))
    if page is not None:
        return page
    try:
        services.remove_day(day)
    except GatheringError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Dagen er fjernet."), "success")
    return redirect(url_for("gatherings.edit", network_id=network_id, gathering_id=gathering_id))


@bp.get("/<int:gathering_id>")
@login_required
def show(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    mine = services.active_registration(gathering, current_user)
    coming = services.coming(gathering, mine)
    can_manage = access.can_manage_gathering(current_user, gathering)
    return render_template(
        "gatherings/show.html",
        network=gathering.network, gathering=gathering, programme=programme_for(gathering),
        coming=coming, mine=mine, closed_reason=services.registration_closed_reason(gathering),
        # What the registration costs, by the costs page's rules, as Min side shows it (a cancelled
        # gathering charges nobody, so it shows no cost).
        my_amount=(cost_services.registration_amount(mine)
                   if mine and not gathering.is_cancelled else None),
        my_charged=mine is not None and cost_services.is_charged(mine, gathering.network),
        late_cancellation_notice=(cost_services.late_cancellation_notice(gathering)
                                  if services.past_free_cancellation(gathering) else None),
        can_manage=can_manage, can_change_programme=access.can_change_programme(current_user, gathering),
        seats_taken=coming.seats_taken, full=services.is_full(gathering, coming.seats_taken),
        my_position=coming.position,
        # Contacts register their colleagues (issue 12): the team page, and the form for one person.
        can_register_team=can_manage or _contact_registers_team(gathering.network),
        action_form=EmptyForm(),
    )


def _contact_registers_team(network: Network) -> bool:
    # Only a contact may, so nobody else pays for looking up their municipality's membership.
    if RoleKind.CONTACT not in network_access.roles_in(current_user, network):
        return False
    return access.can_register_team(current_user, membership_of(network, current_user))


@bp.get("/<int:gathering_id>/coming/<int:organisation_id>")
@login_required
def coming_from(network_id: int, gathering_id: int, organisation_id: int):
    """The names behind one organisation's count on the gathering page (0: people without one)."""
    gathering = load_gathering(network_id, gathering_id)
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        abort(404)
    names = services.coming_from(gathering, organisation.id if organisation else None)
    return render_template("gatherings/coming.html", network=gathering.network, gathering=gathering,
                           organisation_name=organisation.name if organisation else _("Uten organisasjon"),
                           names=names)


# --- registration -----------------------------------------------------------------------


def _details(form: RegistrationForm) -> RegistrationDetails:
    return RegistrationDetails(day_ids=form.days.data or [], diet=form.diet.data or "", allergies=form.allergies.data or "",
                               accessibility=form.accessibility.data or "", comment=form.comment.data or "")


def _target_person(network: Network, person_id: str | None) -> Person:
    if not person_id:
        return current_user._get_current_object()
    number = parse_id(person_id)
    if number is None:
        abort(404)
    person = db.session.get(Person, number)
    if person is None or not network_access.roles_in(person, network):
        abort(404)
    return person


@bp.route("/<int:gathering_id>/register", methods=["GET", "POST"])
@login_required
def register(network_id: int, gathering_id: int):
    gathering, own = load_gathering_and_own_seats(network_id, gathering_id)
    network = gathering.network
    form = RegistrationForm(gathering=gathering)
    person = _target_person(network, form.person_id.data if request.method == "POST" else request.args.get("person_id"))
    # Registering oneself never looks at the membership (access.can_register_for), nor at one's
    # registration and the seats again: no query for either.
    myself = person.id == current_user.id
    membership = membership_of(network, person) if not myself else None
    require(access.can_register_for(current_user, gathering, person, membership))
    existing_id, seats = own if myself else services.registration_and_seats(gathering, person)
    if existing_id is not None:
        flash(_("%(name)s er allerede påmeldt. Her kan du endre påmeldingen.", name=person.name), "info")
        return redirect(url_for("gatherings.edit_registration", network_id=network_id, gathering_id=gathering_id,
                                registration_id=existing_id))
    if request.method == "GET":
        form.person_id.data = str(person.id) if person.id != current_user.id else ""
        form.days.data = [day.id for day in gathering.days]
    override = access.can_manage_gathering(current_user, gathering)  # coordinators may register late
    if form.validate_on_submit():
        try:
            registration = services.register(gathering, person, _details(form), registered_by=current_user,
                                              override_window=override, seats=seats)
            # Read before the commit expires them, so the flash below costs no queries.
            waiting, name = registration.status is RegistrationStatus.WAITING, person.name
            db.session.commit()
        except GatheringError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        except IntegrityError:
            # A double click, or two people registering the same person at once: the database
            # keeps one active registration, and the second request lands here.
            db.session.rollback()
            existing = services.active_registration(gathering, person)
            if existing is None:
                raise
            return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))
        else:
            # Spoken to the person who registered themselves, about the person otherwise.
            if waiting and myself:
                flash(_("Samlingen er full. Du står på ventelisten og får e-post ved ledig plass."), "warning")
            elif waiting:
                flash(_("Samlingen er full. %(name)s står på ventelisten og får e-post ved ledig plass.", name=name), "warning")
            elif myself:
                flash(_("Du er påmeldt. En bekreftelse er sendt på e-post."), "success")
            else:
                flash(_("%(name)s er påmeldt. En bekreftelse er sendt på e-post.", name=name), "success")
            return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))
    return render_template("gatherings/register.html", network=network, gathering=gathering, form=form, person=person,
                           registration=None, closed_reason=None if override else services.registration_closed_reason(gathering),
                           full=services.is_full(gathering, seats),
                           ), status_code(form) if not form.form_errors else 422


@bp.route("/<int:gathering_id>/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@login_required
def edit_registration(network_id: int, gathering_id: int, registration_id: int):
    gathering = load_gathering(network_id, gathering_id)
    registration = load_registration(gathering, registration_id)
    require(access.can_change_registration(current_user, registration, membership_of(gathering.network, registration.person)))
    form = RegistrationForm(obj=registration if request.method == "GET" else None, gathering=gathering)
    if request.method == "GET":
        form.days.data = [day.id for day in registration.days]
    if form.validate_on_submit():
        try:
            services.update_registration(registration, _details(form))
        except GatheringError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Påmeldingen er endret."), "success")
            return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))
    return render_template("gatherings/register.html", network=gathering.network, gathering=gathering, form=form,
                           person=registration.person, registration=registration, closed_reason=None,
                           action_form=EmptyForm()), 422 if form.errors else 200


@bp.post("/<int:gathering_id>/registrations/<int:registration_id>/cancel")
@login_required
def cancel_registration(network_id: int, gathering_id: int, registration_id: int):
    gathering = load_gathering(network_id, gathering_id)
    registration = load_registration(gathering, registration_id)
    require(access.can_change_registration(current_user, registration, membership_of(gathering.network, registration.person)))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):  # else: says why not
        page = ask_first(**_cancel_confirmation(gathering, registration), below={"gathering": gathering})
        if page is not None:
            return page
    try:
        promoted = services.cancel(registration)
    except GatheringError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        message = (_("Du er meldt av.") if registration.person_id == current_user.id
                   else _("%(name)s er meldt av.", name=registration.person.name))
        if registration.late_cancellation:
            message += " " + _("Avmeldingen kom etter fristen.")
        if promoted is not None and access.can_manage_gathering(current_user, gathering):
            message += " " + _("%(name)s har fått plassen fra ventelisten.", name=promoted.person.name)
        undo.offer_undo(message, url_for("gatherings.undo_cancel", network_id=network_id, gathering_id=gathering_id,
                                         registration_id=registration.id),
                        _("Angre avmeldingen"), registration.cancelled_at)
    return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))


def _cancel_confirmation(gathering: Gathering, registration: Registration) -> dict:
    person = registration.person
    own = person.id == current_user.id
    details = []
    if registration.status is RegistrationStatus.CONFIRMED:
        if services.past_free_cancellation(gathering):
            details.append(cost_services.late_cancellation_notice(gathering))
        elif gathering.cancellation_deadline is not None:
            details.append(_("Avmeldingen er gratis, fristen er %(when)s.", when=date_time(gathering.cancellation_deadline)))
        details.append(_("Plassen går til den første på ventelisten, hvis noen venter."))
    return dict(
        title=_("Melde deg av?") if own else _("Melde av %(name)s?", name=person.name),
        message=(_("Meld deg av «%(title)s».", title=gathering.title) if own
                 else _("Meld %(name)s av «%(title)s».", name=person.name, title=gathering.title)),
        details=details, button=_("Ja, meld meg av") if own else _("Ja, meld av %(name)s", name=person.name),
        back=url_for("gatherings.show", network_id=gathering.network_id, gathering_id=gathering.id),
        afterwards=_("Du kan angre i %(n)s minutter etterpå. Er plassen gått til en annen da, havner %(who)s "
                     "på ventelisten.", n=undo.minutes(), who=_("du") if own else person.name),
    )


@bp.post("/<int:gathering_id>/registrations/<int:registration_id>/undo-cancel")
@login_required
def undo_cancel(network_id: int, gathering_id: int, registration_id: int):
    """"Angre" after cancelling: within the window after ``cancelled_at``, checked in services."""
    gathering = load_gathering(network_id, gathering_id)
    registration = load_registration(gathering, registration_id)
    require(access.can_change_registration(current_user, registration, membership_of(gathering.network, registration.person)))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.undo_cancel(registration)
    except GatheringError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        if registration.status is RegistrationStatus.WAITING:
            flash(_("Avmeldingen er angret, men plassen er gått til en annen. %(name)s står nå på ventelisten og "
                    "får e-post ved ledig plass.", name=registration.person.name), "warning")
        else:
            flash(_("Avmeldingen er angret. %(name)s er påmeldt igjen.", name=registration.person.name), "success")
    return redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id))


# --- the coordinator's list and attendance ----------------------------------------------


@bp.get("/<int:gathering_id>/registrations")
@login_required
@audited(ExportKind.REGISTRATIONS)
def registrations(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    network = gathering.network
    require(access.can_view_registrations(current_user, gathering, membership_of(network, current_user)))
    # A page of rows at a time, optionally one municipality's: a national gathering has thousands.
    sees_all = access.sees_all_registrations(current_user, gathering)
    organisation_id = request.args.get("organisation", type=int) if sees_all else (current_user.organisation_id or 0)
    can_manage = access.can_manage_gathering(current_user, gathering)
    memberships = registration_list.member_organisations(network)
    if organisation_id is not None and sees_all and organisation_id not in {m.organisation_id for m in memberships}:
        organisation_id = None
    page = registration_list.registration_page(gathering, organisation_id, request.args.get("page", 1, type=int))
    return render_template(
        "gatherings/registrations.html", network=network, gathering=gathering, rows=page.rows, page=page,
        # Only this gathering's checks, what must be followed up first.
        follow=followup.follow_up(network, memberships, registration_list.network_gatherings(network), gathering=gathering,
                                  anchoring=False) if can_manage else None,
        attendance_open=_attendance_open(gathering),
        memberships=registration_list.sorted_by_name(memberships) if sees_all else [],
        organisation_id=organisation_id, can_manage=can_manage,
        action_form=EmptyForm(),
        people=registration_list.people_to_register(network, organisation_id),
    )


def _attendance_open(gathering: Gathering) -> bool:
    try:
        services.check_attendance_open(gathering)
    except GatheringError:
        return False
    return True


ATTENDANCE_SEARCH_LIMIT = 25


def _matches(registration: Registration, words: list[str]) -> bool:
    organisation = registration.person.organisation
    haystack = network_services.norwegian_key(f"{registration.person.name} {organisation.name if organisation else ''}")
    return all(word in haystack for word in words)


@bp.get("/<int:gathering_id>/attendance")
@login_required
def attendance_page(network_id: int, gathering_id: int):
    """Everyone with a seat came, unless marked otherwise: the page lists only the exceptions,
    and finds a person by name or municipality to mark them."""
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    rows = services.registrations_with_people(gathering)
    seated = [r for r in rows if r.status in services.ATTENDANCE_STATUSES]
    query = (request.args.get("q") or "").strip()[:100]
    words = network_services.norwegian_key(query).split()  # normalised once, not per row
    found = [r for r in seated if _matches(r, words)] if query else []
    can_mark = _attendance_open(gathering)
    return render_template(
        "gatherings/attendance.html", network=gathering.network, gathering=gathering, query=query,
        can_mark=can_mark, closed_reason=None if can_mark else _("Oppmøte kan registreres når samlingen har startet."),
        unmarked=[r for r in seated if r.status is RegistrationStatus.CONFIRMED],
        attended=[r for r in seated if r.status is RegistrationStatus.ATTENDED],
        no_show=[r for r in seated if r.status is RegistrationStatus.NO_SHOW],
        cancelled=[r for r in rows if r.status is RegistrationStatus.CANCELLED],
        found=found[:ATTENDANCE_SEARCH_LIMIT], found_more=max(0, len(found) - ATTENDANCE_SEARCH_LIMIT),
    )


def _back_to_attendance(network_id: int, gathering_id: int):
    query = (request.form.get("q") or "").strip()[:100]
    return redirect(url_for("gatherings.attendance_page", network_id=network_id, gathering_id=gathering_id,
                            **({"q": query} if query else {})))


@bp.post("/<int:gathering_id>/attendance/all")
@login_required
def mark_all_attended(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        changed = services.mark_all_attended(gathering)
    except GatheringError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(ngettext("%(num)d påmeldt er merket som møtt.", "%(num)d påmeldte er merket som møtt.", changed),
              "success")
    return _back_to_attendance(network_id, gathering_id)


@bp.post("/<int:gathering_id>/attendance")
@login_required
def attendance(network_id: int, gathering_id: int):
    """One person's mark (or several: ``status-<registration id>`` fields)."""
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    if not EmptyForm().validate_on_submit():
        abort(400)
    statuses = {}
    for key, value in request.form.items():
        registration_id = parse_id(key[7:]) if key.startswith("status-") else None
        if registration_id is not None:
            try:
                statuses[registration_id] = RegistrationStatus(value)
            except ValueError:
                abort(400)
    try:
        changed = services.mark_attendance(gathering, statuses)
    except GatheringError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Oppmøtet er lagret (%(n)s endret).", n=changed), "success")
    return _back_to_attendance(network_id, gathering_id)


# --- a municipality's team in one step --------------------------------------------------


def _team_membership(network: Network, coordinator: bool, raw_id: str | None):
    """The municipality whose team is registered: the one asked for, or else the contact's own.
    None when a coordinator has yet to choose."""
    if raw_id:
        organisation_id = parse_id(raw_id)
        membership = network_services.get_membership(network, organisation_id) if organisation_id else None
        if membership is None:
            abort(404)
        return membership
    return None if coordinator else membership_of(network, current_user)


def _names(people: list[Person]) -> str:
    return format_list([person.name for person in people], locale=get_locale())


def _flash_team_result(result: services.TeamResult) -> None:
    if result.confirmed:
        flash(ngettext("%(names)s er påmeldt og har fått en bekreftelse på e-post.",
                       "%(names)s er påmeldt og har fått hver sin bekreftelse på e-post.",
                       len(result.confirmed), names=_names(result.confirmed)), "success")
    if result.waiting:
        flash(ngettext("Samlingen er full: %(names)s står på venteliste og får e-post ved ledig plass.",
                       "Samlingen er full: %(names)s står på venteliste og får e-post ved ledig plass.",
                       len(result.waiting), names=_names(result.waiting)), "warning")
    for _person, reason in result.skipped:
        flash(reason, "info")


@bp.route("/<int:gathering_id>/register-team", methods=["GET", "POST"])
@login_required
def register_team(network_id: int, gathering_id: int):
    """A contact (or a coordinator, for any member municipality) ticks several people and the
    days, and registers them all at once; each gets a registration of their own and its mail."""
    gathering = load_gathering(network_id, gathering_id)
    network = gathering.network
    coordinator = access.can_manage_gathering(current_user, gathering)
    raw_id = request.form.get("organisation_id") if request.method == "POST" else request.args.get("organisation_id")
    membership = _team_membership(network, coordinator, raw_id)
    municipalities = [m for m in network_services.active_memberships(network)
                      if m.organisation.is_municipality] if coordinator else []
    if membership is None:
        require(coordinator)  # the coordinator chooses a municipality first
        return render_template("gatherings/register_team.html", network=network, gathering=gathering,
                               membership=None, municipalities=municipalities, coordinator=True)
    require(access.can_register_team(current_user, membership))

    teams, registrations = services.team_with_registrations(membership.organisation_id, [network.id],
                                                            network_access.TEAM_ROLES, [gathering.id])
    team = teams.get(network.id, [])
    registered = {r.person_id: r for r in registrations}
    unregistered = [member for member in team if member.person.id not in registered]
    form = TeamRegistrationForm(gathering=gathering, people=unregistered, me=current_user)
    if request.method == "GET":
        form.days.data = [day.id for day in gathering.days]
    closed_reason = None if coordinator else services.registration_closed_reason(gathering)
    if form.validate_on_submit():
        chosen = [member.person for member in unregistered if member.person.id in form.people.data]
        try:
            result = services.register_team(gathering, chosen, form.days.data, registered_by=current_user,
                                            override_window=coordinator)
        except GatheringError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            _flash_team_result(result)
            return redirect(url_for("gatherings.register_team", network_id=network_id, gathering_id=gathering_id,
                                    organisation_id=membership.organisation_id if coordinator else None))
    elif request.method == "GET":
        form.organisation_id.data = str(membership.organisation_id)
    seats = services.seats_taken(gathering)
    return render_template(
        "gatherings/register_team.html", network=network, gathering=gathering, membership=membership,
        municipalities=municipalities, coordinator=coordinator, form=form, team=team, registered=registered,
        positions=services.waiting_positions([gathering.id]) if registered else {},
        closed_reason=closed_reason, seats_taken=seats, full=services.is_full(gathering, seats),
    ), 422 if form.errors or form.form_errors else 200
