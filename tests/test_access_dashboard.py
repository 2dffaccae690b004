"""The access matrix for the coordinators' dashboard (see tests/test_access_matrix.py): coordinators
and KS administrators only; everyone else signed in gets 403, visitors the sign-in page."""
from __future__ import annotations

import pytest

from tests.conftest import built_once
from tests.test_access_matrix import COORDINATORS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build)

N = "/networks/{network}"

ROUTES = [
    Route("dashboard", "dashboard.show", "GET", N + "/dashboard", COORDINATORS),
    Route("participation CSV", "dashboard.participation_csv", "GET", N + "/dashboard/participation.csv", COORDINATORS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if expected == 200:
        assert ("Hamar;Innlandet" if route.name.endswith("CSV") else "Oversikt for koordinatorer") \
            in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_an_unknown_network_is_404(app, built, login, role):
    _ids, people = built
    assert login(people[role]).get("/networks/999999/dashboard").status_code == 404


def test_the_other_networks_coordinator_gets_403_here(app, built, login):
    """The outsider coordinates the other network, not this one."""
    ids, people = built
    client = login(people["outsider"])
    assert client.get(f"/networks/{ids['network']}/dashboard").status_code == 403
    assert client.get(f"/networks/{ids['other_network']}/dashboard").status_code == 200


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
