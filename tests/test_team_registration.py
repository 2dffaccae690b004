"""A municipal contact registers the team in one step (issue 12): several colleagues and their days
in one POST, each through the ordinary registration rules (capacity, waiting list, confirmation
mail with the .ics); the gathering page leads there, and says when it is full or where on the
waiting list one stands."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.main.formatting import date_time
from network.networks.models import NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from tests.conftest import built_once
from tests.factories import world
from tests.gathering_helpers import FUTURE, open_gathering, register

CONFIRMED, WAITING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING


def build(app, factory):
    """Hamar's team of five (Rita, the executive, already registered), Lillehammer's contact, a
    Hamar coordinator who is not on the team; an open gathering with room, and a small one."""
    network, hamar, lillehammer, people = world(factory)
    with app.app_context():
        session = db.session
        extra = {}
        for key, name, role in (("per", "Per Politiker", RoleKind.PARTICIPANT),
                                ("ola", "Ola Ordfører", RoleKind.PARTICIPANT),
                                ("hamar_coordinator", "Hilde Hamarkoordinator", RoleKind.COORDINATOR)):
            person = Person(name=name, email=f"{key}@hamar.test", organisation_id=hamar.id)
            session.add_all([person, NetworkRole(network_id=network.id, person=person, role=role)])
            extra[key] = person
        session.commit()
        extra_ids = {key: person.id for key, person in extra.items()}
    roomy = open_gathering(factory, network, number=1, capacity=30)
    small = open_gathering(factory, network, number=2, day=FUTURE.replace(month=5), capacity=2)
    register(app, roomy.id, people["executive"].id)
    register(app, small.id, people["other_contact"].id)  # one of the two seats is taken
    with app.app_context():
        days = {g: [d.id for d in db.session.get(Gathering, gid).days] for g, gid in (("roomy", roomy.id), ("small", small.id))}
    ids = {"network": network.id, "hamar": hamar.id, "lillehammer": lillehammer.id, "roomy": roomy.id,
           "small": small.id, "roomy_days": days["roomy"], "small_days": days["small"], **extra_ids}
    ids.update({key: person.id for key, person in people.items()})
    return ids, people


built = built_once(build)


def team_url(ids, gathering="roomy", **query):
    url = f"/networks/{ids['network']}/gatherings/{ids[gathering]}/register-team"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def main_of(response) -> str:
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def registrations(ids, gathering="roomy") -> dict[int, Registration]:
    return {r.person_id: r for r in db.session.scalars(select(Registration).where(
        Registration.gathering_id == ids[gathering], Registration.status != RegistrationStatus.CANCELLED))}


def checked(body: str, name: str, value) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', body)
    return tag is not None and "checked" in tag.group(0)


# --- the page ---------------------------------------------------------------------------


def test_the_contact_sees_the_team_with_the_registered_shown_as_such(app, built, login):
    ids, people = built
    response = login(people["contact"]).get(team_url(ids))
    assert response.status_code == 200
    body = main_of(response)
    assert "Meld på laget fra Hamar" in body
    for key in ("participant", "contact", "per", "ola"):
        assert re.search(rf'<input[^>]*name="people"[^>]*value="{ids[key]}"', body), key
        assert not checked(body, "people", ids[key])
    assert "Kari Kontakt (deg) – kontaktperson" in body
    # Already registered: listed with the status, and no box to tick.
    assert f'value="{ids["executive"]}"' not in body
    assert re.search(r"Rita Rådmann: Påmeldt, ", body) and "Bekreftet" not in body
    # ... with the way to change or cancel it, which the contact may follow.
    edit = re.search(r'href="([^"]+/registrations/\d+/edit)">Endre Rita Rådmann</a>', body)
    assert edit and login(people["contact"]).get(edit.group(1)).status_code == 200
    # Not on the team: the Hamar coordinator and Lillehammer's people.
    assert "Hilde Hamarkoordinator" not in body and "Lise Lillehammer" not in body
    # Every day is ticked to begin with.
    assert all(checked(body, "days", day) for day in ids["roomy_days"])


def test_both_forms_say_until_when_cancelling_is_free(app, built, login):
    """Before anyone is registered, the participant's form and the team's say what cancelling costs,
    as Min side and the gathering page do afterwards (in Oslo time)."""
    ids, people = built
    deadline = datetime.combine(FUTURE - timedelta(days=7), time(11, 0), tzinfo=timezone.utc)
    with app.test_request_context():
        db.session.get(Gathering, ids["roomy"]).cancellation_deadline = deadline
        db.session.commit()
        shown = f"Frist for avmelding uten kostnad: {date_time(deadline)}."
    gathering = f"/networks/{ids['network']}/gatherings/{ids['roomy']}"
    assert shown in main_of(login(people["participant"]).get(f"{gathering}/register"))
    assert shown in main_of(login(people["contact"]).get(team_url(ids)))


def test_the_coordinator_chooses_the_municipality_first(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    chooser = main_of(client.get(team_url(ids)))
    assert 'name="organisation_id"' in chooser and ">Hamar</option>" in chooser and ">Lillehammer</option>" in chooser
    assert 'name="people"' not in chooser
    page = main_of(client.get(team_url(ids, organisation_id=ids["lillehammer"])))
    assert "Meld på laget fra Lillehammer" in page and f'value="{ids["other_contact"]}"' in page


# --- registering ------------------------------------------------------------------------


def test_contact_registers_three_colleagues_in_one_post_and_each_gets_a_mail(app, built, login):
    ids, people = built
    client = login(people["contact"])
    chosen = ["participant", "per", "ola"]
    response = client.post(team_url(ids), data={"organisation_id": str(ids["hamar"]),
                                                "people": [str(ids[k]) for k in chosen],
                                                "days": [str(ids["roomy_days"][0])]})
    assert response.status_code == 302
    assert response.location == team_url(ids)  # redirect after POST, back to the team
    with app.app_context():
        rows = registrations(ids)
        for key in chosen:
            registration = rows[ids[key]]
            assert registration.status is CONFIRMED
            assert [d.id for d in registration.days] == [ids["roomy_days"][0]]
            assert registration.registered_by_id == ids["contact"]
        assert ids["contact"] not in rows  # not ticked, not registered
        mails = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient.in_([f"{k}@hamar.test" for k in ("per", "ola")] + [people["participant"].email]))).all()
        assert sorted(m.recipient for m in mails) == sorted([people["participant"].email, "ola@hamar.test", "per@hamar.test"])
        assert all(m.subject == "Påmeldt: Samling 1" for m in mails)
        assert all(len(m.attachments) == 1 and m.attachments[0].filename.endswith(".ics") for m in mails)
    follow = main_of(client.get(response.location))
    assert "Dag Deltaker, Ola Ordfører og Per Politiker er påmeldt og har fått hver sin bekreftelse på e-post." in follow
    # Now on the list of the registered, and gone from the boxes.
    assert re.search(r"Per Politiker: Påmeldt, ", follow)
    assert f'name="people" type="checkbox" value="{ids["per"]}"' not in follow


def test_the_flash_names_who_got_a_seat_and_who_went_on_the_waiting_list(app, built, login):
    ids, people = built
    client = login(people["contact"])
    response = client.post(team_url(ids, "small"), data={
        "organisation_id": str(ids["hamar"]), "people": [str(ids[k]) for k in ("participant", "per", "ola")],
        "days": [str(d) for d in ids["small_days"]]}, follow_redirects=True)
    body = main_of(response)
    # One seat was left: the first in the team's order gets it, the others wait in that order.
    assert "Dag Deltaker er påmeldt og har fått en bekreftelse på e-post." in body
    assert "Samlingen er full: Ola Ordfører og Per Politiker står på venteliste og får e-post ved ledig plass." in body
    assert "Ola Ordfører: På venteliste, plass 1" in body and "Per Politiker: På venteliste, plass 2" in body
    with app.app_context():
        rows = registrations(ids, "small")
        assert (rows[ids["participant"]].status, rows[ids["ola"]].status, rows[ids["per"]].status) == (
            CONFIRMED, WAITING, WAITING)
        subjects = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject).where(
            OutboxMessage.recipient.in_(["per@hamar.test", "ola@hamar.test"]))).all())
        assert subjects == {"per@hamar.test": "Venteliste: Samling 2", "ola@hamar.test": "Venteliste: Samling 2"}


@pytest.mark.parametrize("missing, message", [("people", "Kryss av minst én person."), ("days", "Velg minst én dag.")])
def test_bad_input_gives_422_with_the_ticks_kept(app, built, login, missing, message):
    ids, people = built
    data = {"organisation_id": str(ids["hamar"]), "people": [str(ids["per"]), str(ids["ola"])],
            "days": [str(ids["roomy_days"][1])]}
    del data[missing]
    response = login(people["contact"]).post(team_url(ids), data=data)
    assert response.status_code == 422
    body = main_of(response)
    assert "data-error-summary" in body and message in body
    kept = "days" if missing == "people" else "people"
    for value in data[kept]:
        assert checked(body, kept, value), (kept, value)
    with app.app_context():
        assert set(registrations(ids)) == {ids["executive"]}
        assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == "per@hamar.test")) is None


def test_someone_already_registered_cannot_be_ticked_again(app, built, login):
    ids, people = built
    response = login(people["contact"]).post(team_url(ids), data={
        "organisation_id": str(ids["hamar"]), "people": [str(ids["executive"]), str(ids["per"])],
        "days": [str(ids["roomy_days"][0])]})
    assert response.status_code == 422
    with app.app_context():
        assert set(registrations(ids)) == {ids["executive"]}
        assert len(registrations(ids)[ids["executive"]].days) == 2  # untouched


def test_a_closed_registration_refuses_the_contact_but_not_the_coordinator(app, built, login):
    ids, people = built
    with app.app_context():
        db.session.get(Gathering, ids["roomy"]).registration_closes_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
        db.session.commit()
    data = {"organisation_id": str(ids["hamar"]), "people": [str(ids["per"])], "days": [str(ids["roomy_days"][0])]}
    refused = login(people["contact"]).post(team_url(ids), data=data)
    assert refused.status_code == 422 and "Påmeldingsfristen er ute." in main_of(refused)
    with app.app_context():
        assert ids["per"] not in registrations(ids)
    done = login(people["coordinator"]).post(team_url(ids), data=data)
    assert done.status_code == 302
    assert done.location == team_url(ids, organisation_id=ids["hamar"])
    with app.app_context():
        assert registrations(ids)[ids["per"]].registered_by_id == ids["coordinator"]


def test_the_service_skips_someone_registered_meanwhile_and_registers_the_rest(app, built):
    ids, _people = built
    with app.test_request_context():
        gathering = db.session.get(Gathering, ids["roomy"])
        team = [db.session.get(Person, ids[key]) for key in ("executive", "per")]
        result = services.register_team(gathering, team, ids["roomy_days"], registered_by=team[1])
        db.session.commit()
        assert [p.id for p in result.confirmed] == [ids["per"]] and result.waiting == []
        assert [(p.id, reason) for p, reason in result.skipped] == [
            (ids["executive"], "Rita Rådmann er allerede påmeldt denne samlingen.")]
        assert set(registrations(ids)) == {ids["executive"], ids["per"]}


def test_a_contact_may_not_register_another_municipalitys_team(app, built, login):
    ids, people = built
    response = login(people["contact"]).post(team_url(ids), data={
        "organisation_id": str(ids["lillehammer"]), "people": [str(ids["other_contact"])],
        "days": [str(ids["roomy_days"][0])]})
    assert response.status_code == 403
    with app.app_context():
        assert ids["other_contact"] not in registrations(ids)


# --- the gathering page -----------------------------------------------------------------


def gathering_page(ids, client, gathering="roomy") -> str:
    return main_of(client.get(f"/networks/{ids['network']}/gatherings/{ids[gathering]}"))


def test_the_gathering_page_leads_a_contact_to_the_team_and_the_form_for_a_colleague(app, built, login):
    ids, people = built
    body = gathering_page(ids, login(people["contact"]))
    assert f'href="{team_url(ids)}"' in body and ">Meld på laget<" in body
    assert "Meld på en kollega" in body and "/registrations#register-other-heading" in body
    assert "Meld meg på" in body
    participant = gathering_page(ids, login(people["participant"]))
    assert "Meld på laget" not in participant and "Meld på en kollega" not in participant


def test_a_full_gathering_offers_the_waiting_list_and_a_waiting_person_sees_the_place(app, built, login):
    ids, people = built
    register(app, ids["small"], ids["per"])          # the last seat
    register(app, ids["small"], ids["ola"])          # waiting, 1
    register(app, ids["small"], ids["participant"])  # waiting, 2
    contact = gathering_page(ids, login(people["contact"]), "small")
    assert "Samlingen er full." in contact and "Sett meg på venteliste" in contact and "Meld meg på" not in contact
    form = main_of(login(people["contact"]).get(f"/networks/{ids['network']}/gatherings/{ids['small']}/register"))
    assert "Samlingen er full." in form and ">Sett på venteliste<" in form
    waiting = gathering_page(ids, login(people["participant"]), "small")
    assert "Du står på venteliste, plass 2." in waiting
    assert "Du står på venteliste, plass 1." in gathering_page(ids, login(SimpleNamespace(id=ids["ola"])), "small")
    with app.app_context():
        positions = services.waiting_positions([ids["small"]])
        assert sorted(positions.values()) == [1, 2]


def test_waiting_positions_follow_the_order_seats_are_given_in(app, built):
    """The place shown is the place ``promote_waiting`` gives: after a cancellation, the first
    waiting gets the seat and the second moves up."""
    ids, _people = built
    seat = register(app, ids["small"], ids["per"])
    first = register(app, ids["small"], ids["ola"])
    second = register(app, ids["small"], ids["participant"])
    with app.test_request_context():
        assert services.waiting_positions([ids["small"]]) == {first: 1, second: 2}
        services.cancel(db.session.get(Registration, seat))
        db.session.commit()
        assert db.session.get(Registration, first).status is CONFIRMED
        assert services.waiting_positions([ids["small"]]) == {second: 1}
