"""The export log: every export of people's names is logged once (who, what, which network, when),
a refused request is not, an export that can't be logged is refused, and KS administrators read
the log newest first, with filters and sorting."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from network.challenges.models import Challenge
from network.extensions import db
from network.main import clock
from network.privacy.models import ExportKind, ExportLog
from tests.factories import world
from tests.gathering_helpers import open_gathering, register
from tests.html import field_error, main


@pytest.fixture
def s(app, factory):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = open_gathering(factory, network, number=1, day=date(2031, 3, 12))
    register(app, gathering.id, people["participant"].id, diet="Vegetar")
    with app.app_context():
        db.session.add(Challenge(network_id=network.id, title="Boliger for unge", position=1))
        db.session.commit()
    return network, gathering, people


EXPORTS = [
    (ExportKind.INVOICE_BASIS, "/networks/{n}/costs/invoice-basis.csv"),
    (ExportKind.INVOICE_BASIS, "/networks/{n}/costs/invoice-basis.xlsx"),
    (ExportKind.INVOICE_BASIS, "/networks/{n}/gatherings/{g}/invoice-basis.xlsx"),
    (ExportKind.CATERING, "/networks/{n}/gatherings/{g}/catering"),
    (ExportKind.REGISTRATIONS, "/networks/{n}/gatherings/{g}/registrations"),
    (ExportKind.ARCHIVE, "/networks/{n}/archive.zip"),
    (ExportKind.MEMBERS, "/networks/{n}/members.csv"),
    (ExportKind.FEEDBACK, "/networks/{n}/feedback.csv"),
    (ExportKind.CHALLENGES, "/networks/{n}/challenges/matrix.csv"),
    (ExportKind.MY_DATA, "/me/data.json"),
    (ExportKind.MY_DATA, "/me/data.zip"),
]


# Downloads that hold no one's name, so there is nothing to log.
NAMELESS = {
    "growth.overview_csv": "municipalities' population figures and growth classes",
    "planning.comparison_csv": "municipalities' planning status",
    "assignments.grid_csv": "each municipality's status and comment count per assignment",
    "resources.reports_csv": "published reports; their authors are not people in the platform",
    "evaluations.results_csv": "anonymous evaluation results",
    "evaluations.results_xlsx": "anonymous evaluation results",
    "evaluations.compare_csv": "anonymous evaluation results",
    "dashboard.participation_csv": "counts per municipality",
    "api.openapi_json": "the API's description: routes and field names, no data",
}
DOWNLOAD = re.compile(r"\.(csv|xlsx|zip|json)$|<any\(csv, xlsx\):fmt>")


def test_every_download_is_logged_or_holds_no_names(app):
    """A new CSV, XLSX, ZIP or JSON download must be marked @audited or listed above with a reason."""
    unaccounted = []
    for rule in app.url_map.iter_rules():
        if not DOWNLOAD.search(rule.rule):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "export_kind", None) is None and rule.endpoint not in NAMELESS:
            unaccounted.append(rule.endpoint)
    assert unaccounted == []
    logged = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "export_kind", None)}
    assert logged >= {"costs.invoice_basis", "costs.gathering_invoice_basis", "costs.catering",
                      "gatherings.registrations", "archive.download", "networks.members_csv", "feedback.inbox_csv",
                      "challenges.matrix_csv", "privacy.my_data_json", "privacy.my_data_zip"}
    assert not logged & set(NAMELESS)


def _log(app) -> list[ExportLog]:
    with app.app_context():
        rows = db.session.scalars(select(ExportLog).order_by(ExportLog.id)).all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("kind, path", EXPORTS, ids=[p for _k, p in EXPORTS])
def test_each_export_of_names_is_logged_once(app, s, login, kind, path):
    network, gathering, people = s
    url = path.format(n=network.id, g=gathering.id)
    before = datetime.now(timezone.utc)
    response = login(people["coordinator"]).get(url)
    assert response.status_code == 200
    [entry] = _log(app)
    assert entry.kind is kind and entry.person_id == people["coordinator"].id and entry.path == url
    assert entry.network_id == (None if kind is ExportKind.MY_DATA else network.id)
    assert before - timedelta(seconds=1) <= entry.at <= datetime.now(timezone.utc)


def test_a_refused_or_nameless_page_is_not_logged(app, s, login):
    network, gathering, people = s
    participant = login(people["participant"])
    assert participant.get(f"/networks/{network.id}/costs/invoice-basis.csv").status_code == 403
    assert participant.get(f"/networks/{network.id}/archive.zip").status_code == 403
    # Members see the catering list too, but with counts only: no names, nothing to log.
    page = participant.get(f"/networks/{network.id}/gatherings/{gathering.id}/catering")
    assert page.status_code == 200 and "Dag Deltaker" not in main(page)
    assert _log(app) == []


def test_an_export_that_cannot_be_logged_is_refused(app, s, login):
    network, _gathering, people = s

    def fail(*_args):
        raise OperationalError("INSERT INTO export_log", {}, Exception("disk full"))

    event.listen(ExportLog, "before_insert", fail)
    try:
        response = login(people["coordinator"]).get(f"/networks/{network.id}/costs/invoice-basis.csv")
    finally:
        event.remove(ExportLog, "before_insert", fail)
    assert response.status_code == 503
    assert "Nedlastingen ble stoppet" in main(response)
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert "Dag Deltaker" not in response.get_data(as_text=True)
    assert _log(app) == []


# --- the administrators' page ----------------------------------------------------------------


@pytest.fixture
def logged(app, s):
    network, _gathering, people = s
    now = datetime.now(timezone.utc)
    rows = [
        (ExportKind.INVOICE_BASIS, "coordinator", network.id, now - timedelta(days=3), "/faktura"),
        (ExportKind.ARCHIVE, "admin", network.id, now - timedelta(days=1), "/arkiv"),
        (ExportKind.MY_DATA, "participant", None, now - timedelta(hours=1), "/mine-data"),
        (ExportKind.MEMBERS, "coordinator", network.id, now - timedelta(days=10), "/medlemmer"),
    ]
    with app.app_context():
        db.session.add_all([ExportLog(kind=kind, person_id=people[who].id, network_id=network_id, at=at, path=path)
                            for kind, who, network_id, at, path in rows])
        db.session.commit()
    return s


def _paths(response) -> list[str]:
    page = main(response)
    return [path for _at, path in sorted((page.index(f"<code>{p}</code>"), p) for p in
                                         ("/faktura", "/arkiv", "/mine-data", "/medlemmer")
                                         if f"<code>{p}</code>" in page)]


def test_admin_reads_the_log_newest_first(logged, login):
    _network, _gathering, people = logged
    response = login(people["admin"]).get("/admin/export-log")
    assert response.status_code == 200
    assert _paths(response) == ["/mine-data", "/arkiv", "/faktura", "/medlemmer"]
    page = main(response)
    assert "Kristin Koordinator" in page and "Fakturagrunnlag" in page and "Bolignettverket" in page


@pytest.mark.parametrize("query, expected", [
    ("kind=invoice_basis", ["/faktura"]),
    ("person=koordinator", ["/faktura", "/medlemmer"]),
    ("network={network}", ["/arkiv", "/faktura", "/medlemmer"]),
    ("sort=at&dir=asc", ["/medlemmer", "/faktura", "/arkiv", "/mine-data"]),
    ("sort=person&dir=asc", ["/arkiv", "/mine-data", "/faktura", "/medlemmer"]),
    ("since={five_days_ago}", ["/mine-data", "/arkiv", "/faktura"]),
    ("until={two_days_ago}", ["/faktura", "/medlemmer"]),
])
def test_admin_filters_and_sorts_the_log(logged, login, query, expected):
    network, _gathering, people = logged
    today = clock.oslo_today()
    query = query.format(network=network.id, five_days_ago=(today - timedelta(days=5)).isoformat(),
                         two_days_ago=(today - timedelta(days=2)).isoformat())
    response = login(people["admin"]).get(f"/admin/export-log?{query}")
    assert response.status_code == 200
    assert _paths(response) == expected


def test_a_bad_date_range_is_reported(logged, login):
    _network, _gathering, people = logged
    response = login(people["admin"]).get("/admin/export-log?since=2020-05-02&until=2020-05-01")
    assert response.status_code == 422
    assert field_error(response, "until")
    assert 'value="2020-05-02"' in response.get_data(as_text=True)
