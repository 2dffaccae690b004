"""The private calendar feed: its secret token, and what it lists."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from network.auth.models import Person
from network.calendar import ics
from network.extensions import db
from network.gatherings.models import SEAT_STATUSES, Gathering, Registration
from network.networks.models import NetworkRole

# Gatherings where the person has a seat: confirmed, and afterwards attended or no-show.
# The waiting list is left out, so nobody plans a trip to a gathering they have no seat at.
FEED_STATUSES = SEAT_STATUSES
# How often calendar programs are asked to fetch the feed again.
FEED_REFRESH = timedelta(hours=1)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def renew_token(person: Person) -> str:
    """Create or replace the person's feed token; the old feed URL stops working at once."""
    person.calendar_token = new_token()
    return person.calendar_token


def person_by_token(token: str) -> Person | None:
    if not token or len(token) > 64:
        return None
    person = db.session.scalar(select(Person).where(Person.calendar_token == token))
    return person if person is not None and person.active else None


def feed_registrations(person: Person) -> list[Registration]:
    """The person's registrations with a seat, with gathering, network and days, in a fixed number of queries.

    Only in networks where the person still has a role: a registration outlives a revoked role (it
    is an invoice line), but the feed must not keep telling a former member where the network meets.
    KS administrators act in every network, so theirs is not filtered."""
    query = select(Registration).where(Registration.person_id == person.id, Registration.status.in_(FEED_STATUSES))
    if not person.is_admin:
        query = query.join(Registration.gathering).where(exists().where(
            NetworkRole.person_id == person.id, NetworkRole.network_id == Gathering.network_id))
    return list(db.session.scalars(
        query
        .options(
            joinedload(Registration.gathering).joinedload(Gathering.network),
            joinedload(Registration.gathering).selectinload(Gathering.days),
            selectinload(Registration.days),
        )
        .order_by(Registration.id)
    ).unique())


def person_feed(person: Person) -> bytes:
    """Built on every request, so a changed gathering shows up at the next refresh."""
    # A cancelled gathering stays in the feed, as STATUS:CANCELLED, so subscribers see why it went;
    # a cancelled registration is left out (FEED_STATUSES).
    entries = [ics.Entry(registration.gathering, registration.days) for registration in feed_registrations(person)]
    calendar = ics.build_calendar(entries, _("KS nettverk: mine samlinger"), f"feed-{person.id}@{ics.UID_DOMAIN}",
                                  refresh=FEED_REFRESH)
    return calendar.to_ical()
