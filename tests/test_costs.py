"""Day-package costs, the invoice basis (CSV and XLSX), the cost matrix and the catering list."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from html import unescape
from io import BytesIO
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_login import login_user
from openpyxl import load_workbook
from sqlalchemy import select

from network.auth.models import Person
from network.costs import services
from network.extensions import db
from network.gatherings import services as gathering_services
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.networks.models import Membership, Network, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from tests.factories import world
from tests.query_counter import count_queries

CONFIRMED, WAITING, CANCELLED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.CANCELLED
ATTENDED, NO_SHOW = RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW


# --- helpers ----------------------------------------------------------------------------


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def register(app, gathering, person, status=CONFIRMED, days: int | None = None, diet="", allergies="",
             late=False) -> int:
    """A registration in the given state, written straight to the database (the registration
    rules themselves are tested with the gatherings)."""
    with app.app_context():
        gathering = db.session.get(Gathering, gathering.id)
        registration = Registration(
            gathering=gathering, person_id=person.id, status=status, diet=diet, allergies=allergies,
            days=gathering.days[:days] if days else list(gathering.days), late_cancellation=late,
            cancelled_at=datetime.now(timezone.utc) if status is CANCELLED else None,
            waiting_since=datetime.now(timezone.utc) if status is WAITING else None,
        )
        db.session.add(registration)
        db.session.commit()
        return registration.id


def set_network(app, network, **fields) -> None:
    with app.app_context():
        target = db.session.get(Network, network.id)
        for name, value in fields.items():
            setattr(target, name, value)
        db.session.commit()


def set_org_number(app, organisation, org_number) -> None:
    with app.app_context():
        db.session.get(Organisation, organisation.id).org_number = org_number
        db.session.commit()


def lines(app, network, gathering=None):
    with app.app_context():
        network = db.session.get(Network, network.id)
        gathering = db.session.get(Gathering, gathering.id) if gathering else None
        return services.invoice_lines(network, gathering)


def read_csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def read_xlsx(response):
    return load_workbook(BytesIO(response.data)).active


@pytest.fixture
def costs_world(factory):
    """Hamar (two people) and Lillehammer (one) at two gatherings; 2-day gathering 2 at 1250,50."""
    network, hamar, lillehammer, people = world(factory)
    g1 = factory.gathering(network, 1, date(2019, 4, 10))
    g2 = factory.gathering(network, 2, date(2019, 9, 12), days=2, price_per_day=Decimal("1250.50"))
    return SimpleNamespace(network=network, hamar=hamar, lillehammer=lillehammer, people=people, g1=g1, g2=g2)


# --- the charging rules -----------------------------------------------------------------


@pytest.mark.parametrize("status, late, network_charges, charged", [
    (CONFIRMED, False, True, True),
    (ATTENDED, False, True, True),
    (NO_SHOW, False, True, True),     # a no-show is still charged
    (NO_SHOW, False, False, True),
    (WAITING, False, True, False),    # the waiting list never
    (CANCELLED, False, True, False),  # cancelled in time
    (CANCELLED, True, True, True),    # after the deadline, and the network charges for that
    (CANCELLED, True, False, False),  # after the deadline, but the network does not charge
])
def test_is_charged(status, late, network_charges, charged):
    registration = SimpleNamespace(status=status, late_cancellation=late)
    network = SimpleNamespace(charge_late_cancellation=network_charges)
    assert services.is_charged(registration, network) is charged


@pytest.mark.parametrize("network_charges", [True, False])
def test_only_charged_registrations_are_on_the_invoice_basis(app, factory, costs_world, network_charges):
    w = costs_world
    set_network(app, w.network, charge_late_cancellation=network_charges)
    hamar_people = {
        status: factory.member_with_role(w.network, RoleKind.PARTICIPANT, w.hamar, name=f"Hamar {status}")
        for status in ("confirmed", "attended", "no_show", "waiting", "cancelled", "late")
    }
    for key, status in (("confirmed", CONFIRMED), ("attended", ATTENDED), ("no_show", NO_SHOW), ("waiting", WAITING),
                        ("cancelled", CANCELLED)):
        register(app, w.g1, hamar_people[key], status)
    register(app, w.g1, hamar_people["late"], CANCELLED, late=True)
    names = {line.person_name for line in lines(app, w.network)}
    expected = {"Hamar confirmed", "Hamar attended", "Hamar no_show"} | ({"Hamar late"} if network_charges else set())
    assert names == expected
    assert all(line.amount == Decimal("900.00") for line in lines(app, w.network))


def test_a_registration_costs_days_times_the_price_exactly(app, costs_world):
    w = costs_world
    one_day = register(app, w.g2, w.people["participant"], days=1)
    both_days = register(app, w.g2, w.people["contact"])
    with app.app_context():
        first, second = db.session.get(Registration, one_day), db.session.get(Registration, both_days)
        assert services.registration_amount(first) == Decimal("1250.50")
        assert services.registration_amount(second) == Decimal("2501.00")
        assert isinstance(services.registration_amount(second), Decimal)
        assert services.charged_amount(second, db.session.get(Network, w.network.id)) == Decimal("2501.00")
    by_name = {line.person_name: line for line in lines(app, w.network)}
    assert by_name["Dag Deltaker"].days == 1 and by_name["Dag Deltaker"].amount == Decimal("1250.50")
    assert by_name["Kari Kontakt"].days == 2 and by_name["Kari Kontakt"].unit_price == Decimal("1250.50")
    assert by_name["Kari Kontakt"].amount == Decimal("2501.00")


def test_amounts_stay_exact_over_many_registrations(app, factory, costs_world):
    """0.10 + 0.20 is not 0.30 in floats; the totals must be exact to the øre."""
    w = costs_world
    gathering = factory.gathering(w.network, 3, date(2020, 2, 1), price_per_day=Decimal("0.10"))
    for n in range(30):
        register(app, gathering, factory.member_with_role(w.network, RoleKind.PARTICIPANT, w.hamar))
    with app.app_context():
        basis = services.invoice_basis(db.session.get(Network, w.network.id))
    assert basis.total == Decimal("3.00")
    assert str(basis.total) == "3.00"


def test_late_cancellation_through_the_registration_services(app, costs_world):
    w = costs_world
    deadline = datetime(2019, 4, 1, tzinfo=timezone.utc)
    with app.test_request_context():
        gathering = db.session.get(Gathering, w.g1.id)
        gathering.cancellation_deadline = deadline
        in_time = gathering_services.register(gathering, db.session.get(Person, w.people["participant"].id),
                                              gathering_services.RegistrationDetails(day_ids=[gathering.days[0].id]),
                                              registered_by=db.session.get(Person, w.people["contact"].id),
                                              override_window=True)
        late = gathering_services.register(gathering, db.session.get(Person, w.people["contact"].id),
                                           gathering_services.RegistrationDetails(day_ids=[gathering.days[0].id]),
                                           registered_by=db.session.get(Person, w.people["contact"].id),
                                           override_window=True)
        gathering_services.cancel(in_time, now=deadline - timedelta(days=1))
        gathering_services.cancel(late, now=deadline + timedelta(days=1))
        db.session.commit()
    assert [line.person_name for line in lines(app, w.network)] == ["Kari Kontakt"]
    set_network(app, w.network, charge_late_cancellation=False)
    assert lines(app, w.network) == []


def test_one_line_per_person_and_gathering_after_a_late_cancellation_and_a_new_registration(app, costs_world):
    w = costs_world
    register(app, w.g2, w.people["participant"], CANCELLED, late=True)
    register(app, w.g2, w.people["participant"], CONFIRMED, days=1)
    result = lines(app, w.network)
    assert [(line.person_name, line.days, line.status) for line in result] == [("Dag Deltaker", 1, CONFIRMED)]


# --- the matrix and its totals ----------------------------------------------------------


def test_cost_matrix_totals_per_organisation_and_gathering(app, factory, costs_world):
    w = costs_world
    register(app, w.g1, w.people["participant"])
    register(app, w.g1, w.people["contact"])
    register(app, w.g2, w.people["contact"])                 # 2 × 1250.50
    register(app, w.g2, w.people["other_contact"], days=1)   # 1250.50
    register(app, w.g2, w.people["executive"], WAITING)      # not charged
    with app.app_context():
        matrix = services.cost_matrix(db.session.get(Network, w.network.id))
    rows = {row.organisation_name: row for row in matrix.rows}
    assert set(rows) == {"Hamar", "Lillehammer"}
    assert rows["Hamar"].amount(w.g1.id) == Decimal("1800.00")
    assert rows["Hamar"].amount(w.g2.id) == Decimal("2501.00")
    assert rows["Hamar"].total == Decimal("4301.00")
    assert rows["Lillehammer"].amount(w.g1.id) == Decimal("0.00")
    assert rows["Lillehammer"].total == Decimal("1250.50")
    assert matrix.gathering_total(w.g1.id) == Decimal("1800.00")
    assert matrix.gathering_total(w.g2.id) == Decimal("3751.50")
    assert matrix.total == Decimal("5551.50")
    assert [g.number for g in matrix.gatherings] == [1, 2]


def matrix_rows(response) -> list[tuple[str, list[str]]]:
    tbody = re.search(r'<table class="ds-table" data-border id="cost-matrix">.*?<tbody>(.*?)</tbody>',
                      response.get_data(as_text=True), re.S).group(1)
    result = []
    for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S):
        name = re.sub(r"<[^>]+>|\s+", " ", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1)).strip()
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        result.append((unescape(name), [unescape(cell) for cell in cells]))
    return result


def test_cost_overview_shows_the_matrix_and_sorts(app, factory, login, costs_world):
    w = costs_world
    register(app, w.g1, w.people["participant"])
    register(app, w.g2, w.people["other_contact"])
    coordinator = login(w.people["coordinator"])
    response = coordinator.get(f"/networks/{w.network.id}/costs")
    assert response.status_code == 200
    rows = matrix_rows(response)
    assert [name for name, _cells in rows] == ["Hamar", "Lillehammer"]
    assert rows[0][1][0] == "900\u00a0kr" and rows[0][1][-1] == "900\u00a0kr"
    assert rows[1][1][1] == "2\u00a0501\u00a0kr"
    page = text(response)
    assert "3\u00a0401\u00a0kr" in page  # the grand total
    assert "1\u00a0250,50\u00a0kr" in page  # the price per day
    for fmt in ("csv", "xlsx"):
        assert f"/networks/{w.network.id}/costs/invoice-basis.{fmt}" in page
        assert f"/networks/{w.network.id}/gatherings/{w.g2.id}/invoice-basis.{fmt}" in page
    assert f"/networks/{w.network.id}/gatherings/{w.g1.id}/catering" in page
    by_total = matrix_rows(coordinator.get(f"/networks/{w.network.id}/costs?sort=total&dir=desc"))
    assert [name for name, _cells in by_total] == ["Lillehammer", "Hamar"]
    by_name_desc = matrix_rows(coordinator.get(f"/networks/{w.network.id}/costs?sort=name&dir=desc"))
    assert [name for name, _cells in by_name_desc] == ["Lillehammer", "Hamar"]
    unknown_sort = matrix_rows(coordinator.get(f"/networks/{w.network.id}/costs?sort=bogus"))
    assert [name for name, _cells in unknown_sort] == ["Hamar", "Lillehammer"]


def test_a_withdrawn_or_non_member_organisation_still_shows_its_costs(app, factory, costs_world):
    w = costs_world
    husbanken = factory.organisation("Husbanken", OrganisationKind.HUSBANKEN)
    guest = factory.member_with_role(w.network, RoleKind.OBSERVER, husbanken, name="Gunn Gjest")
    register(app, w.g1, guest)
    with app.app_context():
        matrix = services.cost_matrix(db.session.get(Network, w.network.id))
    row = next(row for row in matrix.rows if row.organisation_name == "Husbanken")
    assert not row.is_member and row.total == Decimal("900.00")


# --- the invoice basis export -----------------------------------------------------------


# The invoice basis exports (lines, sums, formulas and their cached values): tests/test_invoice_basis.py.


# --- what a municipality's contact sees -------------------------------------------------


def render_partial(app, viewer, network, organisation) -> str:
    with app.test_request_context():
        login_user(db.session.get(Person, viewer.id))
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == organisation.id))
        return unescape(render_template("costs/_municipality_costs.html", network=membership.network,
                                        membership=membership, organisation=membership.organisation))


@pytest.mark.parametrize("viewer, hamar_visible, lillehammer_visible", [
    ("contact", True, False),
    ("other_contact", False, True),
    ("coordinator", True, True),
    ("admin", True, True),
    ("participant", False, False),
    ("executive", False, False),
    ("observer", False, False),
    ("outsider", False, False),
])
def test_a_contact_sees_only_their_own_municipalitys_costs(app, costs_world, viewer, hamar_visible,
                                                           lillehammer_visible):
    w = costs_world
    register(app, w.g1, w.people["participant"])
    register(app, w.g2, w.people["contact"])
    register(app, w.g2, w.people["other_contact"], days=1)
    hamar = render_partial(app, w.people[viewer], w.network, w.hamar)
    lillehammer = render_partial(app, w.people[viewer], w.network, w.lillehammer)
    assert ("Kostnader for dagpakker" in hamar) is hamar_visible
    assert ("Kostnader for dagpakker" in lillehammer) is lillehammer_visible
    if not hamar_visible:
        assert hamar.strip() == ""
    if hamar_visible:
        assert "3\u00a0401\u00a0kr" in hamar          # 900 + 2 × 1250,50 in total
        assert "2\u00a0501\u00a0kr" in hamar          # gathering 2
        assert "Dag Deltaker" in hamar and "Lise Lillehammer" not in hamar
        assert "1\u00a0250,50\u00a0kr" not in hamar.split("Totalt")[1]  # Lillehammer's cost is not in Hamar's total
    if lillehammer_visible:
        assert "1\u00a0250,50\u00a0kr" in lillehammer and "Dag Deltaker" not in lillehammer


def test_municipality_costs_per_gathering_and_in_total(app, costs_world):
    w = costs_world
    register(app, w.g1, w.people["participant"])
    register(app, w.g1, w.people["contact"])
    register(app, w.g2, w.people["contact"], days=1)
    register(app, w.g2, w.people["participant"], WAITING)
    with app.app_context():
        costs = services.organisation_costs(db.session.get(Network, w.network.id), w.hamar.id)
    assert [(c.gathering.number, c.people, c.days, c.amount) for c in costs.per_gathering] == [
        (1, 2, 2, Decimal("1800.00")), (2, 1, 1, Decimal("1250.50"))]
    assert costs.total == Decimal("3050.50")


# --- catering ---------------------------------------------------------------------------


@pytest.fixture
def catering_world(app, factory, costs_world):
    w = costs_world
    extra = factory.member_with_role(w.network, RoleKind.PARTICIPANT, w.lillehammer, name="Ola Venter")
    late = factory.member_with_role(w.network, RoleKind.PARTICIPANT, w.lillehammer, name="Siri Sen")
    register(app, w.g2, w.people["participant"], diet="Vegetar", allergies="Nøtter")    # both days
    register(app, w.g2, w.people["contact"], days=1, diet="vegetar ")                   # day 1 only
    register(app, w.g2, w.people["other_contact"], ATTENDED, allergies="Skalldyr")       # both days
    register(app, w.g2, w.people["executive"], NO_SHOW, days=1)                          # has a seat
    register(app, w.g2, extra, WAITING, diet="Glutenfri")                               # no seat
    register(app, w.g2, late, CANCELLED, late=True, diet="Laktosefri")                  # no seat
    return w


def day_sections(response) -> list[str]:
    return [unescape(s) for s in re.findall(r'<section aria-labelledby="day-\d+-heading".*?</section>',
                                             response.get_data(as_text=True), re.S)]


def test_catering_counts_per_day(app, catering_world):
    w = catering_world
    with app.app_context():
        days = services.catering(db.session.get(Gathering, w.g2.id))
    assert [day.count for day in days] == [4, 2]
    first, second = days
    assert [(n.kind, n.text, n.count) for n in first.needs] == [
        ("diet", "Vegetar", 2), ("allergy", "Nøtter", 1), ("allergy", "Skalldyr", 1)]
    assert [(n.kind, n.text, n.count) for n in second.needs] == [
        ("diet", "Vegetar", 1), ("allergy", "Nøtter", 1), ("allergy", "Skalldyr", 1)]
    assert all(need.names == [] for day in days for need in day.needs)
    with app.app_context():
        named = services.catering(db.session.get(Gathering, w.g2.id), with_names=True)
    assert named[0].needs[0].names == ["Dag Deltaker", "Kari Kontakt"]


def test_catering_page_shows_names_only_to_coordinators(app, login, catering_world):
    w = catering_world
    url = f"/networks/{w.network.id}/gatherings/{w.g2.id}/catering"
    coordinator_page = login(w.people["coordinator"]).get(url)
    assert coordinator_page.status_code == 200
    sections = day_sections(coordinator_page)
    assert 'data-count="4"' in sections[0] and 'data-count="2"' in sections[1]
    assert "4 personer med plass" in sections[0]
    assert "Dag Deltaker, Kari Kontakt" in sections[0] and "Lise Lillehammer" in sections[0]
    for role in ("participant", "contact", "executive", "other_contact", "observer"):
        response = login(w.people[role]).get(url)
        assert response.status_code == 200, role
        sections = day_sections(response)
        assert 'data-count="4"' in sections[0] and "Vegetar" in sections[0] and "Nøtter" in sections[0]
        main = text(response).split("<main")[1].split("</main>")[0]  # the header names the viewer
        for name in ("Dag Deltaker", "Kari Kontakt", "Lise Lillehammer", "Rita Rådmann", "Ola Venter", "Siri Sen"):
            assert name not in main, (role, name)
    assert "Glutenfri" not in text(coordinator_page) and "Laktosefri" not in text(coordinator_page)


def test_catering_for_a_gathering_without_needs(app, login, costs_world):
    w = costs_world
    register(app, w.g1, w.people["participant"])
    page = text(login(w.people["coordinator"]).get(f"/networks/{w.network.id}/gatherings/{w.g1.id}/catering"))
    assert "1 person med plass" in page
    assert "Ingen har meldt inn behov for kosthold eller allergier denne dagen." in page


# --- a bounded number of SQL queries ----------------------------------------------------




def network_of_size(app, factory, size: int):
    """``size`` municipalities with three people each, registered for two gatherings (one of two days)."""
    network = factory.network(f"Kostnadsnettverk {size}")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    g1 = factory.gathering(network, 1, date(2019, 4, 10))
    g2 = factory.gathering(network, 2, date(2019, 9, 12), days=2, price_per_day=Decimal("1250.50"))
    with app.app_context():
        numbers = db.session.scalars(select(Organisation.kommunenummer).where(
            Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.kommunenummer).limit(size)).all()
        gatherings = [db.session.get(Gathering, g1.id), db.session.get(Gathering, g2.id)]
        statuses = [CONFIRMED, NO_SHOW, WAITING]
        for number in numbers:
            municipality = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == number))
            municipality.org_number = f"9{number}0000"[:9]
            db.session.add(Membership(network_id=network.id, organisation=municipality))
            for n in range(3):
                person = Person(name=f"Person {n} {number}", email=f"p{n}.{number}.{size}@example.test",
                                organisation=municipality)
                db.session.add(person)
                for gathering in gatherings:
                    db.session.add(Registration(gathering=gathering, person=person, status=statuses[n],
                                                days=list(gathering.days), diet="Vegetar" if n else "",
                                                allergies=f"Allergi {n}"))
        db.session.commit()
    return network, coordinator, g2


PAGES = ["/costs", "/costs?sort=total&dir=desc", "/costs/invoice-basis.csv", "/costs/invoice-basis.xlsx",
         "/costs/invoice-basis-sum.csv",
         "/gatherings/{gathering}/invoice-basis.xlsx", "/gatherings/{gathering}/catering"]


@pytest.mark.parametrize("page", PAGES)
def test_cost_pages_and_exports_use_a_fixed_number_of_queries(app, factory, login, page):
    counts = []
    for size in (2, 10):
        network, coordinator, gathering = network_of_size(app, factory, size)
        http = login(coordinator)
        url = f"/networks/{network.id}" + page.format(gathering=gathering.id)
        http.get(url)  # warm up: the first request loads the user and compiles templates
        with count_queries(app) as statements:
            response = http.get(url)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    # Exports of names also write one row to the export log (network/privacy/audit.py); the cost
    # page also asks which organisations lack an organisation number.
    assert counts[0] <= 9, counts


def test_municipality_costs_use_a_fixed_number_of_queries(app, factory):
    counts = []
    for size in (2, 10):
        network, coordinator, _gathering = network_of_size(app, factory, size)
        with app.app_context():
            membership = db.session.scalar(select(Membership).where(Membership.network_id == network.id).limit(1))
            network = db.session.get(Network, network.id)
            with count_queries(app) as statements:
                costs = services.organisation_costs(network, membership.organisation_id)
            assert costs.total > 0
        counts.append(len(statements))
    assert counts[0] == counts[1] == 2, counts
