"""What the coordinators' dashboard shows: participation, what needs following up, costs,
assignments, feedback waiting and evaluation scores, for one network.

The rules belong to the other capabilities and are asked for here, not written again: seats
and the checks of seed 002 in ``gatherings.services``, charges in ``costs.services``, the status
of a submission in ``assignments.services``. Everything loads in a fixed number of queries,
whatever the size of the network (tests/test_dashboard.py counts them).
"""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from network.assignments import services as assignment_services
from network.assignments.models import Assignment
from network.auth.models import Person
from network.costs import services as cost_services
from network.evaluations.services import GatheringScores, scores_by_gathering
from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus
from network.gatherings import followup
from network.gatherings.models import SEAT_STATUSES, Gathering, Registration, RegistrationStatus
from network.library import services as library_services
from network.networks.models import Membership, Network
from network.networks.services import (
    MIN_PARTICIPANTS, PREFERRED_PARTICIPANTS, active_member_summaries, active_memberships, norwegian_key,
)

# The order the assignment chart and table show a submission's status in.
ASSIGNMENT_STATUSES = (assignment_services.SUBMITTED, assignment_services.LATE, assignment_services.DRAFT,
                       assignment_services.MISSING)


# --- participation ----------------------------------------------------------------------


@dataclass
class ParticipationRow:
    membership: Membership
    registered: dict[int, int] = field(default_factory=dict)  # gathering id → people with a seat
    attended: dict[int, int] = field(default_factory=dict)    # gathering id → people who came

    @property
    def total_registered(self) -> int:
        return sum(self.registered.values())

    @property
    def total_attended(self) -> int:
        return sum(self.attended.values())


class Participation:
    """Member municipalities (in Norwegian order) × the network's gatherings. A row's counts are
    made when it is read: the dashboard shows one page of hundreds, the CSV all of them."""

    def __init__(self, gatherings: list[Gathering], municipal: list[Membership],
                 registered: dict[tuple[int, int], int], attended: dict[tuple[int, int], int]):
        self.gatherings = gatherings
        self.municipal = municipal
        self._registered, self._attended = registered, attended
        # The sums over the member municipalities, counted once.
        members = {m.organisation_id for m in municipal}
        self._sum_registered: dict[int, int] = defaultdict(int)
        self._sum_attended: dict[int, int] = defaultdict(int)
        gathering_ids = {g.id for g in gatherings}
        for counts, sums in ((registered, self._sum_registered), (attended, self._sum_attended)):
            for (org_id, gathering_id), count in counts.items():
                if org_id in members and gathering_id in gathering_ids:
                    sums[gathering_id] += count

    @functools.cached_property
    def rows(self) -> Sequence[ParticipationRow]:
        return _Rows(self)

    def registered(self, gathering_id: int) -> int:
        return self._sum_registered.get(gathering_id, 0)

    def attended(self, gathering_id: int) -> int:
        return self._sum_attended.get(gathering_id, 0)

    @property
    def total_registered(self) -> int:
        return sum(self._sum_registered.values())

    @property
    def total_attended(self) -> int:
        return sum(self._sum_attended.values())

    def row(self, membership: Membership) -> ParticipationRow:
        org_id, registered, attended = membership.organisation_id, self._registered, self._attended
        return ParticipationRow(
            membership,
            {g.id: registered.get((org_id, g.id), 0) for g in self.gatherings},
            {g.id: attended.get((org_id, g.id), 0) for g in self.gatherings},
        )


class _Rows(Sequence):
    """The rows as a list that makes each row (or slice of rows) only when it is read."""

    def __init__(self, participation: Participation):
        self._participation = participation

    def __len__(self) -> int:
        return len(self._participation.municipal)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._participation.row(m) for m in self._participation.municipal[index]]
        return self._participation.row(self._participation.municipal[index])


def seat_counts(gathering_ids: list[int]) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """Registered (with a seat) and attended per (organisation id, gathering id), in one query,
    one row per pair (``gatherings.services.registered_counts`` with the attended beside it)."""
    registered: dict[tuple[int, int], int] = {}
    attended: dict[tuple[int, int], int] = {}
    for org_id, gathering_id, seats, came in db.session.execute(
        select(Person.organisation_id, Registration.gathering_id, func.count(),
               func.count(case((Registration.status == RegistrationStatus.ATTENDED, 1))))
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.gathering_id.in_(gathering_ids), Registration.status.in_(SEAT_STATUSES))
        .group_by(Person.organisation_id, Registration.gathering_id)
    ):
        registered[org_id, gathering_id] = seats
        if came:
            attended[org_id, gathering_id] = came
    return registered, attended


def participation(municipal: list[Membership], gatherings: list[Gathering],
                  registered: dict[tuple[int, int], int], attended: dict[tuple[int, int], int]) -> Participation:
    # A cancelled gathering's registrations stay (they were told by mail), but nobody took part:
    # counted here they would read as people registered and not attended.
    gatherings = [g for g in gatherings if not g.is_cancelled]
    return Participation(gatherings, municipal, registered, attended)


def participation_for(network: Network) -> Participation:
    """The participation matrix on its own, for the CSV export."""
    gatherings = network_gatherings(network)
    registered, attended = seat_counts([g.id for g in gatherings])
    return participation(municipal_members(network), gatherings, registered, attended)


def municipal_members(network: Network, memberships: list[Membership] | None = None) -> list[Membership]:
    """The active member municipalities (of ``memberships`` when given), in Norwegian order."""
    if memberships is None:
        memberships = active_memberships(network)
    municipal = [m for m in memberships if m.organisation.is_municipality]
    keys = {m.id: norwegian_key(m.organisation.name) for m in municipal}  # once each, not per comparison
    return sorted(municipal, key=lambda m: keys[m.id])


def network_gatherings(network: Network) -> list[Gathering]:
    """The network's gatherings with their days, in one query (``gatherings_for`` takes two)."""
    return list(db.session.scalars(
        select(Gathering).where(Gathering.network_id == network.id)
        .options(joinedload(Gathering.days)).order_by(Gathering.number)
    ).unique())


# --- what needs following up ------------------------------------------------------------


def attention(network: Network, municipal: list[Membership], gatherings: list[Gathering],
              registered: dict[tuple[int, int], int]) -> followup.FollowUp:
    """The checks of seed 002, grouped by severity and gathering: the same rule as the
    registrations page and a municipality's page (``followup.follow_up``)."""
    return followup.follow_up(network, municipal, gatherings, counts=registered)


# --- assignments ------------------------------------------------------------------------


@dataclass
class AssignmentStatus:
    assignment: Assignment
    counts: dict[str, int]  # MISSING, DRAFT, SUBMITTED, LATE → municipalities

    @property
    def delivered(self) -> int:
        return self.counts[assignment_services.SUBMITTED] + self.counts[assignment_services.LATE]


def assignment_statuses(network: Network, municipality_count: int) -> list[AssignmentStatus]:
    """Per assignment, the grid's totals: ``submission_counts`` counts the active member
    municipalities' submissions, and those without one are missing. One query."""
    statuses = []
    for assignment, found in assignment_services.assignments_with_counts(network):
        row = {key: found.get(key, 0) for key in ASSIGNMENT_STATUSES}
        row[assignment_services.MISSING] = max(0, municipality_count - sum(row.values()))
        statuses.append(AssignmentStatus(assignment, row))
    return statuses


# --- feedback ---------------------------------------------------------------------------


@dataclass
class FeedbackWaiting:
    new: int                 # not opened yet
    awaiting_answer: int     # read, from a named sender, and not answered

    @property
    def total(self) -> int:
        return self.new + self.awaiting_answer


def waiting(network: Network) -> tuple[FeedbackWaiting, int]:
    """New feedback, named feedback that has been read but not answered, and the examples waiting
    for review (``library.services.review_count``). One query."""
    def feedback(*where):
        return select(func.count()).select_from(Feedback).where(Feedback.network_id == network.id, *where).scalar_subquery()

    new, awaiting, examples = db.session.execute(select(
        feedback(Feedback.status == FeedbackStatus.NEW),
        # Anonymous feedback can't be answered, so it never waits for an answer.
        feedback(Feedback.status == FeedbackStatus.READ, Feedback.anonymous.is_(False)),
        library_services.review_count_subquery(network),
    )).one()
    return FeedbackWaiting(new or 0, awaiting or 0), examples or 0


def feedback_by_status(network: Network) -> dict[str, int]:
    """How many pieces of feedback have each status, every status present. One query; counts
    only, so nothing here says who sent what."""
    counts = dict(db.session.execute(
        select(Feedback.status, func.count()).where(Feedback.network_id == network.id).group_by(Feedback.status)
    ).all())
    return {status.value: counts.get(status, 0) for status in FeedbackStatus}


# --- the whole page ---------------------------------------------------------------------


@dataclass
class Dashboard:
    network: Network
    participation: Participation
    attention: followup.FollowUp
    costs: cost_services.CostMatrix
    assignments: list[AssignmentStatus]
    feedback: FeedbackWaiting
    evaluations: list[GatheringScores]
    examples_waiting: int = 0  # examples the municipalities have asked to open to all
    min_participants: int = MIN_PARTICIPANTS
    preferred_participants: int = PREFERRED_PARTICIPANTS

    @property
    def missing_submissions(self) -> int:
        return sum(status.counts[assignment_services.MISSING] for status in self.assignments)

    @property
    def draft_submissions(self) -> int:
        return sum(status.counts[assignment_services.DRAFT] for status in self.assignments)


def dashboard(network: Network) -> Dashboard:
    memberships = active_member_summaries(network)
    municipal = municipal_members(network, memberships)
    gatherings = network_gatherings(network)
    registered, attended = seat_counts([g.id for g in gatherings])
    feedback, examples_waiting = waiting(network)
    return Dashboard(
        network=network,
        participation=participation(municipal, gatherings, registered, attended),
        attention=attention(network, municipal, gatherings, registered),
        # The totals are counted in the database (costs.services.charged_totals).
        costs=cost_services.cost_matrix(network, memberships=memberships, gatherings=gatherings),
        assignments=assignment_statuses(network, len(municipal)),
        feedback=feedback,
        evaluations=scores_by_gathering(network, gatherings),
        examples_waiting=examples_waiting,
    )
