"""The access matrix for privacy (see tests/test_access_matrix.py).

The privacy page is public. "Mine data", its downloads and the deletion request are for everyone
signed in, each about themselves. Deletion requests and the export log are for KS administrators.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.privacy.models import DeletionRequest, DeletionStatus, ExportKind, ExportLog
from tests.conftest import built_once
from tests.test_access_matrix import ADMINS, ROLES, SIGNED_IN, Route, build, check_access, fuzz, public

REASON = "Kontaktpersonen må erstattes først."


def _pending_request_of_signed_in_person(ids):
    return db.session.scalar(select(DeletionRequest.id).where(
        DeletionRequest.status == DeletionStatus.PENDING, DeletionRequest.id != ids["deletion_request"])) is not None



def _status(status):
    return lambda ids: db.session.get(DeletionRequest, ids["deletion_request"]).status is status


ROUTES = [
    Route("policy", "privacy.policy", "GET", "/personvern", None, login_required=False, statuses=public(200)),
    Route("my_data", "privacy.my_data", "GET", "/me/data", SIGNED_IN),
    Route("my_data_json", "privacy.my_data_json", "GET", "/me/data.json", SIGNED_IN),
    Route("my_data_zip", "privacy.my_data_zip", "GET", "/me/data.zip", SIGNED_IN),
    Route("request_deletion", "privacy.request_deletion", "GET", "/me/delete", SIGNED_IN),
    Route("request_deletion", "privacy.request_deletion", "POST", "/me/delete", SIGNED_IN, data={"confirm": "y"},
          effect=_pending_request_of_signed_in_person),
    Route("withdraw_deletion", "privacy.withdraw_deletion", "POST", "/me/delete/withdraw", SIGNED_IN),
    Route("requests", "privacy.requests", "GET", "/admin/deletion-requests", ADMINS),
    Route("requests_all", "privacy.requests", "GET", "/admin/deletion-requests?status=all", ADMINS),
    Route("confirm", "privacy.confirm", "POST", "/admin/deletion-requests/{deletion_request}/confirm", ADMINS,
          data={"confirmed": "1"}, effect=_status(DeletionStatus.COMPLETED)),
    Route("decline", "privacy.decline", "POST", "/admin/deletion-requests/{deletion_request}/decline", ADMINS,
          data={"decline-{deletion_request}-reason": REASON, "confirmed": "1"}, effect=_status(DeletionStatus.DECLINED)),
    Route("export_log", "privacy.export_log", "GET", "/admin/export-log", ADMINS),
    Route("export_log_filtered", "privacy.export_log", "GET",
          "/admin/export-log?kind=invoice_basis&network={network}&person=koord&sort=person&dir=asc", ADMINS),
]


def build_privacy(app, factory):
    """The matrix's world, with a pending deletion request (Hege Hjelper's) and a logged export."""
    ids, people = build(app, factory)
    with app.app_context():
        helper = db.session.scalar(select(Person).where(Person.name == "Hege Hjelper"))
        request = DeletionRequest(person_id=helper.id)
        db.session.add_all([request, ExportLog(kind=ExportKind.INVOICE_BASIS, person_id=people["coordinator"].id,
                                               network_id=ids["network"], path="/networks/1/costs/invoice-basis.csv")])
        db.session.commit()
        ids = {**ids, "deletion_request": request.id}
    return ids, people


built = built_once(build_privacy)


def _fill_data(route: Route, ids) -> Route:
    if not route.data:
        return route
    data = {key.format(**ids): value for key, value in route.data.items()}
    return Route(route.name, route.endpoint, route.method, route.path, route.allowed, data, route.login_required,
                 route.statuses, route.effect)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, _fill_data(route, ids), role, ids, people, client, login)


@pytest.mark.parametrize("role", sorted(ADMINS))
@pytest.mark.parametrize("method, path", [("POST", "/admin/deletion-requests/999999/confirm"),
                                          ("POST", "/admin/deletion-requests/999999/decline")])
def test_unknown_request_is_404(app, built, login, method, path, role):
    _ids, people = built
    assert login(people[role]).post(path, data={}).status_code == 404


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
