"""The rules of a network: members, teams, roles, anchoring and the checks the seeds ask for."""
from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from network.auth.models import Person, normalise_email
from network.auth.services import find_person_by_email, queue_invitation
from network.extensions import db
from network.main import clock
from network.models_base import utcnow
from network.networks.models import Membership, MembershipStatus, Network, NetworkInvitation, NetworkRole, RoleKind
from network.organisations.models import County, Organisation, OrganisationKind
from network.outbox.services import queue_mail_to
from network.validators import normalise_phone

# Seed 002: each municipality sends at least 2 participants, preferably 3.
MIN_PARTICIPANTS = 2
PREFERRED_PARTICIPANTS = 3
# People who count as the municipality's participants (the executive anchors, and may attend too).
PARTICIPANT_ROLES = frozenset({RoleKind.PARTICIPANT, RoleKind.CONTACT})


# Python compares code points, which puts Å before Æ and Ø. Norwegian puts Æ, Ø, Å after Z,
# in that order (Ä and Ö with Æ and Ø), and other accents with their base letter (é with e).
_NORWEGIAN_LETTERS = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def norwegian_key(text: str | None) -> str:
    """A sort key that puts names in Norwegian alphabetical order, the same on every database."""
    # Cached for plain strings: the same few thousand names are sorted on every list page of a national network.
    return _norwegian_key(text) if type(text) is str else _norwegian_key.__wrapped__(text)


@functools.lru_cache(maxsize=8192)
def _norwegian_key(text: str | None) -> str:
    folded = (text or "").lower().translate(_NORWEGIAN_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))


class NetworkError(ValueError):
    """A rule was broken; the message is shown to the user."""


@dataclass(frozen=True)
class Notice:
    level: str  # danger, warning or info: the alert colour
    message: str


@dataclass(frozen=True)
class Invitation:
    """When a person who has not answered yet was invited to a network, and when the mail last went."""
    invited_at: datetime
    sent_at: datetime
    times_sent: int

    @property
    def expired(self) -> bool:
        """The link in the last mail no longer works (``INVITATION_MAX_AGE``)."""
        return self.sent_at + current_app.config["INVITATION_MAX_AGE"] <= utcnow()


@dataclass
class TeamMember:
    person: Person
    roles: list[RoleKind] = field(default_factory=list)
    invitation: Invitation | None = None  # for those who have not answered: see ``with_invitations``

    @property
    def accepted(self) -> bool:
        """Has answered the invitation (chosen a password): only then part of the team's counts."""
        return self.person.has_accepted

    @property
    def counts_as_participant(self) -> bool:
        return self.accepted and bool(PARTICIPANT_ROLES.intersection(self.roles))

    @property
    def invited_participant(self) -> bool:
        """Invited as a participant or contact, and not answered yet."""
        return not self.accepted and bool(PARTICIPANT_ROLES.intersection(self.roles))


@dataclass
class MemberRow:
    """A member's line on the members and front pages: its team's counts, not the people."""
    membership: Membership
    participant_count: int  # people who have answered, as participant or contact
    invited_count: int      # people invited as participant or contact who have not answered
    notices: list[Notice]


# --- networks ---------------------------------------------------------------------------


NETWORK_ORDER = (Network.starts_on.desc().nulls_last(), Network.name, Network.id)


@dataclass
class PersonsNetworks:
    roles: dict[int, frozenset[RoleKind]]  # network id → the person's roles there
    networks: list[Network]  # in ``networks_for``'s order
    memberships: dict[int, Membership]  # network id → the person's organisation's active membership


def persons_networks(person) -> PersonsNetworks:
    """The person's networks, roles and own organisation's memberships there: one query."""
    rows = db.session.execute(
        select(Network, NetworkRole.role, Membership).join(NetworkRole, NetworkRole.network_id == Network.id)
        .outerjoin(Membership, and_(Membership.network_id == Network.id,
                                    Membership.organisation_id == person.organisation_id,
                                    Membership.status == MembershipStatus.ACTIVE))
        .where(NetworkRole.person_id == person.id).order_by(*NETWORK_ORDER)
    ).all()
    roles: dict[int, set[RoleKind]] = defaultdict(set)
    networks: dict[int, Network] = {}
    memberships: dict[int, Membership] = {}
    for network, role, membership in rows:
        networks.setdefault(network.id, network)
        roles[network.id].add(role)
        if membership is not None:
            memberships[network.id] = membership
    return PersonsNetworks({network_id: frozenset(kinds) for network_id, kinds in roles.items()},
                           list(networks.values()), memberships)


def networks_for(person, known: PersonsNetworks | None = None) -> list[tuple[Network, list[RoleKind]]]:
    """The networks a person belongs to (all of them for KS administrators), with their roles;
    ``known`` is what ``persons_networks(person)`` gave, when the caller has it already."""
    known = known if known is not None else persons_networks(person)
    roles, networks = known.roles, known.networks
    if person.is_admin:
        networks = list(db.session.scalars(select(Network).order_by(*NETWORK_ORDER)))
    return [(network, sorted(roles.get(network.id, []), key=_role_order)) for network in networks]


def member_network_ids(organisation: Organisation | None) -> set[int]:
    """The networks the organisation is an active member of."""
    if organisation is None:
        return set()
    return set(db.session.scalars(select(Membership.network_id).where(
        Membership.organisation_id == organisation.id, Membership.status == MembershipStatus.ACTIVE
    )))


def _role_order(role: RoleKind) -> int:
    return list(RoleKind).index(role)


def close_network(network: Network, now=None) -> None:
    """Close the network: read-only from now on (network/networks/readonly.py), still exportable."""
    if network.closed_at is not None:
        raise NetworkError(_("Nettverket er allerede avsluttet."))
    network.closed_at = now or utcnow()


def reopen_network(network: Network) -> None:
    if network.closed_at is None:
        raise NetworkError(_("Nettverket er ikke avsluttet."))
    network.closed_at = None


def save_network(network: Network | None, **fields) -> Network:
    if fields.get("starts_on") and fields.get("ends_on") and fields["ends_on"] < fields["starts_on"]:
        raise NetworkError(_("Sluttdatoen kan ikke være før startdatoen."))
    if network is None:
        network = Network()
        db.session.add(network)
    for name, value in fields.items():
        setattr(network, name, value)
    db.session.flush()
    return network


# --- members ----------------------------------------------------------------------------


def _by_county_and_name(membership: Membership) -> tuple[str, str]:
    organisation = membership.organisation
    return (norwegian_key(organisation.county.name) if organisation.county else "~", norwegian_key(organisation.name))


def active_memberships(network: Network) -> list[Membership]:
    """Active members by county (organisations without one last), then name."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE)
        .options(joinedload(Membership.organisation).joinedload(Organisation.county), joinedload(Membership.executive))
    )
    return sorted(memberships, key=_by_county_and_name)


@dataclass(frozen=True, slots=True)
class CountySummary:
    name: str


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    """What the front and members pages read of a member organisation."""
    id: int
    name: str
    kind: OrganisationKind
    county: CountySummary | None

    is_municipality = Organisation.is_municipality  # the same rule, on these plain values


@dataclass(frozen=True, slots=True)
class MemberSummary:
    """What the front and members pages read of an active membership: plain values, not ORM
    objects (a national network has hundreds, and loading them was a large part of each page)."""
    id: int
    organisation_id: int
    executive_id: int | None
    executive_name: str | None
    anchoring_decided_on: date | None
    organisation: OrganisationSummary

    is_anchored = Membership.is_anchored  # the same rule, on these plain values


def active_member_summaries(network: Network) -> list[MemberSummary]:
    """``active_memberships`` as plain values, in the same order, in one query."""
    counties: dict[str, CountySummary] = {}
    members = [
        MemberSummary(membership_id, organisation_id, executive_id, executive_name, decided_on,
                      OrganisationSummary(organisation_id, name, kind,
                                          counties.setdefault(county, CountySummary(county)) if county else None))
        for membership_id, organisation_id, executive_id, executive_name, decided_on, name, kind, county
        in db.session.execute(
            select(Membership.id, Membership.organisation_id, Membership.executive_id, Membership.executive_name,
                   Membership.anchoring_decided_on, Organisation.name, Organisation.kind, County.name)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .outerjoin(County, County.id == Organisation.county_id)
            .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE))
    ]
    return sorted(members, key=_by_county_and_name)


def withdrawn_memberships(network: Network) -> list[Membership]:
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.WITHDRAWN)
        .options(joinedload(Membership.organisation))
    )
    return sorted(memberships, key=lambda m: norwegian_key(m.organisation.name))


def memberships_by_organisation(network: Network) -> dict[int, Membership]:
    """Every membership of the network, active or withdrawn, by organisation id."""
    return {m.organisation_id: m for m in db.session.scalars(select(Membership).where(Membership.network_id == network.id))}


def get_membership(network: Network, organisation_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership)
        .where(Membership.network_id == network.id, Membership.organisation_id == organisation_id)
        .options(joinedload(Membership.organisation).joinedload(Organisation.county))
    )


def municipalities_by_county(memberships: list[Membership]) -> list[tuple[str, list[Membership]]]:
    municipal = sorted((m for m in memberships if m.organisation.is_municipality), key=_by_county_and_name)
    county_name = lambda m: m.organisation.county.name if m.organisation.county else ""  # noqa: E731
    return [(county, list(items)) for county, items in groupby(municipal, key=county_name)]


def add_member(network: Network, organisation: Organisation, joined_on: date | None = None) -> Membership:
    membership = get_membership(network, organisation.id)
    if membership is not None and membership.status is MembershipStatus.ACTIVE:
        raise NetworkError(_("%(name)s er allerede med i nettverket.", name=organisation.name))
    if membership is None:
        membership = Membership(network=network, organisation=organisation)
        db.session.add(membership)
    membership.status = MembershipStatus.ACTIVE
    membership.joined_on = joined_on or clock.oslo_today()
    db.session.flush()
    return membership


def withdraw_member(membership: Membership) -> None:
    """Withdrawn members keep their history; they can be added again."""
    membership.status = MembershipStatus.WITHDRAWN


def search_organisations(network: Network, query: str, limit: int = 25) -> list[Organisation]:
    """Organisations matching a name or kommunenummer that are not active members yet."""
    query = query.strip()
    if not query:
        return []
    active_ids = select(Membership.organisation_id).where(
        Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE
    )
    pattern = _like_pattern(query.lower())
    name_matches = [func.lower(column).like(pattern, escape="\\") for column in (Organisation.name, Organisation.name_ssb)]
    return sorted(
        db.session.scalars(
            select(Organisation)
            .where(
                or_(*name_matches, Organisation.kommunenummer == query),
                Organisation.id.not_in(active_ids),
            )
            .options(joinedload(Organisation.county))
            .order_by(Organisation.name)
            .limit(limit)
        ),
        key=lambda organisation: norwegian_key(organisation.name),
    )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def create_organisation(name: str, kind: OrganisationKind, county: County | None, org_number: str | None) -> Organisation:
    if kind is OrganisationKind.MUNICIPALITY:
        raise NetworkError(_("Kommuner hentes fra den nasjonale kommunelisten. Søk etter kommunen i stedet."))
    organisation = Organisation(name=name.strip(), kind=kind, county=county, org_number=org_number or None)
    db.session.add(organisation)
    db.session.flush()
    return organisation


# --- teams and checks -------------------------------------------------------------------


def teams(network: Network, organisation_ids: list[int]) -> dict[int, list[TeamMember]]:
    """Each organisation's people with their roles in this network, in one query."""
    rows = db.session.execute(
        select(Person, NetworkRole.role)
        .join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, Person.organisation_id.in_(organisation_ids))
    ).all()
    by_org: dict[int, dict[int, TeamMember]] = defaultdict(dict)
    for person, role in rows:
        member = by_org[person.organisation_id].setdefault(person.id, TeamMember(person))
        member.roles.append(role)
    for members in by_org.values():
        for member in members.values():
            member.roles.sort(key=_role_order)
    return {org_id: sorted(members.values(), key=lambda m: norwegian_key(m.person.name)) for org_id, members in by_org.items()}


def team_counts(network: Network, organisation_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Organisation id → (participants who have answered, invited who have not): what ``teams``
    gives once counted, counted in the database in one query, each person once whatever their roles."""
    accepted = case((Person.has_accepted, True), else_=False)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, has_accepted, number in db.session.execute(
        select(Person.organisation_id, accepted, func.count(Person.id.distinct()))
        .join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, Person.organisation_id.in_(organisation_ids),
               NetworkRole.role.in_(list(PARTICIPANT_ROLES)))
        .group_by(Person.organisation_id, accepted)
    ):
        counts[org_id][0 if has_accepted else 1] += number
    return {org_id: (found[0], found[1]) for org_id, found in counts.items()}


def team_notices(membership: Membership, team: list[TeamMember]) -> list[Notice]:
    """The checks the seeds ask for, for one municipality."""
    if not membership.organisation.is_municipality:
        return []
    # Only people who have answered their invitation count: "at least two" is two who have joined.
    count = sum(1 for member in team if member.counts_as_participant)
    invited = sum(1 for member in team if member.invited_participant)
    return list(_count_notices(count, invited, membership.is_anchored))


def _count_notices(count: int, invited: int, anchored: bool) -> tuple[Notice, ...]:
    notices = []
    if count == 0:
        notices.append(Notice("danger", _(
            "Ingen deltakere er registrert. Hver kommune skal ha minst %(min)d, helst %(pref)d.",
            min=MIN_PARTICIPANTS, pref=PREFERRED_PARTICIPANTS,
        )))
    elif count < MIN_PARTICIPANTS:
        notices.append(Notice("danger", ngettext(
            "Bare %(num)d deltaker er registrert. Hver kommune skal ha minst %(min)d, helst %(pref)d.",
            "Bare %(num)d deltakere er registrert. Hver kommune skal ha minst %(min)d, helst %(pref)d.",
            count, min=MIN_PARTICIPANTS, pref=PREFERRED_PARTICIPANTS,
        )))
    elif count < PREFERRED_PARTICIPANTS:
        notices.append(Notice("info", _(
            "%(num)d deltakere er registrert. Helst %(pref)d, så laget dekker bredden i boligpolitikken.",
            num=count, pref=PREFERRED_PARTICIPANTS,
        )))
    if invited and count < PREFERRED_PARTICIPANTS:
        notices.append(Notice("info", ngettext(
            "%(num)d invitert har ikke svart ennå, og telles med først når hun eller han har valgt passord.",
            "%(num)d inviterte har ikke svart ennå, og telles med først når de har valgt passord.",
            invited,
        )))
    if not anchored:
        notices.append(Notice("warning", _("Forankringen hos kommunedirektøren (rådmannen) er ikke registrert.")))
    return tuple(notices)


def _name(row: MemberRow) -> str:
    return norwegian_key(row.membership.organisation.name)


SORT_KEYS = {
    "name": _name,
    "county": lambda row: _by_county_and_name(row.membership),
    "participants": lambda row: (row.participant_count, _name(row)),
    "anchoring": lambda row: (row.membership.is_anchored, _name(row)),
    "notices": lambda row: (-len(row.notices), _name(row)),  # the most to follow up first
}


def member_rows(network: Network, sort: str = "county", descending: bool = False,
                memberships: list[Membership] | None = None) -> list[MemberRow]:
    """The active members' rows; ``memberships`` is ``active_memberships(network)`` if the caller has it."""
    memberships = active_memberships(network) if memberships is None else memberships
    counts = team_counts(network, [m.organisation_id for m in memberships]) if memberships else {}
    # The same few notices for hundreds of members: worded once per request for each combination.
    worded: dict[tuple[int, int, bool], tuple[Notice, ...]] = {}
    rows = []
    for membership in memberships:
        count, invited = counts.get(membership.organisation_id, (0, 0))
        if not membership.organisation.is_municipality:
            notices: list[Notice] = []
        else:
            key = (count, invited, membership.is_anchored)
            if key not in worded:
                worded[key] = _count_notices(*key)
            notices = list(worded[key])
        rows.append(MemberRow(membership, count, invited, notices))
    rows.sort(key=SORT_KEYS.get(sort, SORT_KEYS["county"]), reverse=descending)
    return rows


def executive_candidates(network: Network, organisation_id: int) -> list[Person]:
    """The organisation's people with the executive role in this network, whom anchoring can name."""
    return list(db.session.scalars(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.EXECUTIVE,
               Person.organisation_id == organisation_id)
        .order_by(Person.name, Person.id)
    ))


def record_anchoring(
    membership: Membership, *, executive: Person | None = None, executive_name: str = "", decided_on: date | None,
    note: str | None, document_url: str | None
) -> None:
    """The executive is a person in the network when the municipality has one with that role; the
    typed name is for when it has none (and keeps the name of an executive recorded before)."""
    if decided_on and decided_on > clock.oslo_today():
        raise NetworkError(_("Datoen for vedtaket kan ikke være frem i tid."))
    if executive is not None and executive.organisation_id != membership.organisation_id:
        raise NetworkError(_("Kommunedirektøren må være fra kommunen."))
    membership.executive = executive
    membership.executive_name = executive.name if executive is not None else (executive_name.strip() or None)
    membership.anchoring_decided_on = decided_on
    membership.anchoring_note = (note or "").strip() or None
    membership.anchoring_document_url = (document_url or "").strip() or None


# --- people and roles -------------------------------------------------------------------


@dataclass
class InviteResult:
    person: Person
    created: bool
    added_roles: list[RoleKind]
    invitation_sent: bool = False  # an invitation mail went out (the person has not answered yet)
    resent: bool = False           # … to someone who had been invited to this network before


class AlreadyInvited(NetworkError):
    """The person was invited to this network and has not answered: nothing is sent again unless
    the inviter asks for it (``resend=True``), so two clicks never mean two mails."""

    def __init__(self, person: Person, invitation: Invitation):
        super().__init__(_("%(email)s er allerede invitert og har ikke svart ennå.", email=person.email))
        self.person = person
        self.invitation = invitation


def invite(
    network: Network,
    invited_by: Person,
    *,
    name: str,
    email: str,
    organisation: Organisation | None,
    roles: list[RoleKind],
    job_title: str | None = None,
    phone: str | None = None,
    resend: bool = False,
) -> InviteResult:
    """Give someone roles in the network, creating their account and inviting them if needed.

    Someone invited before who has not answered gets no new mail unless ``resend``: the caller
    hears ``AlreadyInvited`` (with the dates) and can ask the inviter."""
    if not roles:
        raise NetworkError(_("Velg minst én rolle."))
    person = find_person_by_email(email)
    created = person is None
    if created:
        person = Person(name=name.strip(), email=email, organisation=organisation, job_title=job_title or None,
                        phone=normalise_phone(phone))
        db.session.add(person)
    elif organisation is not None and person.organisation_id not in (None, organisation.id):
        # Someone at another organisation, perhaps in another network: say nothing about who or where.
        raise NetworkError(_("%(email)s kan ikke inviteres for %(org)s. Be nettverkets koordinator om hjelp hvis "
                             "personen skal være med.", email=normalise_email(email), org=organisation.name))
    elif person.organisation is None:
        person.organisation = organisation
    db.session.flush()
    existing = set(db.session.scalars(
        select(NetworkRole.role).where(NetworkRole.network_id == network.id, NetworkRole.person_id == person.id)
    ))
    earlier = None if created or person.has_accepted else invitations(network, [person.id]).get(person.id)
    if earlier is not None and not resend:
        raise AlreadyInvited(person, earlier)
    added = [role for role in roles if role not in existing]
    for role in added:
        db.session.add(NetworkRole(network=network, person=person, role=role))
    db.session.flush()
    if not person.has_accepted:
        _send_invitation(network, person, invited_by)
    elif added:
        queue_mail_to(
            person,
            _l("Du har fått en ny rolle i %(network)s", network=network.name),
            "networks/email/role_added",
            person=person,
            network=network,
            roles=added,
        )
    return InviteResult(person, created, added, invitation_sent=not person.has_accepted, resent=earlier is not None)


def with_invitations(network: Network, members: list[TeamMember]) -> list[TeamMember]:
    """The members who have not answered their invitation yet, each with its dates; one query."""
    waiting = [member for member in members if not member.accepted]
    found = invitations(network, [member.person.id for member in waiting])
    for member in waiting:
        member.invitation = found.get(member.person.id)
    return waiting


def _send_invitation(network: Network, person: Person, invited_by: Person | None) -> None:
    """Mail the invitation and note when, so the next inviter is told rather than sending again."""
    now = utcnow()
    row = db.session.scalar(select(NetworkInvitation).where(
        NetworkInvitation.network_id == network.id, NetworkInvitation.person_id == person.id))
    if row is None:
        db.session.add(NetworkInvitation(network_id=network.id, person_id=person.id, invited_at=now, sent_at=now))
    else:
        row.sent_at = now
        row.times_sent += 1
    queue_invitation(person, network.name, invited_by)


def resend_invitation(network: Network, person: Person, invited_by: Person) -> None:
    """Send the invitation again to someone with a role here who has not answered yet."""
    if person.has_accepted:
        raise NetworkError(_("%(name)s har allerede svart på invitasjonen.", name=person.name))
    if person.id not in invitations(network, [person.id]):
        raise NetworkError(_("%(name)s er ikke invitert til nettverket.", name=person.name))
    _send_invitation(network, person, invited_by)


def invitations(network: Network, person_ids: list[int]) -> dict[int, Invitation]:
    """Person id → when they were invited to the network and when the mail last went, for the
    given people who have a role there; one query. People invited before invitations were
    recorded count from their first role."""
    rows = db.session.execute(
        select(NetworkRole.person_id, func.min(NetworkRole.created_at), NetworkInvitation.invited_at,
               NetworkInvitation.sent_at, NetworkInvitation.times_sent)
        .outerjoin(NetworkInvitation, (NetworkInvitation.network_id == NetworkRole.network_id)
                   & (NetworkInvitation.person_id == NetworkRole.person_id))
        .where(NetworkRole.network_id == network.id, NetworkRole.person_id.in_(person_ids))
        .group_by(NetworkRole.person_id, NetworkInvitation.invited_at, NetworkInvitation.sent_at,
                  NetworkInvitation.times_sent)
    ).all()
    result = {}
    for person_id, first_role, invited_at, sent_at, times_sent in rows:
        result[person_id] = (Invitation(invited_at, sent_at, times_sent) if invited_at is not None
                             else Invitation(first_role, first_role, 1))
    return result


def revoke_role(role: NetworkRole) -> None:
    db.session.delete(role)


def restore_role(network: Network, person: Person, role: RoleKind) -> bool:
    """Give back a role just taken away ("Angre"). False when the person holds it again already."""
    held = db.session.scalar(select(NetworkRole.id).where(
        NetworkRole.network_id == network.id, NetworkRole.person_id == person.id, NetworkRole.role == role))
    if held is not None:
        return False
    db.session.add(NetworkRole(network=network, person=person, role=role))
    db.session.flush()
    return True


def people_in_network(network: Network) -> list[TeamMember]:
    """Everyone with a role in the network, with their organisation, in one query."""
    rows = db.session.execute(
        select(Person, NetworkRole.role)
        .join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id)
        .options(joinedload(Person.organisation))
    ).all()
    people: dict[int, TeamMember] = {}
    for person, role in rows:
        people.setdefault(person.id, TeamMember(person)).roles.append(role)
    for member in people.values():
        member.roles.sort(key=_role_order)
    return sorted(people.values(), key=lambda m: norwegian_key(m.person.name))


def role_rows(network: Network, person_ids: list[int]) -> list[NetworkRole]:
    return list(db.session.scalars(
        select(NetworkRole).where(NetworkRole.network_id == network.id, NetworkRole.person_id.in_(person_ids))
        .options(selectinload(NetworkRole.person))
    ))


def counties() -> list[County]:
    return sorted(db.session.scalars(select(County)), key=lambda county: norwegian_key(county.name))


# --- a person's networks, municipality and team across networks (for "Min side") ------------


def roles_by_network(person) -> dict[int, frozenset[RoleKind]]:
    """Network id → the person's roles there, in one query."""
    by_network: dict[int, set[RoleKind]] = defaultdict(set)
    for network_id, role in db.session.execute(
            select(NetworkRole.network_id, NetworkRole.role).where(NetworkRole.person_id == person.id)):
        by_network[network_id].add(role)
    return {network_id: frozenset(roles) for network_id, roles in by_network.items()}


def team_query(organisation_id: int, network_ids, roles=None):
    """The organisation's people with a role in these networks (only ``roles``, when given): rows of
    (person, network id, role), for ``team_members`` or a caller that joins more to them."""
    query = (select(Person, NetworkRole.network_id, NetworkRole.role)
             .join(NetworkRole, NetworkRole.person_id == Person.id)
             .where(NetworkRole.network_id.in_(list(network_ids)), Person.organisation_id == organisation_id))
    if roles is not None:
        query = query.where(NetworkRole.role.in_(list(roles)))
    return query


def team_members(organisation_id: int, network_ids, roles=None) -> dict[int, list[TeamMember]]:
    """Network id → the organisation's people with a role there (only ``roles``, when given), by
    name: one query for any number of networks."""
    if not network_ids:
        return {}
    return team_from_rows(db.session.execute(team_query(organisation_id, network_ids, roles)))


def team_from_rows(rows) -> dict[int, list[TeamMember]]:
    """``team_query``'s rows (more columns after the first three are left alone) as network id →
    members, each with their roles, by name."""
    by_network: dict[int, dict[int, TeamMember]] = defaultdict(dict)
    for person, network_id, role, *_rest in rows:
        by_network[network_id].setdefault(person.id, TeamMember(person))
        if role not in by_network[network_id][person.id].roles:
            by_network[network_id][person.id].roles.append(role)
    result = {}
    for network_id, members in by_network.items():
        for member in members.values():
            member.roles.sort(key=_role_order)
        result[network_id] = sorted(members.values(), key=lambda m: norwegian_key(m.person.name))
    return result
