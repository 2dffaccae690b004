"""The access matrix for the network's archive (see tests/test_access_matrix.py): the page and
the ZIP are for the network's coordinators and KS administrators only; importing an archive from
the web is for KS administrators only."""
from __future__ import annotations

import pytest

from network.extensions import db
from network.files.models import StoredFile
from tests.conftest import built_once
from tests.test_access_matrix import ADMINS, COORDINATORS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz


def build_with_upload(app, factory):
    """The matrix's world, and an archive upload kept for the KS administrator's confirmation (not a
    readable archive: the matrix checks who gets in; tests/test_archive_web_import.py the import)."""
    ids, people = build(app, factory)
    with app.app_context():
        upload = StoredFile(filename="arkiv.zip", content_type="application/zip", size=3, sha256="0" * 64,
                            data=b"PK?", uploaded_by_id=people["admin"].id)
        db.session.add(upload)
        db.session.commit()
        return {**ids, "upload": upload.id}, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_upload)

# The administrator passes the check, then the archive is refused: 422, nothing imported.
ADMIN_REFUSED = {role: 302 if role == "anonymous" else 422 if role == "admin" else 403 for role in ROLES}

N = "/networks/{network}"

ROUTES = [
    Route("archive", "archive.index", "GET", N + "/archive", COORDINATORS),
    Route("archive_zip", "archive.download", "GET", N + "/archive.zip", COORDINATORS),
    Route("import", "archive.import_form", "GET", "/archive/import", ADMINS),
    Route("import", "archive.import_upload", "POST", "/archive/import", ADMINS, data={}, statuses=ADMIN_REFUSED),
    Route("import_summary", "archive.import_summary", "GET", "/archive/import/{upload}", ADMINS),
    Route("import_confirm", "archive.import_confirm", "POST", "/archive/import/{upload}", ADMINS, data={},
          statuses=ADMIN_REFUSED),
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
