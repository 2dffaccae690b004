"""Reports and research, and the competence environments, over HTTP; and the resources page."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.networks.models import Network
from network.resources import services
from network.resources.models import CompetenceEnvironment, Report, ReportKind
from tests.factories import world
from tests.query_counter import count_queries
from tests.test_resources import field_error, input_value, main, plain, text, textarea_value


class Setting:
    def __init__(self, app, factory):
        self.app, self.factory = app, factory
        self.network, self.hamar, self.lillehammer, self.people = world(factory)
        self.base = f"/networks/{self.network.id}/resources"
        self.reports = self.base + "/reports"
        self.environments = self.base + "/environments"

    def add_report(self, title: str, **fields) -> int:
        with self.app.app_context():
            report = services.save_report(None, db.session.get(Network, self.network.id), title=title, **fields)
            db.session.commit()
            return report.id

    def add_environment(self, name: str, **fields) -> int:
        with self.app.app_context():
            environment = services.save_environment(None, db.session.get(Network, self.network.id), name=name, **fields)
            db.session.commit()
            return environment.id

    def report(self, report_id: int) -> dict | None:
        with self.app.app_context():
            found = db.session.get(Report, report_id)
            return None if found is None else {
                "title": found.title, "publisher": found.publisher, "year": found.year, "authors": found.authors,
                "kind": found.kind, "url": found.url}

    def environment(self, environment_id: int) -> dict | None:
        with self.app.app_context():
            found = db.session.get(CompetenceEnvironment, environment_id)
            return None if found is None else {"name": found.name, "offer": found.offer, "url": found.url}

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def setting(app, factory) -> Setting:
    return Setting(app, factory)


@pytest.fixture
def coordinator(setting, login):
    return login(setting.people["coordinator"])


def row_titles(response) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r'<th scope="row">(.*?)</th>', response.get_data(as_text=True), re.S)]


def add_reports(setting) -> None:
    setting.add_report("Eldres boligsituasjon", year=2016, kind=ReportKind.RESEARCH,
                       authors="Jardar Sørvoll, Hans Christian Sandlie, Viggo Nordvik og Lars Gulbrandsen")
    setting.add_report("Nomader på lavterskel?", publisher="Norce", year=2021, url="https://example.test/nomader")
    setting.add_report("Helhetlig boligplanlegging – hvilke elementer inngår?", publisher="NIBR", year=2015)
    setting.add_report("Åpne spørsmål", publisher="Asplan Viak", kind=ReportKind.GUIDE)


# --- reports: the list ------------------------------------------------------------------


def test_reports_are_newest_first_and_sort_by_title_and_publisher(setting, login):
    add_reports(setting)
    client = login(setting.people["observer"])
    response = client.get(setting.reports)
    assert row_titles(response) == ["Nomader på lavterskel?", "Eldres boligsituasjon",
                                    "Helhetlig boligplanlegging – hvilke elementer inngår?", "Åpne spørsmål"]
    assert 'aria-sort="descending"' in response.get_data(as_text=True)
    by_year = row_titles(client.get(setting.reports + "?sort=year&dir=asc"))
    assert by_year == ["Helhetlig boligplanlegging – hvilke elementer inngår?", "Eldres boligsituasjon",
                       "Nomader på lavterskel?", "Åpne spørsmål"]  # no year: last either way
    # Norwegian order: Å comes last.
    assert row_titles(client.get(setting.reports + "?sort=title")) == [
        "Eldres boligsituasjon", "Helhetlig boligplanlegging – hvilke elementer inngår?", "Nomader på lavterskel?",
        "Åpne spørsmål"]
    assert row_titles(client.get(setting.reports + "?sort=title&dir=desc"))[0] == "Åpne spørsmål"
    assert row_titles(client.get(setting.reports + "?sort=publisher")) == [
        "Åpne spørsmål", "Helhetlig boligplanlegging – hvilke elementer inngår?", "Nomader på lavterskel?",
        "Eldres boligsituasjon"]  # Asplan Viak, NIBR, Norce, then no publisher
    page = text(response)
    assert "4 publikasjoner." in page
    assert '<a class="ds-link" href="https://example.test/nomader" rel="noopener noreferrer">Nomader på lavterskel?</a>' in page


@pytest.mark.parametrize("query", ["?sort=drop+table&dir=sideways", "?kind=ukjent", "?sort=&dir="])
def test_unknown_sort_and_filter_values_fall_back(setting, login, query):
    add_reports(setting)
    response = login(setting.people["participant"]).get(setting.reports + query)
    assert response.status_code == 200
    assert len(row_titles(response)) == 4


def test_reports_filter_by_kind_and_keep_the_sort(setting, login):
    add_reports(setting)
    client = login(setting.people["participant"])
    response = client.get(setting.reports + "?kind=report&sort=title&dir=asc")
    assert row_titles(response) == ["Helhetlig boligplanlegging – hvilke elementer inngår?", "Nomader på lavterskel?"]
    assert "2 publikasjoner av typen rapport." in plain(response)
    assert 'option selected value="report"' in response.get_data(as_text=True)
    assert "kind=report" in response.get_data(as_text=True).split("<thead>")[1].split("</thead>")[0]
    empty = client.get(setting.reports + "?kind=article")
    assert "Ingen publikasjoner av typen artikkel." in text(empty)


def test_only_coordinators_see_the_controls(setting, login):
    add_reports(setting)
    assert "Legg til rapport" not in text(login(setting.people["contact"]).get(setting.reports))
    assert "Endre eller slett" not in text(login(setting.people["contact"]).get(setting.reports))
    page = text(login(setting.people["coordinator"]).get(setting.reports))
    assert "Legg til rapport" in page and "Last ned som CSV" in page and "Endre eller slett" in page


def test_coordinators_export_the_list_as_csv(setting, coordinator):
    add_reports(setting)
    setting.add_report("=HYPERLINK(\"http://evil.test\")", year=2000)
    response = coordinator.get(setting.reports + ".csv?sort=title&kind=report")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=rapporter-nettverk-{setting.network.id}.csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Tittel", "Utgiver", "År", "Forfattere", "Type", "Lenke"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil.test\")", "", "2000", "", "Rapport", ""]  # not run as a formula
    assert rows[3] == ["Nomader på lavterskel?", "Norce", "2021", "", "Rapport", "https://example.test/nomader"]
    assert len(rows) == 4


# --- reports: adding, changing, deleting ------------------------------------------------


REPORT_FORM = {"title": "Mobilitet blant eldre på boligmarkedet", "publisher": "NOVA", "year": "2020",
               "authors": "Sørvoll (red.) m.fl.", "kind": "research", "url": "https://example.test/mobilitet"}


def test_coordinator_adds_a_report(setting, coordinator):
    response = coordinator.post(setting.reports + "/new", data=REPORT_FORM)
    assert response.status_code == 302
    with setting.app.app_context():
        report_id = db.session.scalar(select(Report.id))
    assert response.location.endswith(f"/resources/reports#report-{report_id}")
    assert setting.report(report_id) == {"title": REPORT_FORM["title"], "publisher": "NOVA", "year": 2020,
                                         "authors": "Sørvoll (red.) m.fl.", "kind": ReportKind.RESEARCH,
                                         "url": "https://example.test/mobilitet"}
    assert "«Mobilitet blant eldre på boligmarkedet» er lagt til." in text(coordinator.get(response.location))


def test_only_the_title_is_needed(setting, coordinator):
    response = coordinator.post(setting.reports + "/new", data={"title": "  Et notat  ", "kind": "other"})
    assert response.status_code == 302
    with setting.app.app_context():
        report = db.session.scalar(select(Report))
        assert (report.title, report.year, report.url, report.publisher) == ("Et notat", None, None, "")


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "Skriv tittelen på rapporten."),
    ({"title": "   "}, "title", "Skriv tittelen på rapporten."),
    ({"title": "x" * 301}, "title", "Tittelen kan være høyst 300 tegn."),
    ({"publisher": "p" * 201}, "publisher", "Utgiveren kan være høyst 200 tegn."),
    ({"authors": "a" * 301}, "authors", "Forfatterfeltet kan være høyst 300 tegn."),
    ({"year": "tjue-tjue"}, "year", "Skriv årstallet med fire sifre, for eksempel 2019."),
    ({"year": "20"}, "year", "Skriv årstallet med fire sifre, for eksempel 2019."),
    ({"year": "1899"}, "year", "Årstallet må være mellom 1900 og 2100."),
    ({"year": "2101"}, "year", "Årstallet må være mellom 1900 og 2100."),
    ({"kind": "podcast"}, "kind", "Velg hva slags publikasjon det er."),
    ({"url": "javascript:alert(1)"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "JaVaScRiPt:alert(1)"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "data:text/html,<script>alert(1)</script>"}, "url", "Skriv en fullstendig lenke"),
    ({"url": "ftp://example.test/fil"}, "url", "Skriv en fullstendig lenke"),
    ({"url": "www.nova.no"}, "url", "Skriv en fullstendig lenke"),
    ({"url": "https://"}, "url", "Skriv en fullstendig lenke"),
    ({"url": "https://example.test/" + "a" * 500}, "url", "Lenken kan være høyst 500 tegn."),
])
def test_bad_report_input_is_shown_kept_and_nothing_saved(setting, coordinator, changes, field, message):
    data = {**REPORT_FORM, **changes}
    response = coordinator.post(setting.reports + "/new", data=data)
    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    for name in ("title", "publisher", "year", "authors", "url"):
        assert input_value(response, name) == data[name].strip(), name  # spaces around are no part of it
    assert setting.count(Report) == 0


def test_coordinator_edits_a_report_and_bad_edits_change_nothing(setting, coordinator):
    report_id = setting.add_report("Gammel tittel", year=2014, publisher="NIBR")
    form = coordinator.get(f"{setting.reports}/{report_id}/edit")
    assert input_value(form, "title") == "Gammel tittel" and input_value(form, "year") == "2014"
    assert 'option selected value="report"' in form.get_data(as_text=True)
    response = coordinator.post(f"{setting.reports}/{report_id}/edit", data={**REPORT_FORM, "year": "3000"})
    assert response.status_code == 422
    assert setting.report(report_id)["title"] == "Gammel tittel"
    response = coordinator.post(f"{setting.reports}/{report_id}/edit", data={**REPORT_FORM, "url": ""})
    assert response.status_code == 302
    assert setting.report(report_id)["title"] == REPORT_FORM["title"] and setting.report(report_id)["url"] is None


def test_coordinator_deletes_a_report(setting, coordinator):
    report_id = setting.add_report("Skal bort")
    response = coordinator.post(f"{setting.reports}/{report_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    assert setting.report(report_id) is None
    assert "«Skal bort» er slettet fra listen." in text(coordinator.get(response.location))


def test_report_text_and_stored_bad_addresses_are_neutralised(setting, login):
    setting.add_report("<script>alert('rapport')</script>", authors="<b>fet</b>")
    report_id = setting.add_report("Gammel lenke")
    with setting.app.app_context():
        # An address that got in some other way than the form is shown as text, never as a link.
        db.session.get(Report, report_id).url = "javascript:alert('lagret')"
        db.session.commit()
    for url in (setting.reports, setting.base):
        page = login(setting.people["participant"]).get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "javascript:" not in page and "<b>" not in page
        assert "Gammel lenke" in page


# --- competence environments ------------------------------------------------------------


ENVIRONMENT_FORM = {"name": "Distriktssenteret", "offer": "Kunnskap om **stedsutvikling**.",
                    "url": "https://distriktssenteret.no/"}


def test_members_see_the_directory_in_norwegian_order(setting, login):
    setting.add_environment("Østlandsforskning", offer="Regional forskning.")
    setting.add_environment("NOVA", offer="Forskning om *bolig*.", url="https://example.test/nova")
    setting.add_environment("Bylivsenteret")
    response = login(setting.people["observer"]).get(setting.environments)
    names = re.findall(r'<h2 class="ds-heading" data-size="xs">([^<]+)</h2>', main(response))
    assert names == ["Bylivsenteret", "NOVA", "Østlandsforskning"]
    page = main(response)
    assert "Forskning om <em>bolig</em>." in page
    assert 'href="https://example.test/nova"' in page
    assert "Endre eller slett" not in page and "Legg til kompetansemiljø" not in page


def test_coordinator_adds_an_environment(setting, coordinator):
    response = coordinator.post(setting.environments + "/new", data=ENVIRONMENT_FORM)
    assert response.status_code == 302
    with setting.app.app_context():
        environment_id = db.session.scalar(select(CompetenceEnvironment.id))
    assert response.location.endswith(f"/resources/environments#environment-{environment_id}")
    assert setting.environment(environment_id) == {"name": "Distriktssenteret", "offer": "Kunnskap om **stedsutvikling**.",
                                                   "url": "https://distriktssenteret.no/"}
    page = text(coordinator.get(response.location))
    assert "«Distriktssenteret» er lagt til." in page and "Endre eller slett" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Skriv navnet på kompetansemiljøet."),
    ({"name": "n" * 201}, "name", "Navnet kan være høyst 200 tegn."),
    ({"offer": "o" * 2001}, "offer", "Beskrivelsen kan være høyst 2000 tegn."),
    ({"url": "javascript:alert(1)"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "distriktssenteret.no"}, "url", "Skriv en fullstendig lenke"),
    ({"name": "distriktssenteret"}, "name", "«Distriktssenteret» står allerede i oversikten over kompetansemiljøer."),
    ({"name": " DISTRIKTSSENTERET "}, "name", "«Distriktssenteret» står allerede i oversikten over kompetansemiljøer."),
])
def test_bad_environment_input_is_shown_kept_and_nothing_saved(setting, coordinator, changes, field, message):
    setting.add_environment("Distriktssenteret")
    data = {**ENVIRONMENT_FORM, "name": "Bylivsenteret", **changes}
    response = coordinator.post(setting.environments + "/new", data=data)
    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    assert input_value(response, "name") == data["name"].strip()
    assert textarea_value(response, "offer") == data["offer"]
    assert input_value(response, "url") == data["url"]
    assert setting.count(CompetenceEnvironment) == 1


def test_renaming_to_another_environments_name_is_refused_but_keeping_ones_own_is_fine(setting, coordinator):
    setting.add_environment("NOVA")
    environment_id = setting.add_environment("Bylivsenteret")
    url = f"{setting.environments}/{environment_id}/edit"
    response = coordinator.post(url, data={"name": "Nova", "offer": "", "url": ""})
    assert response.status_code == 422
    assert field_error(response, "name") == "«NOVA» står allerede i oversikten over kompetansemiljøer."
    assert setting.environment(environment_id)["name"] == "Bylivsenteret"
    response = coordinator.post(url, data={"name": "Bylivsenteret", "offer": "Nytt tilbud.", "url": ""})
    assert response.status_code == 302
    assert setting.environment(environment_id) == {"name": "Bylivsenteret", "offer": "Nytt tilbud.", "url": None}


def test_coordinator_deletes_an_environment(setting, coordinator):
    environment_id = setting.add_environment("Skal bort")
    response = coordinator.post(f"{setting.environments}/{environment_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    assert setting.environment(environment_id) is None
    assert "«Skal bort» er slettet fra oversikten." in text(coordinator.get(response.location))


def test_offers_and_stored_bad_addresses_are_neutralised(setting, login):
    setting.add_environment("<script>alert('navn')</script>",
                            offer="<script>alert('tilbud')</script> [Mer](javascript:alert('x'))")
    environment_id = setting.add_environment("Gammel lenke")
    with setting.app.app_context():
        db.session.get(CompetenceEnvironment, environment_id).url = "javascript:alert('lagret')"
        db.session.commit()
    for url in (setting.environments, setting.base):
        page = login(setting.people["participant"]).get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "javascript:" not in page
    page = login(setting.people["participant"]).get(setting.environments).get_data(as_text=True)
    assert "Gå til nettstedet" not in page
    assert "&lt;script&gt;alert(&#39;navn&#39;)&lt;/script&gt;" in page


# --- the resources page -----------------------------------------------------------------


def test_resources_page_has_the_three_sections(setting, login):
    add_reports(setting)
    setting.add_environment("NOVA")
    member = plain(login(setting.people["participant"]).get(setting.base))
    for expected in ("Lysark med manus", "Ingen lysarksett er lagt ut ennå.", "Rapporter og forskning",
                     "Listen har 4 publikasjoner. Her er de nyeste:", "Nomader på lavterskel? Norce, 2021",
                     "Kompetansemiljøer", "NOVA", "Se hva kompetansemiljøene tilbyr"):
        assert expected in member, expected
    for control in ("Nytt lysarksett", "Legg til rapport", "Legg til kompetansemiljø"):
        assert control not in member
    coordinator = plain(login(setting.people["coordinator"]).get(setting.base))
    for control in ("Nytt lysarksett", "Legg til rapport", "Legg til kompetansemiljø"):
        assert control in coordinator


def test_the_resources_page_shows_the_five_newest_reports(setting, login):
    for year in range(2010, 2018):
        setting.add_report(f"Rapport fra {year}", year=year)
    page = plain(login(setting.people["participant"]).get(setting.base))
    assert "Listen har 8 publikasjoner." in page
    assert all(f"Rapport fra {year}" in page for year in range(2013, 2018))
    assert "Rapport fra 2012" not in page


def test_list_pages_query_count_does_not_grow(setting, login):
    client = login(setting.people["participant"])
    setting.add_report("Første", year=2001)
    setting.add_environment("Første")
    urls = (setting.base, setting.reports, setting.environments)
    few = []
    for url in urls:
        with count_queries(setting.app) as statements:
            assert client.get(url).status_code == 200
        few.append(len(statements))
    for n in range(12):
        setting.add_report(f"Rapport {n}", year=2002 + n, publisher=f"Utgiver {n}", url="https://example.test/")
        setting.add_environment(f"Miljø {n}", url="https://example.test/")
    for url, expected in zip(urls, few):
        with count_queries(setting.app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == expected, url
