"""Every .ics the app makes, read by two independent parsers: ``icalendar`` (which the app writes
with) and ``vobject`` (which has its own parser and builds the time zone from the file's own
VTIMEZONE, so a wrong RRULE shows up as a wrong UTC time).

The files: the per-gathering download, the private feed, the invitation mailed on registration
(attached and in the body, as iMIP wants), the cancellation mailed when a registration is
cancelled or a day removed, and the one for a cancelled gathering (``ics.gathering_cancellation``).
A winter gathering (UTC+1) and a summer gathering (UTC+2) each.

A mailed file is one event (one UID, as iTIP wants): several days are a daily recurrence, which
each parser expands on its own (icalendar's reading with dateutil's rrule; vobject's own rruleset),
to exactly the person's days at the same UTC times, across the change to summer time."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar

from network.auth.models import Person
from network.calendar import ics
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringStatus, Registration
from network.gatherings.services import RegistrationDetails
from network.outbox.services import send_pending
from tests.factories import world
from tests.gathering_helpers import open_gathering, register
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)

WINTER = date(2031, 1, 15)  # 10:00–16:00 in Oslo is 09:00–15:00 UTC
SUMMER = date(2031, 6, 11)  # 10:00–16:00 in Oslo is 08:00–14:00 UTC
UTC_TIMES = {
    WINTER: (datetime(2031, 1, 15, 9, tzinfo=timezone.utc), datetime(2031, 1, 15, 15, tzinfo=timezone.utc)),
    SUMMER: (datetime(2031, 6, 11, 8, tzinfo=timezone.utc), datetime(2031, 6, 11, 14, tzinfo=timezone.utc)),
}
# RFC 5545 section 3.3.6: dur-value.
DURATION = re.compile(r"[+-]?P(\d+W|(\d+D)?(T(\d+H(\d+M(\d+S)?)?|\d+M(\d+S)?|\d+S))?)")


# --- reading one file both ways -------------------------------------------------------------


def both(data: bytes):
    """(icalendar's calendar, vobject's calendar) — each parser on its own."""
    return Calendar.from_ical(data), vobject.readOne(data.decode("utf-8"))


def times_by_uid(data: bytes) -> dict[str, tuple[datetime, datetime]]:
    """The UTC start and end of every event, as each parser reads them; they must agree."""
    first, second = both(data)
    by_icalendar = {str(e["UID"]): (e.start.astimezone(timezone.utc), e.end.astimezone(timezone.utc))
                    for e in first.walk("VEVENT")}
    by_vobject = {e.uid.value: (e.dtstart.value.astimezone(timezone.utc), e.dtend.value.astimezone(timezone.utc))
                  for e in second.vevent_list}
    assert by_icalendar == by_vobject
    return by_icalendar


def _icalendar_instances(calendar) -> dict[datetime, datetime]:
    events = calendar.walk("VEVENT")
    [master] = [e for e in events if "RECURRENCE-ID" not in e]
    overrides = {e["RECURRENCE-ID"].dt: e for e in events if "RECURRENCE-ID" in e}
    starts = [master.start]
    if "RRULE" in master:
        excluded = master.get("EXDATE", [])
        excluded = {d.dt for group in (excluded if isinstance(excluded, list) else [excluded]) for d in group.dts}
        rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.start)
        starts = [start for start in rule if start not in excluded]
    instances = {}
    for start in starts:
        event = overrides.pop(start, None)
        begin, end = (event.start, event.end) if event is not None else (start, start + (master.end - master.start))
        instances[begin.astimezone(timezone.utc)] = end.astimezone(timezone.utc)
    assert not overrides, "an override names no instance of the rule"
    return instances


def _vobject_instances(calendar) -> dict[datetime, datetime]:
    events = calendar.vevent_list
    [master] = [e for e in events if "recurrence-id" not in e.contents]
    overrides = {e.recurrence_id.value: e for e in events if "recurrence-id" in e.contents}
    rules = master.getrruleset(addRDate=True)
    starts = list(rules) if rules is not None else [master.dtstart.value]
    length = master.dtend.value - master.dtstart.value
    instances = {}
    for start in starts:
        event = overrides.pop(start, None)
        begin, end = ((event.dtstart.value, event.dtend.value) if event is not None else (start, start + length))
        instances[begin.astimezone(timezone.utc)] = end.astimezone(timezone.utc)
    assert not overrides, "an override names no instance of the rule"
    return instances


def instances(data: bytes) -> dict[datetime, datetime]:
    """A mailed file's one event, expanded by each parser: UTC start -> UTC end; they must agree."""
    first, second = both(data)
    assert len({str(e["UID"]) for e in first.walk("VEVENT")}) == 1  # iTIP: one UID per message
    assert len({e.uid.value for e in second.vevent_list}) == 1
    expanded = _icalendar_instances(first)
    assert expanded == _vobject_instances(second)
    return expanded


def check_file(data: bytes, method: str, status: str = "CONFIRMED") -> None:
    """What every file must hold, read by both parsers."""
    first, second = both(data)
    assert first["METHOD"] == method and second.method.value == method
    assert second.version.value == "2.0" and second.prodid.value == ics.PRODID
    # The one VTIMEZONE: STANDARD and DAYLIGHT as yearly rules, not dated changeovers.
    [zone] = second.vtimezone_list
    assert zone.tzid.value == "Europe/Oslo"
    rules = {part.name: dict(rule.split("=") for rule in part.rrule.value.split(";"))
             for part in zone.getChildren() if part.name in ("STANDARD", "DAYLIGHT")}
    assert rules == {"DAYLIGHT": {"FREQ": "YEARLY", "BYMONTH": "3", "BYDAY": "-1SU"},
                     "STANDARD": {"FREQ": "YEARLY", "BYMONTH": "10", "BYDAY": "-1SU"}}
    assert not any("rdate" in part.contents for part in zone.components())
    for event in second.vevent_list:
        assert event.organizer.value == "mailto:kontakt@ks.test"
        assert event.organizer.params["CN"] == ["Kari Koordinator"]
        assert event.status.value == status
        assert int(event.sequence.value) > 0
        if method != "PUBLISH":  # an iTIP message names whom it is for
            [attendee] = event.attendee_list
            assert attendee.value.startswith("mailto:") and attendee.params["RSVP"] == ["FALSE"]
    for event in first.walk("VEVENT"):
        assert str(event["ORGANIZER"]) == "mailto:kontakt@ks.test"
        assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "Europe/Oslo"


def calendar_parts(mail) -> tuple[bytes | None, list]:
    """The invitation in the body (text/calendar without a file name) and the attached .ics files."""
    body = next((part.get_payload(decode=True) for part in mail.walk()
                 if part.get_content_type() == "text/calendar" and not part.get_filename()), None)
    files = [part for part in mail.walk() if (part.get_filename() or "").endswith(".ics")]
    return body, files


def _mail_to(smtp, person):
    [mail] = [m for m in smtp.messages if m["To"] == person.email]
    return message_from_bytes(mail.as_bytes(), policy=policy.default)


# --- the world ------------------------------------------------------------------------------


@pytest.fixture
def two_seasons(app, factory):
    network, _, _, people = world(factory)
    winter = open_gathering(factory, network, 1, WINTER, days=1, venue="Hamar kulturhus", address="Parkgata 21")
    summer = open_gathering(factory, network, 2, SUMMER, days=2, venue="Scandic Lillehammer")
    return network, people, {WINTER: winter, SUMMER: summer}


@pytest.mark.parametrize("season", [WINTER, SUMMER])
def test_download_and_feed_give_the_same_utc_times_in_both_parsers(app, two_seasons, login, client, season):
    network, people, gatherings = two_seasons
    gathering = gatherings[season]
    register(app, gathering.id, people["participant"].id)
    with app.app_context():
        db.session.get(Person, people["participant"].id).calendar_token = "to-tolkere"
        db.session.commit()

    download = login(people["participant"]).get(f"/networks/{network.id}/gatherings/{gathering.id}/calendar.ics")
    check_file(download.data, "PUBLISH")
    times = times_by_uid(download.data)
    assert sorted(times.values())[0] == UTC_TIMES[season]

    feed = client.get("/calendar/to-tolkere.ics")
    check_file(feed.data, "PUBLISH")
    assert times_by_uid(feed.data) == times


def test_feed_durations_are_icalendar_durations(app, two_seasons, client):
    _, people, gatherings = two_seasons
    register(app, gatherings[WINTER].id, people["participant"].id)
    with app.app_context():
        db.session.get(Person, people["participant"].id).calendar_token = "varighet"
        db.session.commit()
    data = client.get("/calendar/varighet.ics").data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    _, second = both(data)
    for name in ("x_published_ttl", "refresh_interval"):
        assert DURATION.fullmatch(getattr(second, name).value), name
    assert second.refresh_interval.params["VALUE"] == ["DURATION"]
    assert b"1:00:00" not in data


@pytest.mark.parametrize("season", [WINTER, SUMMER])
def test_confirmation_is_an_invitation_and_cancellation_withdraws_it(app, two_seasons, login, smtp, season):
    network, people, gatherings = two_seasons
    gathering, me = gatherings[season], people["participant"]
    with app.app_context():
        day_ids = [day.id for day in db.session.get(Gathering, gathering.id).days]
    client = login(me)
    response = client.post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                           data={"days": [str(day_id) for day_id in day_ids]})
    assert response.status_code == 302

    mail = _mail_to(smtp, me)
    body, [attached] = calendar_parts(mail)
    # iMIP (RFC 6047): the invitation in the body with its method, the same file attached for saving.
    inline = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    assert inline.get_param("method") == "REQUEST"
    # The same file (MIME text keeps its lines as CRLF on the wire; the parser gives them back as LF).
    assert attached.get_payload(decode=True).replace(b"\r\n", b"\n") == body.replace(b"\r\n", b"\n")
    check_file(body, "REQUEST")
    invited = times_by_uid(body)
    assert sorted(invited.values())[0] == UTC_TIMES[season]
    _, parsed = both(body)
    [attendee] = {e.attendee.value for e in parsed.vevent_list}
    assert attendee == f"mailto:{me.email}"
    invited_sequence = {e.uid.value: int(e.sequence.value) for e in parsed.vevent_list}

    smtp.handler.messages.clear()
    with app.app_context():
        registration_id = db.session.scalar(db.select(Registration.id).where(Registration.person_id == me.id))
    response = client.post(f"/networks/{network.id}/gatherings/{gathering.id}/registrations/{registration_id}/cancel",
                           data={"confirmed": "1"})
    assert response.status_code == 302
    cancelled = _mail_to(smtp, me)
    body, [attached] = calendar_parts(cancelled)
    assert next(p for p in cancelled.walk() if p.get_content_type() == "text/calendar").get_param("method") == "CANCEL"
    check_file(body, "CANCEL", status="CANCELLED")
    assert times_by_uid(body) == invited  # the same events, by UID
    _, parsed = both(body)
    for event in parsed.vevent_list:
        assert int(event.sequence.value) > invited_sequence[event.uid.value]


def test_removed_day_is_cancelled_in_the_change_notice(app, two_seasons, smtp):
    _, people, gatherings = two_seasons
    gathering = gatherings[SUMMER]
    register(app, gathering.id, people["participant"].id)
    with app.test_request_context():
        send_pending()  # the confirmation
    [confirmation] = smtp.messages
    invitation = calendar_parts(confirmation)[0]
    assert sorted(instances(invitation)) == [datetime(2031, 6, 11, 8, tzinfo=timezone.utc),
                                             datetime(2031, 6, 12, 8, tzinfo=timezone.utc)]
    [uid] = {e.uid.value for e in both(invitation)[1].vevent_list}
    smtp.handler.messages.clear()
    with app.test_request_context():
        row = db.session.get(Gathering, gathering.id)
        second_day = max(row.days, key=lambda day: day.day)
        services.remove_day(second_day)
        db.session.commit()
        send_pending()
    mail = _mail_to(smtp, people["participant"])
    _, files = calendar_parts(mail)
    cancel, request = (part.get_payload(decode=True) for part in files)
    check_file(cancel, "CANCEL", status="CANCELLED")
    # The CANCEL of that one instance: the invitation's UID with the day's RECURRENCE-ID.
    [event] = both(cancel)[1].vevent_list
    assert event.uid.value == uid
    assert event.recurrence_id.value.astimezone(timezone.utc) == datetime(2031, 6, 12, 8, tzinfo=timezone.utc)
    assert b"RECURRENCE-ID;TZID=Europe/Oslo:20310612T100000" in cancel
    check_file(request, "REQUEST")
    assert list(instances(request)) == [datetime(2031, 6, 11, 8, tzinfo=timezone.utc)]
    [updated] = both(request)[1].vevent_list
    assert updated.uid.value == uid
    # Newer than the invitation, and newer than the cancellation before it in the same mail.
    assert int(updated.sequence.value) > int(event.sequence.value) > int(
        both(invitation)[1].vevent.sequence.value)


def test_cancelled_gathering_file_for_each_registration(app, two_seasons):
    """What the gathering's cancellation mails (``ics.gathering_cancellation``), read by both parsers."""
    _, people, gatherings = two_seasons
    registration_id = register(app, gatherings[WINTER].id, people["participant"].id)
    with app.test_request_context():
        registration = db.session.get(Registration, registration_id)
        request = ics.mail_attachment(registration.gathering, registration.days, registration)
        cancel = ics.gathering_cancellation(registration.gathering, registration)
    assert cancel.content_type == "text/calendar; charset=utf-8; method=CANCEL"
    check_file(cancel.data, "CANCEL", status="CANCELLED")
    assert times_by_uid(cancel.data) == times_by_uid(request.data)
    assert (max(int(e.sequence.value) for e in both(cancel.data)[1].vevent_list)
            > max(int(e.sequence.value) for e in both(request.data)[1].vevent_list))


def test_feed_marks_a_cancelled_gathering_cancelled(app, two_seasons, client):
    _, people, gatherings = two_seasons
    register(app, gatherings[WINTER].id, people["participant"].id)
    with app.app_context():
        db.session.get(Person, people["participant"].id).calendar_token = "avlyst"
        db.session.get(Gathering, gatherings[WINTER].id).status = GatheringStatus.CANCELLED
        db.session.commit()
    data = client.get("/calendar/avlyst.ics").data
    check_file(data, "PUBLISH", status="CANCELLED")


def test_timezone_rules_give_oslo_time_for_every_day_of_a_year():
    """The VTIMEZONE's rules, as vobject reads them, against the tz database for 2019–2040."""
    zone = vobject.readOne(ics.VTIMEZONE).vtimezone.gettzinfo()
    oslo = ZoneInfo("Europe/Oslo")
    for year in range(2019, 2041):
        for month in range(1, 13):
            for day in (1, 25, 26, 27, 28, 29, 30, 31):
                try:
                    moment = datetime(year, month, day, 12)
                except ValueError:
                    continue
                assert moment.replace(tzinfo=zone).utcoffset() == moment.replace(tzinfo=oslo).utcoffset(), moment
    # Around the change itself: 01:59 and 03:00 local on the last Sunday of March 2031.
    assert datetime(2031, 3, 30, 1, 59, tzinfo=zone).utcoffset().total_seconds() == 3600
    assert datetime(2031, 3, 30, 3, 0, tzinfo=zone).utcoffset().total_seconds() == 7200


# --- several days as one event ----------------------------------------------------------------

SPRING = date(2031, 3, 28)  # Friday; summer time begins on Sunday 30 March 2031 at 02:00


@pytest.fixture
def across_summer_time(app, factory):
    """Four days, 28–31 March 2031; the last starts at 09:00 instead of 10:00. The person takes
    every day but Saturday: a rule with UNTIL, an EXDATE, and an override for Monday."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, 3, SPRING, days=4)
    with app.test_request_context():
        row = db.session.get(Gathering, gathering.id)
        monday = next(day for day in row.days if day.day == date(2031, 3, 31))
        monday.starts_at, monday.ends_at = time(9), time(15)
        chosen = [day.id for day in row.days if day.day != date(2031, 3, 29)]
        person = db.session.get(Person, people["participant"].id)
        registration = services.register(row, person, RegistrationDetails(day_ids=chosen), registered_by=person,
                                         override_window=True)
        db.session.commit()
        return gathering, registration.id


UTC = timezone.utc
ACROSS = {  # UTC start -> UTC end of the person's days
    datetime(2031, 3, 28, 9, tzinfo=UTC): datetime(2031, 3, 28, 15, tzinfo=UTC),  # 10–16 winter time
    datetime(2031, 3, 30, 8, tzinfo=UTC): datetime(2031, 3, 30, 14, tzinfo=UTC),  # 10–16 summer time
    datetime(2031, 3, 31, 7, tzinfo=UTC): datetime(2031, 3, 31, 13, tzinfo=UTC),  # 09–15 summer time
}


def _mailed(app, registration_id, make):
    with app.test_request_context():
        registration = db.session.get(Registration, registration_id)
        return make(registration).data


def test_a_two_day_invitation_is_one_event_with_a_daily_rule(app, two_seasons):
    _, people, gatherings = two_seasons
    registration_id = register(app, gatherings[SUMMER].id, people["participant"].id)
    data = _mailed(app, registration_id,
                   lambda r: ics.mail_attachment(r.gathering, r.days, r))
    check_file(data, "REQUEST")
    [event] = both(data)[0].walk("VEVENT")  # consecutive days with the same times: no override
    assert str(event["UID"]) == f"gathering-{gatherings[SUMMER].id}-registration-{registration_id}@ks-nettverk"
    assert event["RRULE"].to_ical() == b"FREQ=DAILY;COUNT=2"
    assert instances(data) == {datetime(2031, 6, 11, 8, tzinfo=UTC): datetime(2031, 6, 11, 14, tzinfo=UTC),
                               datetime(2031, 6, 12, 8, tzinfo=UTC): datetime(2031, 6, 12, 14, tzinfo=UTC)}


def test_days_across_summer_time_expand_to_the_chosen_days_in_both_parsers(app, across_summer_time):
    gathering, registration_id = across_summer_time
    data = _mailed(app, registration_id, lambda r: ics.mail_attachment(r.gathering, r.days, r))
    check_file(data, "REQUEST")
    assert instances(data) == ACROSS
    master, override = both(data)[0].walk("VEVENT")
    # RFC 5545: UNTIL in UTC when DTSTART has a TZID; the last instance's own start under the rule.
    assert b"RRULE:FREQ=DAILY;UNTIL=20310331T080000Z\r\n" in data
    assert b"EXDATE;TZID=Europe/Oslo:20310329T100000\r\n" in data
    assert "RECURRENCE-ID" not in master
    # Monday has other times: an override of its instance (10:00 under the rule), its own times.
    assert override["RECURRENCE-ID"].dt == datetime(2031, 3, 31, 10, tzinfo=ZoneInfo("Europe/Oslo"))
    assert override["RECURRENCE-ID"].params["TZID"] == "Europe/Oslo"
    assert override.start == datetime(2031, 3, 31, 9, tzinfo=ZoneInfo("Europe/Oslo"))
    assert str(override["UID"]) == str(master["UID"]) and override["SEQUENCE"] == master["SEQUENCE"]


def test_download_and_feed_keep_one_event_per_day(app, across_summer_time):
    """PUBLISH files are no invitations: one VEVENT per day with its own UID, as before."""
    gathering, registration_id = across_summer_time
    with app.app_context():
        row = db.session.get(Gathering, gathering.id)
        expected = {ics.event_uid(row, day) for day in row.days}
        person = db.session.get(Registration, registration_id).person
        person.calendar_token = "per-dag"
        db.session.commit()
        data = ics.gathering_ics(row)
    check_file(data, "PUBLISH")
    assert set(times_by_uid(data)) == expected and b"RRULE:FREQ=DAILY" not in data
    feed = app.test_client().get("/calendar/per-dag.ics").data
    check_file(feed, "PUBLISH")
    assert sorted(times_by_uid(feed).values()) == sorted(ACROSS.items())


def test_cancelling_the_registration_cancels_the_whole_event(app, across_summer_time):
    _, registration_id = across_summer_time
    request = _mailed(app, registration_id, lambda r: ics.mail_attachment(r.gathering, r.days, r))
    cancel = _mailed(app, registration_id, ics.registration_cancellation)
    check_file(cancel, "CANCEL", status="CANCELLED")
    [event] = both(cancel)[1].vevent_list  # the master: no RECURRENCE-ID, the whole series goes
    assert "recurrence-id" not in event.contents
    assert event.uid.value == both(request)[1].vevent.uid.value
    assert int(event.sequence.value) > int(both(request)[1].vevent.sequence.value)
    # The same series (its days; the override's own times don't matter to a CANCEL of the whole).
    assert {start.date() for start in instances(cancel)} == {start.date() for start in ACROSS}


def test_gathering_cancellation_names_the_master(app, across_summer_time):
    _, registration_id = across_summer_time
    cancel = _mailed(app, registration_id, lambda r: ics.gathering_cancellation(r.gathering, r))
    check_file(cancel, "CANCEL", status="CANCELLED")
    [event] = both(cancel)[0].walk("VEVENT")
    assert "RECURRENCE-ID" not in event
    assert str(event["UID"]).endswith(f"-registration-{registration_id}@ks-nettverk")


@pytest.mark.parametrize("which, utc_start", [
    (date(2031, 3, 30), datetime(2031, 3, 30, 8, tzinfo=UTC)),  # under the rule, summer time
    (date(2031, 3, 31), datetime(2031, 3, 31, 8, tzinfo=UTC)),  # the override: its rule instance, 10:00
])
def test_one_day_cancel_carries_the_instance_recurrence_id(app, across_summer_time, which, utc_start):
    gathering, registration_id = across_summer_time
    with app.test_request_context():
        registration = db.session.get(Registration, registration_id)
        day = next(d for d in registration.days if d.day == which)
        request = ics.mail_attachment(registration.gathering, registration.days, registration).data
        cancel = ics.day_cancellation(registration.gathering, day, registration).data
    check_file(cancel, "CANCEL", status="CANCELLED")
    [event] = both(cancel)[1].vevent_list
    assert event.uid.value == both(request)[1].vevent_list[0].uid.value
    assert event.recurrence_id.value.astimezone(UTC) == utc_start
    assert f"RECURRENCE-ID;TZID=Europe/Oslo:{which:%Y%m%d}T100000\r\n".encode() in cancel
    assert "rrule" not in event.contents
    assert int(event.sequence.value) > int(both(request)[1].vevent_list[0].sequence.value)
    # The recurrence ID names an instance the invitation has (the rule's start, not the override's).
    first, _ = both(request)
    [master] = [e for e in first.walk("VEVENT") if "RECURRENCE-ID" not in e]
    rule = rrulestr(master["RRULE"].to_ical().decode(), dtstart=master.start)
    assert utc_start in {start.astimezone(UTC) for start in rule}
