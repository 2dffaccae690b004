"""Gatherings and registration: windows, capacity, waiting list, cancellation, attendance and checks."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from network.auth.models import Person
from network.extensions import db
from network.gatherings import services
from network.gatherings.services import RegistrationDetails
from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
from network.main.formatting import date_time
from network.networks.models import Network, RoleKind
from network.outbox.models import OutboxMessage
from tests.factories import world as base_world
from tests.query_counter import count_queries
from tests.gathering_helpers import FUTURE, day_ids, open_gathering, register, registration

def world(factory):
    """The shared world, with a period that covers the gatherings these tests add (2031)."""
    built = base_world(factory)
    with factory.app.app_context():
        db.session.get(Network, built[0].id).ends_on = date(2032, 12, 31)
        db.session.commit()
    return built


NEW_FORM = {"number": "1", "title": "Oppstart", "theme": "Bolig for alle", "venue": "Gardermoen",
            "address": "Hotellvegen 1", "capacity": "30", "price_per_day": "900",
            "first_day": "2031-03-12", "starts_at": "10:00", "ends_at": "16:00",
            "registration_opens_at": "2031-01-01T08:00", "registration_closes_at": "2031-03-01T23:59",
            "cancellation_deadline": "2031-03-05T12:00"}


def _status(app, registration_id):
    return registration(app, registration_id).status


def _mails_to(app, email):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == email)).all()


# --- creating and editing -----------------------------------------------------------------


def test_coordinator_creates_a_gathering_with_its_first_day(app, factory, login):
    network, _, _, people = world(factory)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/gatherings/new", data=NEW_FORM)
    assert response.status_code == 302
    with app.app_context():
        gathering = db.session.scalar(select(Gathering).where(Gathering.network_id == network.id))
        assert (gathering.title, gathering.capacity, str(gathering.price_per_day)) == ("Oppstart", 30, "900.00")
        assert [(d.day, d.starts_at.hour, d.ends_at.hour) for d in gathering.days] == [(date(2031, 3, 12), 10, 16)]
        # Typed as Norwegian time (UTC+1 in March), stored as UTC.
        assert gathering.registration_opens_at == datetime(2031, 1, 1, 7, 0, tzinfo=timezone.utc)
        assert gathering.status is GatheringStatus.PLANNED


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Gi samlingen en tittel."),
    ("price_per_day", "-5", "Prisen kan ikke være negativ."),
    ("capacity", "0", "Kapasiteten må være minst 1."),
    ("first_day", "2031-02-30", "Ikke en gyldig dato"),
    ("registration_closes_at", "2030-12-01T08:00", "Påmeldingen må stenge etter at den åpner."),
])
def test_bad_gathering_input_is_shown_on_the_form(factory, login, field, value, message):
    network, _, _, people = world(factory)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/gatherings/new", data={**NEW_FORM, field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.lower() in body.lower()
    assert 'value="Gardermoen"' in body


def test_a_new_gathering_is_numbered_by_date(app, factory, login):
    network, _, _, people = world(factory)
    later = open_gathering(factory, network, number=1, day=date(2031, 9, 1))
    response = login(people["coordinator"]).post(f"/networks/{network.id}/gatherings/new", data=NEW_FORM)
    assert response.status_code == 302
    with app.app_context():
        numbers = {g.title: g.number for g in db.session.scalars(select(Gathering).where(Gathering.network_id == network.id))}
        assert numbers == {"Oppstart": 1, db.session.get(Gathering, later.id).title: 2}


def test_days_are_added_and_removed(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, days=1)
    client = login(people["coordinator"])
    base = f"/networks/{network.id}/gatherings/{gathering.id}"
    assert client.post(base + "/days", data={"day": "2031-03-13", "starts_at": "09:00", "ends_at": "15:00"}).status_code == 302
    clash = client.post(base + "/days", data={"day": "2031-03-13", "starts_at": "09:00", "ends_at": "15:00"})
    assert clash.status_code == 422
    backwards = client.post(base + "/days", data={"day": "2031-03-14", "starts_at": "15:00", "ends_at": "09:00"})
    assert "Sluttidspunktet må være etter starttidspunktet." in backwards.get_data(as_text=True)
    first, second = day_ids(app, gathering.id)
    assert client.post(f"{base}/days/{second}/delete", data={"confirmed": "1"}).status_code == 302
    client.post(f"{base}/days/{first}/delete", data={"confirmed": "1"})
    assert day_ids(app, gathering.id) == [first]  # the last day stays


def test_status_moves_forward_and_held_is_final(app, factory, login):
    network, _, _, people = world(factory)
    gathering = factory.gathering(network, 1, date(2020, 3, 12))  # over: it can be marked as held
    client = login(people["coordinator"])
    base = f"/networks/{network.id}/gatherings/{gathering.id}"
    for status in ("open", "closed", "held"):
        client.post(base + "/status", data={"status": status, "confirmed": "1"})
    with app.app_context():
        assert db.session.get(Gathering, gathering.id).status is GatheringStatus.HELD
    response = client.post(base + "/status", data={"status": "open"}, follow_redirects=True)
    assert "kan ikke gå fra" in response.get_data(as_text=True)


def test_venue_change_tells_registered_people(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    register(app, gathering.id, people["participant"].id)
    form = {**NEW_FORM, "venue": "Lillehammer", "number": "1"}
    http = login(people["coordinator"])
    asked = http.post(f"/networks/{network.id}/gatherings/{gathering.id}/edit", data=form)
    assert asked.status_code == 200 and "send e-post om dem til de 1 påmeldte" in asked.get_data(as_text=True)
    assert _mails_to(app, people["participant"].email) == [f"Påmeldt: {gathering.title}"]
    response = http.post(f"/networks/{network.id}/gatherings/{gathering.id}/edit", data={**form, "confirmed": "1"})
    assert response.status_code == 302
    assert any(s.startswith("Endring:") for s in _mails_to(app, people["participant"].email))


# --- registering ----------------------------------------------------------------------------


def test_participant_registers_with_days_and_needs(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    first, second = day_ids(app, gathering.id)
    client = login(people["participant"])
    page = client.get(f"/networks/{network.id}/gatherings/{gathering.id}/register")
    assert page.status_code == 200
    response = client.post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                           data={"days": [str(second)], "diet": "Vegetar", "allergies": "Nøtter", "accessibility": "Teleslynge"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Registration))
        assert row.status is RegistrationStatus.CONFIRMED
        assert [d.id for d in row.days] == [second]
        assert (row.diet, row.allergies, row.accessibility) == ("Vegetar", "Nøtter", "Teleslynge")
    assert _mails_to(app, people["participant"].email) == [f"Påmeldt: {gathering.title}"]
    show = client.get(f"/networks/{network.id}/gatherings/{gathering.id}").get_data(as_text=True)
    assert "Meld meg av" in show and "Endre påmeldingen" in show


@pytest.mark.parametrize("fields, message", [
    ({"status": GatheringStatus.PLANNED}, "Påmeldingen er ikke åpen"),
    ({"status": GatheringStatus.CLOSED}, "Påmeldingen er ikke åpen"),
    # Times as offsets from the moment the test runs, not from when pytest collected it.
    ({"registration_opens_at": timedelta(days=3)}, "har ikke åpnet ennå"),
    ({"registration_closes_at": -timedelta(days=1), "registration_opens_at": -timedelta(days=9)},
     "Påmeldingsfristen er ute"),
])
def test_registration_outside_the_window_is_refused(app, factory, login, fields, message):
    network, _, _, people = world(factory)
    now = datetime.now(timezone.utc)
    fields = {key: now + value if isinstance(value, timedelta) else value for key, value in fields.items()}
    gathering = open_gathering(factory, network, **fields)
    client = login(people["participant"])
    response = client.post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                           data={"days": [str(d) for d in day_ids(app, gathering.id)]})
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_unknown_day_and_no_day_are_refused(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    other = open_gathering(factory, network, number=2)
    client = login(people["participant"])
    url = f"/networks/{network.id}/gatherings/{gathering.id}/register"
    no_day = client.post(url, data={"days": []})
    assert no_day.status_code == 422 and "Velg minst én dag." in no_day.get_data(as_text=True)
    wrong_day = client.post(url, data={"days": [str(day_ids(app, other.id)[0])]})
    assert wrong_day.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_registering_twice_leads_to_the_existing_registration(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    client = login(people["participant"])
    url = f"/networks/{network.id}/gatherings/{gathering.id}/register"
    data = {"days": [str(d) for d in day_ids(app, gathering.id)]}
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data)  # a double click
    assert "/edit" in second.location
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_database_allows_one_active_registration_per_person(app, factory):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    register(app, gathering.id, people["participant"].id)
    with app.app_context():
        db.session.add(Registration(gathering_id=gathering.id, person_id=people["participant"].id,
                                    status=RegistrationStatus.WAITING))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # A cancelled one does not count: a new registration is allowed after it.
        first = db.session.scalar(select(Registration))
        first.status = RegistrationStatus.CANCELLED
        db.session.add(Registration(gathering_id=gathering.id, person_id=people["participant"].id,
                                    status=RegistrationStatus.CONFIRMED))
        db.session.flush()


# --- capacity and the waiting list --------------------------------------------------------------


def test_full_gathering_puts_people_on_the_waiting_list_in_order_and_promotes(app, factory, login):
    network, hamar, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=2)
    first = register(app, gathering.id, people["participant"].id)
    register(app, gathering.id, people["contact"].id)
    waiting_1 = register(app, gathering.id, people["executive"].id)
    waiting_2 = register(app, gathering.id, people["other_contact"].id)
    assert [_status(app, r) for r in (waiting_1, waiting_2)] == [RegistrationStatus.WAITING] * 2
    assert _mails_to(app, people["executive"].email) == [f"Venteliste: {gathering.title}"]

    client = login(people["participant"])
    response = client.post(f"/networks/{network.id}/gatherings/{gathering.id}/registrations/{first}/cancel", data={"confirmed": "1"})
    assert response.status_code == 302
    assert _status(app, first) is RegistrationStatus.CANCELLED
    assert _status(app, waiting_1) is RegistrationStatus.CONFIRMED  # first in line
    assert _status(app, waiting_2) is RegistrationStatus.WAITING
    assert f"Du har fått plass: {gathering.title}" in _mails_to(app, people["executive"].email)


def _register_counted(app, gathering_id: int, person_id: int, seats: int) -> int:
    """Register with the seats the caller counted before the lock (as the view passes them)."""
    with app.test_request_context():
        gathering = db.session.get(Gathering, gathering_id)
        person = db.session.get(Person, person_id)
        registration = services.register(gathering, person, RegistrationDetails(day_ids=[d.id for d in gathering.days]),
                                         registered_by=person, seats=seats)
        db.session.commit()
        return registration.id


def test_a_seat_taken_after_the_count_puts_the_person_on_the_waiting_list_with_one_mail(app, factory):
    """The count before the seat lock said there was room; inside the lock the last seat is gone
    (someone registered in between): waiting, one mail, and that mail says so, with no .ics."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=1)
    register(app, gathering.id, people["participant"].id)
    late = _register_counted(app, gathering.id, people["contact"].id, seats=0)
    assert _status(app, late) is RegistrationStatus.WAITING
    assert registration(app, late).waiting_since is not None
    assert _mails_to(app, people["contact"].email) == [f"Venteliste: {gathering.title}"]
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == people["contact"].email))
        assert mail.attachments == []


def test_a_seat_freed_after_the_count_confirms_the_person_with_one_mail(app, factory):
    """The count before the lock said full; inside it a seat is free: confirmed, one mail with the .ics."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=1)
    lucky = _register_counted(app, gathering.id, people["contact"].id, seats=1)
    assert _status(app, lucky) is RegistrationStatus.CONFIRMED
    assert registration(app, lucky).waiting_since is None
    assert _mails_to(app, people["contact"].email) == [f"Påmeldt: {gathering.title}"]
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == people["contact"].email))
        assert [a.filename.endswith(".ics") for a in mail.attachments] == [True]


def test_cancelling_a_waiting_place_promotes_nobody(app, factory):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=1)
    register(app, gathering.id, people["participant"].id)
    waiting = register(app, gathering.id, people["contact"].id)
    last = register(app, gathering.id, people["executive"].id)
    from network.gatherings.services import cancel

    with app.test_request_context():
        cancel(db.session.get(Registration, waiting))
        db.session.commit()
    assert _status(app, last) is RegistrationStatus.WAITING


def test_late_cancellation_is_flagged(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, cancellation_deadline=datetime.now(timezone.utc) - timedelta(hours=1))
    late = register(app, gathering.id, people["participant"].id)
    login(people["participant"]).post(f"/networks/{network.id}/gatherings/{gathering.id}/registrations/{late}/cancel", data={"confirmed": "1"})
    assert registration(app, late).late_cancellation is True
    in_time = open_gathering(factory, network, number=2, cancellation_deadline=datetime.now(timezone.utc) + timedelta(days=1))
    early = register(app, in_time.id, people["participant"].id)
    login(people["participant"]).post(f"/networks/{network.id}/gatherings/{in_time.id}/registrations/{early}/cancel", data={"confirmed": "1"})
    assert registration(app, early).late_cancellation is False


def test_capacity_cannot_drop_below_seats_taken(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, capacity=5)
    register(app, gathering.id, people["participant"].id)
    register(app, gathering.id, people["contact"].id)
    form = {**NEW_FORM, "capacity": "1"}
    response = login(people["coordinator"]).post(f"/networks/{network.id}/gatherings/{gathering.id}/edit", data=form)
    assert response.status_code == 422
    assert "Kapasiteten kan ikke være lavere" in response.get_data(as_text=True)


# --- who may register whom ---------------------------------------------------------------------


@pytest.mark.parametrize("actor, target, allowed", [
    ("contact", "participant", True),       # own municipality
    ("contact", "other_contact", False),    # Lillehammer
    ("participant", "contact", False),
    ("coordinator", "other_contact", True),
    ("observer", "participant", False),
])
def test_who_may_register_others(app, factory, login, actor, target, allowed):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    response = login(people[actor]).post(
        f"/networks/{network.id}/gatherings/{gathering.id}/register",
        data={"person_id": str(people[target].id), "days": [str(d) for d in day_ids(app, gathering.id)]})
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.person_id == people[target].id))
    assert count == (1 if allowed else 0)


def test_contact_changes_and_cancels_for_own_people_only(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    own = register(app, gathering.id, people["participant"].id)
    other = register(app, gathering.id, people["other_contact"].id)
    client = login(people["contact"])
    base = f"/networks/{network.id}/gatherings/{gathering.id}/registrations"
    first_day = day_ids(app, gathering.id)[0]
    assert client.post(f"{base}/{own}/edit", data={"days": [str(first_day)], "diet": "Glutenfri"}).status_code == 302
    assert registration(app, own).diet == "Glutenfri"
    assert client.post(f"{base}/{other}/edit", data={"days": [str(first_day)]}).status_code == 403
    assert client.post(f"{base}/{other}/cancel", data={"confirmed": "1"}).status_code == 403
    assert client.post(f"{base}/{own}/cancel", data={"confirmed": "1"}).status_code == 302
    assert _status(app, own) is RegistrationStatus.CANCELLED


def test_coordinator_may_register_after_the_deadline(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, status=GatheringStatus.CLOSED)
    response = login(people["coordinator"]).post(
        f"/networks/{network.id}/gatherings/{gathering.id}/register",
        data={"person_id": str(people["participant"].id), "days": [str(day_ids(app, gathering.id)[0])]})
    assert response.status_code == 302


# --- attendance ------------------------------------------------------------------------------------


def test_coordinator_marks_attendance_after_the_gathering(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    came = register(app, gathering.id, people["participant"].id)
    stayed_away = register(app, gathering.id, people["contact"].id)
    client = login(people["coordinator"])
    url = f"/networks/{network.id}/gatherings/{gathering.id}/attendance"
    early = client.post(url, data={f"status-{came}": "attended"}, follow_redirects=True)
    assert "når samlingen har startet" in early.get_data(as_text=True)
    with app.app_context():
        db.session.get(Gathering, gathering.id).status = GatheringStatus.HELD
        db.session.commit()
    client.post(url, data={f"status-{came}": "attended", f"status-{stayed_away}": "no_show"})
    assert _status(app, came) is RegistrationStatus.ATTENDED
    assert _status(app, stayed_away) is RegistrationStatus.NO_SHOW
    assert client.post(url, data={f"status-{came}": "bogus"}).status_code == 400


def test_registrations_page_lists_people_and_needs(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    register(app, gathering.id, people["participant"].id, allergies="Skalldyr")
    register(app, gathering.id, people["other_contact"].id)
    body = login(people["coordinator"]).get(f"/networks/{network.id}/gatherings/{gathering.id}/registrations").get_data(as_text=True)
    assert "Dag Deltaker" in body and "Skalldyr" in body and "Lise Lillehammer" in body
    contact_view = login(people["contact"]).get(f"/networks/{network.id}/gatherings/{gathering.id}/registrations")
    assert contact_view.status_code == 200
    assert "Dag Deltaker" in contact_view.get_data(as_text=True)
    assert "Lise Lillehammer" not in contact_view.get_data(as_text=True)


def test_registrations_page_pages_with_the_shared_links(app, factory, login, monkeypatch):
    """Paged as every long table is (macros/paging.html): the links keep the query string, here the filter."""
    from network.gatherings import registration_list
    monkeypatch.setattr(registration_list, "PER_PAGE", 1)
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    register(app, gathering.id, people["participant"].id)
    register(app, gathering.id, people["contact"].id)
    base = f"/networks/{network.id}/gatherings/{gathering.id}/registrations"
    body = login(people["coordinator"]).get(f"{base}?page=2").get_data(as_text=True)
    assert 'aria-label="Sider med påmeldinger"' in body and "Viser 2–2 av 2." in body
    assert 'href="?page=1" rel="prev"' in body


def test_register_another_preselects_nobody(app, factory, login):
    """"Meld på en annen" preselected the first person in the list, often someone registered
    already; now it starts from an empty choice that must be made."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    register(app, gathering.id, people["participant"].id)
    body = login(people["coordinator"]).get(f"/networks/{network.id}/gatherings/{gathering.id}/registrations") \
        .get_data(as_text=True)
    select_tag, options = body.split('<select class="ds-input" id="person_id"')[1].split("</select>")[0].split(">", 1)
    assert "required" in select_tag
    assert re.findall(r"<option[^>]*>[^<]*</option>", options)[0] == '<option value="">Velg person</option>'
    assert "selected" not in options
    assert f'<option value="{people["participant"].id}">Dag Deltaker' in options  # still there to choose


# --- the checks from the seeds ----------------------------------------------------------------------


def test_few_registered_and_missing_executive_are_flagged(app, factory, login):
    network, hamar, lillehammer, people = world(factory)
    first = open_gathering(factory, network, number=1)
    open_gathering(factory, network, number=2, day=FUTURE + timedelta(days=90))
    register(app, first.id, people["participant"].id)
    register(app, first.id, people["contact"].id)
    register(app, first.id, people["executive"].id)
    coordinator = login(people["coordinator"])
    hamar_page = coordinator.get(f"/networks/{network.id}/municipalities/{hamar.id}").get_data(as_text=True)
    assert "Samling 1: 3 deltakere" not in hamar_page  # three with the executive: enough
    assert "Samling 2: Ingen deltakere er påmeldt." in hamar_page
    assert "ikke påmeldt den siste samlingen (samling 2)" in hamar_page
    assert "den første samlingen" not in hamar_page
    lillehammer_page = coordinator.get(f"/networks/{network.id}/municipalities/{lillehammer.id}").get_data(as_text=True)
    assert "Samling 1: Ingen deltakere er påmeldt." in lillehammer_page
    members = coordinator.get(f"/networks/{network.id}/members").get_data(as_text=True)
    assert "Samling 2: Ingen deltakere er påmeldt." in members
    # The registrations page of gathering 1: only its own checks, with the count first.
    overview = coordinator.get(f"/networks/{network.id}/gatherings/{first.id}/registrations").get_data(as_text=True)
    assert "1 kommune har færre enn 2 påmeldte til samling 1." in overview
    assert "Lillehammer" in overview and "Ingen deltakere er påmeldt." in overview and "til samling 2" not in overview
    contact_page = login(people["contact"]).get(f"/networks/{network.id}/municipalities/{hamar.id}").get_data(as_text=True)
    assert "Samling 2: Ingen deltakere er påmeldt." in contact_page
    participant_page = login(people["participant"]).get(f"/networks/{network.id}/municipalities/{hamar.id}").get_data(as_text=True)
    assert "Kommunen skal ha" not in participant_page


def test_planned_gatherings_are_not_checked(factory, login):
    network, hamar, _, people = world(factory)
    factory.gathering(network, 1, FUTURE)  # planned
    page = login(people["coordinator"]).get(f"/networks/{network.id}/municipalities/{hamar.id}").get_data(as_text=True)
    assert "Kommunen skal ha" not in page and "Ingen deltakere er påmeldt" not in page


def test_gathering_page_groups_who_is_coming_by_municipality(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    for key in ("participant", "contact", "other_contact"):
        register(app, gathering.id, people[key].id)
    body = login(people["executive"]).get(f"/networks/{network.id}/gatherings/{gathering.id}").get_data(as_text=True)
    assert "Hamar (2)" in body and "Lillehammer (1)" in body
    assert "Meld meg på" in body


def test_gathering_page_loads_in_a_fixed_number_of_queries(app, factory, login):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    client = login(people["coordinator"])
    url = f"/networks/{network.id}/gatherings/{gathering.id}"

    def queries_for_page() -> int:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    register(app, gathering.id, people["participant"].id)
    few = queries_for_page()
    for n in range(8):
        person = factory.member_with_role(network, RoleKind.PARTICIPANT, factory.municipality("3403"))
        register(app, gathering.id, person.id)
    assert queries_for_page() == few


# --- the network's settings for gatherings ---------------------------------------------------------


def test_network_settings_for_late_cancellation_and_reminders(app, factory, login):
    from network.networks.models import Network

    network, _, _, people = world(factory)
    form = {"name": "Bolignettverket", "topic": "Bolig", "ks_contact_name": "K", "ks_contact_email": "k@ks.test",
            "feedback_email": "f@ks.test", "status": "active", "reminder_days_before": "3"}
    client = login(people["coordinator"])
    assert client.post(f"/networks/{network.id}/edit", data=form).status_code == 302  # box left unticked
    with app.app_context():
        saved = db.session.get(Network, network.id)
        assert (saved.charge_late_cancellation, saved.reminder_days_before) == (False, 3)
    bad = client.post(f"/networks/{network.id}/edit", data={**form, "reminder_days_before": "99"})
    assert bad.status_code == 422
    assert "Velg et tall fra 0 til 60." in bad.get_data(as_text=True)
    ticked = client.post(f"/networks/{network.id}/edit", data={**form, "charge_late_cancellation": "y"})
    assert ticked.status_code == 302
    with app.app_context():
        assert db.session.get(Network, network.id).charge_late_cancellation is True


def _my_registration(client, network, gathering) -> str:
    body = client.get(f"/networks/{network.id}/gatherings/{gathering.id}").get_data(as_text=True)
    return body.split('id="mine-heading"', 1)[1].split("</section>", 1)[0]


def test_the_gathering_page_shows_my_own_cost_and_whether_cancelling_is_still_free(app, factory, login):
    """"Min påmelding" says what the registration costs and until when cancelling is free, as Min side does."""
    network, _, _, people = world(factory)
    deadline = datetime.now(timezone.utc) + timedelta(days=1)
    gathering = open_gathering(factory, network, capacity=1, price_per_day=900, cancellation_deadline=deadline)
    register(app, gathering.id, people["participant"].id, day_index=1)
    register(app, gathering.id, people["contact"].id)  # both days, on the waiting list
    with app.test_request_context():
        free_until = f"Frist for avmelding uten kostnad: {date_time(deadline)}."

    mine = _my_registration(login(people["participant"]), network, gathering)
    assert "Status: Påmeldt." in mine
    assert "Kostnad: 900\u00a0kr (1 dagpakke à 900\u00a0kr)." in mine and free_until in mine
    waiting = _my_registration(login(people["contact"]), network, gathering)
    assert "Ingenting så lenge du står på venteliste (1\u00a0800\u00a0kr hvis du får plass)" in waiting

    with app.app_context():
        db.session.get(Gathering, gathering.id).cancellation_deadline = datetime.now(timezone.utc) - timedelta(hours=1)
        db.session.commit()
    late = _my_registration(login(people["participant"]), network, gathering)
    assert "Kostnad: 900\u00a0kr" in late and "Frist for avmelding uten kostnad" not in late
    assert "Fristen for gratis avmelding har gått ut, så kommunen kan bli fakturert for plassen." in late
    with app.app_context():
        db.session.get(Network, network.id).charge_late_cancellation = False
        db.session.commit()
    assert "Fristen for avmelding har gått ut." in _my_registration(login(people["participant"]), network, gathering)
    with app.app_context():
        db.session.get(Gathering, gathering.id).status = GatheringStatus.CANCELLED  # charges nobody
        db.session.commit()
    assert "Kostnad" not in _my_registration(login(people["participant"]), network, gathering)


def test_the_day_boxes_leave_at_least_one_to_the_server_which_says_so_in_norwegian(app, factory, login):
    """``required`` on each box made the browser ask, in its own language, for every box."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    client = login(people["participant"])
    url = f"/networks/{network.id}/gatherings/{gathering.id}/register"
    page = client.get(url).get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="days"[^>]*>', page)
    assert len(boxes) == 2 and not any("required" in box for box in boxes)
    refused = client.post(url, data={"diet": "Vegetar"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Velg minst én dag." in text and 'value="Vegetar"' in text
