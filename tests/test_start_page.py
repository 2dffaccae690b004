""""Min side" as each person's start page (issue 12): the next gatherings with days, status,
place on the waiting list, cost and free-cancellation deadline; gatherings open to them; their
deadlines; comments on their municipality's work; a contact's team; and the cost page for people
who are not coordinators. Loaded in a fixed number of queries."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from html import unescape
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import GatheringStatus, RegistrationStatus
from network.main import start_page
from network.networks.models import Network, NetworkRole, RoleKind
from tests.comment_helpers import add_comment, make_assignment, make_submission, membership_id
from tests.conftest import built_once
from tests.factories import world
from tests.gathering_helpers import FUTURE, open_gathering, register
from tests.query_counter import count_queries

UTC = timezone.utc
OSLO = ZoneInfo("Europe/Oslo")
NBSP = "\u00a0"


def build(app, factory):
    network, hamar, lillehammer, people = world(factory)
    ids = {key: person.id for key, person in people.items()}
    with app.app_context():
        per = Person(name="Per Politiker", email="per@hamar.test", organisation_id=hamar.id)
        other = db.session.scalar(select(Network).where(Network.name == "Et annet nettverk"))
        db.session.add_all([per, NetworkRole(network_id=network.id, person=per, role=RoleKind.PARTICIPANT),
                            NetworkRole(network_id=other.id, person_id=people["participant"].id,
                                        role=RoleKind.PARTICIPANT)])
        db.session.commit()
        ids.update(per=per.id, other_network=other.id)
    # Gathering 1: three seats; the participant (one day), the contact and Lillehammer's contact
    # take them, the executive waits first.
    first = open_gathering(factory, network, number=1, capacity=3,
                           registration_closes_at=datetime(2031, 3, 1, 11, tzinfo=UTC),
                           cancellation_deadline=datetime(2031, 3, 5, 11, tzinfo=UTC))
    held = factory.gathering(network, 9, date(2019, 4, 10), status=GatheringStatus.HELD)
    elsewhere = open_gathering(factory, other, number=1, day=date(2031, 6, 1), days=1,
                               registration_closes_at=datetime(2031, 5, 20, 10, tzinfo=UTC))
    ids.update(network=network.id, hamar=hamar.id, lillehammer=lillehammer.id, first=first.id, held=held.id,
               elsewhere=elsewhere.id)
    ids["reg_participant"] = register(app, first.id, ids["participant"], day_index=0)
    ids["reg_contact"] = register(app, first.id, ids["contact"])
    ids["reg_lillehammer"] = register(app, first.id, ids["other_contact"])
    ids["reg_executive"] = register(app, first.id, ids["executive"])
    register(app, held.id, ids["other_contact"])  # long past: never "next"
    # Assignments: one due ahead and not started, one due ahead and delivered, one long past.
    hamar_membership = membership_id(app, network, hamar)
    ids["due"] = make_assignment(app, network, "Planer for neste år", due_on=date(2031, 2, 20))
    delivered = make_assignment(app, network, "Levert allerede", due_on=date(2031, 4, 1))
    make_submission(app, delivered, hamar_membership)
    past = make_assignment(app, network, "Mål for boligpolitikken", due_on=date(2019, 6, 1))
    ids["submission"] = make_submission(app, past, hamar_membership)
    add_comment(app, ids["submission"], people["other_contact"], "Fint arbeid, Hamar!", minutes=1)
    add_comment(app, ids["submission"], people["participant"], "Takk for kommentaren.", minutes=2)
    add_comment(app, ids["submission"], people["coordinator"], "", minutes=3)  # a deleted one
    return ids, people


built = built_once(build)


def main_of(response) -> str:
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True)).split("<main", 1)[1].split("</main>", 1)[0]


def section(body: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', body, re.S)
    return match.group(0) if match else ""


def me(login, who) -> str:
    return main_of(login(who).get("/me"))


# --- the service ------------------------------------------------------------------------


def test_the_service_gives_days_status_position_cost_and_deadlines(app, built):
    ids, people = built
    with app.test_request_context():
        participant = db.session.get(Person, ids["participant"])
        page = start_page.build(participant, now=datetime(2030, 12, 1, tzinfo=UTC))
        [mine] = page.registrations
        assert mine.gathering.id == ids["first"] and [d.day for d in mine.registration.days] == [FUTURE]
        assert (mine.registration.status, mine.position, str(mine.amount), mine.charged) == (
            RegistrationStatus.CONFIRMED, None, "900.00", True)
        assert [item.gathering.id for item in page.open_gatherings] == [ids["elsewhere"]]
        assert [(d.kind, d.at) for d in page.deadlines] == [
            ("assignment", datetime(2031, 2, 21, tzinfo=OSLO)),  # the end of the due date, in Oslo
            ("cancellation", datetime(2031, 3, 5, 11, tzinfo=UTC)),
            ("registration", datetime(2031, 5, 20, 10, tzinfo=UTC)),
        ]
        assert [c.body for c in page.comments] == ["Fint arbeid, Hamar!"]  # not their own, not the deleted one
        assert page.teams == []  # not a contact

        executive = start_page.build(db.session.get(Person, ids["executive"]), now=datetime(2030, 12, 1, tzinfo=UTC))
        [waiting] = executive.registrations
        assert (waiting.position, waiting.charged, str(waiting.amount)) == (1, False, "1800.00")


def test_after_a_deadline_it_is_gone_and_a_held_gathering_is_not_next(app, built):
    ids, _ = built
    with app.test_request_context():
        participant = db.session.get(Person, ids["participant"])
        page = start_page.build(participant, now=datetime(2031, 3, 6, tzinfo=UTC))
        assert [d.kind for d in page.deadlines] == ["registration"]  # the cancellation deadline has passed
        lillehammer = start_page.build(db.session.get(Person, ids["other_contact"]), now=datetime(2030, 12, 1, tzinfo=UTC))
        assert [r.gathering.id for r in lillehammer.registrations] == [ids["first"]]  # not the held one


def test_a_network_left_is_not_on_the_page(app, built):
    ids, _ = built
    with app.test_request_context():
        db.session.execute(delete(NetworkRole).where(NetworkRole.person_id == ids["participant"],
                                                     NetworkRole.network_id == ids["network"]))
        db.session.commit()
        page = start_page.build(db.session.get(Person, ids["participant"]), now=datetime(2030, 12, 1, tzinfo=UTC))
        assert page.registrations == [] and [d.kind for d in page.deadlines] == ["registration"]
        assert page.comments == []  # Hamar's work in that network is no longer theirs to follow


# --- the page ---------------------------------------------------------------------------


def test_my_page_lists_my_registration_with_days_status_cost_and_deadline(app, built, login):
    ids, people = built
    body = me(login, people["participant"])
    mine = section(body, "my-gatherings")
    card = re.search(rf'<li class="start-card" data-registration="{ids["reg_participant"]}">.*?</li>', mine, re.S).group(0)
    assert "Samling 1: Samling 1" in card and "Bolignettverket" in card
    assert "12. mars 2031" in card and "13. mars 2031" not in card  # their one day
    # The same word for a confirmed registration as on the gathering page, in the mails and the costs.
    assert re.search(r">Påmeldt</span>", card) and "Bekreftet" not in body
    assert f"900{NBSP}kr (1 dagpakke à 900{NBSP}kr)" in card
    assert "Gratis avmelding til" in card and "5. mars 2031 kl. 12:00" in card  # in Oslo time
    assert f'/networks/{ids["network"]}/gatherings/{ids["first"]}/registrations/{ids["reg_participant"]}/edit' in card
    # The gathering open in the other network, with its button.
    assert f'/networks/{ids["other_network"]}/gatherings/{ids["elsewhere"]}/register' in mine
    assert "Meld meg på" in mine
    # The sections in order of importance, before the profile and the privacy section.
    order = [body.index(f'id="{name}"') for name in ("my-gatherings", "deadlines", "work-comments", "me-heading", "my-data")]
    assert order == sorted(order)


def test_the_waiting_list_shows_the_place_and_no_cost(app, built, login):
    ids, people = built
    body = section(me(login, people["executive"]), "my-gatherings")
    assert "På venteliste, plass 1" in body
    assert f"Ingenting så lenge du står på venteliste (1{NBSP}800{NBSP}kr hvis du får plass)" in body


def test_deadlines_are_sorted_and_link_to_the_work(app, built, login):
    ids, people = built
    body = section(me(login, people["participant"]), "deadlines")
    items = re.findall(r"<li>(.*?)</li>", body, re.S)
    assert [re.search(r"<strong>(.*?)</strong>", item).group(1) for item in items] == [
        "20. februar 2031", "5. mars 2031 kl. 12:00", "20. mai 2031 kl. 12:00"]
    assert "Planer for neste år" in items[0] and "ikke påbegynt" in items[0]
    assert f'/assignments/{ids["due"]}/municipalities/{ids["hamar"]}' in items[0]
    assert "gratis avmelding" in items[1] and "påmeldingsfrist" in items[2]
    assert "Levert allerede" not in body and "Mål for boligpolitikken" not in body


def test_comments_on_the_municipalitys_work(app, built, login):
    ids, people = built
    participant = section(me(login, people["participant"]), "work-comments")
    assert "Lise Lillehammer om «Mål for boligpolitikken»" in participant and "Fint arbeid, Hamar!" in participant
    assert "Takk for kommentaren." not in participant
    assert f'/municipalities/{ids["hamar"]}#comment-' in participant
    contact = section(me(login, people["contact"]), "work-comments")
    assert "Takk for kommentaren." in contact  # a colleague's reply
    assert section(me(login, people["other_contact"]), "work-comments") == ""  # Lillehammer has none


def test_a_contact_sees_the_team_its_registrations_and_total(app, built, login):
    ids, people = built
    body = me(login, people["contact"])
    team = re.search(r'<section[^>]*id="team-\d+".*?</section>', body, re.S).group(0)
    assert "Kommunens lag: Hamar" in team
    rows = {name: re.search(rf"<tr>\s*<th scope=\"row\"><strong>{name}</strong>.*?</tr>", team, re.S).group(0)
            for name in ("Dag Deltaker", "Kari Kontakt", "Rita Rådmann", "Per Politiker")}
    assert "Påmeldt, " in rows["Dag Deltaker"] and "Bekreftet" not in team and f"900{NBSP}kr" in rows["Dag Deltaker"]
    assert f"1{NBSP}800{NBSP}kr" in rows["Kari Kontakt"]
    assert "På venteliste, plass 1" in rows["Rita Rådmann"] and f"0{NBSP}kr" in rows["Rita Rådmann"]
    assert "Ikke påmeldt" in rows["Per Politiker"]
    assert f"2{NBSP}700{NBSP}kr" in team  # 900 + 1 800; the waiting list is not invoiced
    assert "Lise Lillehammer" not in team
    # The gathering is full, so the one step puts the rest of the team on the waiting list.
    assert f'/gatherings/{ids["first"]}/register-team' in team and "Sett laget på venteliste" in team
    # The team comes right after the person's own gatherings, before the deadlines.
    assert body.index("my-gatherings") < body.index('id="team-') < body.index('id="deadlines"')


def test_participants_have_no_team_section_and_an_empty_page_is_friendly(app, built, login):
    ids, people = built
    assert 'id="team-' not in me(login, people["participant"])
    empty = me(login, people["admin"])  # an administrator with no role in any network
    assert "Du er ikke påmeldt noen kommende samlinger." in empty
    assert "Ingen samlinger er åpne for påmelding nå." in empty
    assert 'id="deadlines"' not in empty and 'id="work-comments"' not in empty


def test_my_page_runs_a_fixed_number_of_queries(app, built, login, factory):
    """A second network with its own gathering, team, registrations, assignment and comments adds
    no queries."""
    ids, people = built
    client = login(people["contact"])
    client.get("/me")
    with count_queries(app) as first:
        assert client.get("/me").status_code == 200
    with app.app_context():
        network = Network(name="Tredje nettverk", topic="Bolig", description="", framing="",
                          ks_contact_name="K", ks_contact_email="k@ks.test", feedback_email="t@ks.test")
        db.session.add(network)
        db.session.flush()
        for key in ("contact", "participant"):
            db.session.add(NetworkRole(network_id=network.id, person_id=ids[key], role=RoleKind.PARTICIPANT
                                       if key == "participant" else RoleKind.CONTACT))
        db.session.commit()
        network_id = network.id
    factory.member(SimpleNamespace(id=network_id), SimpleNamespace(id=ids["hamar"]))
    third = open_gathering(factory, SimpleNamespace(id=network_id), number=1, capacity=1)
    register(app, third.id, ids["participant"])
    register(app, third.id, ids["contact"])  # waiting
    third_network = SimpleNamespace(id=network_id)
    assignment = make_assignment(app, third_network, "Oppgave i tredje", due_on=date(2031, 2, 1))
    submission = make_submission(app, assignment, membership_id(app, third_network, SimpleNamespace(id=ids["hamar"])))
    add_comment(app, submission, people["coordinator"], "Bra!")
    with count_queries(app) as second:
        body = main_of(client.get("/me"))
    assert "Tredje nettverk" in body and "Oppgave i tredje" in body and "Bra!" in body
    assert body.count("Kommunens lag: Hamar") == 2
    assert len(second) == len(first), "\n".join(second)


# --- the cost page for people who are not coordinators ------------------------------------


def costs(login, who, ids) -> str:
    return main_of(login(who).get(f"/networks/{ids['network']}/costs"))


def test_a_participant_sees_only_their_own_costs(app, built, login):
    ids, people = built
    body = costs(login, people["participant"], ids)
    assert "Mine kostnader" in body
    rows = re.findall(r"<tr>.*?</tr>", body.split("<tbody>")[1].split("</tbody>")[0], re.S)
    assert len(rows) == 1 and "Samling 1: Samling 1" in rows[0] and f"900{NBSP}kr" in rows[0]
    assert f"1{NBSP}800" not in body  # the contact's amount
    for name in ("Kari Kontakt", "Lise Lillehammer", "Rita Rådmann", "Hamar"):
        assert name not in body, name


def test_a_waiting_participant_sees_nothing_invoiced(app, built, login):
    ids, people = built
    body = costs(login, people["executive"], ids)
    assert "Ikke fakturert" in body and "På venteliste" in body
    assert re.search(rf"Totalt</th>.*?<strong>0{NBSP}kr</strong>", body, re.S)


def test_a_contact_sees_the_municipalitys_costs_and_no_other(app, built, login):
    ids, people = built
    hamar = costs(login, people["contact"], ids)
    assert "Kostnader for Hamar" in hamar and "Dag Deltaker" in hamar and "Kari Kontakt" in hamar
    assert f"2{NBSP}700{NBSP}kr" in hamar and "Lise Lillehammer" not in hamar
    lillehammer = costs(login, people["other_contact"], ids)
    assert "Kostnader for Lillehammer" in lillehammer and f"1{NBSP}800{NBSP}kr" in lillehammer
    assert "Dag Deltaker" not in lillehammer


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_keep_the_full_overview(app, built, login, role):
    ids, people = built
    body = costs(login, people[role], ids)
    assert "Kostnader og fakturagrunnlag" in body and 'id="cost-matrix"' in body
