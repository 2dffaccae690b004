"""Planning-status profiles: the rules for saving one municipality's profile, and the network comparison."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.auth.models import Person
from network.extensions import db
from network.main import clock
from network.main.numbers import round_half_up
from network.validators import is_web_address
from network.models_base import utcnow
from network.networks.models import Membership, MembershipStatus, Network
from network.networks.services import norwegian_key
from network.organisations.models import Organisation
from network.planning.models import (
    SCORE_MAX,
    SCORE_MIN,
    AdviceAssessment,
    PlanningStatus,
    PlanningStep,
    PlanStatus,
    StrategicAdvice,
)

# The same bounds as the table's check constraint: 1965 is when the first planning act came into force.
YEAR_MIN, YEAR_MAX = 1965, 2100
COMMENT_MAX = 1000
URL_MAX = 500
SCORES = tuple(range(SCORE_MIN, SCORE_MAX + 1))


class PlanningError(ValueError):
    """A rule was broken; the message is shown to the user."""


# --- the rules for one step and one piece of advice -------------------------------------


@dataclass(frozen=True)
class StepEntry:
    step: PlanningStep
    status: PlanStatus | None  # None: not recorded
    year: int | None = None
    document_url: str | None = None


@dataclass(frozen=True)
class AdviceEntry:
    advice: StrategicAdvice
    score: int | None  # None: not assessed
    comment: str = ""


def step_errors(entry: StepEntry, today: date | None = None) -> dict[str, str]:
    """What is wrong with one step, by the part it concerns ("status", "year" or "document_url")."""
    today = today or clock.oslo_today()
    label = entry.step.label
    errors: dict[str, str] = {}
    if entry.year is not None and not YEAR_MIN <= entry.year <= YEAR_MAX:
        errors["year"] = _("%(step)s: året må være mellom %(min)d og %(max)d.", step=label, min=YEAR_MIN, max=YEAR_MAX)
    elif entry.status is PlanStatus.ADOPTED and entry.year is None:
        errors["year"] = _("%(step)s: skriv året planen ble vedtatt.", step=label)
    elif entry.status is PlanStatus.ADOPTED and entry.year > today.year:
        errors["year"] = _("%(step)s: en vedtatt plan kan ikke ha et vedtaksår fram i tid (%(year)d).",
                           step=label, year=entry.year)
    if entry.document_url and (not is_web_address(entry.document_url) or len(entry.document_url) > URL_MAX):
        errors["document_url"] = _("%(step)s: skriv en fullstendig lenke som begynner med https://.", step=label)
    if entry.status is None and (entry.year is not None or entry.document_url):
        errors["status"] = _("%(step)s: velg status, eller fjern år og lenke.", step=label)
    return errors


def advice_errors(entry: AdviceEntry) -> dict[str, str]:
    """What is wrong with one self-assessment, by the part it concerns ("score" or "comment")."""
    label = entry.advice.label
    errors: dict[str, str] = {}
    if entry.score is not None and entry.score not in SCORES:
        errors["score"] = _("%(advice)s: velg et tall fra %(min)d til %(max)d.", advice=label, min=SCORE_MIN, max=SCORE_MAX)
    elif entry.score is None and entry.comment.strip():
        errors["score"] = _("%(advice)s: velg et tall fra %(min)d til %(max)d for å lagre kommentaren.",
                            advice=label, min=SCORE_MIN, max=SCORE_MAX)
    if len(entry.comment) > COMMENT_MAX:
        errors["comment"] = _("%(advice)s: kommentaren kan ha høyst %(max)d tegn (nå %(count)d).",
                              advice=label, max=COMMENT_MAX, count=len(entry.comment))
    return errors


# --- one municipality's profile ---------------------------------------------------------


@dataclass
class Profile:
    membership: Membership
    statuses: dict[PlanningStep, PlanningStatus]
    assessments: dict[StrategicAdvice, AdviceAssessment]

    @property
    def steps(self) -> list[tuple[PlanningStep, PlanningStatus | None]]:
        return [(step, self.statuses.get(step)) for step in PlanningStep]

    @property
    def advice(self) -> list[tuple[StrategicAdvice, AdviceAssessment | None]]:
        return [(advice, self.assessments.get(advice)) for advice in StrategicAdvice]

    @property
    def last_change(self) -> PlanningStatus | AdviceAssessment | None:
        """The latest saved row, for "last updated by … on …"."""
        rows = [*self.statuses.values(), *self.assessments.values()]
        return max(rows, key=lambda row: row.updated_at, default=None)

    @property
    def is_empty(self) -> bool:
        return not self.statuses and not self.assessments


def profile(membership: Membership) -> Profile:
    """The membership's six steps and six self-assessments, in two queries."""
    statuses = db.session.scalars(
        select(PlanningStatus).where(PlanningStatus.membership_id == membership.id)
        .options(joinedload(PlanningStatus.updated_by))
    )
    assessments = db.session.scalars(
        select(AdviceAssessment).where(AdviceAssessment.membership_id == membership.id)
        .options(joinedload(AdviceAssessment.updated_by))
    )
    return Profile(membership, {row.step: row for row in statuses}, {row.advice: row for row in assessments})


def save_profile(membership: Membership, person: Person, steps: list[StepEntry], advice: list[AdviceEntry],
                 today: date | None = None) -> int:
    """Store the profile: a step without status, or advice without score, removes its row ("not recorded").
    Rows that change get the person and the time. Returns how many rows changed. The caller commits."""
    problems = [message for entry in steps for message in step_errors(entry, today).values()]
    problems += [message for entry in advice for message in advice_errors(entry).values()]
    if problems:
        raise PlanningError(problems[0])
    # Two people saving the same municipality's first profile at once would both insert; on PostgreSQL
    # the lock on the membership row makes the second wait and then see the first one's rows.
    db.session.execute(select(Membership.id).where(Membership.id == membership.id).with_for_update())
    current = profile(membership)
    now = utcnow()
    changed = 0
    for entry in steps:
        values = {"status": entry.status, "year": entry.year, "document_url": entry.document_url or None}
        changed += _store(current.statuses.get(entry.step), entry.status is None, values, person, now,
                          lambda: PlanningStatus(membership_id=membership.id, step=entry.step))
    for entry in advice:
        values = {"score": entry.score, "comment": entry.comment.strip()}
        changed += _store(current.assessments.get(entry.advice), entry.score is None, values, person, now,
                          lambda: AdviceAssessment(membership_id=membership.id, advice=entry.advice))
    db.session.flush()
    return changed


def _store(row, remove: bool, values: dict, person: Person, now: datetime, new) -> int:
    if remove:
        if row is not None:
            db.session.delete(row)
            return 1
        return 0
    if row is not None and all(getattr(row, name) == value for name, value in values.items()):
        return 0
    if row is None:
        row = new()
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id = person.id
    row.updated_at = now
    return 1


# --- the network comparison -------------------------------------------------------------


@dataclass
class MunicipalityRow:
    membership: Membership
    # Rows with status, year and document_url, as PlanningStatus has them.
    statuses: dict[PlanningStep, PlanningStatus] = field(default_factory=dict)
    scores: dict[StrategicAdvice, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.membership.organisation.name

    @property
    def adopted_count(self) -> int:
        return sum(1 for row in self.statuses.values() if row.status is PlanStatus.ADOPTED)

    def status(self, step: PlanningStep) -> PlanStatus | None:
        row = self.statuses.get(step)
        return row.status if row else None


@dataclass
class StepCounts:
    step: PlanningStep
    adopted: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_recorded: int = 0

    def add(self, status: PlanStatus | None) -> None:
        name = {PlanStatus.ADOPTED: "adopted", PlanStatus.IN_PROGRESS: "in_progress",
                PlanStatus.NOT_STARTED: "not_started", None: "not_recorded"}[status]
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class AdviceSummary:
    advice: StrategicAdvice
    distribution: dict[int, int]  # score -> how many municipalities gave it

    @property
    def answered(self) -> int:
        return sum(self.distribution.values())

    @property
    def average(self) -> float | None:
        """Rounded to one decimal, as shown ("2,4")."""
        if not self.answered:
            return None
        total = sum(score * count for score, count in self.distribution.items())
        # Half up, as people round by hand: 9/4 is 2,3 (float rounding would give 2,2).
        return float(round_half_up(Decimal(total) / self.answered, 1))


# The order a step's statuses sort in: furthest along first when descending.
STATUS_RANK = {None: 0, PlanStatus.NOT_STARTED: 1, PlanStatus.IN_PROGRESS: 2, PlanStatus.ADOPTED: 3}


def _sort_key(sort: str, rows: list[MunicipalityRow]):
    """Each name's Norwegian key is worked out once, not once per comparison."""
    names = {id(row): norwegian_key(row.name) for row in rows}
    if sort == "county":
        counties = {id(row): norwegian_key(row.membership.organisation.county.name)
                    if row.membership.organisation.county else "~" for row in rows}
        return lambda row: (counties[id(row)], names[id(row)])
    if sort == "adopted":
        return lambda row: (row.adopted_count, names[id(row)])
    step = next((step for step in PlanningStep if step.value == sort), None)
    if step is not None:
        return lambda row: (STATUS_RANK[row.status(step)], (row.statuses[step].year or 0) if step in row.statuses else 0,
                            names[id(row)])
    return lambda row: names[id(row)]


SORTS = ("name", "county", "adopted", *(step.value for step in PlanningStep))


@dataclass
class Comparison:
    rows: list[MunicipalityRow]
    step_counts: list[StepCounts]
    advice: list[AdviceSummary]

    def row_for(self, organisation_id: int | None) -> MunicipalityRow | None:
        return next((row for row in self.rows if row.membership.organisation_id == organisation_id), None)


def comparison(network: Network, sort: str = "name", descending: bool = False) -> Comparison:
    """The active member municipalities' profiles side by side, with counts per step and the
    self-assessment per piece of advice. Three queries, however many members."""
    memberships = [m for m in db.session.scalars(
        select(Membership).where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE)
        .options(joinedload(Membership.organisation).joinedload(Organisation.county))
    ) if m.organisation.is_municipality]
    rows = {m.id: MunicipalityRow(m) for m in memberships}
    # Counted while reading, not by walking every row for every step and piece of advice.
    by_status: Counter = Counter()
    by_score: Counter = Counter()
    if rows:
        # Plain rows, not entities: a national network has thousands of statuses, and the page reads three columns.
        # Filtered by the network's memberships in SQL rather than a list of hundreds of ids.
        in_network = select(Membership.id).where(Membership.network_id == network.id)
        for status in db.session.execute(
            select(PlanningStatus.membership_id, PlanningStatus.step, PlanningStatus.status, PlanningStatus.year,
                   PlanningStatus.document_url).where(PlanningStatus.membership_id.in_(in_network))
        ):
            row = rows.get(status.membership_id)
            if row is not None:
                row.statuses[status.step] = status
                by_status[status.step, status.status] += 1
        for membership_id, advice, score in db.session.execute(
            select(AdviceAssessment.membership_id, AdviceAssessment.advice, AdviceAssessment.score)
            .where(AdviceAssessment.membership_id.in_(in_network))
        ):
            row = rows.get(membership_id)
            if row is not None:
                row.scores[advice] = score
                by_score[advice, score] += 1
    ordered = sorted(rows.values(), key=_sort_key(sort if sort in SORTS else "name", list(rows.values())),
                     reverse=descending)

    step_counts = []
    for step in PlanningStep:
        adopted, in_progress, not_started = (by_status[step, status] for status in
                                             (PlanStatus.ADOPTED, PlanStatus.IN_PROGRESS, PlanStatus.NOT_STARTED))
        step_counts.append(StepCounts(step, adopted, in_progress, not_started,
                                      len(ordered) - adopted - in_progress - not_started))
    summaries = [AdviceSummary(advice, {score: by_score[advice, score] for score in SCORES})
                 for advice in StrategicAdvice]
    return Comparison(ordered, step_counts, summaries)
