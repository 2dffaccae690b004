"""Calendar files, the private feed, mail with .ics attached, and reminders (real SMTP server)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, update

from network.auth.models import Person
from network.calendar import reminders
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringStatus, Registration
from network.gatherings.services import GATHERING_FIELDS
from network.networks.models import Network
from network.outbox.models import OutboxMessage
from network.outbox.services import send_pending
from tests.factories import world
from tests.gathering_helpers import FUTURE, open_gathering, register
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)
from tests.query_counter import count_queries

OSLO = ZoneInfo("Europe/Oslo")
BASE_URL = "https://nettverk.test"
WHERE = {"venue": "Gardermoen hotell", "address": "Hotellvegen 1, 2060 Gardermoen"}


def parse(data: bytes | str) -> Calendar:
    return Calendar.from_ical(data)


def events(data) -> list:
    return sorted(parse(data).events, key=lambda event: event.start)


def _url(network, gathering) -> str:
    return f"/networks/{network.id}/gatherings/{gathering.id}/calendar.ics"


def _backdate(app, gathering_id, hours=1):
    """Pretend the gathering and its registrations were last changed a while ago: SEQUENCE counts whole seconds."""
    with app.app_context():
        earlier = db.session.get(Gathering, gathering_id).updated_at - timedelta(hours=hours)
        db.session.execute(update(Gathering).where(Gathering.id == gathering_id).values(updated_at=earlier))
        db.session.execute(update(Registration).where(Registration.gathering_id == gathering_id)
                           .values(updated_at=earlier))
        db.session.commit()


def _change_venue(app, gathering_id, venue, address="Storgata 1, 2615 Lillehammer"):
    """Through the lead's service, which queues the change notice."""
    with app.test_request_context(base_url=BASE_URL):
        gathering = db.session.get(Gathering, gathering_id)
        fields = {name: getattr(gathering, name) for name in GATHERING_FIELDS}
        services.save_gathering(gathering.network, gathering, **{**fields, "venue": venue, "address": address})
        db.session.commit()


def _set_token(app, person_id, token):
    with app.app_context():
        db.session.get(Person, person_id).calendar_token = token
        db.session.commit()


def _subject(mail) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def _attachments(mail) -> list:
    """The attached .ics files (the invitation itself is also in the body, see test_ics_standards.py)."""
    return [part for part in mail.walk() if (part.get_filename() or "").endswith(".ics")]


def _text(mail) -> str:
    return next(part.get_payload(decode=True).decode() for part in mail.walk()
                if part.get_content_type() == "text/plain" and not part.get_filename())


# --- the .ics for one gathering -------------------------------------------------------------


def test_gathering_file_has_one_event_per_day_in_oslo_time(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, days=2, **WHERE)
    response = login(people["participant"]).get(_url(network, gathering))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="samling-1.ics"'

    calendar = parse(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Oslo"]
    first, second = events(response.data)
    # 12 March 2031 is winter time (UTC+1): 10:00 in Oslo is 09:00 UTC.
    assert first.start == datetime(2031, 3, 12, 10, tzinfo=OSLO)
    assert first.start.tzinfo.key == "Europe/Oslo"
    assert first.start.astimezone(timezone.utc) == datetime(2031, 3, 12, 9, tzinfo=timezone.utc)
    assert first.end == datetime(2031, 3, 12, 16, tzinfo=OSLO)
    assert second.start == datetime(2031, 3, 13, 10, tzinfo=OSLO)
    assert b"DTSTART;TZID=Europe/Oslo:20310312T100000" in response.data
    assert str(first["SUMMARY"]) == "Boligpolitikk: Samling 1"
    assert str(first["LOCATION"]) == "Gardermoen hotell, Hotellvegen 1, 2060 Gardermoen"
    gathering_url = f"http://localhost/networks/{network.id}/gatherings/{gathering.id}"
    assert gathering_url in str(first["DESCRIPTION"])
    assert "Dag 1 av 2" in str(first["DESCRIPTION"])
    assert str(first["URL"]) == gathering_url
    with app.app_context():
        day_ids = [day.id for day in db.session.get(Gathering, gathering.id).days]
    assert [str(e["UID"]) for e in (first, second)] == [
        f"gathering-{gathering.id}-day-{day_id}@ks-nettverk" for day_id in day_ids]
    assert first["DTSTAMP"] and first.last_modified and first.sequence > 0


def test_summer_time_is_utc_plus_two(factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, day=date(2031, 6, 11), days=1)
    [event] = events(login(people["participant"]).get(_url(network, gathering)).data)
    assert event.start.utcoffset() == timedelta(hours=2)
    assert event.start.astimezone(timezone.utc).time() == time(8)


def test_change_keeps_uids_and_raises_sequence_and_last_modified(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, **WHERE)
    client = login(people["participant"])
    _backdate(app, gathering.id)
    before = events(client.get(_url(network, gathering)).data)
    assert [e.uid for e in before] == [e.uid for e in events(client.get(_url(network, gathering)).data)]

    _change_venue(app, gathering.id, "Scandic Lillehammer")
    after = events(client.get(_url(network, gathering)).data)
    assert [e.uid for e in after] == [e.uid for e in before]
    assert str(after[0]["LOCATION"]) == "Scandic Lillehammer, Storgata 1, 2615 Lillehammer"
    assert after[0].sequence > before[0].sequence
    assert after[0].last_modified > before[0].last_modified


def test_adding_a_day_raises_the_sequence_too(app, factory, login):
    """A new day changes no column of the gathering; the calendar must still see a newer version."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, days=1)
    _backdate(app, gathering.id)
    client = login(people["participant"])
    [before] = events(client.get(_url(network, gathering)).data)
    with app.test_request_context():
        row = db.session.get(Gathering, gathering.id)
        row.network.ends_on = date(2031, 12, 31)  # a new day must lie within the network's period
        services.add_day(row, date(2031, 3, 13), time(9), time(15))
        db.session.commit()
    first, second = events(client.get(_url(network, gathering)).data)
    assert first.uid == before.uid
    assert first.sequence > before.sequence
    assert second.start == datetime(2031, 3, 13, 9, tzinfo=OSLO)


def test_removing_a_day_drops_its_event_and_raises_the_sequence(app, factory, client):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, days=2)
    register(app, gathering.id, people["participant"].id)
    _set_token(app, people["participant"].id, "to-dager")
    _backdate(app, gathering.id)
    first, second = events(client.get("/calendar/to-dager.ics").data)
    with app.test_request_context():
        row = db.session.get(Gathering, gathering.id)
        services.remove_day(next(day for day in row.days if day.day == date(2031, 3, 13)))
        db.session.commit()
    [remaining] = events(client.get("/calendar/to-dager.ics").data)
    assert remaining.uid == first.uid
    assert remaining.sequence > first.sequence


@pytest.mark.parametrize("role, status", [("outsider", 403), ("observer", 200), ("coordinator", 200)])
def test_gathering_file_is_for_members(factory, login, role, status):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    assert login(people[role]).get(_url(network, gathering)).status_code == status


def test_gathering_file_needs_sign_in(factory, client):
    network, _, _, _ = world(factory)
    gathering = open_gathering(factory, network)
    response = client.get(_url(network, gathering))
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_wrong_ids_give_404(factory, login):
    network, _, _, people = world(factory)
    other = factory.network("Tredje nettverk")
    elsewhere = open_gathering(factory, other)
    client = login(people["coordinator"])
    assert client.get(f"/networks/{network.id}/gatherings/999999/calendar.ics").status_code == 404
    assert client.get(f"/networks/999999/gatherings/{elsewhere.id}/calendar.ics").status_code == 404
    # A gathering of another network, reached through this network's URL.
    assert client.get(f"/networks/{network.id}/gatherings/{elsewhere.id}/calendar.ics").status_code == 404


# --- the private feed ------------------------------------------------------------------------


def test_feed_lists_the_gatherings_with_a_seat_and_only_the_chosen_days(app, factory, client):
    network, _, _, people = world(factory)
    me = people["participant"]
    attending = open_gathering(factory, network, number=1, days=2, **WHERE)
    full = open_gathering(factory, network, number=2, day=date(2031, 5, 7), capacity=1)
    dropped = open_gathering(factory, network, number=3, day=date(2031, 9, 3))
    register(app, attending.id, me.id, day_index=1)  # the second day only
    register(app, full.id, people["contact"].id)
    assert register(app, full.id, me.id)  # waiting list
    cancelled = register(app, dropped.id, me.id)
    with app.test_request_context():
        services.cancel(db.session.get(Registration, cancelled))
        db.session.commit()
    _set_token(app, me.id, "min-hemmelige-lenke")

    response = client.get("/calendar/min-hemmelige-lenke.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-cache"
    calendar = parse(response.data)
    assert "REFRESH-INTERVAL" in calendar
    [event] = calendar.events
    assert event.start == datetime(2031, 3, 13, 10, tzinfo=OSLO)
    assert str(event["SUMMARY"]) == "Boligpolitikk: Samling 1"


def test_feed_shows_a_changed_venue_at_once(app, factory, client):
    network, _, _, people = world(factory)
    me = people["participant"]
    gathering = open_gathering(factory, network, days=1, **WHERE)
    register(app, gathering.id, me.id)
    _set_token(app, me.id, "feed-token")
    _backdate(app, gathering.id)
    [before] = parse(client.get("/calendar/feed-token.ics").data).events

    _change_venue(app, gathering.id, "Hamar kulturhus", "Parkgata 21, 2317 Hamar")
    [after] = parse(client.get("/calendar/feed-token.ics").data).events
    assert str(after["LOCATION"]) == "Hamar kulturhus, Parkgata 21, 2317 Hamar"
    assert after.uid == before.uid
    assert after.sequence > before.sequence
    assert after.last_modified > before.last_modified


def _selects_for(app, path) -> int:
    with count_queries(app) as statements:
        response = app.test_client().get(path)
    assert response.status_code == 200
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_feed_builds_in_a_fixed_number_of_queries(app, factory):
    network, _, _, people = world(factory)
    one, many = people["participant"], people["contact"]
    for number in range(1, 6):
        gathering = open_gathering(factory, network, number=number, day=FUTURE + timedelta(days=30 * number))
        register(app, gathering.id, many.id)
        if number == 1:
            register(app, gathering.id, one.id)
    _set_token(app, one.id, "en-samling")
    _set_token(app, many.id, "mange-samlinger")
    assert len(parse(app.test_client().get("/calendar/mange-samlinger.ics").data).events) == 10
    assert _selects_for(app, "/calendar/en-samling.ics") == _selects_for(app, "/calendar/mange-samlinger.ics") == 4


@pytest.mark.parametrize("token", ["finnes-ikke", "x" * 80])
def test_unknown_token_is_404(factory, client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_deactivated_person_loses_the_feed(app, factory, client):
    _, _, _, people = world(factory)
    _set_token(app, people["participant"].id, "gammel-konto")
    with app.app_context():
        db.session.get(Person, people["participant"].id).active = False
        db.session.commit()
    assert client.get("/calendar/gammel-konto.ics").status_code == 404


def test_my_page_creates_and_renews_the_feed_url(app, factory, login):
    _, _, _, people = world(factory)
    me = people["participant"]
    client = login(me)
    page = client.get("/me").get_data(as_text=True)
    assert "Lag kalenderlenke" in page
    assert "/calendar/" not in page.replace('action="/calendar/token"', "")

    response = client.post("/calendar/token", data={"confirmed": "1"})
    assert response.status_code == 302
    assert response.location == "/me#calendar-feed"
    with app.app_context():
        first = db.session.get(Person, me.id).calendar_token
    assert len(first) >= 43
    page = client.get("/me").get_data(as_text=True)
    assert f"http://localhost/calendar/{first}.ics" in page
    assert f"webcal://localhost/calendar/{first}.ics" in page
    assert "Lag ny lenke" in page
    assert client.get(f"/calendar/{first}.ics").status_code == 200

    page = client.post("/calendar/token", data={"confirmed": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "Den gamle lenken virker ikke lenger" in page
    with app.app_context():
        second = db.session.get(Person, me.id).calendar_token
    assert second != first
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert app.test_client().get(f"/calendar/{second}.ics").status_code == 200


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_renewing_needs_the_csrf_token(app, factory, login, app_config):
    _, _, _, people = world(factory)
    _set_token(app, people["participant"].id, "beholdes")
    response = login(people["participant"]).post("/calendar/token", data={"confirmed": "1"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Person, people["participant"].id).calendar_token == "beholdes"


# --- mail with the .ics attached (real SMTP server) -------------------------------------------


def test_confirmation_arrives_with_a_calendar_attachment_and_change_link(app, factory, login, smtp):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, days=2, **WHERE)
    me = people["participant"]
    with app.app_context():
        day_ids = [day.id for day in db.session.get(Gathering, gathering.id).days]
    response = login(me).post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                              data={"days": [str(day_ids[0])]})
    assert response.status_code == 302
    [mail] = smtp.messages
    assert mail["To"] == me.email
    assert _subject(mail) == "Påmeldt: Samling 1"
    [attachment] = _attachments(mail)
    assert attachment.get_filename() == "samling-1.ics"
    calendar = parse(attachment.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"  # an invitation (iTIP), see test_ics_standards.py
    [event] = calendar.events  # only the day chosen
    assert event.start == datetime(2031, 3, 12, 10, tzinfo=OSLO)
    assert str(event["LOCATION"]) == "Gardermoen hotell, Hotellvegen 1, 2060 Gardermoen"

    text = _text(mail)
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id).where(Registration.person_id == me.id))
    change = f"/networks/{network.id}/gatherings/{gathering.id}/registrations/{registration_id}/edit"
    assert f"Endre eller meld av: http://localhost{change}" in text
    assert "12. mars 2031 kl. 10.00–16.00" in text
    assert "13. mars" not in text
    html = next(p.get_payload(decode=True).decode() for p in mail.walk() if p.get_content_type() == "text/html")
    assert f'href="http://localhost{change}">Endre eller meld av</a>' in html


def test_waiting_list_gets_no_calendar_entry_until_promoted(app, factory, smtp):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=1)
    seat = register(app, gathering.id, people["contact"].id)
    register(app, gathering.id, people["participant"].id)
    with app.test_request_context():
        send_pending()
    waiting_mail = next(m for m in smtp.messages if m["To"] == people["participant"].email)
    assert _subject(waiting_mail) == "Venteliste: Samling 1"
    assert _attachments(waiting_mail) == []

    smtp.handler.messages.clear()
    with app.test_request_context():
        services.cancel(db.session.get(Registration, seat))
        db.session.commit()
        send_pending()
    promoted = next(m for m in smtp.messages if m["To"] == people["participant"].email)
    assert _subject(promoted) == "Du har fått plass: Samling 1"
    [attachment] = _attachments(promoted)
    [event] = parse(attachment.get_payload(decode=True)).events  # both days as one event (one UID, iTIP)
    assert event["RRULE"].to_ical() == b"FREQ=DAILY;COUNT=2"
    cancelled = next(m for m in smtp.messages if m["To"] == people["contact"].email)
    [cancel] = _attachments(cancelled)  # they had a seat: the invitation is withdrawn
    assert parse(cancel.get_payload(decode=True))["METHOD"] == "CANCEL"


def test_change_notice_carries_the_updated_calendar(app, factory, smtp):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, days=1, **WHERE)
    _backdate(app, gathering.id)
    app.config["CLOCK_NOW"] = datetime.now(timezone.utc) - timedelta(minutes=30)  # registered a while ago
    register(app, gathering.id, people["participant"].id)
    del app.config["CLOCK_NOW"]
    with app.test_request_context():
        send_pending()
    [confirmation] = smtp.messages
    [original] = parse(_attachments(confirmation)[0].get_payload(decode=True)).events

    smtp.handler.messages.clear()
    _change_venue(app, gathering.id, "Hamar kulturhus", "Parkgata 21, 2317 Hamar")
    with app.test_request_context():
        send_pending()
    [notice] = smtp.messages
    assert _subject(notice) == "Endring: Samling 1"
    assert "Hamar kulturhus, Parkgata 21, 2317 Hamar" in _text(notice)
    [updated] = parse(_attachments(notice)[0].get_payload(decode=True)).events
    assert updated.uid == original.uid
    assert updated.sequence > original.sequence
    assert str(updated["LOCATION"]) == "Hamar kulturhus, Parkgata 21, 2317 Hamar"


# --- reminders ---------------------------------------------------------------------------------


def _remind(runner, today: str, *extra):
    return runner.invoke(args=["gatherings", "send-reminders", "--today", today, "--base-url", BASE_URL, *extra])


def _reminded(app) -> dict[int, datetime | None]:
    with app.app_context():
        return dict(db.session.execute(select(Registration.person_id, Registration.reminder_sent_at)).all())


def _reminder_world(app, factory):
    """Gathering on 12 March 2031, reminders 7 days before: confirmed, waiting and cancelled people."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=2, **WHERE)
    confirmed = [register(app, gathering.id, people[key].id) for key in ("participant", "contact")]
    register(app, gathering.id, people["executive"].id)  # waiting
    register(app, gathering.id, people["observer"].id)  # waiting, then cancelled
    with app.test_request_context():
        observer = db.session.scalar(select(Registration).where(Registration.person_id == people["observer"].id))
        services.cancel(observer)
        db.session.commit()
    return network, gathering, people, confirmed


def test_reminders_go_once_to_confirmed_people_with_the_ics(app, factory, runner, smtp):
    network, gathering, people, _ = _reminder_world(app, factory)
    smtp.handler.messages.clear()

    result = _remind(runner, "2031-03-05")
    assert result.exit_code == 0, result.output
    assert "Queued 2 reminder(s)." in result.output
    reminders_sent = [m for m in smtp.messages if _subject(m).startswith("Påminnelse")]
    assert sorted(m["To"] for m in reminders_sent) == sorted([people["participant"].email, people["contact"].email])
    mail = reminders_sent[0]
    assert _subject(mail) == "Påminnelse: Samling 1"
    [attachment] = _attachments(mail)
    [event] = parse(attachment.get_payload(decode=True)).events  # both days: one event with a daily rule
    assert event["RRULE"].to_ical() == b"FREQ=DAILY;COUNT=2"
    text = _text(mail)
    assert f"{BASE_URL}/networks/{network.id}/gatherings/{gathering.id}/registrations/" in text
    assert "Endre eller meld av:" in text
    reminded = _reminded(app)
    assert reminded[people["participant"].id] is not None
    assert reminded[people["executive"].id] is None and reminded[people["observer"].id] is None

    smtp.handler.messages.clear()
    again = _remind(runner, "2031-03-06")
    assert "Queued 0 reminder(s)." in again.output
    assert smtp.messages == []
    assert _reminded(app) == reminded


@pytest.mark.parametrize("today", ["2031-03-04", "2031-03-13", "2030-01-01"])
def test_no_reminders_outside_the_window(app, factory, runner, smtp, today):
    _reminder_world(app, factory)
    result = _remind(runner, today)
    assert "Queued 0 reminder(s)." in result.output
    assert set(_reminded(app).values()) == {None}


@pytest.mark.parametrize("today, queued", [("2031-03-11", 0), ("2031-03-12", 2)])
def test_reminder_days_are_set_per_network(app, factory, runner, today, queued):
    network, *_ = _reminder_world(app, factory)
    with app.app_context():
        db.session.get(Network, network.id).reminder_days_before = 0
        db.session.commit()
    assert f"Queued {queued} reminder(s)." in _remind(runner, today).output


@pytest.mark.parametrize("status", [GatheringStatus.PLANNED, GatheringStatus.HELD])
def test_no_reminders_for_planned_or_held_gatherings(app, factory, runner, status):
    _, gathering, _, _ = _reminder_world(app, factory)
    with app.app_context():
        db.session.get(Gathering, gathering.id).status = status
        db.session.commit()
    assert "Queued 0 reminder(s)." in _remind(runner, "2031-03-10").output


def test_closed_gathering_still_gets_reminders(app, factory, runner):
    _, gathering, _, _ = _reminder_world(app, factory)
    with app.app_context():
        db.session.get(Gathering, gathering.id).status = GatheringStatus.CLOSED
        db.session.commit()
    assert "Queued 2 reminder(s)." in _remind(runner, "2031-03-10").output


def test_no_reminder_for_deactivated_people(app, factory, runner):
    _, _, people, _ = _reminder_world(app, factory)
    with app.app_context():
        db.session.get(Person, people["contact"].id).active = False
        db.session.commit()
    assert "Queued 1 reminder(s)." in _remind(runner, "2031-03-05").output
    assert _reminded(app)[people["contact"].id] is None


def test_claim_takes_only_what_no_other_run_took(app, factory):
    """The guard against two cron runs at once: the UPDATE claims a row only while it is unclaimed."""
    _, gathering, people, confirmed = _reminder_world(app, factory)
    with app.app_context():
        # Another run got to the participant first.
        db.session.get(Registration, confirmed[0]).reminder_sent_at = datetime(2031, 3, 5, tzinfo=timezone.utc)
        db.session.commit()
        gathering_row = db.session.get(Gathering, gathering.id)
        assert reminders.claim(gathering_row, datetime(2031, 3, 5, 1, tzinfo=timezone.utc)) == [confirmed[1]]
        assert reminders.claim(gathering_row, datetime(2031, 3, 5, 2, tzinfo=timezone.utc)) == []
        db.session.rollback()


def test_send_reminders_queues_each_mail_once_in_the_outbox(app, factory, runner):
    _reminder_world(app, factory)
    _remind(runner, "2031-03-05")
    _remind(runner, "2031-03-05")
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.subject.like("Påminnelse%")))
    assert count == 2


@pytest.mark.parametrize("app_config", [{"MAIL_SERVER": None, "SITE_URL": "https://nettverk.ks.test"}])
def test_reminders_use_site_url_for_links(app, factory, runner, app_config):
    _reminder_world(app, factory)
    result = runner.invoke(args=["gatherings", "send-reminders", "--today", "2031-03-05"])
    assert "Queued 2 reminder(s)." in result.output
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.subject.like("Påminnelse%"))).first()
    assert "https://nettverk.ks.test/networks/" in body
