"""The API's networks, members, gatherings, programme and registrations (network/api/resources/
networks.py, gatherings.py, registrations.py): what each list holds, its filters, pages and
order, the rules of the web pages, and query counts that stay the same as the data grows."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.gatherings.models import (
    Gathering, GatheringDay, GatheringStatus, ProgrammeItem, Registration, RegistrationStatus, WorkingMethod,
)
from network.growth import services as growth_services
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.auth.models import Person
from network.privacy.models import ExportKind, ExportLog
from tests.api_helpers import api_client
from tests.conftest import built_once
from tests.factories import world
from tests.query_counter import count_queries

DIET = "Glutenfri-HEMMELIG"
ALLERGY = "Nøtter-HEMMELIG"
ACCESS_NEED = "Rullestol-HEMMELIG"
COMMENT = "Kommentar-HEMMELIG"
DAY = date(2031, 3, 12)
AT = datetime(2031, 1, 5, 9, 0, tzinfo=timezone.utc)


def build(app, factory):
    """``world`` (Hamar and Lillehammer in the network) plus KS as a member, Hamar anchored with
    its executive, two gatherings (the second cancelled) and four registrations."""
    network, hamar, lillehammer, people = world(factory)
    with app.app_context():
        session = db.session
        network = session.get(Network, network.id)
        ks = session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.KS))
        hamar_membership = session.scalar(select(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == hamar.id))
        hamar_membership.executive_id = people["executive"].id
        hamar_membership.anchoring_decided_on = date(2019, 3, 1)
        session.add(Membership(network_id=network.id, organisation_id=ks.id, joined_on=date(2019, 4, 10)))
        lars = Person(name="Lars Lillehammer", email="lars@lillehammer.test", organisation_id=lillehammer.id,
                      password_hash="x")
        session.add(lars)
        session.add(NetworkRole(network_id=network.id, person=lars, role=RoleKind.PARTICIPANT))
        first = Gathering(network_id=network.id, number=1, title="Oppstart", theme="Mål", venue="Hamar",
                          address="Vangsvegen 1", capacity=2, status=GatheringStatus.OPEN,
                          days=[GatheringDay(day=DAY, starts_at=time(10), ends_at=time(16)),
                                GatheringDay(day=DAY + timedelta(days=1), starts_at=time(9), ends_at=time(14))])
        second = Gathering(network_id=network.id, number=2, title="Avlyst samling", status=GatheringStatus.CANCELLED,
                           days=[GatheringDay(day=DAY + timedelta(days=90), starts_at=time(10), ends_at=time(15))])
        session.add_all([first, second])
        session.flush()
        first.programme = [
            ProgrammeItem(position=2, day_id=first.days[1].id, starts_at=time(9), title="Arbeid i grupper",
                          presenter="Kommunene", method=WorkingMethod.B, description="Planer"),
            ProgrammeItem(position=1, day_id=first.days[0].id, starts_at=time(10), title="Velkommen", presenter="KS"),
        ]

        def registration(person_id, status, minutes, days, **details):
            row = Registration(gathering_id=first.id, person_id=person_id, status=status,
                               created_at=AT + timedelta(minutes=minutes), days=days, **details)
            session.add(row)
            return row

        regs = {
            "participant": registration(people["participant"].id, RegistrationStatus.CONFIRMED, 1, first.days,
                                        diet=DIET, allergies=ALLERGY, accessibility=ACCESS_NEED, comment=COMMENT),
            "contact": registration(people["contact"].id, RegistrationStatus.CONFIRMED, 2, first.days[:1]),
            "other_contact": registration(people["other_contact"].id, RegistrationStatus.WAITING, 3, first.days,
                                          diet=DIET, allergies=ALLERGY, waiting_since=AT),
            "lars": registration(lars.id, RegistrationStatus.CANCELLED, 0, first.days[:1],
                                 cancelled_at=AT + timedelta(days=1)),
        }
        session.commit()
        ids = {"network": network.id, "other_network": session.scalar(
                   select(Network.id).where(Network.name == "Et annet nettverk")),
               "hamar": hamar.id, "lillehammer": lillehammer.id, "ks": ks.id,
               "gathering": first.id, "cancelled": second.id,
               **{f"reg_{key}": row.id for key, row in regs.items()}}
    return ids, people


built = built_once(build)


def get(app, person, path, network=None, **params):
    client, headers = api_client(app, person, network)
    return client.get(path, headers=headers, query_string=params)


def N(ids):
    return f"/api/v1/networks/{ids['network']}"


# --- networks -----------------------------------------------------------------------------


def test_a_member_lists_the_networks_they_belong_to(app, built):
    ids, people = built
    response = get(app, people["participant"], "/api/v1/networks")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["size"] == 50
    [network] = body["items"]
    assert network == {"id": ids["network"], "name": "Bolignettverket", "topic": "Boligpolitikk", "status": "active",
                       "starts_on": "2019-04-10", "ends_on": "2020-10-14", "closed": False, "closed_at": None}


def test_an_administrator_sees_every_network_in_a_fixed_order_and_pages(app, built):
    ids, people = built
    body = get(app, people["admin"], "/api/v1/networks", size=200).get_json()
    names = [n["name"] for n in body["items"]]
    assert {"Bolignettverket", "Et annet nettverk"} <= set(names)
    assert body["total"] == len(names)
    second_page = get(app, people["admin"], "/api/v1/networks", size=1, page=2).get_json()
    assert second_page["total"] == body["total"] and second_page["items"] == body["items"][1:2]


def test_a_token_limited_to_one_network_lists_only_that_one(app, built):
    ids, people = built
    body = get(app, people["admin"], "/api/v1/networks", network=ids["network"]).get_json()
    assert [n["id"] for n in body["items"]] == [ids["network"]] and body["total"] == 1


def test_networks_filter_by_status_and_refuse_an_unknown_one(app, built):
    ids, people = built
    assert get(app, people["admin"], "/api/v1/networks", status="planned").get_json()["items"] == []
    response = get(app, people["admin"], "/api/v1/networks", status="nonsense")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_one_network_for_members_only(app, built):
    ids, people = built
    assert get(app, people["observer"], N(ids)).get_json()["name"] == "Bolignettverket"
    assert get(app, people["outsider"], N(ids)).status_code == 403
    assert get(app, people["admin"], "/api/v1/networks/999999").status_code == 404


# --- members ------------------------------------------------------------------------------


def _members(app, person, ids, **params):
    response = get(app, person, N(ids) + "/members", **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_members_carry_the_municipality_facts_team_and_anchoring(app, built):
    ids, people = built
    body = _members(app, people["participant"], ids)
    by_id = {m["organisation_id"]: m for m in body["items"]}
    assert body["total"] == 3 and set(by_id) == {ids["hamar"], ids["lillehammer"], ids["ks"]}
    hamar, lillehammer, ks = by_id[ids["hamar"]], by_id[ids["lillehammer"]], by_id[ids["ks"]]
    with app.app_context():
        organisation = db.session.get(Organisation, ids["hamar"])
        expected = {row.organisation.id: row.classification for row in
                    growth_services.overview(db.session.get(Network, ids["network"])).rows}
    assert hamar["name"] == "Hamar" and hamar["kommunenummer"] == "3403" and hamar["kind"] == "municipality"
    assert hamar["county"] == {"number": "34", "name": organisation.county.name}
    assert hamar["population_2010"] == organisation.population_2010
    assert hamar["population_2020"] == organisation.population_2020
    # The class the growth overview shows, and its yearly figure as a string with two decimals.
    assert hamar["growth_class"] == expected[ids["hamar"]].growth_class.value
    assert hamar["yearly_growth_percent"] == f"{expected[ids['hamar']].figures.yearly_percent:.2f}"
    # Participant, contact and executive have all joined; Lillehammer's contact and Lars.
    assert (hamar["team_size"], hamar["participants"]) == (3, 2)
    assert (lillehammer["team_size"], lillehammer["participants"]) == (2, 2)
    assert hamar["anchored"] is True and hamar["executive_linked"] is True
    assert hamar["anchoring_decided_on"] == "2019-03-01"
    assert lillehammer["anchored"] is False and lillehammer["executive_linked"] is False
    assert ks["growth_class"] is None and ks["county"] is None and ks["kind"] == "ks"


def test_members_filter_by_county_and_growth_class(app, built):
    ids, people = built
    in_innlandet = _members(app, people["coordinator"], ids, county="34")
    assert {m["organisation_id"] for m in in_innlandet["items"]} == {ids["hamar"], ids["lillehammer"]}
    hamar_class = next(m for m in in_innlandet["items"] if m["organisation_id"] == ids["hamar"])["growth_class"]
    same_class = _members(app, people["coordinator"], ids, growth_class=hamar_class)
    assert ids["hamar"] in {m["organisation_id"] for m in same_class["items"]}
    assert all(m["growth_class"] == hamar_class for m in same_class["items"])
    assert _members(app, people["coordinator"], ids, county="03")["total"] == 0
    for bad in ({"county": "Innlandet"}, {"growth_class": "huge"}, {"size": "0"}, {"page": "x"}):
        assert get(app, people["coordinator"], N(ids) + "/members", **bad).status_code == 400, bad


def test_members_come_in_county_then_name_order_and_page(app, built):
    ids, people = built
    whole = _members(app, people["coordinator"], ids)["items"]
    # Innlandet's municipalities by name, organisations without a county last.
    assert [m["name"] for m in whole] == ["Hamar", "Lillehammer", "KS"]
    pages = [_members(app, people["coordinator"], ids, size=2, page=page) for page in (1, 2, 3)]
    assert [m["organisation_id"] for page in pages for m in page["items"]] == [m["organisation_id"] for m in whole]
    assert [p["total"] for p in pages] == [3, 3, 3] and pages[2]["items"] == []


def test_members_are_for_the_networks_members_only(app, built):
    ids, people = built
    assert get(app, people["outsider"], N(ids) + "/members").status_code == 403


# --- gatherings and programme ---------------------------------------------------------------


def test_gatherings_with_days_seats_and_waiting_list(app, built):
    ids, people = built
    body = get(app, people["participant"], N(ids) + "/gatherings").get_json()
    assert body["total"] == 2
    first, second = body["items"]
    assert (first["number"], first["title"], first["status"]) == (1, "Oppstart", "open")
    assert first["days"] == [{"date": "2031-03-12", "starts_at": "10:00:00", "ends_at": "16:00:00"},
                             {"date": "2031-03-13", "starts_at": "09:00:00", "ends_at": "14:00:00"}]
    assert (first["venue"], first["address"], first["capacity"]) == ("Hamar", "Vangsvegen 1", 2)
    # Two confirmed take the seats; one waits; the cancelled one counts for nothing.
    assert (first["seats_taken"], first["waiting_list"]) == (2, 1)
    assert second["status"] == "cancelled" and (second["seats_taken"], second["waiting_list"]) == (0, 0)
    assert get(app, people["participant"], N(ids) + f"/gatherings/{ids['gathering']}").get_json() == first


def test_gatherings_filter_by_status(app, built):
    ids, people = built
    body = get(app, people["coordinator"], N(ids) + "/gatherings", status="cancelled").get_json()
    assert [g["id"] for g in body["items"]] == [ids["cancelled"]] and body["total"] == 1
    assert get(app, people["coordinator"], N(ids) + "/gatherings", status="soon").status_code == 400


def test_a_gathering_of_another_network_is_not_found(app, built):
    ids, people = built
    path = f"/api/v1/networks/{ids['other_network']}/gatherings/{ids['gathering']}"
    assert get(app, people["admin"], path).status_code == 404
    assert get(app, people["admin"], path + "/programme").status_code == 404


def test_the_programme_in_order(app, built):
    ids, people = built
    body = get(app, people["executive"], N(ids) + f"/gatherings/{ids['gathering']}/programme").get_json()
    assert body["gathering_id"] == ids["gathering"]
    assert [(i["position"], i["day"], i["starts_at"], i["title"], i["presenter"], i["method"])
            for i in body["items"]] == [(1, "2031-03-12", "10:00:00", "Velkommen", "KS", "plenary"),
                                        (2, "2031-03-13", "09:00:00", "Arbeid i grupper", "Kommunene", "B")]
    assert body["items"][1]["description"] == "Planer"


# --- registrations --------------------------------------------------------------------------


def _registrations(app, person, ids, **params):
    return get(app, person, N(ids) + f"/gatherings/{ids['gathering']}/registrations", **params)


def test_a_coordinator_sees_every_registration_in_the_order_they_came(app, built):
    ids, people = built
    response = _registrations(app, people["coordinator"], ids)
    body = response.get_json()
    assert [r["id"] for r in body["items"]] == [ids[f"reg_{k}"] for k in ("lars", "participant", "contact",
                                                                          "other_contact")]
    row = body["items"][1]
    assert row == {"id": ids["reg_participant"], "person_id": people["participant"].id,
                   "person_name": "Dag Deltaker", "organisation_id": ids["hamar"], "organisation_name": "Hamar",
                   "days": ["2031-03-12", "2031-03-13"], "status": "confirmed",
                   "registered_at": "2031-01-05T09:01:00Z", "cancelled_at": None, "late_cancellation": False}
    text = response.get_data(as_text=True)
    for secret in (DIET, ALLERGY, ACCESS_NEED, COMMENT, "diet", "allerg", "accessibility", "comment"):
        assert secret not in text


def test_a_contact_sees_only_their_own_municipality(app, built):
    ids, people = built
    hamar = _registrations(app, people["contact"], ids).get_json()
    assert {r["organisation_id"] for r in hamar["items"]} == {ids["hamar"]} and hamar["total"] == 2
    # Asking for another municipality gives nothing, not their registrations.
    other = _registrations(app, people["contact"], ids, organisation_id=ids["lillehammer"]).get_json()
    assert other["items"] == [] and other["total"] == 0
    lillehammer = _registrations(app, people["other_contact"], ids).get_json()
    assert {r["person_name"] for r in lillehammer["items"]} == {"Lise Lillehammer", "Lars Lillehammer"}


@pytest.mark.parametrize("role", ["participant", "executive", "observer", "outsider"])
def test_others_may_not_see_registrations(app, built, role):
    ids, people = built
    response = _registrations(app, people[role], ids)
    assert response.status_code == 403 and "Dag Deltaker" not in response.get_data(as_text=True)


def test_registrations_filter_by_status_and_organisation(app, built):
    ids, people = built
    waiting = _registrations(app, people["admin"], ids, status="waiting").get_json()
    assert [r["id"] for r in waiting["items"]] == [ids["reg_other_contact"]]
    cancelled = _registrations(app, people["admin"], ids, status="cancelled").get_json()["items"]
    assert cancelled[0]["cancelled_at"] == "2031-01-06T09:00:00Z"
    lillehammer = _registrations(app, people["admin"], ids, organisation_id=ids["lillehammer"]).get_json()
    assert lillehammer["total"] == 2
    assert _registrations(app, people["admin"], ids, status="gone").status_code == 400
    paged = _registrations(app, people["admin"], ids, size=3, page=2).get_json()
    assert [r["id"] for r in paged["items"]] == [ids["reg_other_contact"]] and paged["total"] == 4


def test_reading_registrations_is_logged_as_an_export(app, built):
    ids, people = built
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ExportLog))
    assert _registrations(app, people["contact"], ids).status_code == 200
    assert _registrations(app, people["participant"], ids).status_code == 403
    with app.app_context():
        rows = db.session.scalars(select(ExportLog).order_by(ExportLog.id.desc())).all()
        assert len(rows) == before + 1
        assert (rows[0].kind, rows[0].person_id, rows[0].network_id) == (
            ExportKind.REGISTRATIONS, people["contact"].id, ids["network"])


# --- query counts -----------------------------------------------------------------------------


def _grow(app, ids, municipalities: int) -> None:
    """Add this many member municipalities, each with three joined people registered (one waiting)."""
    with app.app_context():
        session = db.session
        network = session.get(Network, ids["network"])
        gathering = session.get(Gathering, ids["gathering"])
        taken = set(session.scalars(select(Membership.organisation_id).where(Membership.network_id == network.id)))
        organisations = session.scalars(select(Organisation).where(
            Organisation.kind == OrganisationKind.MUNICIPALITY, Organisation.id.not_in(taken))
            .order_by(Organisation.id).limit(municipalities)).all()
        for n, organisation in enumerate(organisations):
            session.add(Membership(network_id=network.id, organisation_id=organisation.id, joined_on=date(2019, 4, 10)))
            for k, role in enumerate((RoleKind.CONTACT, RoleKind.PARTICIPANT, RoleKind.EXECUTIVE)):
                person = Person(name=f"P {organisation.id}-{k}", email=f"p{organisation.id}-{k}@grow.test",
                                organisation_id=organisation.id, password_hash="x")
                session.add_all([person, NetworkRole(network_id=network.id, person=person, role=role)])
                session.add(Registration(gathering_id=gathering.id, person=person, days=list(gathering.days),
                                         status=RegistrationStatus.WAITING if k == 2 else RegistrationStatus.CONFIRMED,
                                         created_at=AT + timedelta(hours=n, minutes=k)))
        last = session.scalar(select(func.max(Gathering.number)).where(Gathering.network_id == network.id))
        session.add_all(Gathering(network_id=network.id, number=last + 1 + n, title="Ekstra",
                                  days=[GatheringDay(day=DAY + timedelta(days=200 + n), starts_at=time(10),
                                                     ends_at=time(12))]) for n in range(municipalities // 4))
        session.commit()


LISTS = ("/members?size=200", "/members?county=34&size=200", "/gatherings?size=200",
         "/gatherings/{gathering}/registrations?size=200")


def _counts(app, ids, person) -> list[int]:
    client, headers = api_client(app, person)
    counts = []
    for path in ("/api/v1/networks", *(N(ids) + p.format(**ids) for p in LISTS)):
        with count_queries(app) as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        counts.append(len(statements))
    return counts


def test_query_counts_do_not_grow_with_the_network(app, built):
    ids, people = built
    _grow(app, ids, 4)
    small = _counts(app, ids, people["coordinator"])
    _grow(app, ids, 36)
    large = _counts(app, ids, people["coordinator"])
    assert small == large, (small, large)
    assert max(small) <= 12, small
    body = get(app, people["coordinator"], N(ids) + "/members", size=200).get_json()
    assert body["total"] == 43
    assert sum(1 for m in body["items"] if (m["team_size"], m["participants"]) == (3, 2)) == 41  # Hamar too
