"""Who may open or post to every route of the shared resources (see tests/test_access_matrix.py).

Every member reads and downloads. Coordinators keep KS's slide sets, the reports and the competence
environments. A municipality's own people make versions of a slide set, and they (with the
coordinators) change or delete their own municipality's version.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.networks.models import Network
from network.resources import services
from network.resources.models import CompetenceEnvironment, Report, ReportKind, SlideSet
from network.resources.services import Upload
from tests.conftest import built_once
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}"
R = N + "/resources"
HAMAR_TEAM = frozenset({"participant", "contact", "executive"})
MUNICIPAL_TEAMS = HAMAR_TEAM | {"other_contact"}

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
SLIDES = "## 1. Bolig for alle\n\nHvem strever med å finne en bolig?\n\n## 2. Tre elementer\n\nBehov, forankring, virkemidler."
SET_FORM = {"title": "Boligpolitikk for nye folkevalgte", "description": "Til opplæring.", "slides": SLIDES}
EDIT_FORM = {"title": "Helhetlig boligpolitikk (endret)", "description": "", "slides": SLIDES}
ADAPT_FORM = {"title": "Vår egen versjon", "description": "Kortere.", "slides": "## Vår kommune\n\nLokale tall."}
REPORT_FORM = {"title": "Boligbehov i distriktene", "publisher": "NOVA", "year": "2020", "authors": "Ola Forsker",
               "kind": "research", "url": "https://example.test/rapport"}
ENVIRONMENT_FORM = {"name": "Boligforskning Nord", "offer": "Kurs om boligbehov.", "url": "https://example.test/"}


def _set_titled(title):
    return lambda ids: db.session.scalar(select(SlideSet.id).where(
        SlideSet.network_id == ids["network"], SlideSet.title == title)) is not None


def _gone(model, key):
    return lambda ids: db.session.get(model, ids[key]) is None


def _adapted(ids):
    return db.session.scalar(select(SlideSet.id).where(
        SlideSet.based_on_id == ids["ks_set"], SlideSet.title == ADAPT_FORM["title"])) is not None


def _report_titled(title):
    return lambda ids: db.session.scalar(select(Report.id).where(
        Report.network_id == ids["network"], Report.title == title)) is not None


def _environment_named(name):
    return lambda ids: db.session.scalar(select(CompetenceEnvironment.id).where(
        CompetenceEnvironment.network_id == ids["network"], CompetenceEnvironment.name == name)) is not None


ROUTES = [
    Route("resources_index", "resources.index", "GET", R, MEMBERS),
    # slide sets
    Route("slide_set_ks", "resources.slide_set", "GET", R + "/slides/{ks_set}", MEMBERS),
    Route("slide_set_hamar", "resources.slide_set", "GET", R + "/slides/{hamar_set}", MEMBERS),
    Route("new_slide_set", "resources.new_slide_set", "GET", R + "/slides/new", COORDINATORS),
    Route("new_slide_set", "resources.new_slide_set", "POST", R + "/slides/new", COORDINATORS,
          data=SET_FORM, effect=_set_titled(SET_FORM["title"])),
    Route("edit_ks_set", "resources.edit_slide_set", "GET", R + "/slides/{ks_set}/edit", COORDINATORS),
    Route("edit_ks_set", "resources.edit_slide_set", "POST", R + "/slides/{ks_set}/edit", COORDINATORS,
          data=EDIT_FORM, effect=_set_titled(EDIT_FORM["title"])),
    Route("edit_hamar_set", "resources.edit_slide_set", "GET", R + "/slides/{hamar_set}/edit", COORDINATORS | HAMAR_TEAM),
    Route("edit_hamar_set", "resources.edit_slide_set", "POST", R + "/slides/{hamar_set}/edit",
          COORDINATORS | HAMAR_TEAM, data=EDIT_FORM, effect=_set_titled(EDIT_FORM["title"])),
    Route("delete_ks_set", "resources.delete_slide_set", "POST", R + "/slides/{ks_set}/delete", COORDINATORS,
          data=CONFIRMED, effect=_gone(SlideSet, "ks_set")),
    Route("delete_hamar_set", "resources.delete_slide_set", "POST", R + "/slides/{hamar_set}/delete",
          COORDINATORS | HAMAR_TEAM, data=CONFIRMED, effect=_gone(SlideSet, "hamar_set")),
    Route("adapt_ks_set", "resources.adapt_slide_set", "GET", R + "/slides/{ks_set}/adapt", MUNICIPAL_TEAMS),
    Route("adapt_ks_set", "resources.adapt_slide_set", "POST", R + "/slides/{ks_set}/adapt", MUNICIPAL_TEAMS,
          data=ADAPT_FORM, effect=_adapted),
    Route("download_ks_set", "resources.download_slide_set", "GET", R + "/slides/{ks_set}/file", MEMBERS),
    Route("download_hamar_set", "resources.download_slide_set", "GET", R + "/slides/{hamar_set}/file", MEMBERS),
    # reports
    Route("reports", "resources.reports", "GET", R + "/reports", MEMBERS),
    Route("reports_sorted", "resources.reports", "GET", R + "/reports?sort=title&dir=desc&kind=report", MEMBERS),
    Route("reports_csv", "resources.reports_csv", "GET", R + "/reports.csv", COORDINATORS),
    Route("new_report", "resources.new_report", "GET", R + "/reports/new", COORDINATORS),
    Route("new_report", "resources.new_report", "POST", R + "/reports/new", COORDINATORS,
          data=REPORT_FORM, effect=_report_titled(REPORT_FORM["title"])),
    Route("edit_report", "resources.edit_report", "GET", R + "/reports/{report}/edit", COORDINATORS),
    Route("edit_report", "resources.edit_report", "POST", R + "/reports/{report}/edit", COORDINATORS,
          data=REPORT_FORM, effect=_report_titled(REPORT_FORM["title"])),
    Route("delete_report", "resources.delete_report", "POST", R + "/reports/{report}/delete", COORDINATORS,
          data=CONFIRMED, effect=_gone(Report, "report")),
    # competence environments
    Route("environments", "resources.environments", "GET", R + "/environments", MEMBERS),
    Route("new_environment", "resources.new_environment", "GET", R + "/environments/new", COORDINATORS),
    Route("new_environment", "resources.new_environment", "POST", R + "/environments/new", COORDINATORS,
          data=ENVIRONMENT_FORM, effect=_environment_named(ENVIRONMENT_FORM["name"])),
    Route("edit_environment", "resources.edit_environment", "GET", R + "/environments/{environment}/edit",
          COORDINATORS),
    Route("edit_environment", "resources.edit_environment", "POST", R + "/environments/{environment}/edit",
          COORDINATORS, data=ENVIRONMENT_FORM, effect=_environment_named(ENVIRONMENT_FORM["name"])),
    Route("delete_environment", "resources.delete_environment", "POST", R + "/environments/{environment}/delete",
          COORDINATORS, data=CONFIRMED, effect=_gone(CompetenceEnvironment, "environment")),
]


def build_resources(app, factory) -> tuple[dict, dict]:
    """The matrix's world plus KS's slide set, Hamar's version of it, a set without a file, a report and
    a competence environment, and the same kinds of things in the other network to reach across to."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other = db.session.get(Network, ids["other_network"])
        ks_set = services.create_slide_set(network, title="Helhetlig boligpolitikk", slides_text=SLIDES,
                                           upload=Upload("lysark.pdf", PDF))
        hamar_set = services.create_slide_set(network, title="Boligpolitikk i Hamar", slides_text=SLIDES,
                                              upload=Upload("hamar.pdf", PDF), organisation_id=ids["hamar"],
                                              based_on=ks_set)
        no_file = services.create_slide_set(network, title="Bare manus", slides_text=SLIDES)
        report = services.save_report(None, network, title="Helhetlig boligplanlegging", year=2015,
                                      kind=ReportKind.REPORT)
        environment = services.save_environment(None, network, name="Distriktssenteret", offer="Kunnskap.")
        foreign_set = services.create_slide_set(other, title="Annet sett", slides_text=SLIDES,
                                                upload=Upload("annet.pdf", PDF))
        foreign_report = services.save_report(None, other, title="Annen rapport")
        foreign_environment = services.save_environment(None, other, name="Annet miljø")
        db.session.commit()
        ids = {**ids, "ks_set": ks_set.id, "hamar_set": hamar_set.id, "no_file_set": no_file.id,
               "report": report.id, "environment": environment.id, "foreign_set": foreign_set.id,
               "foreign_report": foreign_report.id, "foreign_environment": foreign_environment.id}
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_resources)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


THIS_NETWORK = ("coordinator", "admin")
OTHER_NETWORK = ("outsider", "admin")  # the outsider coordinates the other network
WRONG_IDS = [
    ("unknown_network", "GET", "/networks/999999/resources", ("admin",)),
    ("unknown_set", "GET", R + "/slides/999999", THIS_NETWORK + ("participant",)),
    ("unknown_set_edit", "POST", R + "/slides/999999/edit", THIS_NETWORK),
    ("unknown_set_adapt", "GET", R + "/slides/999999/adapt", ("participant",)),
    ("foreign_set", "GET", R + "/slides/{foreign_set}", THIS_NETWORK + ("participant",)),
    ("foreign_set_edit", "POST", R + "/slides/{foreign_set}/edit", THIS_NETWORK),
    ("foreign_set_delete", "POST", R + "/slides/{foreign_set}/delete", THIS_NETWORK),
    ("foreign_set_adapt", "POST", R + "/slides/{foreign_set}/adapt", ("participant", "contact")),
    ("foreign_set_download", "GET", R + "/slides/{foreign_set}/file", THIS_NETWORK + ("participant",)),
    ("set_without_file_download", "GET", R + "/slides/{no_file_set}/file", THIS_NETWORK + ("participant",)),
    ("foreign_report_edit", "POST", R + "/reports/{foreign_report}/edit", THIS_NETWORK),
    ("foreign_report_delete", "POST", R + "/reports/{foreign_report}/delete", THIS_NETWORK),
    ("unknown_report", "GET", R + "/reports/999999/edit", THIS_NETWORK),
    ("foreign_environment_edit", "POST", R + "/environments/{foreign_environment}/edit", THIS_NETWORK),
    ("foreign_environment_delete", "POST", R + "/environments/{foreign_environment}/delete", THIS_NETWORK),
    ("unknown_environment", "GET", R + "/environments/999999/edit", THIS_NETWORK),
    # The other network's coordinator reaching this network's things through their own network's URLs.
    ("set_through_other_network", "GET", "/networks/{other_network}/resources/slides/{ks_set}", OTHER_NETWORK),
    ("download_through_other_network", "GET", "/networks/{other_network}/resources/slides/{ks_set}/file",
     OTHER_NETWORK),
    ("delete_through_other_network", "POST", "/networks/{other_network}/resources/slides/{ks_set}/delete",
     OTHER_NETWORK),
    ("report_through_other_network", "POST", "/networks/{other_network}/resources/reports/{report}/delete",
     OTHER_NETWORK),
    ("environment_through_other_network", "POST",
     "/networks/{other_network}/resources/environments/{environment}/delete", OTHER_NETWORK),
]
WRONG_ID_CASES = [
    pytest.param(name, method, path, role, id=f"{name}-{role}")
    for name, method, path, roles in WRONG_IDS for role in roles
]


@pytest.mark.parametrize("name, method, path, role", WRONG_ID_CASES)
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    data = {**EDIT_FORM, **REPORT_FORM, **ENVIRONMENT_FORM}
    response = http.get(url) if method == "GET" else http.post(url, data=data)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        # Nothing in either network was touched.
        for model, key in ((SlideSet, "ks_set"), (SlideSet, "foreign_set"), (Report, "report"),
                           (Report, "foreign_report"), (CompetenceEnvironment, "environment"),
                           (CompetenceEnvironment, "foreign_environment")):
            assert db.session.get(model, ids[key]) is not None
        assert db.session.get(SlideSet, ids["foreign_set"]).title == "Annet sett"
        assert db.session.get(Report, ids["foreign_report"]).title == "Annen rapport"
        assert db.session.scalar(select(SlideSet.id).where(SlideSet.based_on_id == ids["foreign_set"])) is None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
