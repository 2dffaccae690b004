"""The challenges catalogue, a municipality's challenges, who shares each one, and the coordinators'
matrix. Each view loads its objects, checks access in ``access``, then acts."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import to_user_timezone
from flask_login import current_user, login_required

from network.challenges import access, services
from network.challenges.forms import ChallengeForm, GrowthFilterForm, MoveForm, OwnChallengeForm, municipality_challenges_form
from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
from network.challenges.services import ChallengeError
from network.extensions import db
from network.main.confirm import ask_first
from network.main.charts import Bar, Series, bar_chart
from network.networks import services as network_services
from network.networks.forms import EmptyForm
from network.networks.loading import load_network, require
from network.networks.models import Membership, Network
from network.main.spreadsheets import csv_response
from network.networks.views import form_status, load_membership
from network.privacy.audit import audited
from network.privacy.models import ExportKind

bp = Blueprint("challenges", __name__, url_prefix="/networks")

CHART_LABEL_MAX = 56  # characters that fit on one line above a bar; the table has the full titles


# --- loading ----------------------------------------------------------------------------


def load_challenge(network: Network, challenge_id: int) -> Challenge:
    challenge = services.get_challenge(network, challenge_id)
    if challenge is None:
        abort(404)
    return challenge


def load_municipality(network: Network, organisation_id: int) -> Membership:
    membership = load_membership(network, organisation_id)
    if not membership.organisation.is_municipality:
        abort(404)
    return membership


def own_membership(network: Network) -> Membership | None:
    """The viewer's municipality in this network, when they are one of its own people."""
    if not current_user.is_authenticated or current_user.organisation_id is None:
        return None
    membership = network_services.get_membership(network, current_user.organisation_id)
    if membership is None or not access.can_edit_municipality_challenges(current_user, membership):
        return None
    return membership


def show_error(form, error: ChallengeError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def check_title_too(form, network: Network, exclude: Challenge | None = None) -> None:
    """When a form comes back for other reasons, say at once if the title is taken as well,
    so nobody fixes one error only to meet the next."""
    if form.errors and not form.title.errors and form.title.data:
        try:
            services.check_title(network, form.title.data, exclude)
        except ChallengeError as error:
            show_error(form, error)


# --- the municipality page's section ----------------------------------------------------


@dataclass
class MunicipalitySection:
    entries: list[MunicipalityChallenge]
    last_change: MunicipalityChallenge | None
    can_edit: bool


@bp.app_template_global()
def municipality_challenges(membership: Membership) -> MunicipalitySection:
    """For ``challenges/_municipality_section.html``: the municipality's challenges, in one query."""
    entries = services.entries_for(membership)
    return MunicipalitySection(entries, services.last_change(entries),
                               access.can_edit_municipality_challenges(current_user, membership))


# --- the catalogue ----------------------------------------------------------------------


@bp.get("/<int:network_id>/challenges")
@login_required
def index(network_id: int):
    network = load_network(network_id)
    require(access.can_view_challenges(current_user, network))
    own = own_membership(network)
    own_entries = {e.challenge_id: e for e in services.entries_for(own)} if own else {}
    return render_template(
        "challenges/index.html",
        network=network,
        challenges=services.catalogue_with_authors(network),
        counts=services.catalogue_counts(network),
        municipality_count=services.municipality_count(network),
        own=own,
        own_entries=own_entries,
        can_manage=access.can_manage_catalogue(current_user, network),
        can_view_matrix=access.can_view_matrix(current_user, network),
    )


@bp.route("/<int:network_id>/challenges/new", methods=["GET", "POST"])
@login_required
def new(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_catalogue(current_user, network))
    form = ChallengeForm()
    if form.validate_on_submit():
        try:
            challenge = services.add_challenge(network, form.title.data, form.description.data)
        except ChallengeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagt til i katalogen.", title=challenge.title), "success")
            return redirect(url_for("challenges.index", network_id=network.id, _anchor=f"challenge-{challenge.id}"))
    check_title_too(form, network)
    return render_template("challenges/edit.html", network=network, form=form, challenge=None), form_status(form)


@bp.route("/<int:network_id>/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@login_required
def edit(network_id: int, challenge_id: int):
    network = load_network(network_id)
    require(access.can_manage_catalogue(current_user, network))
    challenge = load_challenge(network, challenge_id)
    form = ChallengeForm(obj=challenge)
    if form.validate_on_submit():
        try:
            services.update_challenge(challenge, form.title.data, form.description.data)
        except ChallengeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagret.", title=challenge.title), "success")
            return redirect(url_for("challenges.index", network_id=network.id, _anchor=f"challenge-{challenge.id}"))
    check_title_too(form, network, exclude=challenge)
    return render_template(
        "challenges/edit.html", network=network, form=form, challenge=challenge,
        entry_count=services.entry_count(challenge), action_form=EmptyForm(),
    ), form_status(form)


@bp.post("/<int:network_id>/challenges/<int:challenge_id>/delete")
@login_required
def delete(network_id: int, challenge_id: int):
    network = load_network(network_id)
    require(access.can_manage_catalogue(current_user, network))
    challenge = load_challenge(network, challenge_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    marked = services.entry_count(challenge)
    page = ask_first(
        below={"challenge": challenge}, title=_("Slette utfordringen?"),
        message=_("Slett «%(title)s» fra katalogen.", title=challenge.title),
        details=[ngettext("Markeringen fra %(num)d kommune slettes sammen med den.",
                          "Markeringene fra %(num)d kommuner slettes sammen med den.", marked)] if marked else [],
        button=_("Ja, slett utfordringen"),
        back=url_for("challenges.edit", network_id=network.id, challenge_id=challenge.id))
    if page is not None:
        return page
    title = challenge.title
    removed = services.delete_challenge(challenge)
    db.session.commit()
    flash(services.deleted_message(title, removed), "success")
    return redirect(url_for("challenges.index", network_id=network.id))


@bp.post("/<int:network_id>/challenges/<int:challenge_id>/move")
@login_required
def move(network_id: int, challenge_id: int):
    network = load_network(network_id)
    require(access.can_manage_catalogue(current_user, network))
    challenge = load_challenge(network, challenge_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    up = form.direction.data == "up"
    moved = services.move_challenge(challenge, -1 if up else 1)
    db.session.commit()
    if moved:
        flash(_("«%(title)s» er flyttet %(where)s.", title=challenge.title, where=_("opp") if up else _("ned")), "success")
    else:
        flash(_("«%(title)s» står allerede %(where)s.", title=challenge.title,
                where=_("øverst") if up else _("nederst")), "info")
    return redirect(url_for("challenges.index", network_id=network.id, _anchor=f"challenge-{challenge.id}"))


# --- who shares a challenge -------------------------------------------------------------


@bp.get("/<int:network_id>/challenges/<int:challenge_id>")
@login_required
def show(network_id: int, challenge_id: int):
    network = load_network(network_id)
    require(access.can_view_challenges(current_user, network))
    challenge = load_challenge(network, challenge_id)
    filter_form = GrowthFilterForm(request.args)
    return render_template(
        "challenges/show.html",
        network=network,
        challenge=challenge,
        shares=services.who_shares(challenge, filter_form.chosen),
        filter_form=filter_form,
        growth=filter_form.chosen,
        own=own_membership(network),
        can_manage=access.can_manage_catalogue(current_user, network),
    )


# --- a municipality's challenges --------------------------------------------------------


@bp.route("/<int:network_id>/municipalities/<int:organisation_id>/challenges", methods=["GET", "POST"])
@login_required
def municipality(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = load_municipality(network, organisation_id)
    require(access.can_edit_municipality_challenges(current_user, membership))
    challenges = services.catalogue_with_authors(network)
    entries = services.entries_for(membership)
    form = municipality_challenges_form(challenges, {e.challenge_id: e for e in entries})
    if form.validate_on_submit():
        choices = [services.Choice(challenge_id, priority, description)
                   for challenge_id, priority, description in form.chosen()]
        try:
            services.save_choices(membership, choices, current_user)
        except ChallengeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Utfordringene for %(name)s er lagret.", name=membership.organisation.name), "success")
            return redirect(url_for("networks.municipality", network_id=network.id, organisation_id=organisation_id,
                                    _anchor="challenges"))
    return render_template(
        "challenges/municipality.html", network=network, membership=membership, form=form,
        last_change=services.last_change(entries),
    ), form_status(form)


@bp.route("/<int:network_id>/municipalities/<int:organisation_id>/challenges/new", methods=["GET", "POST"])
@login_required
def add_own(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = load_municipality(network, organisation_id)
    require(access.can_edit_municipality_challenges(current_user, membership))
    form = OwnChallengeForm()
    if form.validate_on_submit():
        try:
            challenge = services.add_own_challenge(
                membership, title=form.title.data, description=form.description.data,
                priority=ChallengePriority(form.priority.data), local_description=form.local_description.data,
                by=current_user,
            )
        except ChallengeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagt til i katalogen og markert for %(name)s.",
                    title=challenge.title, name=membership.organisation.name), "success")
            return redirect(url_for("challenges.municipality", network_id=network.id, organisation_id=organisation_id))
    check_title_too(form, network)
    return render_template("challenges/add_own.html", network=network, membership=membership,
                           form=form), form_status(form)


# --- the coordinators' matrix -----------------------------------------------------------


def _chart_label(number: int, title: str) -> str:
    label = f"{number}. {title}"
    return label if len(label) <= CHART_LABEL_MAX else label[:CHART_LABEL_MAX - 1].rstrip() + "…"


@bp.get("/<int:network_id>/challenges/matrix")
@login_required
def matrix(network_id: int):
    network = load_network(network_id)
    require(access.can_view_matrix(current_user, network))
    filter_form = GrowthFilterForm(request.args)
    result = services.matrix(network, filter_form.chosen)
    counts = {challenge.id: result.challenge_counts(challenge) for challenge in result.challenges}
    series = [Series(p.value, p.label) for p in ChallengePriority]
    chart = bar_chart(series, [
        Bar(_chart_label(number, challenge.title),
            {p.value: getattr(counts[challenge.id], p.value) for p in ChallengePriority})
        for number, challenge in enumerate(result.challenges, start=1)
    ], max_value=len(result.memberships) or None)  # a full bar is every municipality shown
    return render_template(
        "challenges/matrix.html", network=network, matrix=result, counts=counts, chart=chart,
        filter_form=filter_form, growth=filter_form.chosen,
    )


@bp.get("/<int:network_id>/challenges/matrix.csv")
@login_required
@audited(ExportKind.CHALLENGES)
def matrix_csv(network_id: int):
    network = load_network(network_id)
    require(access.can_view_matrix(current_user, network))
    filter_form = GrowthFilterForm(request.args)
    result = services.matrix(network, filter_form.chosen)
    header = [_("Kommune"), _("Kommunenummer"), _("Fylke"), _("Vekstklasse"), _("Utfordring"),
              _("Lagt til av"), _("Prioritet"), _("Slik er situasjonen"), _("Sist endret"), _("Endret av")]
    rows = []
    for membership, challenge, entry in services.matrix_rows(result):
        org = membership.organisation
        rows.append((
            org.name, org.kommunenummer or "", org.county.name if org.county else "",
            result.growth_classes[membership.id].label, challenge.title,
            challenge.added_by_organisation.name if challenge.added_by_organisation else _("Koordinatorene"),
            entry.priority.label, entry.description,
            to_user_timezone(entry.updated_at).date().isoformat() if entry.updated_at else "",
            entry.updated_by.name if entry.updated_by else "",
        ))
    return csv_response(f"utfordringer-nettverk-{network.id}.csv", header, rows)
