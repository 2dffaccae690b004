"""iCalendar data for gatherings: one VEVENT per gathering day, in Europe/Oslo time.

Calendars recognise an event again by its UID and take the copy with the higher SEQUENCE,
so the UID never changes and SEQUENCE grows with ``Gathering.updated_at``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import chain
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event

from network.gatherings.models import Gathering, GatheringDay
from network.main.hygiene import clean, one_line
from network.main.site import site_url_for
from network.models_base import utcnow
from network.outbox.services import Attachment

TIMEZONE = "Europe/Oslo"
LOCAL = ZoneInfo(TIMEZONE)
PRODID = "-//KS//KS nettverk//NO"
UID_DOMAIN = "ks-nettverk"
# SEQUENCE is a 32-bit integer: seconds since 2019 last until about 2087.
SEQUENCE_EPOCH = datetime(2019, 1, 1, tzinfo=timezone.utc)
CONTENT_TYPE = "text/calendar; charset=utf-8"
MAIL_CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


@dataclass(frozen=True)
class Entry:
    """A gathering and the days to show; ``days=None`` means every day of the gathering."""

    gathering: Gathering
    days: Sequence[GatheringDay] | None = None


def event_uid(gathering: Gathering, day: GatheringDay) -> str:
    """One event per day row: adding a day never renames the events people already have."""
    return f"gathering-{gathering.id}-day-{day.id}@{UID_DOMAIN}"


def sequence(gathering: Gathering) -> int:
    return max(0, int((gathering.updated_at - SEQUENCE_EPOCH).total_seconds()))


def local(day: date, at) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL)


def summary(gathering: Gathering) -> str:
    # The network's topic is its short name; the full names are long ("Lærings- og utviklingsnettverk – …").
    # One line: a title or name saved before the forms collapsed newlines must not break the file.
    short_name = gathering.network.topic or gathering.network.name
    return one_line(f"{short_name}: {gathering.title}")


def location(gathering: Gathering) -> str:
    return ", ".join(part for part in (one_line(gathering.venue).strip(), one_line(gathering.address).strip()) if part)


def gathering_url(gathering: Gathering) -> str:
    return site_url_for("gatherings.show", network_id=gathering.network_id, gathering_id=gathering.id)


def _description(gathering: Gathering, url: str, day_number: int, day_count: int) -> str:
    lines = [_("Samling %(n)s i %(network)s", n=gathering.number, network=one_line(gathering.network.name))]
    if day_count > 1:
        lines.append(_("Dag %(n)s av %(count)s", n=day_number, count=day_count))
    if gathering.theme:
        lines += ["", clean(gathering.theme).strip()]
    lines += ["", _("Program, påmelding og materiell: %(url)s", url=url)]
    return "\n".join(lines)


def events_for(gathering: Gathering, days: Sequence[GatheringDay] | None = None,
               stamp: datetime | None = None) -> list[Event]:
    stamp = stamp or utcnow()
    url = gathering_url(gathering)
    ordered = sorted(gathering.days, key=lambda day: day.day)
    positions = {day.id: n for n, day in enumerate(ordered, start=1)}
    chosen = ordered if days is None else sorted((day for day in days if day.id in positions), key=lambda day: day.day)
    events = []
    for day in chosen:
        number = positions[day.id]
        events.append(Event.new(
            uid=event_uid(gathering, day),
            summary=summary(gathering),
            start=local(day.day, day.starts_at),
            end=local(day.day, day.ends_at),
            location=location(gathering) or None,
            description=_description(gathering, url, number, len(ordered)),
            url=url,
            stamp=stamp,
            last_modified=gathering.updated_at,
            sequence=sequence(gathering),
        ))
    return events


def build_calendar(entries: Iterable[Entry], name: str, uid: str, stamp: datetime | None = None,
                   refresh: timedelta | None = None) -> Calendar:
    stamp = stamp or utcnow()
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", name=one_line(name), uid=uid, refresh_interval=refresh)
    calendar.add("X-WR-TIMEZONE", TIMEZONE)
    if refresh is not None:
        calendar.add("X-PUBLISHED-TTL", refresh)
    events = list(chain.from_iterable(events_for(e.gathering, e.days, stamp) for e in entries))
    for item in events:
        calendar.add_component(item)
    if events:
        # The VTIMEZONE only needs to cover the years the events are in.
        years = [item.start.year for item in events]
        calendar.add_missing_timezones(first_date=date(min(years), 1, 1), last_date=date(max(years) + 1, 1, 1))
    return calendar


def gathering_ics(gathering: Gathering, days: Sequence[GatheringDay] | None = None) -> bytes:
    """The ``.ics`` file for one gathering (every day, or only the days given)."""
    entry = Entry(gathering, days)
    return build_calendar([entry], summary(gathering), f"gathering-{gathering.id}@{UID_DOMAIN}").to_ical()


def filename(gathering: Gathering) -> str:
    return f"samling-{gathering.number}.ics"


def mail_attachment(gathering: Gathering, days: Sequence[GatheringDay] | None = None) -> Attachment:
    return Attachment(filename(gathering), MAIL_CONTENT_TYPE, gathering_ics(gathering, days))
