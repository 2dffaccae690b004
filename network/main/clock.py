"""The app's clock: what "now" and "today" are, in UTC and in Europe/Oslo.

Times are stored in UTC; every date a person sees or is given is the date in Oslo. Between
midnight in Oslo and midnight in UTC (one or two hours each night) the two dates differ, and
``date.today()`` gives whichever the server's own zone says, so no code asks it.

``CLOCK_NOW`` in the configuration (an aware datetime) stops the clock at that moment. Tests set
it to send a request at a chosen time of day; it is never set in production.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

OSLO = ZoneInfo("Europe/Oslo")


def utc_now() -> datetime:
    if has_app_context():
        frozen = current_app.config.get("CLOCK_NOW")
        if frozen is not None:
            return frozen.astimezone(timezone.utc)
    return datetime.now(timezone.utc)


def oslo_now() -> datetime:
    return utc_now().astimezone(OSLO)


def oslo_today() -> date:
    return oslo_now().date()


def in_oslo(moment: datetime) -> datetime:
    """A stored moment in Oslo time; a naive one is UTC (as SQLite hands back raw values)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(OSLO)


def oslo_date(moment: datetime | date) -> date:
    """The Oslo date of a stored moment; a date is already one."""
    return in_oslo(moment).date() if isinstance(moment, datetime) else moment
