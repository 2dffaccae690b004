"""Grouping pages. Each view loads its objects, checks access in ``access``, then acts."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import HiddenField

from network.challenges import services as challenge_services
from network.extensions import db
from network.gatherings import services as gathering_services
from network.groups import access, services
from network.groups.forms import GroupingForm, SettingsForm
from network.groups.models import Group, GroupKind, Grouping
from network.groups.services import GroupDraft, GroupingConflict, GroupingDraft, GroupingError
from network.main.hygiene import parse_id
from network.main.confirm import ask_first
from network.networks.forms import EmptyForm
from network.networks.loading import load_network, require
from network.networks.models import Network

bp = Blueprint("groups", __name__, url_prefix="/networks")


@bp.app_template_global()
def groups_for_membership(membership):
    """For ``groups/_municipality_section.html``: the groups the municipality is in."""
    return services.groups_for_membership(membership)


@bp.app_template_global()
def groupings_for_gathering(gathering):
    """For ``groups/_gathering_section.html``: the groupings made for this gathering."""
    return services.groupings_for_gathering(gathering)


@bp.app_template_global("can_manage_groupings")
def can_manage_groupings_template(network):
    return access.can_manage_groupings(current_user, network)


def load_grouping(network: Network, grouping_id: int) -> Grouping:
    grouping = services.get_grouping(network, grouping_id)
    if grouping is None:
        abort(404)
    return grouping


def load_group(grouping: Grouping, group_id: int) -> Group:
    group = next((group for group in grouping.groups if group.id == group_id), None)
    if group is None:
        abort(404)
    return group


# --- reading ----------------------------------------------------------------------------


@bp.get("/<int:network_id>/groups")
@login_required
def index(network_id: int):
    network = load_network(network_id)
    require(access.can_view_groupings(current_user, network))
    return render_template(
        "groups/index.html",
        network=network,
        rows=services.groupings_for(network),
        can_manage=access.can_manage_groupings(current_user, network),
    )


@bp.get("/<int:network_id>/groups/<int:grouping_id>")
@login_required
def show(network_id: int, grouping_id: int):
    network = load_network(network_id)
    require(access.can_view_groupings(current_user, network))
    grouping = load_grouping(network, grouping_id)
    return render_template(
        "groups/show.html",
        network=network,
        grouping=grouping,
        classes=services.classes_for(network, grouping),
        sorted_members=services.sorted_members,
        can_manage=access.can_manage_groupings(current_user, network),
        action_form=EmptyForm(),
    )


@bp.get("/<int:network_id>/groups/<int:grouping_id>/<int:group_id>")
@login_required
def group(network_id: int, grouping_id: int, group_id: int):
    network = load_network(network_id)
    require(access.can_view_groupings(current_user, network))
    grouping = load_grouping(network, grouping_id)
    group = load_group(grouping, group_id)
    return render_template(
        "groups/group.html",
        network=network,
        grouping=grouping,
        group=group,
        members=services.group_page(network, group),
    )


@bp.get("/<int:network_id>/groups/<int:grouping_id>/print", endpoint="print")
@login_required
def print_list(network_id: int, grouping_id: int):
    network = load_network(network_id)
    require(access.can_view_groupings(current_user, network))
    grouping = load_grouping(network, grouping_id)
    return render_template(
        "groups/print.html",
        network=network,
        grouping=grouping,
        teams=services.teams_for(network, grouping),
        sorted_members=services.sorted_members,
    )


# --- making and changing ----------------------------------------------------------------


@bp.route("/<int:network_id>/groups/new", methods=["GET", "POST"])
@login_required
def new(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_groupings(current_user, network))
    gatherings = gathering_services.gatherings_for(network)
    infos = services.member_infos(network)
    if request.method == "POST":
        return _post_grouping(network, None, GroupingForm(), gatherings, infos)

    settings = SettingsForm(formdata=request.args if request.args else None)
    settings.set_choices(gatherings, challenge_services.catalogue(network))
    if "suggest" not in request.args:  # step 1; ?gathering_id= preselects a gathering
        return render_template("groups/new.html", network=network, settings=settings)
    settings.validate()  # collects the "not a whole number" message; the rules below come from services
    problems, gathering, basis, challenge = services.check_settings(
        network, name=settings.name.data, gathering_id=settings.gathering_id.data or "", basis=settings.basis.data or "",
        challenge_id=settings.challenge_id.data or "", target_size=settings.target_size.data,
    )
    if settings.target_size.errors:
        problems = [(name, message) for name, message in problems if name != "target_size"]
    if problems or settings.errors:
        _attach(settings, problems)
        return render_template("groups/new.html", network=network, settings=settings), 422
    proposals = services.suggest_for(network, infos, basis, settings.target_size.data, challenge)
    keys = [f"n{index}" for index in range(len(proposals))]
    placed = {membership_id: key for key, proposal in zip(keys, proposals) for membership_id in proposal.membership_ids}
    form = GroupingForm(
        formdata=None,
        name=settings.name.data.strip(),
        gathering_id=str(gathering.id) if gathering else "",
        basis=basis.value,
        challenge_id=str(challenge.id) if challenge else "",
        target_size=str(settings.target_size.data),
        groups=[{"key": key, "group_id": "", "name": p.name, "kind": p.kind.value, "facilitator_id": "", "remove": False}
                for key, p in zip(keys, proposals)],
        placements=[{"membership_id": str(membership_id), "group": placed.get(membership_id, "")}
                    for membership_id in infos],
    )
    return _render_form(network, None, form, gatherings, infos, challenge=challenge)


@bp.route("/<int:network_id>/groups/<int:grouping_id>/edit", methods=["GET", "POST"])
@login_required
def edit(network_id: int, grouping_id: int):
    network = load_network(network_id)
    require(access.can_manage_groupings(current_user, network))
    grouping = load_grouping(network, grouping_id)
    gatherings = gathering_services.gatherings_for(network)
    infos = services.member_infos(network)
    if request.method == "POST":
        return _post_grouping(network, grouping, GroupingForm(), gatherings, infos)
    placed = services.placement_of(grouping)
    form = GroupingForm(
        formdata=None,
        name=grouping.name,
        gathering_id=str(grouping.gathering_id or ""),
        version=str(grouping.version),
        groups=[{"key": f"g{g.id}", "group_id": str(g.id), "name": g.name, "kind": g.kind.value,
                 "facilitator_id": str(g.facilitator_id or ""), "remove": False} for g in grouping.groups],
        placements=[{"membership_id": str(membership_id),
                     "group": f"g{placed[membership_id].id}" if membership_id in placed else ""}
                    for membership_id in infos],
    )
    return _render_form(network, grouping, form, gatherings, infos)


def _post_grouping(network: Network, grouping: Grouping | None, form: GroupingForm, gatherings, infos):
    facilitators = services.facilitator_choices(network)
    form.validate()  # only the CSRF token; the rules are in services
    if request.form.get("action") == "add_group":
        _add_empty_group(form)
        return _render_form(network, grouping, form, gatherings, infos, facilitators=facilitators,
                            notice=_("En tom gruppe er lagt til nederst. Velg den for kommunene som skal dit."))
    draft = _draft(form, grouping)
    try:
        checked = services.check_draft(network, draft, infos, {m.person.id for m in facilitators},
                                       editing=grouping is not None,
                                       kept_gathering_id=grouping.gathering_id if grouping is not None else None)
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        saved = services.save_grouping(network, grouping, checked, current_user, expected_version=expected)
    except GroupingConflict:
        db.session.rollback()
        current = load_grouping(network, grouping.id)
        form.version.data = str(current.version)  # sending again is a deliberate overwrite
        return _render_form(network, current, form, gatherings, infos, facilitators=facilitators, conflict=current,
                            status=409)
    except GroupingError as error:
        db.session.rollback()
        _attach(form, error.problems)
        return _render_form(network, grouping, form, gatherings, infos, facilitators=facilitators, status=422)
    db.session.commit()
    flash(_("Gruppeinndelingen «%(name)s» er lagret.", name=saved.name), "success")
    return redirect(url_for("groups.show", network_id=network.id, grouping_id=saved.id))


def _draft(form: GroupingForm, grouping: Grouping | None) -> GroupingDraft:
    groups = [
        GroupDraft(key=(e.form.key.data or "").strip(), name=e.form.name.data or "", kind=e.form.kind.data or "",
                   facilitator_id=e.form.facilitator_id.data or "", group_id=e.form.group_id.data or "",
                   remove=bool(e.form.remove.data), field_prefix=f"{e.name}-")
        for e in form.groups
    ]
    placements = [(e.form.membership_id.data or "", (e.form.group.data or "").strip(), e.form.group.name)
                  for e in form.placements]
    if grouping is None:
        size = (form.target_size.data or "").strip()
        basis, challenge_id = form.basis.data or "", form.challenge_id.data or ""
        target_size = int(size) if size.isdigit() and len(size) < 6 else None
    else:  # how a saved grouping was suggested doesn't change when its groups are adjusted
        basis, challenge_id = grouping.basis.value, str(grouping.basis_challenge_id or "")
        target_size = grouping.target_size
    return GroupingDraft(name=form.name.data or "", gathering_id=form.gathering_id.data or "", basis=basis,
                         challenge_id=challenge_id, target_size=target_size, groups=groups, placements=placements)


def _add_empty_group(form: GroupingForm) -> None:
    taken = {(e.form.name.data or "").strip().casefold() for e in form.groups}
    number = len(form.groups) + 1
    while _("Gruppe %(n)s", n=number).casefold() in taken:
        number += 1
    form.groups.append_entry({"key": f"n{uuid.uuid4().hex[:10]}", "group_id": "", "name": _("Gruppe %(n)s", n=number),
                              "kind": GroupKind.FREE.value, "facilitator_id": "", "remove": False})


def _attach(form, problems) -> None:
    """Put each of the rules' messages on its field; messages about hidden fields go on the form."""
    fields = form.fields_by_name() if hasattr(form, "fields_by_name") else {f.name: f for f in form}
    for name, message in problems:
        target = fields.get(name) if name else None
        if target is None or isinstance(target, HiddenField):
            if message not in form.form_errors:
                form.form_errors.append(message)
            continue
        target.errors = list(target.errors)
        if message not in target.errors:
            target.errors.append(message)


def _render_form(network: Network, grouping: Grouping | None, form: GroupingForm, gatherings, infos, *,
                 facilitators=None, challenge=None, conflict: Grouping | None = None, notice: str | None = None,
                 status: int = 200):
    facilitators = facilitators if facilitators is not None else services.facilitator_choices(network)
    form.set_choices(gatherings, facilitators)
    if grouping is None and challenge is None and parse_id(form.challenge_id.data) is not None:
        challenge = services.get_challenge(network, parse_id(form.challenge_id.data))
    fields = form.fields_by_name()
    errors = [(f, message) for f in fields.values() if not isinstance(f, HiddenField) for message in f.errors]
    group_keys = {e.form.key.data for e in form.groups}
    by_group: dict[str, list] = {key: [] for key in group_keys}
    unplaced = []
    for entry in form.placements:
        key = entry.form.group.data or ""
        (by_group[key] if key in by_group and key else unplaced).append(entry)
    saved_placement = services.placement_of(conflict) if conflict is not None else {}
    return render_template(
        "groups/form.html",
        network=network,
        grouping=grouping,
        form=form,
        errors=errors,
        infos=infos,
        by_group=by_group,
        unplaced=unplaced,
        basis_label=_basis_label(form, grouping, challenge),
        conflict=conflict,
        saved_placement=saved_placement,
        group_names={e.form.key.data: e.form.name.data for e in form.groups},
        notice=notice,
    ), status


def _basis_label(form: GroupingForm, grouping: Grouping | None, challenge) -> str:
    basis_value = grouping.basis.value if grouping is not None else form.basis.data
    basis = next((k for k in GroupKind if k.value == basis_value), None)
    if basis is None:
        return ""
    if basis is GroupKind.CHALLENGE:
        challenge = grouping.basis_challenge if grouping is not None else challenge
        if challenge is not None:
            return _("%(basis)s: %(title)s", basis=basis.label, title=challenge.title)
    return basis.label


@bp.post("/<int:network_id>/groups/<int:grouping_id>/delete")
@login_required
def delete(network_id: int, grouping_id: int):
    network = load_network(network_id)
    require(access.can_manage_groupings(current_user, network))
    grouping = load_grouping(network, grouping_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    refused = services.deletion_refused(grouping)
    if refused:  # said before anything is asked
        flash(refused, "warning")
        return redirect(url_for("groups.show", network_id=network.id, grouping_id=grouping.id))
    page = ask_first(
        below={"grouping": grouping}, title=_("Slette gruppeinndelingen?"),
        message=_("Slett «%(name)s» med alle gruppene i den.", name=grouping.name),
        details=[_("Kommunene mister plasseringen sin i disse gruppene. Selve kommunene og arbeidet deres berøres ikke.")],
        button=_("Ja, slett gruppeinndelingen"),
        back=url_for("groups.show", network_id=network.id, grouping_id=grouping.id))
    if page is not None:
        return page
    name = grouping.name
    services.delete_grouping(grouping)
    db.session.commit()
    flash(_("Gruppeinndelingen «%(name)s» er slettet.", name=name), "success")
    return redirect(url_for("groups.index", network_id=network.id))
