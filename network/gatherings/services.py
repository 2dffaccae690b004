"""The rules of gatherings and registration: windows, capacity, waiting list and attendance.

Capacity holds under concurrency because every change that can take or free a seat first
locks the gathering's row (``SELECT … FOR UPDATE`` on PostgreSQL), then counts, then writes,
in one transaction. SQLite serialises writers by itself.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from network.auth.models import Person
from network.extensions import db
from network.main import clock
from network.main.formatting import long_date
from network.main.undo import within_window
from network.gatherings import email
from network.gatherings.models import (
    ACTIVE_STATUSES, SEAT_STATUSES, Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus,
    registration_day,
)
from network.models_base import utcnow
from network.networks import access as network_access
from network.networks.models import Network, NetworkRole
from network.networks import services as network_services
from network.networks.services import norwegian_key
from network.organisations.models import Organisation


class GatheringError(ValueError):
    """A rule was broken; the message is shown to the user."""


# --- gatherings -------------------------------------------------------------------------


def gatherings_for(network: Network) -> list[Gathering]:
    return list(db.session.scalars(
        select(Gathering).where(Gathering.network_id == network.id)
        .options(selectinload(Gathering.days)).order_by(Gathering.number)
    ))


def get_gathering(network: Network, gathering_id: int) -> Gathering | None:
    # Its two or three days come in the same query.
    return db.session.scalars(
        select(Gathering).where(Gathering.id == gathering_id, Gathering.network_id == network.id)
        .options(joinedload(Gathering.days))
    ).unique().first()


def network_and_gathering(network_id: int, gathering_id: int, person) -> tuple[Network | None, Gathering | None]:
    """The network, the gathering in it (with its days) and the person's roles in the network
    (into the request's cache, ``network_access.remember_roles``): one query, for every gathering page."""
    network, gathering, _extra = _network_and_gathering(network_id, gathering_id, person)
    return network, gathering


def network_gathering_and_seats(network_id: int, gathering_id: int, person) -> tuple[
        Network | None, Gathering | None, tuple[int | None, int]]:
    """``network_and_gathering``, and in the same query what ``registration_and_seats`` says for
    ``person``: the registration page, where people mostly register themselves, in one query less."""
    network, gathering, extra = _network_and_gathering(network_id, gathering_id, person, with_seats=True)
    return network, gathering, (extra[0], extra[1] or 0) if extra else (None, 0)


def _network_and_gathering(network_id: int, gathering_id: int, person, with_seats: bool = False):
    person = network_access.signed_in_person(person)
    query = _network_and_gathering_query(person is not None, with_seats)
    rows = db.session.execute(query, {"network_id": network_id, "gathering_id": gathering_id,
                                      "person_id": getattr(person, "id", None)}).unique().all()
    if not rows:
        return None, None, ()
    if person is not None:
        network_access.remember_roles(person, {network_id: frozenset(row[-1] for row in rows if row[-1] is not None)})
    extra = tuple(rows[0][2:4]) if with_seats else ()
    return rows[0][0], rows[0][1], extra


@cache
def _network_and_gathering_query(with_person: bool, with_seats: bool):
    """Built once for each kind: every gathering page runs it, and a statement object reused keeps
    its cache key, so SQLAlchemy neither builds nor keys it again (the values are bound per call)."""
    network_id, gathering_id, person_id = bindparam("network_id"), bindparam("gathering_id"), bindparam("person_id")
    columns = [Network, Gathering]
    if with_seats:
        columns += _registration_and_seats_columns(gathering_id, person_id)
    if with_person:
        columns.append(NetworkRole.role)
    query = (select(*columns).where(Network.id == network_id)
             .outerjoin(Gathering, and_(Gathering.id == gathering_id, Gathering.network_id == Network.id))
             .options(joinedload(Gathering.days)))
    if with_person:
        query = query.outerjoin(NetworkRole, and_(NetworkRole.network_id == Network.id,
                                                  NetworkRole.person_id == person_id))
    return query


def next_number(network: Network) -> int:
    return (db.session.scalar(select(func.max(Gathering.number)).where(Gathering.network_id == network.id)) or 0) + 1


def renumber(network: Network) -> None:
    """Number the network's gatherings by date (1 is the earliest). Called when a gathering is
    added or removed or its dates change, inside that transaction; otherwise numbers stay as they
    are, since people refer to them ("samling 3")."""
    gatherings = list(db.session.scalars(
        select(Gathering).where(Gathering.network_id == network.id).options(selectinload(Gathering.days))))
    ordered = sorted(gatherings, key=lambda g: (g.starts_on or date.max, g.number, g.id or 0))
    if all(g.number == n for n, g in enumerate(ordered, start=1)):
        return
    # Out of the way first, so the unique (network, number) constraint holds at every step.
    for gathering in gatherings:
        gathering.number += 1000
    db.session.flush()
    for n, gathering in enumerate(ordered, start=1):
        gathering.number = n
    db.session.flush()


def period_problem(network: Network, day: date) -> str | None:
    """A gathering's days lie within the network's period."""
    if (network.starts_on and day < network.starts_on) or (network.ends_on and day > network.ends_on):
        return _("Datoen må være innenfor nettverkets periode, %(start)s–%(end)s.",
                 start=long_date(network.starts_on) if network.starts_on else "…",
                 end=long_date(network.ends_on) if network.ends_on else "…")
    return None


DEADLINE_LABELS = {"registration_closes_at": _l("Påmeldingsfristen"),
                   "cancellation_deadline": _l("Fristen for avmelding uten kostnad")}


def deadline_problems(fields: dict, first_day: date | None) -> dict[str, str]:
    """The registration deadline and the free-cancellation deadline come before the first day."""
    problems = {}
    if first_day is None:
        return problems
    for name, label in DEADLINE_LABELS.items():
        moment = fields.get(name)
        if moment is not None and clock.oslo_date(moment) >= first_day:
            problems[name] = _("%(what)s må være før samlingens første dag (%(day)s).",
                               what=label, day=long_date(first_day))
    return problems


GATHERING_FIELDS = ("number", "title", "theme", "venue", "address", "capacity", "registration_opens_at",
                    "registration_closes_at", "cancellation_deadline", "price_per_day")
# Lazy: told in each registered person's own language (gatherings/email.py).
NOTIFY_FIELDS = {"venue": _l("sted"), "address": _l("adresse")}


def gathering_problems(network: Network, gathering: Gathering | None, fields: dict,
                       first_day: date | None = None) -> dict[str, str]:
    """Every cross-field rule broken, by form field, so a form shows them all at once. Fields
    missing from ``fields`` (not typed, or typed wrong) are not checked. ``first_day`` is the new
    gathering's first day; an existing gathering's own is used otherwise."""
    problems: dict[str, str] = {}
    opens, closes = fields.get("registration_opens_at"), fields.get("registration_closes_at")
    if opens and closes and closes <= opens:
        problems["registration_closes_at"] = _("Påmeldingen må stenge etter at den åpner.")
    if first_day is None and gathering is not None:
        first_day = gathering.starts_on
    if first_day is not None and gathering is None:
        if problem := period_problem(network, first_day):
            problems["first_day"] = problem
    for name, problem in deadline_problems(fields, first_day).items():
        problems.setdefault(name, problem)
    if fields.get("capacity") is not None and gathering is not None and gathering.id is not None:
        if fields["capacity"] < seats_taken(gathering):
            problems["capacity"] = _("Kapasiteten kan ikke være lavere enn antallet som alt har plass (%(n)s).",
                                     n=seats_taken(gathering))
    return problems


def check_gathering(network: Network, gathering: Gathering | None, fields: dict,
                    first_day: date | None = None) -> None:
    """The rules ``save_gathering`` applies, also checked before asking whether to mail the registered."""
    problems = gathering_problems(network, gathering, fields, first_day)
    if problems:
        raise GatheringError(" ".join(problems.values()))


def save_gathering(network: Network, gathering: Gathering | None, **fields) -> tuple[Gathering, list[str]]:
    """Create or update; returns the gathering and what changed that participants must hear about.
    A new gathering is numbered last for now; ``create_gathering`` renumbers once it has its day."""
    check_gathering(network, gathering, fields)
    changes = []
    if gathering is None:
        gathering = Gathering(network=network, number=next_number(network))
        db.session.add(gathering)
    else:
        changes = notice_changes(gathering, fields)
    for name in GATHERING_FIELDS:
        if name in fields:
            setattr(gathering, name, fields[name])
    db.session.flush()
    if changes:
        email.queue_change_notice(gathering, active_registrations(gathering), changes)
    return gathering, changes


def create_gathering(network: Network, fields: dict, first_day: date, starts_at: time, ends_at: time) -> Gathering:
    """A new gathering with its first day, numbered by date among the others."""
    check_gathering(network, None, fields, first_day)
    gathering, _changes = save_gathering(network, None, **fields)
    add_day(gathering, first_day, starts_at, ends_at)
    return gathering


def notice_changes(gathering: Gathering, fields: dict) -> list[str]:
    """What the registered must be told about if ``fields`` are saved (asked first in the view).
    Nothing once the gathering is held or cancelled: correcting its record is news to nobody."""
    if gathering.is_final:
        return []
    return [label for name, label in NOTIFY_FIELDS.items() if getattr(gathering, name) != fields[name]]


def days_refused(gathering: Gathering) -> str | None:
    """Why the gathering's days can't be added to or removed, or None."""
    if gathering.is_final:
        return _("Dagene kan ikke endres når samlingen er %(status)s.", status=str(gathering.status.label).lower())
    return None


def check_new_day(gathering: Gathering, day: date, starts_at: time, ends_at: time) -> None:
    if refused := days_refused(gathering):
        raise GatheringError(refused)
    problems = []
    if ends_at <= starts_at:
        problems.append(_("Sluttidspunktet må være etter starttidspunktet."))
    if any(existing.day == day for existing in gathering.days):
        problems.append(_("Samlingen har allerede en dag %(day)s.", day=day.strftime("%d.%m.%Y")))
    if problem := period_problem(gathering.network, day):
        problems.append(problem)
    if gathering.starts_on is not None and day < gathering.starts_on:
        fields = {name: getattr(gathering, name) for name in DEADLINE_LABELS}
        problems.extend(deadline_problems(fields, day).values())
    if problems:
        raise GatheringError(" ".join(problems))


def add_day(gathering: Gathering, day: date, starts_at: time, ends_at: time) -> GatheringDay:
    check_new_day(gathering, day, starts_at, ends_at)
    new = GatheringDay(gathering=gathering, day=day, starts_at=starts_at, ends_at=ends_at)
    db.session.add(new)
    gathering.updated_at = utcnow()  # calendars see the change through SEQUENCE
    db.session.flush()
    db.session.refresh(gathering, ["days"])
    renumber(gathering.network)
    registrations = active_registrations(gathering) if gathering.id else []
    if registrations:
        email.queue_change_notice(gathering, registrations, [_l("dato")])
    return new


def remove_day(gathering_day: GatheringDay) -> None:
    gathering = gathering_day.gathering
    if refused := days_refused(gathering):
        raise GatheringError(refused)
    if len(gathering.days) <= 1:
        raise GatheringError(_("En samling må ha minst én dag."))
    registrations = active_registrations(gathering)
    had_day = {registration.id for registration in registrations if gathering_day in registration.days}
    gathering.days.remove(gathering_day)
    db.session.delete(gathering_day)
    gathering.updated_at = utcnow()
    db.session.flush()
    renumber(gathering.network)
    for registration in registrations:
        if not registration.days:  # their only day is gone: keep them on the first day
            registration.days = [gathering.days[0]]
    if registrations:
        # Those who had the day get its METHOD:CANCEL too: a calendar keeps an event until told.
        email.queue_change_notice(gathering, registrations, [_l("dato")], removed_day=gathering_day, had_day=had_day)


def status_refused(gathering: Gathering, status: GatheringStatus, today: date | None = None) -> str | None:
    """Why the gathering can't move to ``status`` now, or None. The moves themselves are the
    table ``GATHERING_TRANSITIONS``; "held" is only possible from the last day on (Oslo date),
    since it mails everyone an evaluation that thanks them for coming."""
    if not gathering.can_move_to(status):
        return _("Samlingen kan ikke gå fra «%(old)s» til «%(new)s».", old=gathering.status.label, new=status.label)
    if status is GatheringStatus.HELD:
        today = today or clock.oslo_today()
        if gathering.ends_on is None or today < gathering.ends_on:
            return _("Samlingen kan merkes som gjennomført fra og med siste dag (%(day)s).",
                     day=long_date(gathering.ends_on))
    return None


def next_statuses(gathering: Gathering, today: date | None = None) -> list[GatheringStatus]:
    """The statuses offered on the edit page (cancelling has a button of its own)."""
    return [status for status in GatheringStatus
            if status is not GatheringStatus.CANCELLED and status_refused(gathering, status, today) is None]


def to_evaluate(gathering: Gathering) -> int:
    """How many get the evaluation when the gathering is marked as held."""
    from network.evaluations.services import count_to_invite  # evaluations build on gatherings

    return count_to_invite(gathering)


def change_status(gathering: Gathering, status: GatheringStatus, today: date | None = None) -> None:
    refused = status_refused(gathering, status, today)
    if refused:
        raise GatheringError(refused)
    if status is GatheringStatus.CANCELLED:
        cancel_gathering(gathering)
        return
    gathering.move_to(status)
    if status is GatheringStatus.HELD:
        from network.evaluations.services import invite_attendees  # evaluations build on gatherings

        invite_attendees(gathering)


def to_tell_of_cancellation(gathering: Gathering) -> list[Registration]:
    """Everyone registered (with a seat or waiting) is told when the gathering is cancelled."""
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id, Registration.status.in_(
            (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)))
        .options(joinedload(Registration.person), selectinload(Registration.days)).order_by(Registration.id)))


def cancel_gathering(gathering: Gathering) -> int:
    """Cancel ("avlys"): mail everyone registered, with a calendar cancellation for those who had
    a seat. The registrations stay as they were (the history), but a cancelled gathering charges
    nobody (network/costs). Returns how many were told."""
    refused = status_refused(gathering, GatheringStatus.CANCELLED)
    if refused:
        raise GatheringError(refused)
    _lock(gathering)
    registrations = to_tell_of_cancellation(gathering)
    gathering.move_to(GatheringStatus.CANCELLED)
    gathering.updated_at = utcnow()  # a higher SEQUENCE than the invitation people have
    db.session.flush()
    for registration in registrations:
        email.queue_gathering_cancelled(registration)
    return len(registrations)


def delete_refused(gathering: Gathering) -> str | None:
    if gathering.status is not GatheringStatus.PLANNED:
        return _("Bare en planlagt samling kan slettes. Avlys den i stedet.")
    if db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.gathering_id == gathering.id)):
        return _("Samlingen har påmeldinger og kan ikke slettes. Avlys den i stedet.")
    return None


def delete_gathering(gathering: Gathering) -> None:
    """Delete a draft with nobody registered, with its days, programme and uploaded files."""
    refused = delete_refused(gathering)
    if refused:
        raise GatheringError(refused)
    from network.programme.services import delete_material  # the programme builds on gatherings

    network = gathering.network
    for material in list(gathering.materials):
        delete_material(material)
    db.session.expire(gathering, ["materials"])  # gone already; the cascade must not delete them twice
    db.session.delete(gathering)
    db.session.flush()
    renumber(network)


# --- registrations ----------------------------------------------------------------------


def active_registrations(gathering: Gathering) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id, Registration.status.in_(ACTIVE_STATUSES))
        .options(joinedload(Registration.person))
    ))


def registrations_with_people(gathering: Gathering) -> list[Registration]:
    """Every registration with its person, organisation and days, in a fixed number of queries."""
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id)
        .options(joinedload(Registration.person).joinedload(Person.organisation), joinedload(Registration.days))
        .order_by(Registration.created_at, Registration.id)
    ).unique())


def active_registration(gathering: Gathering, person: Person) -> Registration | None:
    return db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.person_id == person.id,
        Registration.status.in_(ACTIVE_STATUSES)).options(joinedload(Registration.days))).unique().first()


def seats_taken(gathering: Gathering) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status.in_(SEAT_STATUSES))) or 0


def _lock(gathering: Gathering) -> None:
    """Serialise seat changes for one gathering (a row lock on PostgreSQL). FOR NO KEY UPDATE, not
    FOR UPDATE: a registration inserted before the lock holds a key-share lock on its gathering
    (the foreign key), and two such with FOR UPDATE would wait for each other."""
    db.session.execute(_lock_query(), {"gathering_id": gathering.id})


@cache
def _lock_query():
    return select(Gathering.id).where(Gathering.id == bindparam("gathering_id")).with_for_update(key_share=True)


@cache
def _other_seats_query():
    """The seats taken by everyone but one registration: the recount under the lock."""
    return select(func.count()).select_from(Registration).where(
        Registration.gathering_id == bindparam("gathering_id"), Registration.status.in_(SEAT_STATUSES),
        Registration.id != bindparam("registration_id"))


def registration_closed_reason(gathering: Gathering, now: datetime | None = None) -> str | None:
    """Why nobody can register now, or None if they can."""
    now = now or utcnow()
    if gathering.is_cancelled:
        return _("Samlingen er avlyst.")
    if gathering.status is not GatheringStatus.OPEN:
        return _("Påmeldingen er ikke åpen (%(status)s).", status=gathering.status.label.lower())
    if gathering.registration_opens_at and now < gathering.registration_opens_at:
        return _("Påmeldingen har ikke åpnet ennå.")
    if gathering.registration_closes_at and now >= gathering.registration_closes_at:
        return _("Påmeldingsfristen er ute.")
    return None


@dataclass
class RegistrationDetails:
    day_ids: list[int]
    diet: str = ""
    allergies: str = ""
    accessibility: str = ""
    comment: str = ""


def _chosen_days(gathering: Gathering, day_ids: list[int]) -> list[GatheringDay]:
    by_id = {day.id: day for day in gathering.days}
    if not day_ids:
        raise GatheringError(_("Velg minst én dag."))
    unknown = [day_id for day_id in day_ids if day_id not in by_id]
    if unknown:
        raise GatheringError(_("Samlingen har ikke den dagen du valgte."))
    return sorted((by_id[day_id] for day_id in set(day_ids)), key=lambda d: d.day)


def register(gathering: Gathering, person: Person, details: RegistrationDetails, registered_by: Person,
             now: datetime | None = None, override_window: bool = False, seats: int | None = None) -> Registration:
    """Confirm a seat, or a place on the waiting list when the gathering is full.

    ``seats``: the seats taken, when the caller has just counted them and found the person not
    registered (``registration_and_seats``); otherwise both are read here.

    The registration and its confirmation mail (with the ``.ics``) are written before the seat
    lock, as the count outside the lock says; inside it the seats are counted again, and only if
    the gathering filled (or freed a seat) meanwhile is the status changed and the mail written
    again. So the lock, which makes registrations for one gathering wait for each other, is held
    for two short statements and the commit, not for rendering mail."""
    now = now or utcnow()
    reason = registration_closed_reason(gathering, now)
    if reason and (not override_window or gathering.is_cancelled):
        raise GatheringError(reason)
    days = _chosen_days(gathering, details.day_ids)
    if seats is None:
        mine, seats = registration_and_seats(gathering, person)
        if mine is not None:
            raise GatheringError(_("%(name)s er allerede påmeldt denne samlingen.", name=person.name))
    full = is_full(gathering, seats)
    # The one-active-registration index refuses a second registration here (IntegrityError), a
    # race the count above could not see.
    registration = _insert_registration(gathering, person, registered_by, days, dict(
        diet=details.diet.strip(), allergies=details.allergies.strip(),
        accessibility=details.accessibility.strip(), comment=details.comment.strip(),
        **_seat(full, now),
    ))
    mail = email.queue_confirmation(registration)
    _lock(gathering)
    taken = db.session.scalar(_other_seats_query(),
                              {"gathering_id": gathering.id, "registration_id": registration.id}) or 0
    full = is_full(gathering, taken)
    if full != (registration.status is RegistrationStatus.WAITING):
        _set_seat(registration, full, now)
        db.session.delete(mail)
        email.queue_confirmation(registration)
    return registration


def _insert_registration(gathering: Gathering, person: Person, registered_by: Person, days: list[GatheringDay],
                         fields: dict) -> Registration:
    """The registration and its days, each one INSERT sent at once (the ORM's bulk insert, which
    returns the row as an object in the session): on the busiest write path, the unit of work's
    bookkeeping for one new row and its days cost more than the statements themselves."""
    registered_by = network_access.real_person(registered_by)  # the object itself, not current_user's proxy
    registration = db.session.scalars(insert(Registration).returning(Registration), [dict(
        gathering_id=gathering.id, person_id=person.id, registered_by_id=registered_by.id, **fields)]).one()
    db.session.execute(insert(registration_day),
                       [{"registration_id": registration.id, "day_id": day.id} for day in days])
    # What the mail and the caller read, as loaded: no query for any of it.
    for name, value in (("gathering", gathering), ("person", person), ("registered_by", registered_by),
                        ("days", days)):
        set_committed_value(registration, name, value)
    return registration


def _seat(full: bool, now: datetime) -> dict:
    """A seat, or a place on the waiting list when the gathering is full."""
    return {"status": RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
            "waiting_since": now if full else None}


def _set_seat(registration: Registration, full: bool, now: datetime) -> None:
    for name, value in _seat(full, now).items():
        setattr(registration, name, value)


def registration_and_seats(gathering: Gathering, person: Person) -> tuple[int | None, int]:
    """The id of the person's active registration (None without one), and the seats taken: one query."""
    mine_id, seats = db.session.execute(select(*_registration_and_seats_columns(gathering.id, person.id))).one()
    return mine_id, seats or 0


def _registration_and_seats_columns(gathering_id, person_id) -> list:
    mine = (select(Registration.id).where(Registration.gathering_id == gathering_id, Registration.person_id == person_id,
                                          Registration.status.in_(ACTIVE_STATUSES)).limit(1).scalar_subquery())
    taken = (select(func.count()).select_from(Registration)
             .where(Registration.gathering_id == gathering_id, Registration.status.in_(SEAT_STATUSES)).scalar_subquery())
    return [mine, taken]


def update_registration(registration: Registration, details: RegistrationDetails) -> None:
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        raise GatheringError(_("Påmeldingen kan ikke endres lenger."))
    registration.days = _chosen_days(registration.gathering, details.day_ids)
    registration.diet = details.diet.strip()
    registration.allergies = details.allergies.strip()
    registration.accessibility = details.accessibility.strip()
    registration.comment = details.comment.strip()


def past_free_cancellation(gathering: Gathering, now: datetime | None = None) -> bool:
    """Whether a seat given up now is a late cancellation (past the deadline for a free one)."""
    return gathering.cancellation_deadline is not None and (now or utcnow()) > gathering.cancellation_deadline


def cancel(registration: Registration, now: datetime | None = None) -> Registration | None:
    """Cancel; a freed seat goes to the first person waiting, who is told by mail. Returns them."""
    now = now or utcnow()
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        raise GatheringError(_("Påmeldingen kan ikke meldes av lenger."))
    gathering = registration.gathering
    _lock(gathering)
    db.session.refresh(registration)
    freed_seat = registration.status is RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.late_cancellation = freed_seat and past_free_cancellation(gathering, now)
    db.session.flush()
    email.queue_cancellation(registration)
    if freed_seat:
        return promote_waiting(gathering)
    return None


def undo_cancel(registration: Registration, now: datetime | None = None) -> Registration:
    """Take a cancellation back ("Angre"), within the undo window after ``cancelled_at``. The seat
    comes back if it is still free; if it went to the waiting list meanwhile, the person goes on the
    waiting list, at the back. Someone cancelled from the waiting list gets their old place there.
    Raises GatheringError when it is too late or the person is registered again already."""
    now = now or utcnow()
    gathering = registration.gathering
    _lock(gathering)
    db.session.refresh(registration)
    if registration.status is not RegistrationStatus.CANCELLED or not within_window(registration.cancelled_at, now):
        raise GatheringError(_("Avmeldingen kan ikke angres lenger. Meld på på nytt hvis det fortsatt er plass."))
    if active_registration(gathering, registration.person) is not None:
        raise GatheringError(_("%(name)s er allerede påmeldt denne samlingen.", name=registration.person.name))
    was_waiting = registration.waiting_since is not None
    full = gathering.capacity is not None and seats_taken(gathering) >= gathering.capacity
    if was_waiting or full:
        registration.status = RegistrationStatus.WAITING
        registration.waiting_since = registration.waiting_since or now
    else:
        registration.status = RegistrationStatus.CONFIRMED
    registration.cancelled_at = None
    registration.late_cancellation = False
    db.session.flush()
    # A seat freed meanwhile goes to whoever is first in line, perhaps them (they are told so).
    promoted = promote_waiting(gathering) if was_waiting else None
    if promoted is not registration:
        email.queue_confirmation(registration)
    return registration


def promote_waiting(gathering: Gathering) -> Registration | None:
    """Give free seats to the waiting list, first come first served (the gathering is locked)."""
    if gathering.capacity is not None and seats_taken(gathering) >= gathering.capacity:
        return None
    first = db.session.scalar(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.waiting_since, Registration.id).limit(1)
    )
    if first is None:
        return None
    first.status = RegistrationStatus.CONFIRMED
    first.waiting_since = None
    db.session.flush()
    email.queue_promotion(first)
    return first


ATTENDANCE_STATUSES = (RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW, RegistrationStatus.CONFIRMED)


def check_attendance_open(gathering: Gathering, today: date | None = None) -> None:
    today = today or clock.oslo_today()
    if gathering.status is not GatheringStatus.HELD and (gathering.starts_on is None or today < gathering.starts_on):
        raise GatheringError(_("Oppmøte kan registreres når samlingen har startet."))


def mark_all_attended(gathering: Gathering, today: date | None = None) -> int:
    """The starting point: everyone still registered with a seat came. Those marked already (as
    attended or not) keep their mark. Returns how many were marked."""
    check_attendance_open(gathering, today)
    confirmed = db.session.scalars(select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == RegistrationStatus.CONFIRMED))
    changed = 0
    for registration in confirmed:
        registration.status = RegistrationStatus.ATTENDED
        changed += 1
    return changed


def mark_attendance(gathering: Gathering, statuses: dict[int, RegistrationStatus], today: date | None = None) -> int:
    """After the gathering: attended or no-show for each confirmed registration. Returns the count changed."""
    check_attendance_open(gathering, today)
    changed = 0
    for registration in db.session.scalars(select(Registration).where(Registration.gathering_id == gathering.id)):
        status = statuses.get(registration.id)
        if status is None or status is registration.status:
            continue
        if status not in ATTENDANCE_STATUSES or registration.status not in ATTENDANCE_STATUSES:
            raise GatheringError(_("Oppmøte kan bare registreres for dem som har plass."))
        registration.status = status
        changed += 1
    return changed


# --- the checks the seeds ask for -------------------------------------------------------


def registered_counts(gathering_ids: list[int]) -> dict[tuple[int, int], int]:
    """(organisation id, gathering id) → people with a seat, in one query."""
    rows = db.session.execute(
        select(Person.organisation_id, Registration.gathering_id, func.count())
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.gathering_id.in_(gathering_ids), Registration.status.in_(SEAT_STATUSES))
        .group_by(Person.organisation_id, Registration.gathering_id)
    ).all()
    return {(org_id, gathering_id): count for org_id, gathering_id, count in rows}


# The checks built on these counts are in ``network.gatherings.followup``.


# --- who is coming (the gathering page) ------------------------------------------------

COMING_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
# Above this many people the page lists each organisation with its count and links to its names,
# rather than printing a national network's thousand names on every visit.
COMING_NAMES_SHOWN = 120
NAME_SEPARATOR = "\x1f"  # the ASCII unit separator: never in a name (the forms' hygiene strips control characters)


@dataclass
class ComingOrganisation:
    organisation_id: int | None  # None: people without an organisation
    name: str | None
    count: int
    names: list[str] = field(default_factory=list)  # empty when only the counts are shown


@dataclass
class Coming:
    organisations: list[ComingOrganisation]
    seats_taken: int
    waiting: int
    names_shown: bool  # False: too many to list here, see ``coming_from``
    position: int | None = None  # the viewer's place on the waiting list

    @property
    def total(self) -> int:
        return sum(item.count for item in self.organisations)


def coming(gathering: Gathering, mine: Registration | None = None) -> Coming:
    """Who is coming, per organisation, the seats taken, the waiting list and ``mine``'s place on it,
    in one query whatever the number of registrations; the names only when there are at most
    ``COMING_NAMES_SHOWN``."""
    status = Registration.status
    coming_now = status.in_(COMING_STATUSES)
    columns = [Person.organisation_id, Organisation.name,
               func.count().filter(coming_now),
               func.count().filter(status.in_(SEAT_STATUSES)),
               func.count().filter(status == RegistrationStatus.WAITING),
               # The names with the counts (group_concat / string_agg), read only when few enough.
               func.aggregate_strings(case((coming_now, Person.name)), NAME_SEPARATOR)]
    if mine is not None and mine.status is RegistrationStatus.WAITING:
        # The order ``promote_waiting`` gives seats in.
        columns.append(func.count().filter(status == RegistrationStatus.WAITING, or_(
            Registration.waiting_since < mine.waiting_since,
            and_(Registration.waiting_since == mine.waiting_since, Registration.id < mine.id))))
    rows = db.session.execute(
        select(*columns).select_from(Registration).join(Person, Person.id == Registration.person_id)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(Registration.gathering_id == gathering.id)
        .group_by(Person.organisation_id, Organisation.name)
    ).all()
    names_shown = sum(row[2] for row in rows) <= COMING_NAMES_SHOWN
    organisations = sorted(
        (ComingOrganisation(row[0], row[1], row[2],
                            sorted(row[5].split(NAME_SEPARATOR), key=norwegian_key) if names_shown else [])
         for row in rows if row[2]),
        key=lambda item: (item.organisation_id is None, norwegian_key(item.name)))
    return Coming(organisations, seats_taken=sum(row[3] for row in rows), waiting=sum(row[4] for row in rows),
                  names_shown=names_shown,
                  position=sum(row[6] for row in rows) + 1 if len(columns) > 6 else None)


def coming_from(gathering: Gathering, organisation_id: int | None) -> list[str]:
    """The names of those coming from one organisation (None: without one), in Norwegian order."""
    names = db.session.scalars(
        select(Person.name).join(Registration, Registration.person_id == Person.id)
        .where(Registration.gathering_id == gathering.id, Registration.status.in_(COMING_STATUSES),
               Person.organisation_id == organisation_id if organisation_id is not None
               else Person.organisation_id.is_(None))
    ).all()
    return sorted(names, key=norwegian_key)


# --- a person's next gatherings and a team's registrations (for "Min side") ----------------


def _not_over(today: date):
    """Gatherings with a day today or later."""
    return Gathering.id.in_(select(GatheringDay.gathering_id).where(GatheringDay.day >= today))


def upcoming_registrations(person: Person, today: date) -> list[Registration]:
    """The person's confirmed or waiting registrations for gatherings not yet over, soonest
    first, with their gathering, network and days: one query."""
    rows = db.session.scalars(
        select(Registration).join(Registration.gathering)
        .where(Registration.person_id == person.id,
               Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)),
               Gathering.status != GatheringStatus.CANCELLED,  # they were told by mail
               _not_over(today))
        # Days joined, not selected after: the same one query whether or not there is any.
        .options(joinedload(Registration.gathering).joinedload(Gathering.network),
                 joinedload(Registration.gathering).joinedload(Gathering.days),
                 joinedload(Registration.days))
    ).unique().all()
    return sorted(rows, key=lambda r: (r.gathering.starts_on or date.max, r.gathering.number))


def upcoming_gatherings(network_ids: list[int], today: date) -> tuple[list[Gathering], dict[int, int]]:
    """Gatherings in these networks that are not over, held or cancelled, with their network and
    days, and gathering id → seats taken: one query, for both ``open_gatherings`` and ``next_gatherings``."""
    if not network_ids:
        return [], {}
    seats = (select(func.count()).where(Registration.gathering_id == Gathering.id,
                                        Registration.status.in_(SEAT_STATUSES))
             .correlate(Gathering).scalar_subquery())
    rows = db.session.execute(
        select(Gathering, seats).where(Gathering.network_id.in_(network_ids),
                                       Gathering.status.not_in((GatheringStatus.HELD, GatheringStatus.CANCELLED)),
                                       _not_over(today))
        .options(joinedload(Gathering.network), joinedload(Gathering.days))
    ).unique().all()
    return [gathering for gathering, _seats in rows], {gathering.id: taken for gathering, taken in rows}


def open_gatherings(upcoming: list[Gathering], now: datetime) -> list[Gathering]:
    """Those of ``upcoming_gatherings`` that take registrations now, soonest first."""
    rows = [g for g in upcoming if g.status is GatheringStatus.OPEN
            and (g.registration_opens_at is None or g.registration_opens_at <= now)
            and (g.registration_closes_at is None or g.registration_closes_at > now)]
    return sorted(rows, key=lambda g: (g.starts_on or date.max, g.network_id, g.number))


def next_gatherings(upcoming: list[Gathering], network_ids) -> dict[int, Gathering]:
    """Per network (of ``network_ids``), its next gathering among ``upcoming_gatherings``."""
    wanted = set(network_ids)
    chosen: dict[int, Gathering] = {}
    for gathering in sorted(upcoming, key=lambda g: (g.starts_on or date.max, g.number)):
        if gathering.network_id in wanted:
            chosen.setdefault(gathering.network_id, gathering)
    return chosen


def seat_counts(gathering_ids: list[int]) -> dict[int, int]:
    """Gathering id → seats taken, in one query."""
    if not gathering_ids:
        return {}
    return dict(db.session.execute(
        select(Registration.gathering_id, func.count()).where(
            Registration.gathering_id.in_(gathering_ids), Registration.status.in_(SEAT_STATUSES))
        .group_by(Registration.gathering_id)
    ).all())


def waiting_counts(gathering_ids: list[int]) -> dict[int, int]:
    """Gathering id → people on its waiting list, in one query."""
    if not gathering_ids:
        return {}
    return dict(db.session.execute(
        select(Registration.gathering_id, func.count()).where(
            Registration.gathering_id.in_(gathering_ids), Registration.status == RegistrationStatus.WAITING)
        .group_by(Registration.gathering_id)
    ).all())


def is_full(gathering: Gathering, seats: int) -> bool:
    return gathering.capacity is not None and seats >= gathering.capacity


def waiting_positions(gathering_ids: list[int]) -> dict[int, int]:
    """Registration id → place on its gathering's waiting list (1 is next), in one query. The
    order is the one ``promote_waiting`` gives seats in."""
    if not gathering_ids:
        return {}
    rows = db.session.execute(
        select(Registration.id, Registration.gathering_id).where(
            Registration.gathering_id.in_(gathering_ids), Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.gathering_id, Registration.waiting_since, Registration.id)
    ).all()
    positions: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for registration_id, gathering_id in rows:
        counters[gathering_id] += 1
        positions[registration_id] = counters[gathering_id]
    return positions


def team_with_registrations(organisation_id: int, network_ids, roles, gathering_ids: list[int]):
    """``networks.services.team_members`` together with those people's active registrations for
    ``gathering_ids`` (with their days), in one query: (network id → members, registrations)."""
    if not network_ids:
        return {}, []
    rows = db.session.execute(
        network_services.team_query(organisation_id, network_ids, roles).add_columns(Registration)
        .outerjoin(Registration, (Registration.person_id == Person.id) & Registration.gathering_id.in_(gathering_ids)
                   & Registration.status.in_(ACTIVE_STATUSES))
        .options(joinedload(Registration.days))
    ).unique().all()
    registrations = {row[3].id: row[3] for row in rows if row[3] is not None}
    return network_services.team_from_rows(rows), list(registrations.values())


@dataclass
class TeamResult:
    """What a team registration did, person by person."""

    confirmed: list[Person]
    waiting: list[Person]
    skipped: list[tuple[Person, str]]  # with the reason


def register_team(gathering: Gathering, people: list[Person], day_ids: list[int], registered_by: Person,
                  now: datetime | None = None, override_window: bool = False) -> TeamResult:
    """Register several people at once (a contact's team), each through ``register``: the same
    window, capacity, waiting list and confirmation mail as one at a time, in the order given.
    Someone registered meanwhile (by a colleague, or a double submit) is skipped; the others
    still go through."""
    now = now or utcnow()
    reason = registration_closed_reason(gathering, now)
    if reason and (not override_window or gathering.is_cancelled):
        raise GatheringError(reason)
    if not people:
        raise GatheringError(_("Kryss av minst én person."))
    _chosen_days(gathering, day_ids)  # a bad day refuses the whole form, before anyone is registered
    result = TeamResult([], [], [])
    for person in people:
        try:
            with db.session.begin_nested():
                registration = register(gathering, person, RegistrationDetails(day_ids=list(day_ids)),
                                        registered_by=registered_by, now=now, override_window=override_window)
        except GatheringError as error:
            result.skipped.append((person, str(error)))
        except IntegrityError:  # the database's one-active-registration rule caught a race
            result.skipped.append((person, _("%(name)s er allerede påmeldt denne samlingen.", name=person.name)))
        else:
            (result.waiting if registration.status is RegistrationStatus.WAITING else result.confirmed).append(person)
    return result
