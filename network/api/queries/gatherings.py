"""Gatherings, programmes and registrations for the API. Seats and waiting lists are counted by
the gatherings services, for a whole page at once; who sees which registrations is decided by
``network.gatherings.access``, the rules of the web page. Never diet, allergies or accessibility."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from network.api.schemas.gatherings import DayOut, GatheringOut, ProgrammeItemOut, ProgrammeOut
from network.api.schemas.registrations import RegistrationOut
from network.auth.models import Person
from network.extensions import db
from network.gatherings import services as gathering_services
from network.gatherings.models import Gathering, Registration
from network.networks.models import Network
from network.programme.services import programme_for


def _offset(query) -> int:
    return (query.page - 1) * query.size


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def gathering_out(gathering: Gathering, seats: dict[int, int], waiting: dict[int, int]) -> GatheringOut:
    return GatheringOut(
        id=gathering.id, network_id=gathering.network_id, number=gathering.number, title=gathering.title,
        theme=gathering.theme, status=gathering.status,
        days=[DayOut(date=day.day, starts_at=day.starts_at, ends_at=day.ends_at) for day in gathering.days],
        venue=gathering.venue, address=gathering.address, capacity=gathering.capacity,
        seats_taken=seats.get(gathering.id, 0), waiting_list=waiting.get(gathering.id, 0),
        registration_opens_at=gathering.registration_opens_at,
        registration_closes_at=gathering.registration_closes_at,
        cancellation_deadline=gathering.cancellation_deadline,
    )


def gatherings(network: Network, query) -> tuple[int, list[GatheringOut]]:
    """The network's gatherings by number (cancelled ones too): five queries for any page."""
    statement = select(Gathering).where(Gathering.network_id == network.id)
    if query.status is not None:
        statement = statement.where(Gathering.status == query.status)
    total = _count(statement)
    rows = list(db.session.scalars(
        statement.options(selectinload(Gathering.days)).order_by(Gathering.number, Gathering.id)
        .offset(_offset(query)).limit(query.size)))
    ids = [g.id for g in rows]
    seats, waiting = gathering_services.seat_counts(ids), gathering_services.waiting_counts(ids)
    return total, [gathering_out(g, seats, waiting) for g in rows]


def one_gathering(gathering: Gathering) -> GatheringOut:
    ids = [gathering.id]
    return gathering_out(gathering, gathering_services.seat_counts(ids), gathering_services.waiting_counts(ids))


def programme(gathering: Gathering) -> ProgrammeOut:
    """The programme as the gathering page shows it, in the coordinators' order."""
    items = programme_for(gathering)
    return ProgrammeOut(gathering_id=gathering.id, items=[ProgrammeItemOut(
        id=item.id, position=item.position, day=item.day.day if item.day else None, starts_at=item.starts_at,
        title=item.title, presenter=item.presenter, method=item.method, description=item.description,
    ) for item in items])


def registrations(gathering: Gathering, query, organisation_id: int | None) -> tuple[int, list[RegistrationOut]]:
    """The gathering's registrations in the order they came, then id; ``organisation_id`` limits
    them to one municipality (a contact's own). Three queries for any page."""
    statement = select(Registration).join(Registration.person).where(Registration.gathering_id == gathering.id)
    if organisation_id is not None:
        statement = statement.where(Person.organisation_id == organisation_id)
    if query.organisation_id is not None:
        statement = statement.where(Person.organisation_id == query.organisation_id)
    if query.status is not None:
        statement = statement.where(Registration.status == query.status)
    total = _count(statement)
    rows = list(db.session.scalars(
        statement.options(joinedload(Registration.person).joinedload(Person.organisation),
                          selectinload(Registration.days))
        .order_by(Registration.created_at, Registration.id).offset(_offset(query)).limit(query.size)
    ).unique())
    return total, [RegistrationOut(
        id=r.id, person_id=r.person_id, person_name=r.person.name,
        organisation_id=r.person.organisation_id,
        organisation_name=r.person.organisation.name if r.person.organisation else None,
        days=[day.day for day in r.days], status=r.status, registered_at=r.created_at,
        cancelled_at=r.cancelled_at, late_cancellation=r.late_cancellation,
    ) for r in rows]
