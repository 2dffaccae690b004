"""The API's costs and invoice basis (network/api/resources/costs.py): the same amounts as the cost
page and the invoice basis export, as strings with two decimals; each role sees what the cost page
shows it and no more; filters, a deterministic order, and a fixed number of queries."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.costs import services
from network.extensions import db
from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
from network.networks.models import Membership, Network, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from tests.api_helpers import api_client
from tests.conftest import built_once
from tests.factories import world
from tests.query_counter import count_queries

CONFIRMED, NO_SHOW, WAITING = RegistrationStatus.CONFIRMED, RegistrationStatus.NO_SHOW, RegistrationStatus.WAITING


def _register(gathering_id, person_id, status, days=None):
    gathering = db.session.get(Gathering, gathering_id)
    chosen = list(gathering.days) if days is None else list(gathering.days)[:days]
    db.session.add(Registration(gathering=gathering, person_id=person_id, status=status, days=chosen))


def build_costs(app, factory):
    """Gathering 1 (2 days à 900): Hamar's participant both days (1800.00), Lillehammer's contact one
    day (900.00), the observer on the waiting list. Gathering 2 (1 day à 1250.50): Hamar's executive
    as a no-show (1250.50). Gathering 3 is cancelled: Hamar's participant was registered (nothing)."""
    network, hamar, lillehammer, people = world(factory)
    g1 = factory.gathering(network, 1, date(2019, 4, 10), title="Oppstart", days=2, price_per_day=Decimal("900"))
    g2 = factory.gathering(network, 2, date(2019, 9, 11), title="Planer", price_per_day=Decimal("1250.50"))
    g3 = factory.gathering(network, 3, date(2019, 11, 20), title="Avlyst", status=GatheringStatus.CANCELLED)
    other_network = factory.network("Naboens nettverk")
    other = factory.gathering(other_network, 1, date(2019, 4, 10))
    with app.app_context():
        _register(g1.id, people["participant"].id, CONFIRMED)
        _register(g1.id, people["other_contact"].id, CONFIRMED, days=1)
        _register(g1.id, people["observer"].id, WAITING)
        _register(g2.id, people["executive"].id, NO_SHOW)
        _register(g3.id, people["participant"].id, CONFIRMED)
        db.session.get(Organisation, hamar.id).org_number = "970540008"
        db.session.commit()
    ids = {"network": network.id, "hamar": hamar.id, "lillehammer": lillehammer.id, "g1": g1.id, "g2": g2.id,
           "g3": g3.id, "other_gathering": other.id}
    return ids, people


built = built_once(build_costs)


def get(app, people, role, path, ids):
    client, headers = api_client(app, people[role])
    return client.get(path.format(**ids), headers=headers)


def costs(app, people, role, ids):
    response = get(app, people, role, "/api/v1/networks/{network}/costs", ids)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_coordinators_get_every_organisation_with_totals_equal_to_the_cost_matrix(app, built):
    ids, people = built
    for role in ("coordinator", "admin"):
        body = costs(app, people, role, ids)
        assert body["scope"] == "network"
        rows = {row["name"]: row for row in body["organisations"]}
        assert rows["Hamar"]["total"] == "3050.50"
        assert rows["Lillehammer"]["total"] == "900.00"
        assert body["total"] == "3950.50"
        with app.app_context():
            matrix = services.cost_matrix(db.session.get(Network, ids["network"]))
            assert Decimal(body["total"]) == matrix.total
            assert {row.organisation_name: f"{row.total:.2f}" for row in matrix.rows} == \
                {name: row["total"] for name, row in rows.items()}
        by_number = {g["number"]: g for g in body["gatherings"]}
        assert [g["number"] for g in body["gatherings"]] == [1, 2, 3]
        assert by_number[1] == {"gathering_id": ids["g1"], "number": 1, "title": "Oppstart 1", "status": "planned",
                                "price_per_day": "900.00", "people": 2, "amount": "2700.00"}
        assert by_number[2]["amount"] == "1250.50" and by_number[2]["price_per_day"] == "1250.50"
        # A cancelled gathering charges nobody.
        assert by_number[3]["status"] == "cancelled" and by_number[3]["amount"] == "0.00"
        assert rows["Hamar"]["gatherings"] == [
            {"gathering_id": ids["g1"], "people": 1, "amount": "1800.00"},
            {"gathering_id": ids["g2"], "people": 1, "amount": "1250.50"}]
        # By name, deterministically.
        assert [row["name"] for row in body["organisations"]] == sorted(rows, key=str.casefold)


def test_costs_page_the_organisations_and_keep_the_sums_of_all(app, built):
    ids, people = built
    whole = costs(app, people, "coordinator", ids)
    assert (whole["page"], whole["size"], whole["organisations_total"]) == (1, 50, len(whole["organisations"]))
    path = "/api/v1/networks/{network}/costs?size=1&page="
    pages = [get(app, people, "coordinator", path + str(n), ids).get_json()
             for n in range(1, whole["organisations_total"] + 2)]
    assert [row for page in pages for row in page["organisations"]] == whole["organisations"]
    assert pages[-1]["organisations"] == []
    assert all((page["total"], page["gatherings"], page["organisations_total"]) ==
               (whole["total"], whole["gatherings"], whole["organisations_total"]) for page in pages)
    contact = get(app, people, "contact", path + "2", ids).get_json()
    assert (contact["organisations"], contact["organisations_total"], contact["total"]) == ([], 1, "3050.50")
    assert get(app, people, "coordinator", path + "0", ids).status_code == 400


def test_amounts_are_strings_never_floats(app, built):
    ids, people = built
    body = costs(app, people, "coordinator", ids)

    def amounts(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("amount", "total", "price_per_day"):
                    yield item
                else:
                    yield from amounts(item)
        elif isinstance(value, list):
            for item in value:
                yield from amounts(item)

    found = list(amounts(body))
    assert found and all(isinstance(item, str) and item.count(".") == 1 and len(item.split(".")[1]) == 2
                         for item in found), found


def test_a_contact_gets_only_their_municipality(app, built):
    ids, people = built
    body = costs(app, people, "contact", ids)
    assert body["scope"] == "organisation"
    assert [row["name"] for row in body["organisations"]] == ["Hamar"]
    assert body["total"] == "3050.50"
    assert [g["amount"] for g in body["gatherings"]] == ["1800.00", "1250.50", "0.00"]
    text = str(body)
    assert "Lillehammer" not in text and "Lise" not in text
    assert "2700.00" not in text and "3950.50" not in text  # the network's totals are not Hamar's to see

    other = costs(app, people, "other_contact", ids)
    assert [row["name"] for row in other["organisations"]] == ["Lillehammer"]
    assert other["total"] == "900.00" and "Hamar" not in str(other)


@pytest.mark.parametrize("role, total, people_in_g1", [
    ("participant", "1800.00", 1), ("executive", "1250.50", 0), ("observer", "0.00", 0)])
def test_other_members_get_only_their_own_costs(app, built, role, total, people_in_g1):
    ids, people = built
    body = costs(app, people, role, ids)
    assert body["scope"] == "person"
    assert body["organisations"] == []
    assert body["total"] == total
    assert body["gatherings"][0]["people"] == people_in_g1
    assert "3050.50" not in str(body) and "2700.00" not in str(body)


def test_outsiders_are_refused(app, built):
    ids, people = built
    response = get(app, people, "outsider", "/api/v1/networks/{network}/costs", ids)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


# --- the invoice basis ------------------------------------------------------------------


def lines(app, people, role, ids, query=""):
    response = get(app, people, role, "/api/v1/networks/{network}/invoice-basis" + query, ids)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_invoice_basis_lines_equal_the_export(app, built):
    ids, people = built
    body = lines(app, people, "coordinator", ids)
    assert body["total"] == 3 and body["page"] == 1
    assert [(line["organisation_name"], line["gathering_number"], line["person_name"]) for line in body["items"]] == [
        ("Hamar", 1, "Dag Deltaker"), ("Hamar", 2, "Rita Rådmann"),
        ("Lillehammer", 1, "Lise Lillehammer")]
    first = body["items"][0]
    assert first == {
        "organisation_id": ids["hamar"], "organisation_name": "Hamar", "org_number": "970540008",
        "person_id": people["participant"].id, "person_name": "Dag Deltaker", "gathering_id": ids["g1"],
        "gathering_number": 1, "gathering_title": "Oppstart 1", "days": 2, "unit_price": "900.00",
        "amount": "1800.00", "status": "confirmed"}
    assert body["items"][1]["status"] == "no_show"
    with app.app_context():
        basis = services.invoice_basis(db.session.get(Network, ids["network"]))
        assert sum(Decimal(line["amount"]) for line in body["items"]) == basis.total == Decimal("3950.50")
        assert [line.amount for line in basis.lines] == [Decimal(line["amount"]) for line in body["items"]]


def test_invoice_basis_filters_and_pages(app, built):
    ids, people = built
    g2 = lines(app, people, "coordinator", ids, "?gathering={g2}")
    assert [line["person_name"] for line in g2["items"]] == ["Rita Rådmann"]
    cancelled = lines(app, people, "coordinator", ids, "?gathering={g3}")
    assert cancelled["items"] == [] and cancelled["total"] == 0
    lillehammer = lines(app, people, "coordinator", ids, "?organisation={lillehammer}")
    assert [line["person_name"] for line in lillehammer["items"]] == ["Lise Lillehammer"]
    page = lines(app, people, "coordinator", ids, "?size=1&page=2")
    assert page["total"] == 3 and [line["person_name"] for line in page["items"]] == ["Rita Rådmann"]
    beyond = lines(app, people, "coordinator", ids, "?size=2&page=3")
    assert beyond["items"] == [] and beyond["total"] == 3
    for query in ("?gathering={other_gathering}", "?gathering=999999"):
        response = get(app, people, "coordinator", "/api/v1/networks/{network}/invoice-basis" + query, ids)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", query
    for query in ("?gathering=x", "?size=0", "?gathering=99999999999"):
        response = get(app, people, "coordinator", "/api/v1/networks/{network}/invoice-basis" + query, ids)
        assert response.status_code == 400 and response.mimetype == "application/problem+json", query


def test_a_contact_gets_only_their_municipalitys_lines(app, built):
    ids, people = built
    body = lines(app, people, "contact", ids)
    assert {line["organisation_name"] for line in body["items"]} == {"Hamar"} and body["total"] == 2
    assert "Lillehammer" not in str(body)
    # Asking for another municipality's lines gives none of them.
    assert lines(app, people, "contact", ids, "?organisation={lillehammer}")["items"] == []
    other = lines(app, people, "other_contact", ids)
    assert [line["person_name"] for line in other["items"]] == ["Lise Lillehammer"]


@pytest.mark.parametrize("role", ["participant", "executive", "observer", "outsider"])
def test_the_invoice_basis_is_refused_to_everyone_else(app, built, role):
    ids, people = built
    response = get(app, people, role, "/api/v1/networks/{network}/invoice-basis", ids)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "Dag Deltaker" not in response.get_data(as_text=True)


# --- a fixed number of queries ----------------------------------------------------------


def network_of_size(app, factory, size: int):
    """``size`` member municipalities, each with a contact and two people registered for two gatherings."""
    network = factory.network(f"Kostnader i API {size}")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    g1 = factory.gathering(network, 1, date(2019, 4, 10), days=2)
    g2 = factory.gathering(network, 2, date(2019, 9, 12), price_per_day=Decimal("1250.50"))
    with app.app_context():
        municipalities = db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                                            .order_by(Organisation.kommunenummer).limit(size)).all()
        for municipality in municipalities:
            db.session.add(Membership(network_id=network.id, organisation=municipality))
            for n, status in enumerate((CONFIRMED, NO_SHOW)):
                person = Person(name=f"Person {n} {municipality.kommunenummer}",
                                email=f"api{n}.{municipality.kommunenummer}.{size}@example.test", organisation=municipality)
                db.session.add(person)
                db.session.flush()
                for gathering_id in (g1.id, g2.id):
                    _register(gathering_id, person.id, status)
        db.session.commit()
    return network, coordinator


@pytest.mark.parametrize("path", ["/costs", "/invoice-basis", "/invoice-basis?gathering=first&size=200"])
def test_a_fixed_number_of_queries_at_4_and_40_municipalities(app, factory, path):
    counts = []
    for size in (4, 40):
        network, coordinator = network_of_size(app, factory, size)
        client, headers = api_client(app, coordinator)
        with app.app_context():
            first = db.session.scalar(select(Gathering.id).where(Gathering.network_id == network.id, Gathering.number == 1))
        url = f"/api/v1/networks/{network.id}" + path.replace("first", str(first))
        client.get(url, headers=headers)  # warm up: the token's last use is written once a minute
        with count_queries(app) as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == 200
        if path == "/costs":
            assert len(response.get_json()["organisations"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8, counts


def test_each_read_of_the_invoice_basis_is_logged_as_an_export(app, built):
    """As the web's download (network/privacy/audit.py): the lines name people. A refusal logs nothing."""
    from network.privacy.models import ExportKind, ExportLog

    ids, people = built

    def logged():
        with app.app_context():
            return db.session.scalars(select(ExportLog).where(ExportLog.kind == ExportKind.INVOICE_BASIS)
                                      .order_by(ExportLog.id)).all()

    before = len(logged())
    lines(app, people, "contact", ids, "?gathering={g1}")
    get(app, people, "participant", "/api/v1/networks/{network}/invoice-basis", ids)  # 403: nothing to log
    entries = logged()
    assert len(entries) == before + 1
    assert entries[-1].person_id == people["contact"].id and entries[-1].network_id == ids["network"]
    assert entries[-1].path == f"/api/v1/networks/{ids['network']}/invoice-basis?gathering={ids['g1']}"
