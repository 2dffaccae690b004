"""Reminder mail a configurable number of days before a gathering (``Network.reminder_days_before``).

Safe to run from cron, even twice at once: a registration is claimed with
``UPDATE … SET reminder_sent_at = now WHERE reminder_sent_at IS NULL`` before its mail is
queued, in the same transaction. A second run's UPDATE waits for the first one's row locks
(PostgreSQL) or its write lock (SQLite), then finds the rows taken and claims nothing.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from network.auth.models import Person
from network.calendar import ics
from network.extensions import db
from network.gatherings import email
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.main import clock
from network.models_base import utcnow

# The database refuses reminder_days_before above 60 (ck_network_reminder_days_range).
MAX_DAYS_BEFORE = 60
REMINDED_STATUSES = (GatheringStatus.OPEN, GatheringStatus.CLOSED)


def due_gatherings(today: date) -> list[Gathering]:
    """Gatherings open or closed for registration whose first day is between today and the network's
    reminder horizon. Planned ones may still move; held ones are over."""
    first_day = (
        select(GatheringDay.gathering_id, func.min(GatheringDay.day).label("first_day"))
        .group_by(GatheringDay.gathering_id).subquery()
    )
    rows = db.session.execute(
        select(Gathering, first_day.c.first_day)
        .join(first_day, first_day.c.gathering_id == Gathering.id)
        .where(Gathering.status.in_(REMINDED_STATUSES), first_day.c.first_day >= today,
               first_day.c.first_day <= today + timedelta(days=MAX_DAYS_BEFORE))
        .options(joinedload(Gathering.network), selectinload(Gathering.days))
        .order_by(first_day.c.first_day, Gathering.id)
    ).unique().all()
    return [gathering for gathering, starts_on in rows
            if starts_on <= today + timedelta(days=gathering.network.reminder_days_before)]


def claim(gathering: Gathering, now: datetime) -> list[int]:
    """Mark every confirmed, unreminded registration as reminded; return the ids this run took."""
    return list(db.session.scalars(
        update(Registration)
        .where(Registration.gathering_id == gathering.id, Registration.status == RegistrationStatus.CONFIRMED,
               Registration.reminder_sent_at.is_(None),
               Registration.person_id.in_(select(Person.id).where(Person.active.is_(True))))
        .values(reminder_sent_at=now)
        .returning(Registration.id),
        execution_options={"synchronize_session": False},
    ))


def today_in_oslo() -> date:
    return clock.oslo_today()


def send_reminders(today: date | None = None) -> int:
    """Queue the reminders that are due, one transaction per gathering. Returns how many were queued."""
    today = today or today_in_oslo()
    queued = 0
    for gathering_id in [g.id for g in due_gatherings(today)]:
        gathering = db.session.get(Gathering, gathering_id)
        ids = claim(gathering, utcnow())
        if ids:
            registrations = db.session.scalars(
                select(Registration).where(Registration.id.in_(ids))
                .options(joinedload(Registration.person), selectinload(Registration.days))
                .order_by(Registration.id)
            ).all()
            for registration in registrations:
                email.queue_reminder(registration)
            queued += len(registrations)
        db.session.commit()
    return queued
