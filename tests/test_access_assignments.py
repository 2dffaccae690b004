"""The access matrix for assignments and submissions (see tests/test_access_matrix.py).

Hamar has a delivered submission (visible to the network), a draft, a delivered submission only
coordinators may read, and a delivered one whose due date has passed; Lillehammer has not started.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from network.assignments import services
from network.assignments.models import Assignment, AssignmentMethod, Submission, SubmissionAttachment, SubmissionStatus, Visibility
from network.auth.models import Person
from network.extensions import db
from network.networks.models import Membership, Network
from tests.conftest import built_once
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz
from tests.test_programme import pdf_bytes

N = "/networks/{network}"
A = N + "/assignments"
HAMAR_TEAM = frozenset({"participant", "contact", "executive"})
LILLEHAMMER_TEAM = frozenset({"other_contact"})

NEW_FORM = {"title": "Ny oppgave fra matrisen", "method": "C", "description": "", "given_after_id": "",
            "presented_at_id": "", "due_on": "2031-01-15", "visibility": "network", "grouping_id": ""}
EDIT_FORM = {**NEW_FORM, "title": "Endret i matrisen"}


def _assignment_titled(title):
    return lambda ids: db.session.scalar(select(Assignment.id).where(Assignment.title == title)) is not None


def _submission(ids, assignment_key, org_key="hamar_membership"):
    return db.session.scalar(select(Submission).where(
        Submission.assignment_id == ids[assignment_key], Submission.membership_id == ids[org_key]))


def _text_is(assignment_key, text, org_key="hamar_membership"):
    def check(ids):
        submission = _submission(ids, assignment_key, org_key)
        return submission is not None and submission.text == text
    return check


def _reopened(assignment_key):
    return lambda ids: _submission(ids, assignment_key).status is SubmissionStatus.DRAFT


def _delivered(assignment_key):
    return lambda ids: _submission(ids, assignment_key).status is SubmissionStatus.SUBMITTED


def _attachment_gone(ids):
    return db.session.get(SubmissionAttachment, ids["draft_attachment"]) is None


SUB = A + "/{%s}/municipalities/{%s}"
ROUTES = [
    Route("assignments", "assignments.index", "GET", A, MEMBERS),
    Route("new_assignment", "assignments.create", "GET", A + "/new", COORDINATORS),
    Route("new_assignment", "assignments.create", "POST", A + "/new", COORDINATORS, data=NEW_FORM,
          effect=_assignment_titled(NEW_FORM["title"])),
    Route("assignment", "assignments.show", "GET", A + "/{goals}", MEMBERS),
    Route("edit_assignment", "assignments.edit", "GET", A + "/{goals}/edit", COORDINATORS),
    Route("edit_assignment", "assignments.edit", "POST", A + "/{goals}/edit", COORDINATORS, data=EDIT_FORM,
          effect=_assignment_titled(EDIT_FORM["title"])),
    Route("delete_assignment", "assignments.delete", "POST", A + "/{doomed}/delete", COORDINATORS, data=CONFIRMED,
          effect=lambda ids: db.session.get(Assignment, ids["doomed"]) is None),
    Route("grid", "assignments.grid", "GET", A + "/grid", COORDINATORS),
    Route("grid_sorted", "assignments.grid", "GET", A + "/grid?sort=county&dir=desc", COORDINATORS),
    Route("grid_csv", "assignments.grid_csv", "GET", A + "/grid.csv", COORDINATORS),
    # The submission page: delivered, draft, coordinators only, not started.
    Route("submission_delivered", "assignments.submission", "GET", SUB % ("goals", "hamar"), MEMBERS),
    Route("submission_draft", "assignments.submission", "GET", SUB % ("plans", "hamar"), HAMAR_TEAM | COORDINATORS),
    Route("submission_coordinators_only", "assignments.submission", "GET", SUB % ("private", "hamar"),
          HAMAR_TEAM | COORDINATORS),
    Route("submission_not_started", "assignments.submission", "GET", SUB % ("goals", "lillehammer"),
          LILLEHAMMER_TEAM | COORDINATORS),
    Route("save_hamar_draft", "assignments.submission", "POST", SUB % ("plans", "hamar"), HAMAR_TEAM,
          data={"text": "Ny tekst fra matrisen", "version": "1", "action": "save"},
          effect=_text_is("plans", "Ny tekst fra matrisen")),
    Route("deliver_hamar_draft", "assignments.submission", "POST", SUB % ("plans", "hamar"), HAMAR_TEAM,
          data={"text": "Levert fra matrisen", "version": "1", "action": "submit", **CONFIRMED},
          effect=_delivered("plans")),
    Route("start_lillehammer", "assignments.submission", "POST", SUB % ("goals", "lillehammer"), LILLEHAMMER_TEAM,
          data={"text": "Lillehammers første tekst", "version": "", "action": "save"},
          effect=_text_is("goals", "Lillehammers første tekst", "lillehammer_membership")),
    Route("reopen_before_due", "assignments.reopen", "POST", SUB % ("goals", "hamar") + "/reopen",
          HAMAR_TEAM | COORDINATORS, effect=_reopened("goals")),
    Route("reopen_after_due", "assignments.reopen", "POST", SUB % ("old", "hamar") + "/reopen", COORDINATORS,
          effect=_reopened("old")),
    Route("remove_draft_attachment", "assignments.remove_attachment", "POST",
          SUB % ("plans", "hamar") + "/attachments/{draft_attachment}/delete", HAMAR_TEAM, data=CONFIRMED,
          effect=_attachment_gone),
    Route("download_draft_attachment", "assignments.download", "GET",
          SUB % ("plans", "hamar") + "/attachments/{draft_attachment}", HAMAR_TEAM | COORDINATORS),
    Route("download_delivered_attachment", "assignments.download", "GET",
          SUB % ("goals", "hamar") + "/attachments/{delivered_attachment}", MEMBERS),
]

FUTURE_DUE = date(2031, 3, 5)


def build_with_assignments(app, factory):
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other_network = db.session.get(Network, ids["other_network"])
    given = factory.gathering(network, 1, date(2030, 9, 10))
    presented = factory.gathering(network, 2, date(2031, 3, 12))
    with app.test_request_context():
        def assignment(title, due=FUTURE_DUE, visibility=Visibility.NETWORK, network_id=ids["network"]):
            row = Assignment(network_id=network_id, title=title, method=AssignmentMethod.A, due_on=due,
                             visibility=visibility, given_after_id=given.id if network_id == ids["network"] else None,
                             presented_at_id=presented.id if network_id == ids["network"] else None)
            db.session.add(row)
            db.session.flush()
            return row

        hamar = db.session.scalar(select(Membership).where(
            Membership.network_id == ids["network"], Membership.organisation_id == ids["hamar"]))
        lillehammer_id = db.session.scalar(select(Membership.id).where(
            Membership.network_id == ids["network"], Membership.organisation_id == ids["lillehammer"]))
        author = db.session.get(Person, people["participant"].id)
        now = datetime(2031, 1, 10, 12, tzinfo=timezone.utc)

        def submit(target, text, deliver, upload=None, when=now):
            return services.save_submission(target, hamar, text=text, expected_version=None, by=author, now=when,
                                            uploads=[services.Upload(upload, pdf_bytes())] if upload else [],
                                            deliver=deliver)

        goals, plans = assignment("Våre mål"), assignment("Planer")
        private, old = assignment("Bare for koordinatorene", visibility=Visibility.COORDINATORS), assignment("Gammel", date(2019, 9, 11))
        doomed = assignment("Slettes")
        other = assignment("Annet nettverk", network_id=ids["other_network"])
        delivered = submit(goals, "Hamars mål", True, "levert.pdf")
        draft = submit(plans, "Hamars utkast", False, "utkast.pdf")
        submit(private, "Bare for KS", True)
        submit(old, "Levert i 2019", True, when=datetime(2019, 9, 1, tzinfo=timezone.utc))
        db.session.commit()
        ids.update(goals=goals.id, plans=plans.id, private=private.id, old=old.id, doomed=doomed.id, other_assignment=other.id,
                   hamar_membership=hamar.id, lillehammer_membership=lillehammer_id,
                   delivered_attachment=delivered.attachments[0].id, draft_attachment=draft.attachments[0].id,
                   other_network_gathering=factory.gathering(other_network, 1, date(2030, 9, 10)).id)
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_assignments)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if expected == 200 and route.name == "submission_delivered":
        assert "Hamars mål" in response.get_data(as_text=True)


WRONG_IDS = [
    ("unknown_network", "GET", "/networks/999999/assignments"),
    ("unknown_assignment", "GET", A + "/999999"),
    ("unknown_assignment_edit", "POST", A + "/999999/edit"),
    ("other_networks_assignment", "GET", A + "/{other_assignment}"),
    ("other_networks_assignment_edit", "GET", A + "/{other_assignment}/edit"),
    ("other_networks_assignment_delete", "POST", A + "/{other_assignment}/delete"),
    ("other_networks_assignment_submission", "GET", SUB % ("other_assignment", "hamar")),
    ("non_member_municipality", "GET", SUB % ("goals", "ringsaker")),
    ("unknown_municipality", "POST", A + "/{goals}/municipalities/999999"),
    ("reopen_unstarted", "POST", SUB % ("goals", "lillehammer") + "/reopen"),
    ("attachment_of_another_submission", "GET", SUB % ("goals", "hamar") + "/attachments/{draft_attachment}"),
    ("remove_attachment_of_another_submission", "POST",
     SUB % ("goals", "hamar") + "/attachments/{draft_attachment}/delete"),
    ("unknown_attachment", "GET", SUB % ("goals", "hamar") + "/attachments/999999"),
]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
@pytest.mark.parametrize("name, method, path", WRONG_IDS, ids=[row[0] for row in WRONG_IDS])
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    response = http.get(url) if method == "GET" else http.post(url, data=EDIT_FORM)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        assert db.session.get(Assignment, ids["other_assignment"]).title == "Annet nettverk"
        assert db.session.get(SubmissionAttachment, ids["draft_attachment"]) is not None


def test_the_other_networks_coordinator_cannot_reach_this_networks_assignment_through_their_own(app, built, login):
    ids, people = built
    outsider = login(people["outsider"])
    for url in (f"/networks/{ids['other_network']}/assignments/{ids['goals']}",
                f"/networks/{ids['other_network']}/assignments/{ids['goals']}/municipalities/{ids['hamar']}"):
        response = outsider.get(url)
        assert response.status_code == 404
        assert "Hamars mål" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
