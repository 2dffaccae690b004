"""The access matrix for costs, the invoice basis and the catering list (see tests/test_access_matrix.py)."""
from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from network.extensions import db
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.networks.models import Network
from network.organisations.models import Organisation
from tests.conftest import built_once
from tests.test_access_matrix import COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}"


def _hamar_number_saved(ids) -> bool:
    """The matrix's world starts Hamar without a number; a coordinator's POST stores it without spaces."""
    return db.session.get(Organisation, ids["hamar"]).org_number == "970540008"


GATHERING = N + "/gatherings/{gathering}"

ROUTES = [
    # Coordinators see every organisation; a contact their municipality; anyone else their own (tested below).
    Route("cost_overview", "costs.overview", "GET", N + "/costs", MEMBERS),
    Route("cost_overview_sorted", "costs.overview", "GET", N + "/costs?sort=total&dir=desc", MEMBERS),
    Route("invoice_basis_csv", "costs.invoice_basis", "GET", N + "/costs/invoice-basis.csv", COORDINATORS),
    Route("invoice_basis_xlsx", "costs.invoice_basis", "GET", N + "/costs/invoice-basis.xlsx", COORDINATORS),
    Route("gathering_invoice_basis_csv", "costs.gathering_invoice_basis", "GET",
          GATHERING + "/invoice-basis.csv", COORDINATORS),
    Route("gathering_invoice_basis_xlsx", "costs.gathering_invoice_basis", "GET",
          GATHERING + "/invoice-basis.xlsx", COORDINATORS),
    # The sums per organisation, a CSV apart from the lines (tests/test_invoice_basis.py).
    Route("invoice_sums_csv", "costs.invoice_basis", "GET", N + "/costs/invoice-basis-sum.csv", COORDINATORS),
    Route("gathering_invoice_sums_csv", "costs.gathering_invoice_basis", "GET",
          GATHERING + "/invoice-basis-sum.csv", COORDINATORS),
    # Every member may see the counts; only coordinators see names (tested below).
    Route("catering", "costs.catering", "GET", GATHERING + "/catering", MEMBERS),
    # Organisation numbers for the invoice basis: coordinators of a network its organisations are in.
    Route("org_number_form", "organisations.edit_org_number", "GET", N + "/organisations/{hamar}/org-number",
          COORDINATORS),
    Route("org_number_save", "organisations.edit_org_number", "POST", N + "/organisations/{hamar}/org-number",
          COORDINATORS, data={"org_number": "970 540 008"}, effect=_hamar_number_saved),
    Route("org_numbers_import_page", "organisations.import_org_numbers", "GET", N + "/org-numbers/import",
          COORDINATORS),
    # Without a file: the page again (422) for those who may import, refused for everyone else.
    Route("org_numbers_import", "organisations.import_org_numbers", "POST", N + "/org-numbers/import", None,
          data={}, statuses={role: 422 for role in COORDINATORS}),
]

# The participant's diet, and names that only coordinators may see next to it.
NAMED_NEED = "Dag Deltaker"


def build_with_gathering(app, factory):
    """The matrix's world, plus a gathering with the Hamar participant registered (with a diet)
    and a gathering in the other network."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other_network = db.session.get(Network, ids["other_network"])
    with app.app_context():
        db.session.get(Organisation, ids["hamar"]).org_number = None
        db.session.commit()
    gathering = factory.gathering(network, 1, date(2019, 4, 10), days=2)
    other_gathering = factory.gathering(other_network, 1, date(2019, 4, 10))
    with app.app_context():
        row = db.session.get(Gathering, gathering.id)
        db.session.add(Registration(gathering=row, person_id=people["participant"].id, status=RegistrationStatus.CONFIRMED,
                                    days=list(row.days), diet="Vegetar"))
        db.session.commit()
    return {**ids, "gathering": gathering.id, "other_gathering": other_gathering.id}, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_gathering)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if expected == 200 and route.endpoint == "costs.catering":
        body = unescape(response.get_data(as_text=True))
        main = body.split("<main")[1].split("</main>")[0]
        assert "Vegetar" in main
        assert (NAMED_NEED in main) is (role in COORDINATORS), role
    if expected == 200 and route.endpoint == "costs.overview":
        main = unescape(response.get_data(as_text=True)).split("<main")[1].split("</main>")[0]
        # The participant's registration (2 days × 900 kr): for the participant themself, Hamar's
        # contact (with the name) and the coordinators (per municipality); never for anyone else.
        assert ("1\u00a0800\u00a0kr" in main) is (role in COORDINATORS | {"participant", "contact"}), role
        assert (NAMED_NEED in main) is (role == "contact"), role


WRONG_IDS = [
    ("unknown_network_costs", N.replace("{network}", "999999") + "/costs"),
    ("unknown_network_export", N.replace("{network}", "999999") + "/costs/invoice-basis.xlsx"),
    ("unknown_gathering_export", N + "/gatherings/999999/invoice-basis.csv"),
    ("unknown_gathering_catering", N + "/gatherings/999999/catering"),
    ("other_networks_gathering_export", N + "/gatherings/{other_gathering}/invoice-basis.xlsx"),
    ("other_networks_gathering_catering", N + "/gatherings/{other_gathering}/catering"),
    ("unknown_organisation_org_number", N + "/organisations/999999/org-number"),
    ("outside_organisation_org_number", N + "/organisations/{ringsaker}/org-number"),
    ("unknown_network_org_numbers", N.replace("{network}", "999999") + "/org-numbers/import"),
]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
@pytest.mark.parametrize("name, path", WRONG_IDS, ids=[name for name, _path in WRONG_IDS])
def test_wrong_ids_give_404(app, built, login, name, path, role):
    ids, people = built
    response = login(people[role]).get(path.format(**ids))
    assert response.status_code == 404, (name, role, response.status_code)


@pytest.mark.parametrize("suffix", ["/catering", "/invoice-basis.xlsx"])
def test_the_other_networks_coordinator_cannot_reach_this_networks_gathering_through_their_own(
        app, built, login, suffix):
    """The outsider coordinates the other network; this network's gathering id in that
    network's URL must not find it."""
    ids, people = built
    response = login(people["outsider"]).get(f"/networks/{ids['other_network']}/gatherings/{ids['gathering']}{suffix}")
    assert response.status_code == 404
    assert NAMED_NEED not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Gathering.network_id).where(Gathering.id == ids["gathering"])) == ids["network"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
