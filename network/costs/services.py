"""The rules of day-package costs: what is charged, the invoice basis, the cost matrix and catering.

A registration costs its number of days × the gathering's price per day package (seed 002).
Confirmed, attended and no-show registrations are charged; a cancellation only when it came
after the deadline and the network charges late cancellations; the waiting list never.

Amounts are ``Decimal`` and are added up in Python, never in SQL: SQLite would add them as
floats. Every function here loads what it needs in a fixed number of queries.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, union_all
from sqlalchemy.orm import aliased, selectinload

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import (
    SEAT_STATUSES, Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus, registration_day,
)
from network.networks import access
from network.networks.models import Membership, MembershipStatus, Network
from network.networks.services import norwegian_key
from network.organisations.models import Organisation

ZERO = Decimal("0.00")
CHARGED_STATUSES = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW})


# --- the rules --------------------------------------------------------------------------


def is_charged(registration, network: Network) -> bool:
    """Whether the registration is invoiced. ``registration`` is a ``Registration`` or any row
    with ``status`` and ``late_cancellation``."""
    if registration.status in CHARGED_STATUSES:  # a no-show is still charged (issue 3)
        return True
    if registration.status is RegistrationStatus.CANCELLED:
        return bool(registration.late_cancellation and network.charge_late_cancellation)
    return False  # the waiting list


def late_cancellation_notice(gathering) -> str:
    """What someone with a seat is told once the deadline for a free cancellation has passed: where
    the network invoices late cancellations (``is_charged``), that the municipality may pay."""
    if gathering.network.charge_late_cancellation:
        return _("Fristen for gratis avmelding har gått ut, så kommunen kan bli fakturert for plassen.")
    return _("Fristen for avmelding har gått ut.")


def day_package_amount(days: int, price_per_day: Decimal) -> Decimal:
    return (Decimal(days) * Decimal(price_per_day)).quantize(ZERO)


def registration_amount(registration: Registration) -> Decimal:
    """What the registration costs if it is charged: its days × the price per day package."""
    return day_package_amount(len(registration.days), registration.gathering.price_per_day)


def charged_amount(registration: Registration, network: Network) -> Decimal:
    """What the registration adds to the invoice: its amount, or nothing."""
    return registration_amount(registration) if is_charged(registration, network) else ZERO


# --- the invoice basis ------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    organisation_id: int | None
    organisation_name: str
    org_number: str | None
    person_id: int
    person_name: str
    gathering_id: int
    gathering_number: int
    gathering_title: str
    days: int
    unit_price: Decimal
    amount: Decimal
    status: RegistrationStatus

    @property
    def sort_key(self):
        return (norwegian_key(self.organisation_name), self.gathering_number, norwegian_key(self.person_name), self.person_id)


@dataclass
class InvoiceGroup:
    """One organisation's lines, with their subtotal: what one invoice will hold."""

    organisation_id: int | None
    organisation_name: str
    org_number: str | None
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def days(self) -> int:
        return sum(line.days for line in self.lines)


@dataclass
class InvoiceBasis:
    network: Network
    gathering: Gathering | None
    groups: list[InvoiceGroup]

    @property
    def total(self) -> Decimal:
        return sum((group.subtotal for group in self.groups), ZERO)

    @property
    def days(self) -> int:
        return sum(group.days for group in self.groups)

    @property
    def lines(self) -> list[InvoiceLine]:
        return [line for group in self.groups for line in group.lines]


def _day_count():
    return (select(func.count()).select_from(registration_day)
            .where(registration_day.c.registration_id == Registration.id).scalar_subquery())


def invoice_lines(network: Network, gathering: Gathering | None = None,
                  organisation_id: int | None = None, person_id: int | None = None) -> list[InvoiceLine]:
    """One line per person and gathering that is charged, ordered by organisation, gathering
    and person. One query. People without an organisation get ``organisation_id`` None."""
    query = (
        select(Registration.id, Registration.status, Registration.late_cancellation, Registration.created_at,
               Person.id.label("person_id"), Person.name.label("person_name"),
               Organisation.id.label("organisation_id"), Organisation.name.label("organisation_name"),
               Organisation.org_number, Gathering.id.label("gathering_id"), Gathering.number, Gathering.title,
               Gathering.price_per_day, _day_count().label("days"))
        .join(Person, Registration.person_id == Person.id)
        .outerjoin(Organisation, Person.organisation_id == Organisation.id)
        .join(Gathering, Registration.gathering_id == Gathering.id)
        # A cancelled gathering charges nobody (invoice basis, cost matrix and Min side alike).
        .where(Gathering.network_id == network.id, Gathering.status != GatheringStatus.CANCELLED)
        .order_by(Registration.created_at, Registration.id)
    )
    if gathering is not None:
        query = query.where(Gathering.id == gathering.id)
    if organisation_id is not None:
        query = query.where(Person.organisation_id == organisation_id)
    if person_id is not None:
        query = query.where(Registration.person_id == person_id)
    # One line per person and gathering: someone who cancelled late and then registered again
    # pays once, for the registration that stands; of several late cancellations, the last.
    chosen: dict[tuple[int, int], object] = {}
    for row in db.session.execute(query):
        if not is_charged(row, network):
            continue
        key = (row.person_id, row.gathering_id)
        previous = chosen.get(key)
        if previous is None or row.status is not RegistrationStatus.CANCELLED \
                or previous.status is RegistrationStatus.CANCELLED:
            chosen[key] = row
    lines = [
        InvoiceLine(
            organisation_id=row.organisation_id, organisation_name=row.organisation_name or "",
            org_number=row.org_number or None, person_id=row.person_id, person_name=row.person_name,
            gathering_id=row.gathering_id, gathering_number=row.number, gathering_title=row.title,
            days=row.days, unit_price=Decimal(row.price_per_day).quantize(ZERO),
            amount=day_package_amount(row.days, row.price_per_day), status=row.status,
        )
        for row in chosen.values()
    ]
    # People without an organisation last.
    return sorted(lines, key=lambda line: (line.organisation_id is None, line.sort_key))


def invoice_basis(network: Network, gathering: Gathering | None = None) -> InvoiceBasis:
    """The invoice basis: the lines grouped per organisation (one invoice each), with subtotals."""
    groups: dict[int | None, InvoiceGroup] = {}
    for line in invoice_lines(network, gathering):
        group = groups.get(line.organisation_id)
        if group is None:
            group = groups[line.organisation_id] = InvoiceGroup(line.organisation_id, line.organisation_name,
                                                                line.org_number)
        group.lines.append(line)
    return InvoiceBasis(network, gathering, list(groups.values()))


# --- cost per organisation and gathering ------------------------------------------------


@dataclass
class MatrixRow:
    organisation_id: int | None
    organisation_name: str
    is_member: bool
    amounts: dict[int, Decimal] = field(default_factory=dict)  # gathering id → amount
    people: dict[int, int] = field(default_factory=dict)       # gathering id → people charged

    def amount(self, gathering_id: int) -> Decimal:
        return self.amounts.get(gathering_id, ZERO)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


@dataclass
class CostMatrix:
    gatherings: list[Gathering]
    rows: list[MatrixRow]

    def gathering_total(self, gathering_id: int) -> Decimal:
        return sum((row.amount(gathering_id) for row in self.rows), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)


MATRIX_SORTS = {
    "name": lambda row: (row.organisation_id is None, norwegian_key(row.organisation_name)),
    "total": lambda row: (row.total, norwegian_key(row.organisation_name)),
}


def network_gatherings(network: Network) -> list[Gathering]:
    return list(db.session.scalars(
        select(Gathering).where(Gathering.network_id == network.id).order_by(Gathering.number)))


def charged_totals(network: Network) -> list[tuple[int | None, str | None, int, int, int]]:
    """(organisation id, name, gathering id, people charged, days charged) for the network: the
    sums of ``invoice_lines`` counted in the database, one query. Only whole numbers are added up
    there; the amounts are days × the gathering's price, in Python.

    The registrations are those ``invoice_lines`` picks: the one that stands (at most one per
    person and gathering, by the partial unique index), else, where late cancellations are
    charged, the person's last late cancellation."""
    in_network = (select(Gathering.id).where(Gathering.network_id == network.id,
                                              Gathering.status != GatheringStatus.CANCELLED))
    columns = (Registration.id, Registration.person_id, Registration.gathering_id)
    chosen = select(*columns).where(
        Registration.gathering_id.in_(in_network), Registration.status.in_(CHARGED_STATUSES))
    if network.charge_late_cancellation:
        other = aliased(Registration)
        late = (Registration.status == RegistrationStatus.CANCELLED) & Registration.late_cancellation.is_(True)
        other_late = (other.status == RegistrationStatus.CANCELLED) & other.late_cancellation.is_(True)
        overruled = exists().where(
            other.person_id == Registration.person_id, other.gathering_id == Registration.gathering_id,
            other.status.in_(CHARGED_STATUSES) | (other_late & (
                (other.created_at > Registration.created_at)
                | ((other.created_at == Registration.created_at) & (other.id > Registration.id)))))
        chosen = union_all(chosen, select(*columns).where(
            Registration.gathering_id.in_(in_network), late, ~overruled))
    chosen = chosen.subquery()
    # Days per registration from the network's own gathering days (ix_registration_day_day_id),
    # rather than a count per registration.
    days = (select(registration_day.c.registration_id, func.count().label("days"))
            .join(GatheringDay, GatheringDay.id == registration_day.c.day_id)
            .where(GatheringDay.gathering_id.in_(in_network))
            .group_by(registration_day.c.registration_id).subquery())
    return [tuple(row) for row in db.session.execute(
        select(Person.organisation_id, Organisation.name, chosen.c.gathering_id, func.count(),
               func.coalesce(func.sum(days.c.days), 0))
        .select_from(chosen)
        .join(Person, Person.id == chosen.c.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(days, days.c.registration_id == chosen.c.id)
        .group_by(Person.organisation_id, Organisation.name, chosen.c.gathering_id)
    )]


def cost_matrix(network: Network, sort: str = "name", descending: bool = False, *,
                memberships: list[Membership] | None = None, gatherings: list[Gathering] | None = None) -> CostMatrix:
    """Organisation × gathering: every active member (with nothing charged too), and anyone
    else who was charged, such as a member that has since withdrawn. Three queries, fewer when
    the caller passes the active memberships and the gatherings it has loaded already."""
    if memberships is None:
        # Only the names: loading whole memberships (with county and executive) costs more than the sums.
        members = db.session.execute(
            select(Membership.organisation_id, Organisation.name).join(Membership.organisation)
            .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE)).all()
    else:
        members = [(m.organisation_id, m.organisation.name) for m in memberships]
    if gatherings is None:
        gatherings = network_gatherings(network)
    rows: dict[int | None, MatrixRow] = {
        organisation_id: MatrixRow(organisation_id, name, True) for organisation_id, name in members
    }
    price = {g.id: g.price_per_day for g in gatherings}
    for organisation_id, name, gathering_id, people, days in charged_totals(network):
        row = rows.get(organisation_id)
        if row is None:
            row = rows[organisation_id] = MatrixRow(organisation_id, name or "", False)
        row.amounts[gathering_id] = day_package_amount(days, price[gathering_id])
        row.people[gathering_id] = people
    # Each name's Norwegian key once, not once per comparison.
    keys = {id(row): norwegian_key(row.organisation_name) for row in rows.values()}
    if sort == "total":
        order = lambda row: (row.total, keys[id(row)])  # noqa: E731
    else:
        order = lambda row: (row.organisation_id is None, keys[id(row)])  # noqa: E731
    return CostMatrix(list(gatherings), sorted(rows.values(), key=order, reverse=descending))


@dataclass
class GatheringCost:
    gathering: Gathering
    lines: list[InvoiceLine]

    @property
    def people(self) -> int:
        return len(self.lines)

    @property
    def days(self) -> int:
        return sum(line.days for line in self.lines)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass
class OrganisationCosts:
    organisation_id: int
    per_gathering: list[GatheringCost]

    @property
    def total(self) -> Decimal:
        return sum((cost.amount for cost in self.per_gathering), ZERO)

    @property
    def people(self) -> int:
        return sum(cost.people for cost in self.per_gathering)

    @property
    def days(self) -> int:
        return sum(cost.days for cost in self.per_gathering)


def organisation_costs(network: Network, organisation_id: int) -> OrganisationCosts:
    """One organisation's cost for each of the network's gatherings and in total. Two queries."""
    by_gathering: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in invoice_lines(network, organisation_id=organisation_id):
        by_gathering[line.gathering_id].append(line)
    return OrganisationCosts(organisation_id, [GatheringCost(g, by_gathering.get(g.id, []))
                                               for g in network_gatherings(network)])


@dataclass
class PersonCosts:
    """One person's own costs in a network: what is invoiced for them, and the waiting list
    (not invoiced unless they get a seat)."""

    lines: list[InvoiceLine]
    waiting: list[Registration]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def days(self) -> int:
        return sum(line.days for line in self.lines)


def person_costs(network: Network, person_id: int) -> PersonCosts:
    """A person's invoiced lines and waiting registrations in the network: three queries."""
    lines = sorted(invoice_lines(network, person_id=person_id), key=lambda line: line.gathering_number)
    waiting = list(db.session.scalars(
        select(Registration).join(Registration.gathering)
        .where(Registration.person_id == person_id, Gathering.network_id == network.id,
               Registration.status == RegistrationStatus.WAITING)
        .options(selectinload(Registration.days), selectinload(Registration.gathering))
        .order_by(Gathering.number)
    ))
    return PersonCosts(lines, waiting)


def can_see_costs(person, membership: Membership) -> bool:
    """A municipality's costs are for its contact and for coordinators."""
    return access.is_coordinator(person, membership.network) or access.is_contact_for(person, membership)


def costs_for_viewer(person, membership: Membership) -> OrganisationCosts | None:
    """The membership's costs if ``person`` may see them, else None (for the municipality page)."""
    if membership is None or not can_see_costs(person, membership):
        return None
    return organisation_costs(membership.network, membership.organisation_id)


# --- catering ---------------------------------------------------------------------------


DIET = "diet"
ALLERGY = "allergy"


@dataclass
class Need:
    kind: str                # DIET or ALLERGY
    text: str                # as the first person wrote it
    count: int = 0
    names: list[str] = field(default_factory=list)  # empty unless names were asked for


@dataclass
class CateringDay:
    day: GatheringDay
    count: int
    needs: list[Need]


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".").casefold()


def catering(gathering: Gathering, with_names: bool = False) -> list[CateringDay]:
    """Per day of the gathering: how many have a seat that day, and their diet and allergy
    needs with a count each. Names only when ``with_names`` (coordinators): the needs are health
    information. One query besides the gathering's days."""
    rows = db.session.execute(
        select(registration_day.c.day_id, Registration.diet, Registration.allergies, Person.name)
        .join(Registration, Registration.id == registration_day.c.registration_id)
        .join(Person, Registration.person_id == Person.id)
        .where(Registration.gathering_id == gathering.id, Registration.status.in_(SEAT_STATUSES))
    ).all()
    counts: dict[int, int] = defaultdict(int)
    needs: dict[int, dict[tuple[str, str], Need]] = defaultdict(dict)
    for day_id, diet, allergies, name in rows:
        counts[day_id] += 1
        for kind, text in ((DIET, diet), (ALLERGY, allergies)):
            if not (text or "").strip():
                continue
            need = needs[day_id].setdefault((kind, _normalised(text)), Need(kind, text.strip()))
            need.count += 1
            if with_names:
                need.names.append(name)
    days = []
    for day in gathering.days:
        day_needs = sorted(needs[day.id].values(), key=lambda n: (n.kind != DIET, -n.count, norwegian_key(n.text)))
        for need in day_needs:
            need.names.sort(key=norwegian_key)
        days.append(CateringDay(day, counts[day.id], day_needs))
    return days
