"""A gathering's lifecycle (draft → open → closed → held, or cancelled; a draft deleted), a network
closed and reopened by a KS administrator, and dates that make sense (issue 13)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, update

from network.calendar import ics
from network.costs import services as costs
from network.extensions import db
from network.files.models import StoredFile
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringStatus, Material, Registration, RegistrationStatus
from network.networks.models import Network
from network.outbox.models import OutboxMessage
from network.programme.services import ItemFields, Upload, add_item, add_material
from tests.conftest import built_once
from tests.factories import world
from tests.gathering_helpers import FUTURE, open_gathering, register
from tests.test_programme import pdf_bytes

CONFIRMED = {"confirmed": "1"}
LAST_DAY = FUTURE + timedelta(days=1)  # open_gathering gives two days


def build(app, factory):
    network, _hamar, _lillehammer, people = world(factory)
    with app.app_context():
        # The period covers the gatherings these tests add (2031).
        db.session.execute(update(Network).where(Network.id == network.id).values(ends_on=date(2032, 12, 31)))
        db.session.commit()
    gathering = open_gathering(factory, network, number=1, day=FUTURE, capacity=1)
    draft = factory.gathering(network, 2, FUTURE + timedelta(days=60), title="Utkast")
    seat = register(app, gathering.id, people["participant"].id)
    waiting = register(app, gathering.id, people["contact"].id)  # capacity 1: on the waiting list
    ids = dict(network=network.id, gathering=gathering.id, draft=draft.id, seat=seat, waiting=waiting)
    return ids, {key: person for key, person in people.items()}


built = built_once(build)


def gathering_url(ids, name="gathering", tail=""):
    return f"/networks/{ids['network']}/gatherings/{ids[name]}{tail}"


def status_of(ids, name="gathering"):
    return db.session.get(Gathering, ids[name]).status


def outbox(subject_start: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.startswith(subject_start))
                                   .order_by(OutboxMessage.id)))


def set_status(ids, status, name="gathering"):
    db.session.get(Gathering, ids[name]).status = status
    db.session.commit()


# --- transitions ------------------------------------------------------------------------


@pytest.mark.parametrize("start, target, allowed", [
    (GatheringStatus.PLANNED, GatheringStatus.OPEN, True),
    (GatheringStatus.OPEN, GatheringStatus.CLOSED, True),
    (GatheringStatus.OPEN, GatheringStatus.PLANNED, True),
    (GatheringStatus.CLOSED, GatheringStatus.OPEN, True),
    (GatheringStatus.PLANNED, GatheringStatus.HELD, False),
    (GatheringStatus.OPEN, GatheringStatus.HELD, False),
    (GatheringStatus.PLANNED, GatheringStatus.CLOSED, False),
    (GatheringStatus.HELD, GatheringStatus.OPEN, False),
    (GatheringStatus.CANCELLED, GatheringStatus.OPEN, False),
    (GatheringStatus.CANCELLED, GatheringStatus.PLANNED, False),
])
def test_each_move_is_allowed_or_refused_by_the_table(app, built, login, start, target, allowed):
    ids, people = built
    with app.app_context():
        set_status(ids, start)
    response = login(people["coordinator"]).post(gathering_url(ids, tail="/status"),
                                                  data={"status": target.value, **CONFIRMED}, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        assert status_of(ids) is (target if allowed else start)
    if not allowed:
        assert "kan ikke gå fra" in response.get_data(as_text=True)


def test_held_is_refused_before_the_last_day_and_not_offered(app, built, login):
    ids, people = built
    with app.app_context():
        set_status(ids, GatheringStatus.CLOSED)
    app.config["CLOCK_NOW"] = datetime(FUTURE.year, FUTURE.month, FUTURE.day, 12, tzinfo=timezone.utc)  # day one
    client = login(people["coordinator"])
    page = client.get(gathering_url(ids, tail="/edit")).get_data(as_text=True)
    assert 'value="held"' not in page
    assert "kan merkes som gjennomført fra og med siste dag" in page
    response = client.post(gathering_url(ids, tail="/status"), data={"status": "held", **CONFIRMED},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "kan merkes som gjennomført fra og med siste dag" in response.get_data(as_text=True)
    with app.app_context():
        assert status_of(ids) is GatheringStatus.CLOSED
        assert outbox("Evaluering") == []


def test_held_on_the_last_day_asks_first_with_the_number_to_evaluate_then_invites(app, built, login):
    ids, people = built
    with app.app_context():
        set_status(ids, GatheringStatus.CLOSED)
    # Late evening in Oslo on the last day (UTC is still the same date here, but the rule is Oslo's).
    app.config["CLOCK_NOW"] = datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day, 20, tzinfo=timezone.utc)
    client = login(people["coordinator"])
    assert 'value="held"' in client.get(gathering_url(ids, tail="/edit")).get_data(as_text=True)
    question = client.post(gathering_url(ids, tail="/status"), data={"status": "held"})
    assert question.status_code == 200
    # One with a seat is invited; the one on the waiting list is not (as invite_attendees does).
    assert "1 person får nå e-post med invitasjon til å evaluere samlingen." in question.get_data(as_text=True)
    with app.app_context():
        assert status_of(ids) is GatheringStatus.CLOSED
    assert client.post(gathering_url(ids, tail="/status"), data={"status": "held", **CONFIRMED}).status_code == 302
    with app.app_context():
        assert status_of(ids) is GatheringStatus.HELD


# --- cancelling ---------------------------------------------------------------------------


def test_cancelling_asks_first_then_mails_everyone_registered_with_a_calendar_cancellation(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    question = client.post(gathering_url(ids, tail="/cancel"))
    assert question.status_code == 200
    assert "2 påmeldte får e-post om at samlingen er avlyst" in question.get_data(as_text=True)
    with app.app_context():
        assert status_of(ids) is GatheringStatus.OPEN
        before = db.session.get(Gathering, ids["gathering"]).updated_at
    response = client.post(gathering_url(ids, tail="/cancel"), data=CONFIRMED)
    assert response.status_code == 302
    with app.app_context():
        gathering = db.session.get(Gathering, ids["gathering"])
        assert gathering.status is GatheringStatus.CANCELLED
        assert gathering.updated_at > before  # a higher SEQUENCE than the invitation
        mails = outbox("Avlyst:")
        assert sorted(m.recipient for m in mails) == sorted([people["participant"].email, people["contact"].email])
        with_seat = next(m for m in mails if m.recipient == people["participant"].email)
        waiting = next(m for m in mails if m.recipient == people["contact"].email)
        assert waiting.attachments == []  # never had a calendar entry
        assert "er avlyst" in with_seat.body_text and "http" in with_seat.body_text
        [attachment] = with_seat.attachments
        calendar = Calendar.from_ical(attachment.data)
        assert str(calendar["METHOD"]) == "CANCEL"
        events = calendar.walk("VEVENT")
        assert events and all(str(event["STATUS"]) == "CANCELLED" for event in events)
        registration = db.session.get(Registration, ids["seat"])
        # The whole event the person was invited to: its one UID, no RECURRENCE-ID.
        assert [str(event["UID"]) for event in events] == [
            f"gathering-{gathering.id}-registration-{registration.id}@ks-nettverk"]
        assert "RECURRENCE-ID" not in events[0]
        invitation = Calendar.from_ical(ics.gathering_ics(gathering))
        assert all(int(event["SEQUENCE"]) >= int(invitation.walk("VEVENT")[0]["SEQUENCE"]) for event in events)


def test_a_cancelled_gathering_charges_nobody_and_stays_listed(app, built, login):
    ids, people = built
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        assert costs.invoice_lines(network)  # the seat is charged while the gathering stands
    client = login(people["coordinator"])
    client.post(gathering_url(ids, tail="/cancel"), data=CONFIRMED)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        assert costs.invoice_lines(network) == []
        assert costs.cost_matrix(network).total == 0
        assert costs.person_costs(network, people["participant"].id).lines == []
    listing = client.get(f"/networks/{ids['network']}/gatherings/").get_data(as_text=True)
    assert "Avlyst" in listing
    page = login(people["participant"]).get(gathering_url(ids)).get_data(as_text=True)
    assert "Samlingen er avlyst." in page
    assert "Meld meg av" not in page and "Meld meg på" not in page and "Meld på laget" not in page


def test_a_cancelled_gatherings_page_offers_nothing_that_belongs_to_a_gathering_that_takes_place(app, built, login):
    """No invoice basis, catering or evaluation for a gathering nobody attends or pays for; those who
    were registered (and told by mail) are listed as such, not as coming."""
    ids, people = built
    client = login(people["coordinator"])
    before = client.get(gathering_url(ids)).get_data(as_text=True)
    assert "Fakturagrunnlag (Excel)" in before and "Hvem kommer" in before
    client.post(gathering_url(ids, tail="/cancel"), data=CONFIRMED)
    page = client.get(gathering_url(ids)).get_data(as_text=True)
    for offer in ("Fakturagrunnlag (Excel)", "Fakturagrunnlag (CSV)", "Bevertning", 'id="evaluation-heading"',
                  "Hvem kommer", ".ics"):
        assert offer not in page, offer
    assert "Var påmeldt" in page and people["participant"].name in page
    costs_page = client.get(f"/networks/{ids['network']}/costs").get_data(as_text=True)
    assert "Samling 1 (avlyst)" in costs_page
    assert "Avlyst: ingen faktureres, og ingen skal ha bevertning." in costs_page
    assert "Bevertning for samling 1" not in costs_page and "Excel for samling 1" not in costs_page


def test_a_cancelled_gatherings_programme_and_groups_are_read_only(app, built, login):
    """A cancelled gathering's page still offered "Endre programmet og materiellet", "Legg ut
    materiell" and "Lag grupper for samlingen". Its programme stays, shown read-only to
    coordinators and members; no page or post changes it, and no groups are made for it."""
    ids, people = built
    with app.app_context():
        item = add_item(db.session.get(Gathering, ids["gathering"]), ItemFields(title="Velkommen og innsjekk"))
        db.session.commit()
        item_id = item.id
    actions = ("Endre programmet og materiellet", "Legg ut materiell", "Lag grupper for samlingen")
    programme = gathering_url(ids, tail="/programme")
    client = login(people["coordinator"])
    before = client.get(gathering_url(ids)).get_data(as_text=True)
    assert all(action in before for action in actions)
    client.post(gathering_url(ids, tail="/cancel"), data=CONFIRMED)

    page = client.get(gathering_url(ids)).get_data(as_text=True)
    assert 'id="programme-heading"' in page and "Velkommen og innsjekk" in page
    for action in (*actions, programme, "/materials/new", "/groups/new"):
        assert action not in page, action
    assert "Velkommen og innsjekk" in login(people["participant"]).get(gathering_url(ids)).get_data(as_text=True)

    refused = "Samlingen er avlyst, så programmet og materiellet kan ikke endres."
    for method, tail, data in (("get", "/programme", None), ("get", "/programme/new", None),
                               ("post", "/programme/new", {"title": "Nytt punkt", "method": "plenary"}),
                               ("post", f"/programme/{item_id}/edit", {"title": "Endret", "method": "plenary"}),
                               ("post", f"/programme/{item_id}/move", {"direction": "up"}),
                               ("post", f"/programme/{item_id}/delete", CONFIRMED),
                               ("get", "/materials/new", None),
                               ("post", "/materials/new", {"title": "Lenke", "url": "https://ks.no/"})):
        response = getattr(client, method)(gathering_url(ids, tail=tail), data=data)
        assert response.status_code == 302 and response.headers["Location"].endswith(gathering_url(ids)), tail
        assert refused in client.get(gathering_url(ids)).get_data(as_text=True), tail
    with app.app_context():
        assert [(i.id, i.title) for i in db.session.get(Gathering, ids["gathering"]).programme] == [
            (item_id, "Velkommen og innsjekk")]
        assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    assert login(people["participant"]).get(programme).status_code == 403  # still the coordinators' page

    groups = f"/networks/{ids['network']}/groups/new"
    form = client.get(groups).get_data(as_text=True)
    assert f'value="{ids["gathering"]}"' not in form.split('id="gathering_id"')[1].split("</select>")[0]
    suggested = client.get(groups, query_string={"name": "Bord", "basis": "growth", "target_size": "2",
                                                 "suggest": "1", "gathering_id": str(ids["gathering"])})
    assert suggested.status_code == 422 and "Samling 1 er avlyst. Velg en annen samling, eller ingen." in \
        suggested.get_data(as_text=True)


def test_nobody_can_register_for_a_cancelled_gathering_not_even_a_coordinator(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    client.post(gathering_url(ids, tail="/cancel"), data=CONFIRMED)
    with app.app_context():
        first_day = db.session.get(Gathering, ids["gathering"]).days[0].id
    client.post(gathering_url(ids, tail="/register"), data={"days": [str(first_day)]})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.gathering_id == ids["gathering"], Registration.person_id == people["coordinator"].id)) == 0


def test_held_and_cancelled_cannot_be_cancelled(app, built, login):
    ids, people = built
    with app.app_context():
        set_status(ids, GatheringStatus.HELD)
    response = login(people["coordinator"]).post(gathering_url(ids, tail="/cancel"), data=CONFIRMED,
                                                  follow_redirects=True)
    assert "kan ikke gå fra" in response.get_data(as_text=True)
    with app.app_context():
        assert status_of(ids) is GatheringStatus.HELD
        assert outbox("Avlyst:") == []


@pytest.mark.parametrize("final, word", [(GatheringStatus.HELD, "gjennomført"), (GatheringStatus.CANCELLED, "avlyst")])
def test_a_held_or_cancelled_gatherings_days_stay_and_nobody_is_told_of_changes(app, built, login, final, word):
    """Adding a day to a cancelled gathering mailed its registered an invitation again; removing
    one from a held gathering changed the invoice basis and cancelled it in everyone's calendar."""
    ids, people = built
    with app.app_context():
        set_status(ids, final)
        day_ids = [day.id for day in db.session.get(Gathering, ids["gathering"]).days]
        mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    refused = f"Dagene kan ikke endres når samlingen er {word}."
    client = login(people["coordinator"])
    page = client.get(gathering_url(ids, tail="/edit")).get_data(as_text=True)
    assert refused in page and "Legg til dag" not in page and "/delete" not in page.split('id="days-heading"')[1] \
        .split('id="status-heading"')[0]
    added = client.post(gathering_url(ids, tail="/days"), data={
        "day": (LAST_DAY + timedelta(days=1)).isoformat(), "starts_at": "10:00", "ends_at": "15:00", **CONFIRMED})
    assert added.status_code == 422 and refused in added.get_data(as_text=True)
    removed = client.post(gathering_url(ids, tail=f"/days/{day_ids[1]}/delete"), data=CONFIRMED, follow_redirects=True)
    assert refused in removed.get_data(as_text=True)
    with app.app_context():
        gathering = db.session.get(Gathering, ids["gathering"])
        assert [day.id for day in gathering.days] == day_ids
        fields = {name: getattr(gathering, name) for name in ("venue", "address")}
        assert services.notice_changes(gathering, {**fields, "venue": "Et annet sted"}) == []
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == mails


# --- deleting a draft ---------------------------------------------------------------------


def test_a_draft_without_registrations_is_deleted_with_its_files(app, built, login):
    ids, people = built
    with app.test_request_context():
        draft = db.session.get(Gathering, ids["draft"])
        material = add_material(draft, title="Program", upload=Upload("program.pdf", pdf_bytes()))
        db.session.commit()
        file_id = material.file_id
    client = login(people["coordinator"])
    question = client.post(gathering_url(ids, "draft", "/delete"))
    assert question.status_code == 200 and "1 opplastet fil slettes også." in question.get_data(as_text=True)
    response = client.post(gathering_url(ids, "draft", "/delete"), data=CONFIRMED)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, ids["draft"]) is None
        assert db.session.get(StoredFile, file_id) is None
        assert db.session.scalar(select(func.count()).select_from(Material).where(Material.gathering_id == ids["draft"])) == 0


def test_a_gathering_with_registrations_or_not_a_draft_is_not_deleted(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    with app.app_context():
        set_status(ids, GatheringStatus.PLANNED)  # a draft again, but with registrations
    response = client.post(gathering_url(ids, tail="/delete"), data=CONFIRMED, follow_redirects=True)
    assert "har påmeldinger og kan ikke slettes" in response.get_data(as_text=True)
    with app.app_context():
        set_status(ids, GatheringStatus.OPEN, name="draft")
    response = client.post(gathering_url(ids, "draft", "/delete"), data=CONFIRMED, follow_redirects=True)
    assert "Bare en planlagt samling kan slettes" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Gathering, ids["gathering"]) is not None
        assert db.session.get(Gathering, ids["draft"]) is not None


# --- dates that make sense ---------------------------------------------------------------

NEW_FORM = {"title": "Ekstra", "price_per_day": "900", "first_day": "2031-06-01", "starts_at": "10:00",
            "ends_at": "15:00"}


def test_every_date_error_on_the_form_is_shown_at_once(app, built, login):
    ids, people = built
    data = {**NEW_FORM, "title": "", "first_day": "1999-09-01",
            "registration_opens_at": "1999-08-20T10:00", "registration_closes_at": "1999-08-10T10:00",
            "cancellation_deadline": "1999-09-05T12:00"}
    response = login(people["coordinator"]).post(f"/networks/{ids['network']}/gatherings/new", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Gi samlingen en tittel." in body
    assert "Datoen må være innenfor nettverkets periode" in body
    assert "Påmeldingen må stenge etter at den åpner." in body
    assert "Fristen for avmelding uten kostnad må være før samlingens første dag" in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Gathering).where(
            Gathering.network_id == ids["network"])) == 2


def test_deadlines_after_the_first_day_are_refused_on_edit(app, built, login):
    ids, people = built
    data = {"title": "Samling 1", "price_per_day": "900", "registration_closes_at": "2031-03-20T10:00",
            "cancellation_deadline": "2031-04-01T10:00", **CONFIRMED}
    response = login(people["coordinator"]).post(gathering_url(ids, tail="/edit"), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Påmeldingsfristen må være før samlingens første dag" in body
    assert "Fristen for avmelding uten kostnad må være før samlingens første dag" in body


def test_a_day_outside_the_period_is_refused_and_gatherings_are_renumbered_by_date(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    outside = client.post(gathering_url(ids, "draft", "/days"), data={"day": "2033-01-10", "starts_at": "10:00",
                                                                      "ends_at": "15:00"})
    assert outside.status_code == 422
    assert "innenfor nettverkets periode" in outside.get_data(as_text=True)
    # A new gathering before both: it becomes number 1, the others move up, in date order.
    assert client.post(f"/networks/{ids['network']}/gatherings/new",
                       data={**NEW_FORM, "first_day": "2031-01-15"}).status_code == 302
    with app.app_context():
        numbers = dict(db.session.execute(select(Gathering.id, Gathering.number).where(
            Gathering.network_id == ids["network"])).all())
        assert numbers[ids["gathering"]] == 2 and numbers[ids["draft"]] == 3
        assert sorted(numbers.values()) == [1, 2, 3]


# --- a network closed and reopened ---------------------------------------------------------


def _fingerprint() -> dict[str, int]:
    """Rows per table: a POST that changed anything adds, removes or (for the network) closes."""
    counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
              for table in db.metadata.sorted_tables}
    counts["statuses"] = hash(tuple(db.session.scalars(select(Gathering.status).order_by(Gathering.id))))
    counts["names"] = hash(tuple(db.session.scalars(select(Network.name).order_by(Network.id))))
    return counts


def _close(app, ids):
    with app.app_context():
        db.session.get(Network, ids["network"]).closed_at = datetime(2030, 1, 1, tzinfo=timezone.utc)
        db.session.commit()


def test_only_an_administrator_closes_and_reopens_a_network(app, built, login):
    ids, people = built
    base = f"/networks/{ids['network']}"
    assert login(people["coordinator"]).post(base + "/close", data=CONFIRMED).status_code == 403
    admin = login(people["admin"])
    # The button that ends the network comes after the everyday ones, never first on the page.
    front = admin.get(base).get_data(as_text=True)
    assert front.index("Rediger nettverket") < front.index("Eksporter arkiv") < front.index("Avslutt nettverket")
    question = admin.post(base + "/close")
    assert question.status_code == 200 and "Avslutte nettverket?" in question.get_data(as_text=True)
    assert admin.post(base + "/close", data=CONFIRMED).status_code == 302
    with app.app_context():
        assert db.session.get(Network, ids["network"]).closed_at is not None
    front = admin.get(base).get_data(as_text=True)
    assert "Nettverket er avsluttet." in front and "Åpne nettverket igjen" in front
    # The list of networks and Min side say so too, not the status the coordinator set ("Pågår").
    with app.app_context():
        name = db.session.get(Network, ids["network"]).name
    for page in ("/networks/", "/me"):
        entry = admin.get(page).get_data(as_text=True).split(f">{name}</a>", 1)[1][:150]
        assert "Avsluttet" in entry and "Pågår" not in entry, page
    assert login(people["coordinator"]).post(base + "/reopen").status_code == 403
    assert admin.post(base + "/reopen").status_code == 302
    with app.app_context():
        assert db.session.get(Network, ids["network"]).closed_at is None


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and "network_id" in rule.arguments and rule.endpoint != "networks.reopen":
            yield rule


def test_every_post_inside_a_closed_network_is_refused_and_changes_nothing(app, built, login):
    ids, people = built
    _close(app, ids)
    client = login(people["admin"])  # its sign-in row first, so the fingerprint counts only the POSTs
    with app.app_context():
        before = _fingerprint()
    refused = []
    for rule in _post_routes(app):
        values = {name: ids["gathering"] if name == "gathering_id" else ids["network"] if name == "network_id" else 1
                  for name in rule.arguments}
        url = rule.build(values)[1]
        response = client.post(url, data={"confirmed": "1", "title": "Endret", "status": "held", "name": "Endret"})
        assert response.status_code == 403, (rule.endpoint, response.status_code)
        assert "Nettverket er avsluttet" in response.get_data(as_text=True), rule.endpoint
        refused.append(rule.endpoint)
    assert len(refused) > 60  # every capability's changes, not a handful
    with app.app_context():
        assert _fingerprint() == before


def test_a_closed_network_still_shows_its_pages_and_exports(app, built, login):
    ids, people = built
    _close(app, ids)
    coordinator = login(people["coordinator"])
    base = f"/networks/{ids['network']}"
    for url in (base, base + "/members", base + "/members.csv", base + "/costs/invoice-basis.csv",
                base + "/costs/invoice-basis.xlsx", base + "/archive.zip", gathering_url(ids),
                gathering_url(ids, tail="/invoice-basis.csv")):
        response = coordinator.get(url)
        assert response.status_code == 200, url
    page = coordinator.get(gathering_url(ids)).get_data(as_text=True)
    assert "Nettverket er avsluttet og kan bare leses." in page


def test_an_outsider_learns_nothing_from_a_closed_network(app, built, login):
    ids, people = built
    _close(app, ids)
    response = login(people["outsider"]).post(f"/networks/{ids['network']}/edit", data={"name": "X"})
    assert response.status_code == 403
    assert "Bolignettverket" not in response.get_data(as_text=True)


def test_a_cancelled_gathering_leaves_min_side(app, built, login):
    ids, people = built
    client = login(people["participant"])
    with app.app_context():
        title = db.session.get(Gathering, ids["gathering"]).title
    assert title in client.get("/me").get_data(as_text=True)
    login(people["coordinator"]).post(gathering_url(ids, tail="/cancel"), data=CONFIRMED)
    assert title not in client.get("/me").get_data(as_text=True)
