"""The access matrix for the network's archive (see tests/test_access_matrix.py): the page and
the ZIP are for the network's coordinators and KS administrators only."""
from __future__ import annotations

import pytest

from tests.conftest import built_once
from tests.test_access_matrix import COORDINATORS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build)

N = "/networks/{network}"

ROUTES = [
    Route("archive", "archive.index", "GET", N + "/archive", COORDINATORS),
    Route("archive_zip", "archive.download", "GET", N + "/archive.zip", COORDINATORS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if expected == 200 and route.endpoint == "archive.download":
        assert response.mimetype == "application/zip"
        assert response.data.startswith(b"PK")


@pytest.mark.parametrize("path", ["/networks/999999/archive", "/networks/999999/archive.zip"])
def test_an_unknown_network_is_404(app, built, login, path):
    _ids, people = built
    assert login(people["admin"]).get(path).status_code == 404


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
