"""Every .ics the app makes, read by two independent parsers: ``icalendar`` (which the app writes
with) and ``vobject`` (which has its own parser and builds the time zone from the file's own
VTIMEZONE, so a wrong RRULE shows up as a wrong UTC time).

The files: the per-gathering download, the private feed, the invitation mailed on registration
(attached and in the body, as iMIP wants), the cancellation mailed when a registration is
cancelled or a day removed, and the one for a cancelled gathering (``ics.gathering_cancellation``).
A winter gathering (UTC+1) and a summer gathering (UTC+2) each."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from network.auth.models import Person
from network.calendar import ics
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringStatus, Registration
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
    smtp.handler.messages.clear()
    with app.test_request_context():
        row = db.session.get(Gathering, gathering.id)
        second_day = max(row.days, key=lambda day: day.day)
        removed_uid = ics.event_uid(row, second_day)
        services.remove_day(second_day)
        db.session.commit()
        send_pending()
    mail = _mail_to(smtp, people["participant"])
    _, files = calendar_parts(mail)
    cancel, request = (part.get_payload(decode=True) for part in files)
    check_file(cancel, "CANCEL", status="CANCELLED")
    assert list(times_by_uid(cancel)) == [removed_uid]
    check_file(request, "REQUEST")
    assert removed_uid not in times_by_uid(request)


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
