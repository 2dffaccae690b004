"""iCalendar data for gatherings: one VEVENT per gathering day, in Europe/Oslo time.

Calendars recognise an event again by its UID and take the copy with the higher SEQUENCE,
so the UID never changes and SEQUENCE grows with ``Gathering.updated_at`` (and, in a file made
for one person, their registration's ``updated_at``).

Mailed files are iTIP invitations (RFC 5546/6047): ``METHOD:REQUEST`` with the network's KS
contact as ORGANIZER and the recipient as ATTENDEE, so Outlook shows them as an invitation.
iTIP wants every component of such a message to share one UID, so a mailed file holds ONE
event per person and gathering (``series_uid``): a single day is a plain VEVENT, several days
a daily recurrence over the person's days (EXDATE for the days between that they skip) with an
override (RECURRENCE-ID) for each day whose times differ from the first. A cancelled
registration or gathering is mailed as ``METHOD:CANCEL`` of that UID, a removed day as the
CANCEL of its instance (RECURRENCE-ID), with ``STATUS:CANCELLED`` and a higher SEQUENCE.
The download and the feed (METHOD:PUBLISH) keep one VEVENT per day (``event_uid``). Times carry ``TZID=Europe/Oslo`` with a full
VTIMEZONE whose STANDARD/DAYLIGHT rules are RRULEs (the EU rule), the form Outlook itself
writes: a definition cut to dated changeovers in the events' years is what some readers get
wrong once they have cached another file's definition of the same TZID.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parseaddr
from itertools import chain
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vDuration

from network.gatherings.models import Gathering, GatheringDay
from network.main.hygiene import clean, one_line
from network.main.site import site_url_for
from network.models_base import utcnow
from network.outbox.services import Attachment

TIMEZONE = "Europe/Oslo"
LOCAL = ZoneInfo(TIMEZONE)
PRODID = "-//KS//KS nettverk//NO"
UID_DOMAIN = "ks-nettverk"
# SEQUENCE is a 32-bit integer. It is twice the seconds since 2019 (an invitation even, a
# cancellation odd, so a cancellation in the same second as the invitation still wins, and a
# new invitation a second later wins over it): that lasts until 2053.
SEQUENCE_EPOCH = datetime(2019, 1, 1, tzinfo=timezone.utc)
CONTENT_TYPE = "text/calendar; charset=utf-8"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
MAIL_CONTENT_TYPE = "text/calendar; charset=utf-8; method=REQUEST"
CANCEL_CONTENT_TYPE = "text/calendar; charset=utf-8; method=CANCEL"

# Europe/Oslo since 1996 (the EU rule): summer time from 02:00 on the last Sunday in March to
# 03:00 on the last Sunday in October. Each DTSTART is the rule's first occurrence.
VTIMEZONE = """BEGIN:VCALENDAR
BEGIN:VTIMEZONE
TZID:Europe/Oslo
X-LIC-LOCATION:Europe/Oslo
BEGIN:DAYLIGHT
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19960331T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
END:VCALENDAR
"""


@dataclass(frozen=True)
class Entry:
    """A gathering and the days to show; ``days=None`` means every day of the gathering.
    ``registration``: the person's own registration, whose changes count for SEQUENCE too."""

    gathering: Gathering
    days: Sequence[GatheringDay] | None = None
    registration: object | None = None


def event_uid(gathering: Gathering, day: GatheringDay) -> str:
    """One event per day row: adding a day never renames the events people already have."""
    return f"gathering-{gathering.id}-day-{day.id}@{UID_DOMAIN}"


def _seconds(moment: datetime) -> int:
    return max(0, int((moment - SEQUENCE_EPOCH).total_seconds()))


def sequence(gathering: Gathering, registration=None, cancelled: bool = False) -> int:
    moments = [gathering.updated_at] + ([registration.updated_at] if registration is not None
                                        and registration.updated_at is not None else [])
    return 2 * _seconds(max(moments)) + (1 if cancelled else 0)


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


def organizer(gathering: Gathering) -> vCalAddress:
    """The network's KS contact; without one, the address the mail comes from (RFC 5546 wants an ORGANIZER)."""
    network = gathering.network
    if network.ks_contact_email:
        return _calendar_address(network.ks_contact_name, network.ks_contact_email)
    return default_organizer()


def default_organizer() -> vCalAddress:
    """The address the mail comes from: the organiser when a network has no KS contact, and in
    invitations still to be sent whose KS contact's account has been deleted (privacy)."""
    name, address = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "")
    return _calendar_address(name, address or f"nettverk@{UID_DOMAIN}")


def _calendar_address(name: str, address: str) -> vCalAddress:
    calendar_address = vCalAddress(f"mailto:{address}")
    calendar_address.params["CN"] = one_line(name or _("KS nettverk"))
    return calendar_address


def attendee(person, cancelled: bool = False) -> vCalAddress:
    """The recipient, already registered: nothing for them to answer (RSVP=FALSE)."""
    calendar_address = vCalAddress(f"mailto:{person.email}")
    calendar_address.params.update({
        "CN": one_line(person.name or person.email), "CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "DECLINED" if cancelled else "ACCEPTED", "RSVP": "FALSE",
    })
    return calendar_address


def _description(gathering: Gathering, url: str, day_number: int, day_count: int) -> str:
    lines = [_("Samling %(n)s i %(network)s", n=gathering.number, network=one_line(gathering.network.name))]
    if day_count > 1:
        lines.append(_("Dag %(n)s av %(count)s", n=day_number, count=day_count))
    if gathering.theme:
        lines += ["", clean(gathering.theme).strip()]
    lines += ["", _("Program, påmelding og materiell: %(url)s", url=url)]
    return "\n".join(lines)


def events_for(gathering: Gathering, days: Sequence[GatheringDay] | None = None,
               stamp: datetime | None = None, registration=None, method: str = PUBLISH,
               cancelled: bool = False) -> list[Event]:
    """``cancelled``: the events as STATUS:CANCELLED (also whenever the gathering itself is).
    ``days`` may hold a day already removed from the gathering, to cancel its event."""
    stamp = stamp or utcnow()
    cancelled = cancelled or gathering.is_cancelled
    url = gathering_url(gathering)
    ordered = sorted(gathering.days, key=lambda day: day.day)
    positions = {day.id: n for n, day in enumerate(ordered, start=1)}
    if days is None:
        chosen = ordered
    else:
        chosen = sorted((day for day in days if day.id in positions or cancelled), key=lambda day: day.day)
    person = getattr(registration, "person", None) if method != PUBLISH else None
    events = []
    for day in chosen:
        number = positions.get(day.id)
        event = Event.new(
            uid=event_uid(gathering, day),
            summary=summary(gathering),
            start=local(day.day, day.starts_at),
            end=local(day.day, day.ends_at),
            location=location(gathering) or None,
            description=_description(gathering, url, number or 1, len(ordered) if number else 1),
            url=url,
            stamp=stamp,
            last_modified=max(gathering.updated_at, getattr(registration, "updated_at", None) or gathering.updated_at),
            sequence=sequence(gathering, registration, cancelled),
            organizer=organizer(gathering),
            attendees=[attendee(person, cancelled)] if person is not None else None,
        )
        event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
        events.append(event)
    return events


def timezone_component():
    return Calendar.from_ical(VTIMEZONE).walk("VTIMEZONE")[0]


def build_calendar(entries: Iterable[Entry], name: str, uid: str, stamp: datetime | None = None,
                   refresh: timedelta | None = None, method: str = PUBLISH, cancelled: bool = False) -> Calendar:
    stamp = stamp or utcnow()
    calendar = Calendar.new(prodid=PRODID, method=method, name=one_line(name), uid=uid)
    calendar.add("X-WR-TIMEZONE", TIMEZONE)
    if refresh is not None:
        # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL; X-PUBLISHED-TTL (Outlook's) is a duration too.
        calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    events = list(chain.from_iterable(
        events_for(e.gathering, e.days, stamp, e.registration, method, cancelled) for e in entries))
    if events:
        calendar.add_component(timezone_component())
    for item in events:
        calendar.add_component(item)
    return calendar


def gathering_ics(gathering: Gathering, days: Sequence[GatheringDay] | None = None) -> bytes:
    """The ``.ics`` file for one gathering (every day, or only the days given)."""
    entry = Entry(gathering, days)
    return build_calendar([entry], summary(gathering), f"gathering-{gathering.id}@{UID_DOMAIN}").to_ical()


def filename(gathering: Gathering) -> str:
    return f"samling-{gathering.number}.ics"


def _calendar_uid(gathering: Gathering) -> str:
    return f"gathering-{gathering.id}@{UID_DOMAIN}"


def series_uid(gathering: Gathering, registration=None) -> str:
    """The one UID of a person's mailed event for a gathering: from the ids, so every later
    invitation, change or cancellation names the event the person got, whichever days they keep."""
    if registration is None or registration.id is None:
        return f"gathering-{gathering.id}-invitation@{UID_DOMAIN}"
    return f"gathering-{gathering.id}-registration-{registration.id}@{UID_DOMAIN}"


def _by_date(days: Iterable[GatheringDay]) -> list[GatheringDay]:
    unique = {day.id: day for day in days}
    return sorted(unique.values(), key=lambda day: day.day)


def _instance_start(first: GatheringDay, day: GatheringDay) -> datetime:
    """Where the daily rule puts ``day``: the first day's start time on that date (its RECURRENCE-ID)."""
    return local(day.day, first.starts_at)


def _series_event(gathering: Gathering, day: GatheringDay, stamp: datetime, registration, person,
                  seq: int, cancelled: bool) -> Event:
    url = gathering_url(gathering)
    event = Event.new(
        uid=series_uid(gathering, registration),
        summary=summary(gathering),
        start=local(day.day, day.starts_at),
        end=local(day.day, day.ends_at),
        location=location(gathering) or None,
        # No "day n of m" line: the master's text is every instance's text.
        description=_description(gathering, url, 1, 1),
        url=url,
        stamp=stamp,
        last_modified=max(gathering.updated_at, getattr(registration, "updated_at", None) or gathering.updated_at),
        sequence=seq,
        organizer=organizer(gathering),
        attendees=[attendee(person, cancelled)] if person is not None else None,
    )
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _add_recurrence(event: Event, days: Sequence[GatheringDay]) -> None:
    """A daily rule from the first to the last day: COUNT when the days follow each other, else
    UNTIL (UTC, as RFC 5545 wants when DTSTART has a TZID) and EXDATE for the dates skipped."""
    first, last = days[0], days[-1]
    span = (last.day - first.day).days + 1
    if span == len(days):
        event.add("RRULE", {"FREQ": "DAILY", "COUNT": len(days)})
        return
    event.add("RRULE", {"FREQ": "DAILY", "UNTIL": _instance_start(first, last).astimezone(timezone.utc)})
    chosen = {day.day for day in days}
    skipped = [first.day + timedelta(days=n) for n in range(span)]
    event.add("EXDATE", [local(moment, first.starts_at) for moment in skipped if moment not in chosen])


def series_events(gathering: Gathering, days: Iterable[GatheringDay], registration=None,
                  stamp: datetime | None = None, cancelled: bool = False, bump: int = 0) -> list[Event]:
    """The person's days as one event: the master (with its rule when there are several days),
    then an override for each day whose times differ from the first day's. ``bump`` raises the
    SEQUENCE (an invitation mailed right after a cancelled instance must be newer than it)."""
    stamp = stamp or utcnow()
    cancelled = cancelled or gathering.is_cancelled
    current = {day.id for day in gathering.days}
    chosen = _by_date(day for day in days if day.id in current or cancelled)
    if not chosen:
        return []
    person = getattr(registration, "person", None)
    seq = sequence(gathering, registration, cancelled) + bump
    first = chosen[0]
    master = _series_event(gathering, first, stamp, registration, person, seq, cancelled)
    if len(chosen) > 1:
        _add_recurrence(master, chosen)
    if cancelled:  # a CANCEL of the whole event names the master only (RFC 5546 3.2.5)
        return [master]
    overrides = []
    for day in chosen[1:]:
        if (day.starts_at, day.ends_at) != (first.starts_at, first.ends_at):
            override = _series_event(gathering, day, stamp, registration, person, seq, cancelled)
            override.add("RECURRENCE-ID", _instance_start(first, day))
            overrides.append(override)
    return [master, *overrides]


def instance_cancel_event(gathering: Gathering, day: GatheringDay, registration=None,
                          stamp: datetime | None = None) -> list[Event]:
    """The CANCEL of one day of the person's event. The series they got is their days with
    ``day`` among them (``day`` may already be out of the gathering); a series of one day is
    cancelled whole."""
    stamp = stamp or utcnow()
    current = {d.id for d in gathering.days}
    had = _by_date([*(d for d in getattr(registration, "days", ()) if d.id in current), day])
    if len(had) == 1:
        return series_events(gathering, had, registration, stamp, cancelled=True)
    person = getattr(registration, "person", None)
    event = _series_event(gathering, day, stamp, registration, person,
                          sequence(gathering, registration, cancelled=True), cancelled=True)
    event.add("RECURRENCE-ID", _instance_start(had[0], day))
    return [event]


@cache
def _timezone_ical() -> bytes:
    """The VTIMEZONE as written into a file: the same bytes every time, so parsed and written once
    per process instead of once per mail (it was half the cost of a confirmation's invitation)."""
    return timezone_component().to_ical()


def _mailed_calendar(gathering: Gathering, events: list[Event], method: str) -> bytes:
    calendar = Calendar.new(prodid=PRODID, method=method, name=summary(gathering), uid=_calendar_uid(gathering))
    calendar.add("X-WR-TIMEZONE", TIMEZONE)
    for event in events:
        calendar.add_component(event)
    ical = calendar.to_ical()
    if not events:
        return ical
    # The VTIMEZONE goes before the first event, where add_component would have put it. A line that
    # starts with BEGIN:VEVENT is that event: text values escape their line breaks, folds start with a space.
    at = ical.index(b"\r\nBEGIN:VEVENT\r\n") + 2
    return ical[:at] + _timezone_ical() + ical[at:]


def mail_attachment(gathering: Gathering, days: Sequence[GatheringDay] | None = None,
                    registration=None, after_cancel: bool = False) -> Attachment:
    """The invitation for one person's days (METHOD:REQUEST, the person as ATTENDEE), one UID.
    ``after_cancel``: mailed right after the CANCEL of one of its instances, so it must be newer."""
    days = list(gathering.days) if days is None else days
    events = series_events(gathering, days, registration, bump=2 if after_cancel else 0)
    return Attachment(filename(gathering), MAIL_CONTENT_TYPE, _mailed_calendar(gathering, events, REQUEST))


def _cancel_attachment(gathering: Gathering, events: list[Event]) -> Attachment:
    return Attachment(f"avlyst-{filename(gathering)}", CANCEL_CONTENT_TYPE, _mailed_calendar(gathering, events, CANCEL))


def cancellation(gathering: Gathering, days: Sequence[GatheringDay], registration=None) -> Attachment:
    """METHOD:CANCEL of the person's whole event (the same UID, STATUS:CANCELLED, a higher SEQUENCE),
    so calendars that took the invitation take the event out."""
    return _cancel_attachment(gathering, series_events(gathering, days, registration, cancelled=True))


def registration_cancellation(registration) -> Attachment:
    """A cancelled registration: the person's event goes out of their calendar."""
    return cancellation(registration.gathering, registration.days, registration)


def day_cancellation(gathering: Gathering, day: GatheringDay, registration=None) -> Attachment:
    """A day removed from the gathering: the CANCEL of that instance (RECURRENCE-ID)."""
    return _cancel_attachment(gathering, instance_cancel_event(gathering, day, registration))


def gathering_cancellation(gathering: Gathering, registration) -> Attachment:
    """A cancelled gathering: the person's whole event, cancelled."""
    return cancellation(gathering, registration.days, registration)
