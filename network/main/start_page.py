"""What "Min side" puts first: the person's next gatherings (days, status, place on the waiting
list, cost, free-cancellation deadline), gatherings open to them, their deadlines, recent comments
on their municipality's work and, for a municipal contact, the team and its next gathering.

Assembled from the capabilities' services (the cost rules are ``costs.services``'s, the access
rules each capability's own) in a fixed number of queries, however many networks, gatherings
and people there are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from network.assignments import access as assignment_access
from network.assignments import services as assignment_services
from network.assignments.models import Assignment, Comment, Submission
from network.comments import services as comment_services
from network.costs import services as cost_services
from network.gatherings import access as gathering_access
from network.gatherings import services as gathering_services
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.main import clock
from network.networks import access as network_access
from network.networks import services as network_services
from network.networks.models import Membership, NetworkStatus, RoleKind

REGISTRATION, CANCELLATION, ASSIGNMENT = "registration", "cancellation", "assignment"
DEADLINES_SHOWN = 8
COMMENTS_SHOWN = 5


@dataclass
class MyRegistration:
    registration: Registration
    position: int | None  # on the waiting list
    amount: Decimal       # the registration's days × the price per day package
    charged: bool         # invoiced as it stands (not while waiting)

    @property
    def gathering(self) -> Gathering:
        return self.registration.gathering

    @property
    def waiting(self) -> bool:
        return self.registration.status is RegistrationStatus.WAITING


@dataclass
class OpenGathering:
    gathering: Gathering
    full: bool


@dataclass
class Deadline:
    at: datetime  # aware; for an assignment, the end of its due date in Oslo
    kind: str     # REGISTRATION, CANCELLATION or ASSIGNMENT
    gathering: Gathering | None = None
    assignment: Assignment | None = None
    membership: Membership | None = None
    submission: Submission | None = None


@dataclass
class TeamRow:
    person: object
    roles: list[RoleKind]
    registration: Registration | None = None
    position: int | None = None
    amount: Decimal = cost_services.ZERO  # what is invoiced for this registration


@dataclass
class TeamSection:
    membership: Membership
    gathering: Gathering | None
    rows: list[TeamRow]
    closed_reason: str | None = None
    full: bool = False

    @property
    def registered(self) -> list[TeamRow]:
        return [row for row in self.rows if row.registration is not None]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), cost_services.ZERO)


@dataclass
class StartPage:
    registrations: list[MyRegistration] = field(default_factory=list)
    open_gatherings: list[OpenGathering] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    teams: list[TeamSection] = field(default_factory=list)
    # For the list of networks: the person's networks, roles and own organisation's memberships,
    # read along with the rest, not again.
    networks: network_services.PersonsNetworks | None = None


def build(person, now: datetime | None = None) -> StartPage:
    now = now or clock.utc_now()
    today = clock.in_oslo(now).date()
    networks = network_services.persons_networks(person)
    roles = networks.roles
    network_access.remember_roles(person, roles)
    team_networks = {nid for nid, kinds in roles.items() if kinds & network_access.TEAM_ROLES}
    contact_networks = {nid for nid, kinds in roles.items() if RoleKind.CONTACT in kinds}
    memberships = {nid: m for nid, m in networks.memberships.items() if nid in team_networks}
    # A completed network has no team left to register.
    team_memberships = [m for nid, m in memberships.items()
                        if nid in contact_networks and m.network.status is not NetworkStatus.COMPLETED
                        and gathering_access.can_register_team(person, m)]

    # Registrations in a network the person has left stay in the records, but its pages are closed to them.
    registrations = [r for r in gathering_services.upcoming_registrations(person, today)
                     if r.gathering.network_id in roles or network_access.is_admin(person)]
    registered_ids = {r.gathering_id for r in registrations}
    upcoming, seats = gathering_services.upcoming_gatherings(sorted(roles), today)
    open_ones = [g for g in gathering_services.open_gatherings(upcoming, now) if g.id not in registered_ids]
    next_by_network = gathering_services.next_gatherings(upcoming, [m.network_id for m in team_memberships])
    team_people, team_registrations = gathering_services.team_with_registrations(
        person.organisation_id, [m.network_id for m in team_memberships], network_access.TEAM_ROLES,
        [g.id for g in next_by_network.values()])

    waiting_in = {r.gathering_id for r in [*registrations, *team_registrations]
                  if r.status is RegistrationStatus.WAITING}
    positions = gathering_services.waiting_positions(sorted(waiting_in))

    page = StartPage(networks=networks)
    for registration in registrations:
        network = registration.gathering.network
        page.registrations.append(MyRegistration(
            registration, positions.get(registration.id), cost_services.registration_amount(registration),
            cost_services.is_charged(registration, network)))
    page.open_gatherings = [OpenGathering(g, gathering_services.is_full(g, seats.get(g.id, 0))) for g in open_ones]
    page.teams = _teams(team_memberships, next_by_network, team_people, team_registrations, seats, positions, now)
    page.deadlines = _deadlines(page, now, today, [memberships[nid] for nid in sorted(memberships)])
    page.comments = comment_services.recent_for_memberships(
        [m.id for m in memberships.values()], not_by=person.id, limit=COMMENTS_SHOWN)
    return page


def _teams(memberships, next_by_network, team_people, team_registrations, seats, positions, now) -> list[TeamSection]:
    by_person_and_gathering = {(r.person_id, r.gathering_id): r for r in team_registrations}
    sections = []
    for membership in sorted(memberships, key=lambda m: network_services.norwegian_key(m.network.name)):
        gathering = next_by_network.get(membership.network_id)
        rows = []
        for member in team_people.get(membership.network_id, []):
            row = TeamRow(member.person, member.roles)
            if gathering is not None:
                row.registration = by_person_and_gathering.get((member.person.id, gathering.id))
                if row.registration is not None:
                    row.position = positions.get(row.registration.id)
                    row.amount = cost_services.charged_amount(row.registration, membership.network)
            rows.append(row)
        sections.append(TeamSection(
            membership, gathering, rows,
            closed_reason=gathering_services.registration_closed_reason(gathering, now) if gathering else None,
            full=bool(gathering and gathering_services.is_full(gathering, seats.get(gathering.id, 0)))))
    return sections


def _deadlines(page: StartPage, now: datetime, today: date, memberships: list[Membership]) -> list[Deadline]:
    deadlines: list[Deadline] = []
    seen: set[int] = set()
    for gathering in [item.gathering for item in page.open_gatherings] + [t.gathering for t in page.teams
                                                                          if t.gathering and not t.closed_reason]:
        if gathering.id not in seen and gathering.registration_closes_at and gathering.registration_closes_at > now:
            seen.add(gathering.id)
            deadlines.append(Deadline(gathering.registration_closes_at, REGISTRATION, gathering=gathering))
    for item in page.registrations:
        deadline = item.gathering.cancellation_deadline
        if deadline and deadline > now:
            deadlines.append(Deadline(deadline, CANCELLATION, gathering=item.gathering))
    for assignment, membership, submission in assignment_services.due_for(memberships, today):
        deadlines.append(Deadline(assignment_access.due_at(assignment), ASSIGNMENT, assignment=assignment,
                                  membership=membership, submission=submission))
    return sorted(deadlines, key=lambda d: d.at)[:DEADLINES_SHOWN]
