"""Network pages. Each view loads its objects, checks access in ``access``, then acts."""
from __future__ import annotations


from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.auth.models import Person
from network.auth.services import is_safe_next
from network.extensions import db
from network.gatherings import followup, services as gathering_services
from network.main import undo
from network.main.confirm import ask_first
from network.main.hygiene import parse_id
from network.main.spreadsheets import csv_response
from network.models_base import utcnow
from network.main.paging import row_page
from network.networks import access, services
from network.networks.loading import load_network, require
from network.networks.forms import (
    AddMemberForm,
    AnchoringForm,
    EmptyForm,
    InviteForm,
    MemberSearchForm,
    NetworkForm,
    NewOrganisationForm,
)
from network.networks.models import Membership, MembershipStatus, Network, NetworkRole, NetworkStatus, RoleKind
from network.networks.services import AlreadyInvited, NetworkError
from network.organisations.models import County, Organisation, OrganisationKind
from network.privacy.audit import audited
from network.privacy.models import ExportKind

bp = Blueprint("networks", __name__, url_prefix="/networks")

NETWORK_FIELDS = ("name", "topic", "description", "framing", "starts_on", "ends_on",
                  "ks_contact_name", "ks_contact_email", "feedback_email", "feedback_from_visitors",
                  "charge_late_cancellation")


def load_membership(network: Network, organisation_id: int) -> Membership:
    membership = services.get_membership(network, organisation_id)
    if membership is None:
        abort(404)
    return membership


def form_status(form) -> int:
    return 422 if form.errors else 200


@bp.get("/")
@login_required
def index():
    return render_template(
        "networks/index.html",
        networks=services.networks_for(current_user),
        can_create=access.can_create_network(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    require(access.can_create_network(current_user))
    form = NetworkForm()
    if form.validate_on_submit():
        return _save_network(None, form)
    return render_template("networks/edit.html", form=form, network=None), form_status(form)


@bp.route("/<int:network_id>/edit", methods=["GET", "POST"])
@login_required
def edit(network_id: int):
    network = load_network(network_id)
    require(access.can_edit_network(current_user, network))
    form = NetworkForm(obj=network)
    if request.method == "GET":
        form.status.data = network.status.value
    if form.validate_on_submit():
        return _save_network(network, form)
    return render_template("networks/edit.html", form=form, network=network), form_status(form)


def _save_network(network: Network | None, form: NetworkForm):
    fields = {name: getattr(form, name).data for name in NETWORK_FIELDS}
    fields["reminder_days_before"] = 7 if form.reminder_days_before.data is None else form.reminder_days_before.data
    fields["status"] = NetworkStatus(form.status.data)
    try:
        saved = services.save_network(network, **fields)
    except NetworkError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return render_template("networks/edit.html", form=form, network=network), 422
    if network is None:
        db.session.add(NetworkRole(network=saved, person=current_user, role=RoleKind.COORDINATOR))
    db.session.commit()
    flash(_("Nettverket er lagret."), "success")
    return redirect(url_for("networks.front_page", network_id=saved.id))


@bp.post("/<int:network_id>/close")
@login_required
def close(network_id: int):
    network = load_network(network_id)
    require(access.can_close_network(current_user, network))
    if not EmptyForm().validate_on_submit():
        abort(400)
    page = ask_first(
        title=_("Avslutte nettverket?"),
        message=_("Avslutt «%(network)s». Nettverket blir bare til å lese: ingen kan endre, melde på eller laste opp noe.",
                  network=network.name),
        details=[_("Alle sider, eksporter og arkivet kan fortsatt hentes ut.")],
        button=_("Ja, avslutt nettverket"),
        back=url_for("networks.front_page", network_id=network.id),
        afterwards=_("En KS-administrator kan åpne nettverket igjen."))
    if page is not None:
        return page
    try:
        services.close_network(network)
    except NetworkError as error:
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(_("Nettverket er avsluttet og kan bare leses."), "success")
    return redirect(url_for("networks.front_page", network_id=network.id))


@bp.post("/<int:network_id>/reopen")
@login_required
def reopen(network_id: int):
    network = load_network(network_id)
    require(access.can_close_network(current_user, network))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.reopen_network(network)
    except NetworkError as error:
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(_("Nettverket er åpnet igjen og kan endres."), "success")
    return redirect(url_for("networks.front_page", network_id=network.id))


FOLLOW_UP_SHOWN = 20  # municipalities listed under "Til oppfølging" on the front page


@bp.get("/<int:network_id>")
@login_required
def front_page(network_id: int):
    network = load_network(network_id)
    memberships = services.active_member_summaries(network)
    gatherings = gathering_services.gatherings_for(network)
    # A closed network has nothing left to follow up.
    rows = member_rows_with_gatherings(network, gatherings, memberships=memberships) \
        if access.is_coordinator(current_user, network) and not network.is_closed else []
    to_follow_up = [row for row in rows if any(n.level != "info" for n in row.notices)]
    return render_template(
        "networks/front_page.html",
        network=network,
        gatherings=gatherings,
        by_county=services.municipalities_by_county(memberships),
        other_members=[m for m in memberships if not m.organisation.is_municipality],
        # The front page lists what needs action; "3 preferred" stays on the members page.
        # A national network can have hundreds: the first ones, and the members page has them all.
        rows_with_notices=to_follow_up[:FOLLOW_UP_SHOWN], follow_up_count=len(to_follow_up),
        can_edit=access.can_edit_network(current_user, network),
        can_close=access.can_close_network(current_user, network),
    )


def member_rows_with_gatherings(network: Network, gatherings, sort: str = "county", descending: bool = False,
                                memberships=None):
    """The members' rows, with the checks on registrations for the gatherings added."""
    rows = services.member_rows(network, sort, descending, memberships)
    # The anchoring notice comes with the team's own (``team_notices``).
    extra = followup.follow_up(network, [row.membership for row in rows], gatherings,
                               anchoring=False).notices_by_organisation()
    for row in rows:
        row.notices.extend(extra.get(row.membership.organisation_id, []))
    if sort == "notices":
        rows.sort(key=services.SORT_KEYS["notices"], reverse=descending)
    return rows


# --- members ----------------------------------------------------------------------------


@bp.get("/<int:network_id>/members")
@login_required
def members(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    sort = request.args.get("sort", "county")
    descending = request.args.get("dir") == "desc"
    search_form = MemberSearchForm(request.args)
    results = services.search_organisations(network, search_form.q.data or "") if search_form.q.data else None
    rows = member_rows_with_gatherings(network, gathering_services.gatherings_for(network), sort, descending,
                                       memberships=services.active_member_summaries(network))
    return render_template(
        "networks/members.html",
        network=network,
        rows=rows,
        # Fifty members a page in the order chosen (each row has its own form); the CSV has them all.
        member_page=row_page(rows, "page"),
        sort=sort if sort in services.SORT_KEYS else "county",
        descending=descending,
        search_form=search_form,
        results=results,
        withdrawn=services.withdrawn_memberships(network),
        action_form=EmptyForm(),
        new_org_form=NewOrganisationForm(counties=services.counties()),
    )


@bp.get("/<int:network_id>/members.csv")
@login_required
@audited(ExportKind.MEMBERS)
def members_csv(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    header = [_("Organisasjon"), _("Type"), _("Kommunenummer"), _("Fylke"), _("Deltakere"),
              _("Forankret"), _("Kommunedirektør"), _("Merknader")]
    rows = []
    for row in member_rows_with_gatherings(network, gathering_services.gatherings_for(network),
                                           request.args.get("sort", "county"), request.args.get("dir") == "desc"):
        org = row.membership.organisation
        rows.append((
            org.name, org.kind.label, org.kommunenummer or "", org.county.name if org.county else "",
            row.participant_count, _("Ja") if row.membership.is_anchored else _("Nei"),
            row.membership.executive_display_name or "", " ".join(n.message for n in row.notices),
        ))
    return csv_response(f"medlemmer-nettverk-{network.id}.csv", header, rows)


@bp.post("/<int:network_id>/members")
@login_required
def add_member(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    form = AddMemberForm()
    organisation_id = parse_id(form.organisation_id.data) if form.validate_on_submit() else None
    if organisation_id is None:
        abort(400)
    organisation = db.get_or_404(Organisation, organisation_id)
    try:
        services.add_member(network, organisation)
    except NetworkError as error:
        flash(str(error), "warning")
        return redirect(url_for("networks.members", network_id=network.id))
    db.session.commit()
    flash(_("%(name)s er lagt til i nettverket.", name=organisation.name), "success")
    return redirect(url_for("networks.members", network_id=network.id))


@bp.post("/<int:network_id>/organisations")
@login_required
def create_organisation(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    form = NewOrganisationForm(counties=services.counties())
    if form.validate_on_submit():
        county = db.session.get(County, int(form.county_id.data)) if form.county_id.data else None
        try:
            organisation = services.create_organisation(form.name.data, OrganisationKind(form.kind.data), county, form.org_number.data)
            services.add_member(network, organisation)
        except NetworkError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s er opprettet og lagt til i nettverket.", name=organisation.name), "success")
            return redirect(url_for("networks.members", network_id=network.id))
    return render_template("networks/new_organisation.html", network=network, form=form), 422


@bp.post("/<int:network_id>/members/<int:membership_id>/withdraw")
@login_required
def withdraw_member(network_id: int, membership_id: int):
    network = load_network(network_id)
    require(access.can_manage_members(current_user, network))
    membership = db.get_or_404(Membership, membership_id)
    if membership.network_id != network.id or not EmptyForm().validate_on_submit():
        abort(404)
    page = ask_first(
        below={"membership": membership}, title=_("Fjerne medlemmet?"),
        message=_("Fjern %(name)s fra %(network)s.", name=membership.organisation.name, network=network.name),
        details=[_("%(name)s vises ikke lenger blant de aktive medlemmene. Personene derfra beholder rollene sine.",
                   name=membership.organisation.name)],
        button=_("Ja, fjern medlemmet"), back=url_for("networks.members", network_id=network.id),
        afterwards=_("Du kan legge %(name)s til igjen senere; historikken er tatt vare på.",
                     name=membership.organisation.name))
    if page is not None:
        return page
    services.withdraw_member(membership)
    db.session.commit()
    flash(_("%(name)s er fjernet fra nettverket.", name=membership.organisation.name), "success")
    return redirect(url_for("networks.members", network_id=network.id))


# --- municipality page and anchoring ----------------------------------------------------


@bp.get("/<int:network_id>/municipalities/<int:organisation_id>")
@login_required
def municipality(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = load_membership(network, organisation_id)
    team = services.teams(network, [organisation_id]).get(organisation_id, [])
    invited = services.with_invitations(network, team)
    role_rows = services.role_rows(network, [member.person.id for member in team])
    show_notices = access.can_see_team_warnings(current_user, membership)
    return render_template(
        "networks/municipality.html",
        network=network,
        membership=membership,
        organisation=membership.organisation,
        # Who has joined, and apart from them who was invited and has not answered yet.
        team=[member for member in team if member.accepted],
        invited=invited,
        notices=_municipality_notices(network, membership, team) if show_notices else [],
        can_edit_anchoring=access.can_edit_anchoring(current_user, membership),
        can_invite=access.can_invite(current_user, network, membership),
        role_rows=role_rows,
        revocable={role.id for role in role_rows if access.can_revoke_role(current_user, role, membership)},
        action_form=EmptyForm(),
    )


def _municipality_notices(network: Network, membership: Membership, team) -> list:
    checks = followup.follow_up(network, [membership], gathering_services.gatherings_for(network), anchoring=False)
    notices = services.team_notices(membership, team) + checks.notices_by_organisation().get(membership.organisation_id, [])
    # What must be followed up first, "nice to have" last.
    return sorted(notices, key=lambda notice: notice.level == "info")


@bp.route("/<int:network_id>/municipalities/<int:organisation_id>/anchoring", methods=["GET", "POST"])
@login_required
def anchoring(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = load_membership(network, organisation_id)
    require(access.can_edit_anchoring(current_user, membership))
    form = AnchoringForm(obj=None, executives=services.executive_candidates(network, organisation_id))
    if request.method == "GET":
        form.executive_id.data = str(membership.executive_id or "")
        form.executive_name.data = membership.executive_name
        form.decided_on.data = membership.anchoring_decided_on
        form.note.data = membership.anchoring_note
        form.document_url.data = membership.anchoring_document_url
    if form.validate_on_submit():
        try:
            services.record_anchoring(
                membership, executive=form.executives.get(form.executive_id.data) if form.use_people else None,
                executive_name=form.executive_name.data or "", decided_on=form.decided_on.data,
                note=form.note.data, document_url=form.document_url.data,
            )
        except NetworkError as error:
            db.session.rollback()
            form.decided_on.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Forankringen er registrert."), "success")
            return redirect(url_for("networks.municipality", network_id=network.id, organisation_id=organisation_id))
    return render_template(
        "networks/anchoring.html", network=network, membership=membership, form=form
    ), form_status(form)


# --- people and roles -------------------------------------------------------------------


@bp.get("/<int:network_id>/people")
@login_required
def people(network_id: int):
    network = load_network(network_id)
    memberships = services.memberships_by_organisation(network)
    people = services.people_in_network(network)
    invited = services.with_invitations(network, people)
    return render_template(
        "networks/people.html",
        network=network,
        people=[member for member in people if member.accepted],
        invited=invited,
        # Whose invitation this person may send again: the same rule as inviting them.
        resendable={member.person.id for member in invited if access.can_invite(
            current_user, network, memberships.get(member.person.organisation_id))},
        # Only members' organisations have a page in the network.
        organisation_pages=set(memberships),
        # Coordinators, and contacts for their own member organisation, may invite (as on the invite page).
        can_invite=access.is_coordinator(current_user, network) or any(
            m.status is MembershipStatus.ACTIVE and access.is_contact_for(current_user, m) for m in memberships.values()
        ),
    )


@bp.route("/<int:network_id>/people/invite", methods=["GET", "POST"])
@login_required
def invite(network_id: int):
    network = load_network(network_id)
    memberships = services.active_memberships(network)
    coordinator = access.is_coordinator(current_user, network)
    if coordinator:
        allowed = memberships
    else:
        allowed = [m for m in memberships if access.is_contact_for(current_user, m)]
    require(bool(allowed))
    by_org = {m.organisation_id: m for m in allowed}
    organisations = [m.organisation for m in allowed]
    if coordinator and current_user.organisation and current_user.organisation_id not in by_org:
        organisations.insert(0, current_user.organisation)  # KS's own coordinators
    grantable = frozenset(RoleKind) if coordinator else access.CONTACT_GRANTABLE_ROLES
    if request.method == "POST":
        # A real role or member organisation the form did not offer is a request for something
        # not allowed (403); values that are no role or organisation at all are bad input (422).
        posted_org = request.form.get("organisation_id", "")
        if (posted_org.isdigit() and int(posted_org) not in {o.id for o in organisations}
                and int(posted_org) in {m.organisation_id for m in memberships}):
            abort(403)
        all_roles = {role.value: role for role in RoleKind}
        if any(all_roles[value] not in grantable for value in request.form.getlist("roles") if value in all_roles):
            abort(403)
    form = InviteForm(organisations=organisations, roles=grantable)
    preselected = request.args.get("organisation_id", type=int)
    if request.method == "GET":
        if preselected in {o.id for o in organisations}:
            form.organisation_id.data = str(preselected)
        elif len(organisations) == 1:
            form.organisation_id.data = str(organisations[0].id)
    if form.validate_on_submit():
        organisation_id = int(form.organisation_id.data)
        organisation = next(o for o in organisations if o.id == organisation_id)
        roles = [RoleKind(value) for value in form.roles.data]
        if not set(roles) <= access.grantable_roles(current_user, network, by_org.get(organisation_id)):
            abort(403)
        try:
            result = services.invite(
                network, current_user, name=form.name.data, email=form.email.data,
                organisation=organisation, roles=roles, job_title=form.job_title.data, phone=form.phone.data,
                resend=form.resend.data,
            )
        except AlreadyInvited as already:
            db.session.rollback()
            # Nothing is sent: the page says when, and offers "Send invitasjonen på nytt".
            return render_template("networks/invite.html", network=network, form=form,
                                   already=already.invitation, already_email=form.email.data), 409
        except NetworkError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            if result.resent:
                flash(_("Invitasjonen til %(name)s er sendt på nytt til %(email)s.", name=result.person.name, email=result.person.email), "success")
            elif result.invitation_sent:
                flash(_("%(name)s er invitert. Invitasjonen er sendt til %(email)s.", name=result.person.name, email=result.person.email), "success")
            elif result.added_roles:
                flash(_("%(name)s har fått nye roller.", name=result.person.name), "success")
            else:
                flash(_("%(name)s hadde allerede disse rollene.", name=result.person.name), "info")
            if organisation_id in by_org and organisation.is_municipality:
                return redirect(url_for("networks.municipality", network_id=network.id, organisation_id=organisation_id))
            return redirect(url_for("networks.people", network_id=network.id))
    return render_template("networks/invite.html", network=network, form=form, already=None), form_status(form)


@bp.post("/<int:network_id>/people/<int:person_id>/resend-invitation")
@login_required
def resend_invitation(network_id: int, person_id: int):
    """Send the invitation again to someone who has not answered: for coordinators, and for the
    contact of the person's own municipality."""
    network = load_network(network_id)
    person = db.get_or_404(Person, person_id)
    if not services.invitations(network, [person.id]):
        abort(404)  # no role in this network
    membership = services.get_membership(network, person.organisation_id) if person.organisation_id else None
    require(access.can_invite(current_user, network, membership))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.resend_invitation(network, person, current_user)
    except NetworkError as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(_("Invitasjonen til %(name)s er sendt på nytt til %(email)s.", name=person.name, email=person.email),
              "success")
    target = request.form.get("back")
    return redirect(target if is_safe_next(target) else url_for("networks.people", network_id=network.id))


@bp.post("/<int:network_id>/roles/<int:role_id>/revoke")
@login_required
def revoke_role(network_id: int, role_id: int):
    network = load_network(network_id)
    role = db.get_or_404(NetworkRole, role_id)
    if role.network_id != network.id:
        abort(404)
    membership = services.get_membership(network, role.person.organisation_id) if role.person.organisation_id else None
    require(access.can_revoke_role(current_user, role, membership))
    if not EmptyForm().validate_on_submit():
        abort(400)
    person, kind = role.person, role.role
    target = request.form.get("back")
    back = target if is_safe_next(target) else url_for("networks.people", network_id=network.id)
    # A municipality's own roles are held for it; a coordinator's or observer's for the network.
    team = membership if membership is not None and kind in access.TEAM_ROLES else None
    place = team.organisation.name if team is not None else network.name
    page = ask_first(
        below={"membership": team}, title=_("Fjerne rollen?"),
        message=_("Fjern rollen %(role)s for %(name)s i %(place)s.", role=kind.label.lower(), name=person.name,
                  place=place),
        button=_("Ja, fjern rollen"), back=back, warning=_own_role_warning(role, place),
        afterwards=_("Du kan angre i %(n)s minutter etterpå.", n=undo.minutes()))
    if page is not None:
        return page
    services.revoke_role(role)
    db.session.commit()
    session[ROLE_UNDO] = {"network": network.id, "person": person.id, "role": kind.value, "by": current_user.id,
                          "at": utcnow().isoformat(), "back": back}
    undo.offer_undo(_("%(name)s har ikke lenger rollen %(role)s.", name=person.name, role=kind.label.lower()),
                    url_for("networks.undo_revoke", network_id=network.id), _("Angre"), utcnow())
    g.pop("_network_roles", None)  # the person may have taken away their own access
    if not access.can_view_network(current_user, network):
        return redirect(url_for("main.my_page"))
    return redirect(back)


# The role just removed, for "Angre": kept in the signed session, so only the person who removed it
# can give it back, and only within the window (the row itself is gone).
ROLE_UNDO = "role_undo"


def _own_role_warning(role: NetworkRole, place: str) -> str | None:
    if role.person_id != current_user.id:
        return None
    if role.role is RoleKind.CONTACT:
        return _("Dette er din egen rolle som kontaktperson. Uten den mister du tilgangen til å melde på, "
                 "invitere og fjerne roller for %(place)s.", place=place)
    return _("Dette er din egen rolle. Uten den mister du tilgangen som rollen gir deg.")


@bp.post("/<int:network_id>/roles/undo")
@login_required
def undo_revoke(network_id: int):
    """Give back the role this person removed a moment ago. The network is not loaded through its
    access rule: someone who removed their own only role may no longer see it, and may still undo."""
    network = db.get_or_404(Network, network_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    removed = session.get(ROLE_UNDO)
    if not isinstance(removed, dict) or removed.get("network") != network.id or removed.get("by") != current_user.id:
        flash(_("Det er ingen fjernet rolle å angre."), "info")
        return redirect(url_for("main.my_page"))
    back = removed.get("back") if is_safe_next(removed.get("back")) else url_for("main.my_page")
    try:
        removed_at = datetime.fromisoformat(removed["at"])
        person, kind = db.session.get(Person, int(removed["person"])), RoleKind(removed["role"])
    except (KeyError, TypeError, ValueError):
        person = None
    if person is None:
        session.pop(ROLE_UNDO, None)
        flash(_("Det er ingen fjernet rolle å angre."), "info")
        return redirect(url_for("main.my_page"))
    if not undo.within_window(removed_at):
        session.pop(ROLE_UNDO, None)
        flash(_("Det er mer enn %(n)s minutter siden rollen ble fjernet, så det kan ikke angres lenger. "
                "Gi rollen på nytt med «Inviter».", n=undo.minutes()), "warning")
        return redirect(back if access.can_view_network(current_user, network) else url_for("main.my_page"))
    services.restore_role(network, person, kind)
    db.session.commit()
    session.pop(ROLE_UNDO, None)
    g.pop("_network_roles", None)
    flash(_("%(name)s har rollen %(role)s igjen.", name=person.name, role=kind.label.lower()), "success")
    return redirect(back if access.can_view_network(current_user, network) else url_for("main.my_page"))
