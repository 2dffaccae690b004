"""Everything a coordinator can export, downloaded before and after one person answers an
evaluation and sends anonymous feedback with an attachment: the only differences are the new
response, the new feedback (and its file), and counts. Nothing in any difference holds the person's
id, name or e-mail address, or a time of day.

Diffing two downloads is the attack this guards against: if anything besides the anonymous rows
changed (a flag on the person's invitation, a row that moved among named ones, a timestamp), it
would point at who answered or when. The exports are listed in ``EXPORTS``;
``test_every_export_route_is_covered`` fails when a route that looks like an export (a file name
ending .csv, .xlsx, .zip, .ics or .json, or a choice of format) is in neither ``EXPORTS`` nor
``NOT_EXPORTS``. The pages coordinators read (results, comparison, dashboard, inbox, the gathering
and its registrations) are compared too, as text.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from html import unescape

from openpyxl import load_workbook
from pypdf import PdfWriter
from sqlalchemy import select

from network.auth.models import Person
from network.calendar import services as calendar_services
from network.evaluations.models import QuestionKind
from network.evaluations.services import questions_for
from network.extensions import db
from network.feedback.models import Feedback
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.networks.models import NetworkRole, RoleKind
from tests.api_helpers import api_client
from tests.evaluation_helpers import VALID, add_question, hold, invite_and_answer, setup
from tests.html import error_summary

# The person who answers: an id no other number in the exports comes near, so that finding it
# anywhere in a difference means it is there.
PERSON_ID = 987_654
PERSON_NAME, PERSON_EMAIL = "Pia Personlig", "pia.personlig@hamar.example.test"
# Text only the new response and the new feedback contain.
ANSWER_MARK, FEEDBACK_MARK = "Svarmerke-7Q", "Tilbakemeldingsmerke-9Z"


def pdf_with_author() -> bytes:
    """What people send: a PDF whose information dictionary names its author and the time it was made."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": PERSON_NAME, "/Creator": PERSON_EMAIL, "/CreationDate": "D:20261207101500+01'00'"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# 14:30, 14:30:05, kl. 14.30 (Norwegian), 2019-09-18T14:30 (ISO); not 4.25, an average.
TIME_OF_DAY = re.compile(r"(?<![\d.,])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d.,])|kl\.?\s*\d{1,2}[.:]\d\d|T\d\d:\d\d")

N = "/networks/{network}"
G = N + "/gatherings/{gathering}"
# Endpoint → the URLs a coordinator downloads from it.
EXPORTS = {
    "archive.download": [N + "/archive.zip"],
    "networks.members_csv": [N + "/members.csv"],
    "calendar.gathering_file": [G + "/calendar.ics"],
    "calendar.feed": ["/calendar/{token}.ics"],
    "costs.invoice_basis": [N + "/costs/invoice-basis.csv", N + "/costs/invoice-basis.xlsx"],
    "costs.gathering_invoice_basis": [G + "/invoice-basis.csv", G + "/invoice-basis.xlsx"],
    "growth.overview_csv": [N + "/growth.csv"],
    "challenges.matrix_csv": [N + "/challenges/matrix.csv"],
    "planning.comparison_csv": [N + "/planning.csv"],
    "assignments.grid_csv": [N + "/assignments/grid.csv"],
    "resources.reports_csv": [N + "/resources/reports.csv"],
    "feedback.inbox_csv": [N + "/feedback.csv" + query for query in (
        "", "?sort=received&dir=asc", "?sort=topic", "?sort=topic&dir=desc", "?sort=status", "?sort=status&dir=desc",
        "?sort=sender", "?sort=sender&dir=desc")],
    "evaluations.results_csv": [G + "/evaluation/results.csv"],
    "evaluations.results_xlsx": [G + "/evaluation/results.xlsx"],
    "evaluations.compare_csv": [N + "/evaluations.csv"],
    "dashboard.participation_csv": [N + "/dashboard/participation.csv"],
}
# The API's responses (network/api), read with the coordinator's token: every route that gives a
# network's data. Assignment ids are not in the world, so the assignment routes read the empty list.
A = "/api/v1" + N
API_EXPORTS = {
    "api.networks_list": ["/api/v1/networks"], "api.network_show": [A], "api.network_members": [A + "/members"],
    "api.gatherings_list": [A + "/gatherings"], "api.gathering_show": [A + "/gatherings/{gathering}"],
    "api.gathering_programme": [A + "/gatherings/{gathering}/programme"],
    "api.gathering_registrations": [A + "/gatherings/{gathering}/registrations"],
    "api.costs_show": [A + "/costs"], "api.invoice_basis_list": [A + "/invoice-basis"],
    "api.challenges_list": [A + "/challenges"], "api.planning_show": [A + "/planning"],
    "api.list_assignments": [A + "/assignments"], "api.list_evaluations": [A + "/evaluations"],
    "api.get_dashboard": [A + "/dashboard"],
}
# API routes that give no network's data, or only one object of a list read above.
API_NOT_EXPORTS = {
    "api.docs": "the API's documentation page", "api.openapi_json": "the API's description",
    "api.me": "the token's own person",
    "api.challenge_show": "one challenge of the list read above",
    "api.get_assignment": "one assignment of the list read above (the world has none)",
    "api.assignment_status": "one assignment's status grid (the world has none; tests/test_api_work.py reads it)",
}
NOT_EXPORTS = {
    "programme.download": "an uploaded material, as it was uploaded",
    "assignments.download": "an uploaded attachment to a submission, as it was uploaded",
    "resources.download_slide_set": "an uploaded slide set, as it was uploaded",
    "feedback.attachment": "a file sent with feedback: the new one is checked in the main test",
    "main.designsystem": "the design system's CSS",
    # These change with every download by design, and hold nothing of anyone else's answers or feedback.
    "privacy.my_data_json": "the signed-in person's own data, with the log of their own downloads",
    "privacy.my_data_zip": "the signed-in person's own data, with the log of their own downloads",
    "privacy.export_log": "the administrators' log of who downloaded personal data, and when",
    "api.openapi_json": "the API's description (routes and field names, no data); its data routes are "
                        "checked in tests/test_access_api.py",
}
PAGES = [G + "/evaluation/results", N + "/evaluations", N + "/dashboard", N + "/feedback", G, G + "/registrations",
         N + "/archive", "/me"]


def _looks_like_export(rule) -> bool:
    return bool(re.search(r"\.(csv|xlsx|zip|ics|json)$", rule.rule) or "<any(" in rule.rule
                or re.search(r"[._](download|attachment|file|export)", rule.endpoint))  # not "profile"


def test_every_api_route_is_read_or_left_out_on_purpose(app):
    found = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert found == set(API_EXPORTS) | set(API_NOT_EXPORTS)


def test_every_export_route_is_covered(app):
    found = {rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and _looks_like_export(rule)}
    missing = found - set(EXPORTS) - set(NOT_EXPORTS)
    assert not missing, f"Export routes that tests/test_anonymity_exports.py does not download: {sorted(missing)}"
    assert {"archive.download", "evaluations.results_xlsx", "feedback.inbox_csv"} <= found


# --- the network --------------------------------------------------------------------------


@dataclass
class World:
    network: int
    gathering: int
    token: str
    coordinator: Person
    person: Person
    api_headers: dict

    def api_urls(self) -> list[str]:
        return [url.format(network=self.network, gathering=self.gathering) for urls in API_EXPORTS.values() for url in urls]

    def urls(self, app) -> list[str]:
        endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
        return [url.format(network=self.network, gathering=self.gathering, token=self.token)
                for endpoint, urls in EXPORTS.items() if endpoint in endpoints for url in urls]

    def pages(self) -> list[str]:
        return [url.format(network=self.network, gathering=self.gathering) for url in PAGES]


def build(app, factory, login) -> World:
    """A held gathering with three earlier answers, named and anonymous feedback whose mails carry
    their times, and the person who will answer: registered, invited, in every list of people."""
    s = setup(app, factory)
    with app.app_context():
        network = s.network_id
        hamar = db.session.get(Person, s.people["participant"].id).organisation_id
        person = Person(id=PERSON_ID, name=PERSON_NAME, email=PERSON_EMAIL, organisation_id=hamar)
        db.session.add_all([person, NetworkRole(network_id=network, person=person, role=RoleKind.PARTICIPANT),
                            Registration(gathering_id=s.gathering_id, person=person, status=RegistrationStatus.ATTENDED,
                                         diet="Vegetar")])
        coordinator = db.session.get(Person, s.people["coordinator"].id)
        token = calendar_services.renew_token(coordinator)
        db.session.commit()
        person = db.session.get(Person, PERSON_ID)
    rating = add_question(app, s.gathering_id, "Hvor nyttig var gruppearbeidet?")
    free = add_question(app, s.gathering_id, "Hva vil du ta opp neste gang?", QuestionKind.TEXT)
    hold(login(s.people["coordinator"]), s)
    invite_and_answer(app, network, s.gathering_id, [
        {**VALID, "relevance": "5", f"question_{rating}": "4", f"question_{free}": "Tomter"},
        {**VALID, "best": "Innleggene", "improve": ""},
        {**VALID, "usefulness": "2", "best": "", f"question_{rating}": "2"},
    ])
    for who, anonymous in (("contact", False), ("other_contact", True), ("executive", False)):
        response = login(s.people[who]).post(f"/networks/{network}/feedback/new", data={
            "topic": "network", "works": f"Tidligere tilbakemelding fra {who}.",
            **({"anonymous": "y"} if anonymous else {})})
        assert response.status_code == 302
    _client, api_headers = api_client(app, s.people["coordinator"])
    return World(network, s.gathering_id, token, s.people["coordinator"], person, api_headers)


# --- reading the downloads as records -----------------------------------------------------


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _csv_records(text: str, prefix: str) -> list[str]:
    return [prefix + "|".join(row) for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")]


def _json_records(value, prefix: str) -> list[str]:
    """Each record in a list is one line (with what is nested in it); other values one line per key."""
    if isinstance(value, list):
        return [prefix + json.dumps(item, sort_keys=True, ensure_ascii=False) for item in value]
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            lines += _json_records(item, f"{prefix}{key}.") if isinstance(item, (dict, list)) \
                else [f"{prefix}{key}={json.dumps(item, ensure_ascii=False)}"]
        return lines
    return [prefix + json.dumps(value, ensure_ascii=False)]


def _leaf_records(value, prefix: str = "") -> list[str]:
    """An API response as one line per value (path=value), so a changed count or mean is a changed line."""
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in _leaf_records(item, f"{prefix}{key}.")]
    if isinstance(value, list):
        return [line for index, item in enumerate(value) for line in _leaf_records(item, f"{prefix}{index}.")]
    return [f"{prefix[:-1]}={json.dumps(value, ensure_ascii=False)}"]


def _zip_records(data: bytes, prefix: str) -> list[str]:
    lines = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            body = archive.read(name)
            if name == "manifest.json":
                manifest = json.loads(body)
                manifest.pop("exported_at", None)  # when this download was made, the same for any download then
                manifest.pop("files", None)        # each file's sha256: the files themselves are compared
                lines += _json_records(manifest, f"{prefix}{name}:")
            elif name.endswith(".json"):
                lines += _json_records(json.loads(body), f"{prefix}{name}:")
            elif name.endswith(".csv"):
                lines += _csv_records(body.decode("utf-8"), f"{prefix}{name}:")
            else:
                lines.append(f"{prefix}{name}:file:{body.decode('latin-1')}")
    return lines


def records(url: str, response) -> list[str]:
    assert response.status_code == 200, (url, response.status_code)
    data = response.data
    path = url.split("?")[0]
    if path.endswith(".csv"):
        return _csv_records(data.decode("utf-8"), "")
    if path.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(data))
        return [f"{sheet.title}:" + "|".join(_cell(v) for v in row)
                for sheet in workbook for row in sheet.iter_rows(values_only=True)]
    if path.endswith(".zip"):
        return _zip_records(data, "")
    if path.endswith(".json"):
        return _json_records(json.loads(data), "")
    if path.endswith(".ics"):
        # DTSTAMP is when the file was made (RFC 5545): the moment of download, not of anything in it.
        text = data.decode("utf-8").replace("\r\n ", "")
        return [line for line in text.splitlines() if not line.startswith("DTSTAMP")]
    raise AssertionError(f"unknown export {url}")


def page_lines(response) -> list[str]:
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    html = html.split("<main", 1)[-1].split("</main>", 1)[0]
    text = unescape(re.sub(r"<[^>]+>", "\n", html))
    return [line.strip() for line in text.splitlines() if line.strip()]


def download(http, world: World, app) -> dict[str, list[str]]:
    found = {url: records(url, http.get(url)) for url in world.urls(app)}
    found.update({url: page_lines(http.get(url)) for url in world.pages()})
    for url in world.api_urls():
        response = http.get(url, headers=world.api_headers)
        assert response.status_code == 200, (url, response.status_code)
        found[url] = _leaf_records(response.get_json())
    return found


# --- comparing ----------------------------------------------------------------------------

# A number, or null where an aggregate (a mean) had no value before.
NUMBER = re.compile(r"\"?\d+(?:[.,]\d+)?\"?|\bnull\b")


def difference(before: list[str], after: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(changed, added, removed): a removed line and an added line that differ only in their
    numbers are a changed count; the rest are lines added or removed."""
    old, new = Counter(before), Counter(after)
    removed, added = list((old - new).elements()), list((new - old).elements())
    changed = []
    for line in list(removed):
        shape = NUMBER.sub("#", line)
        partner = next((other for other in added if NUMBER.sub("#", other) == shape), None)
        if partner is not None:
            changed.append((line, partner))
            removed.remove(line)
            added.remove(partner)
    return changed, added, removed


def traces(text: str) -> list[str]:
    found = [trace for trace in (str(PERSON_ID), PERSON_NAME, PERSON_EMAIL, PERSON_NAME.split()[1]) if trace in text]
    return found + TIME_OF_DAY.findall(text)


def test_one_answer_and_one_anonymous_feedback_change_only_their_own_rows(app, factory, login):
    world = build(app, factory, login)
    coordinator = login(world.coordinator)
    before = download(coordinator, world, app)
    # Downloading again changes nothing: whatever differs later is the person's doing.
    assert download(coordinator, world, app) == before
    everywhere = "\n".join(line for lines in before.values() for line in lines)
    assert PERSON_NAME in everywhere and PERSON_EMAIL in everywhere  # the person is in the exports, by name

    person = login(world.person)
    with app.app_context():
        rating, free = (question.id for question in questions_for(db.session.get(Gathering, world.gathering)))
    answered = person.post(f"/networks/{world.network}/gatherings/{world.gathering}/evaluation", data={
        **VALID, "best": ANSWER_MARK, "improve": "", f"question_{rating}": "3", f"question_{free}": ANSWER_MARK})
    assert answered.status_code == 302
    sent = person.post(f"/networks/{world.network}/feedback/new", data={
        "topic": "gathering", "gathering_id": str(world.gathering), "does_not_work": FEEDBACK_MARK, "anonymous": "y",
        "attachment": (io.BytesIO(pdf_with_author()), "innspill.pdf")}, content_type="multipart/form-data")
    # On to the receipt page, which shows nothing of anonymous feedback (tests/test_safe_actions.py).
    assert sent.status_code == 302, error_summary(sent)

    after = download(coordinator, world, app)
    assert set(after) == set(before)
    new_rows: Counter = Counter()
    for url in before:
        changed, added, removed = difference(before[url], after[url])
        assert not removed, (url, removed)
        is_page = url in world.pages()
        for line in added:
            # An export's new lines are the new rows themselves (a page may show a new row over several lines).
            if not is_page:
                assert ANSWER_MARK in line or FEEDBACK_MARK in line or ":file:" in line, (url, line)
                new_rows[url] += 1
            assert not traces(line), (url, traces(line), line)
        for old, new in changed:
            assert not traces(old) and not traces(new), (url, old, new)

    # The evaluation's exports gain the one response, the inbox's CSVs the one item, the archive both
    # and the file; the exports that list neither stay as they were.
    g, n = f"/networks/{world.network}/gatherings/{world.gathering}", f"/networks/{world.network}"
    assert new_rows[g + "/evaluation/results.csv"] == 1 and new_rows[g + "/evaluation/results.xlsx"] == 1
    assert all(new_rows[url] == 1 for url in after if url.startswith(n + "/feedback.csv"))
    # evaluations.json and csv/evaluations.csv; feedback.json, csv/feedback.csv and the file
    assert new_rows[n + "/archive.zip"] == 5
    listed = {url for url in after if "evaluation/results" in url or "feedback.csv" in url or "archive.zip" in url}
    assert {url for url, count in new_rows.items() if count} == {url for url in listed if url.split("?")[0].endswith(
        (".csv", ".xlsx", ".zip"))}

    # The file sent with the feedback: neither its name nor its headers say who or when.
    with app.app_context():
        feedback = db.session.scalar(select(Feedback).where(Feedback.does_not_work == FEEDBACK_MARK))
        attachment_id = feedback.attachments[0].id
        feedback_id = feedback.id
    download_response = coordinator.get(f"{n}/feedback/{feedback_id}/attachments/{attachment_id}")
    assert download_response.status_code == 200
    headers = "\n".join(f"{key}: {value}" for key, value in download_response.headers.items()
                         if key not in ("Date", "Expires"))  # the time of this download
    assert not traces(headers) and "Last-Modified" not in download_response.headers, headers
    assert not [trace for trace in traces(download_response.data.decode("latin-1")) if not TIME_OF_DAY.match(trace)]
