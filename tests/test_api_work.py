"""The API's assignments, submission status grid, evaluation results and dashboard: what each
role gets, in a deterministic order, without a draft's text, an individual answer or a feedback
sender; and a fixed number of queries whatever the size of the network."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select

from network.assignments.models import Assignment, AssignmentMethod, Submission, SubmissionStatus, Visibility
from network.auth.models import Person
from network.evaluations.models import (
    EvaluationAnswer, EvaluationInvitation, EvaluationQuestion, EvaluationResponse, QuestionKind,
)
from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from tests.api_helpers import api_client
from tests.conftest import built_once
from tests.factories import world
from tests.query_counter import count_queries

DRAFT_TEXT = "Hemmelig utkast fra Hamar"
DELIVERED_TEXT = "Levert tekst fra Lillehammer"
FREE_TEXT = "Fritekst som aldri skal ut"
ANONYMOUS_NAME = "Anne Anonym"
DELIVERED_AT = datetime(2019, 9, 2, 8, 30, tzinfo=timezone.utc)
SECRETS = (DRAFT_TEXT, DELIVERED_TEXT, FREE_TEXT, ANONYMOUS_NAME)


def _submission(assignment, membership, status, text, late=False):
    db.session.add(Submission(assignment=assignment, membership=membership, status=status, text=text, is_late=late,
                              submitted_at=DELIVERED_AT if status is SubmissionStatus.SUBMITTED else None))


def build_work(app, factory):
    """Hamar and Lillehammer. Gathering 1 is held with four answers (relevance 4, 4, 4, 5: a mean
    of 4.25, which is "4.3" rounded half up) and two rated questions of the coordinators' (three
    rated one, one rated the other); gathering 2 is held with one answer (withheld); gathering 3
    is planned.
    Assignment "Mål" (network visibility, due first): Hamar has a draft, Lillehammer delivered late.
    Assignment "Planer" (coordinators only): Lillehammer delivered. Feedback: one anonymous, one named."""
    network, hamar, lillehammer, people = world(factory)
    g1 = factory.gathering(network, 1, date(2019, 4, 10), title="Oppstart", status=GatheringStatus.HELD)
    g2 = factory.gathering(network, 2, date(2019, 9, 11), title="Planer", status=GatheringStatus.HELD)
    factory.gathering(network, 3, date(2031, 11, 20), title="Avslutning", status=GatheringStatus.PLANNED)
    with app.app_context():
        memberships = {m.organisation_id: m for m in db.session.scalars(
            select(Membership).where(Membership.network_id == network.id))}
        hamar_m, lillehammer_m = memberships[hamar.id], memberships[lillehammer.id]
        goals = Assignment(network_id=network.id, title="Mål", method=AssignmentMethod.A, due_on=date(2019, 8, 30),
                           given_after_id=g1.id, presented_at_id=g2.id, visibility=Visibility.NETWORK)
        plans = Assignment(network_id=network.id, title="Planer", method=AssignmentMethod.B, due_on=date(2019, 10, 1),
                           visibility=Visibility.COORDINATORS)
        db.session.add_all([goals, plans])
        _submission(goals, hamar_m, SubmissionStatus.DRAFT, DRAFT_TEXT)
        _submission(goals, lillehammer_m, SubmissionStatus.SUBMITTED, DELIVERED_TEXT, late=True)
        _submission(plans, lillehammer_m, SubmissionStatus.SUBMITTED, DELIVERED_TEXT)
        question = EvaluationQuestion(gathering_id=g1.id, position=0, text="Hvor nyttig var gruppearbeidet?",
                                      kind=QuestionKind.RATING)
        db.session.add(EvaluationQuestion(gathering_id=g1.id, position=1, text="Hva savnet du?", kind=QuestionKind.TEXT))
        rarely = EvaluationQuestion(gathering_id=g1.id, position=2, text="Hvor godt var lunsjen?", kind=QuestionKind.RATING)
        db.session.add_all([question, rarely])
        for n, relevance in enumerate((4, 4, 4, 5)):
            response = EvaluationResponse(gathering_id=g1.id, relevance=relevance, usefulness=3, organisation=2 + n % 2,
                                          best=FREE_TEXT, improve=FREE_TEXT)
            response.answers.append(EvaluationAnswer(question=question, rating=5 if n else None))
            if n == 0:
                response.answers.append(EvaluationAnswer(question=rarely, rating=1))
            db.session.add(response)
        db.session.add(EvaluationResponse(gathering_id=g2.id, relevance=1, usefulness=1, organisation=1, best=FREE_TEXT))
        for key in ("participant", "contact", "executive", "other_contact", "observer"):
            db.session.add(EvaluationInvitation(gathering_id=g1.id, person_id=people[key].id, answered=True))
        db.session.add(Feedback(network_id=network.id, topic=FeedbackTopic.OTHER, works="Bra", anonymous=True,
                                status=FeedbackStatus.NEW))
        db.session.add(Feedback(network_id=network.id, topic=FeedbackTopic.OTHER, works="Bra", anonymous=False,
                                status=FeedbackStatus.READ, sender_name=ANONYMOUS_NAME, sender_email="anne@example.test"))
        db.session.commit()
        ids = {"network": network.id, "goals": goals.id, "plans": plans.id, "g1": g1.id, "g2": g2.id,
               "question": question.id, "rarely": rarely.id, "hamar": hamar.id, "lillehammer": lillehammer.id}
    return ids, people


built = built_once(build_work)


def get(app, person, path, network=None):
    client, headers = api_client(app, person, network)
    response = client.get("/api/v1" + path, headers=headers)
    body = response.get_data(as_text=True)
    for secret in SECRETS[:3]:
        assert secret not in body
    return response


# --- assignments ------------------------------------------------------------------------


def test_members_list_the_assignments_by_due_date_and_filter_them(app, built):
    ids, people = built
    response = get(app, people["participant"], f"/networks/{ids['network']}/assignments")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 2 and [a["title"] for a in body["items"]] == ["Mål", "Planer"]
    assert body["items"][0] == {"id": ids["goals"], "title": "Mål", "method": "A", "given_after": 1, "presented_at": 2,
                                "due_on": "2019-08-30", "visibility": "network"}
    only_b = get(app, people["participant"], f"/networks/{ids['network']}/assignments?method=B").get_json()
    assert [a["title"] for a in only_b["items"]] == ["Planer"]
    presented = get(app, people["participant"], f"/networks/{ids['network']}/assignments?presented_at=2").get_json()
    assert [a["id"] for a in presented["items"]] == [ids["goals"]]
    assert get(app, people["participant"], f"/networks/{ids['network']}/assignments?method=Z").status_code == 400
    one = get(app, people["observer"], f"/networks/{ids['network']}/assignments/{ids['plans']}").get_json()
    assert one["title"] == "Planer" and one["given_after"] is None


def test_the_coordinators_see_every_municipalitys_status_by_municipality_number(app, built):
    ids, people = built
    response = get(app, people["coordinator"], f"/networks/{ids['network']}/assignments/{ids['goals']}/status")
    body = response.get_json()
    assert body["total"] == 2
    assert body["items"] == [
        {"organisation_id": ids["hamar"], "municipality_number": "3403", "name": "Hamar", "status": "draft",
         "delivered_at": None},
        {"organisation_id": ids["lillehammer"], "municipality_number": "3405", "name": "Lillehammer", "status": "late",
         "delivered_at": "2019-09-02T08:30:00Z"},
    ]
    late = get(app, people["coordinator"], f"/networks/{ids['network']}/assignments/{ids['goals']}/status?status=late")
    assert [row["name"] for row in late.get_json()["items"]] == ["Lillehammer"]
    plans = get(app, people["coordinator"], f"/networks/{ids['network']}/assignments/{ids['plans']}/status").get_json()
    assert [row["status"] for row in plans["items"]] == ["missing", "submitted"]


def test_the_grid_pages_in_a_stable_order(app, built):
    ids, people = built
    path = f"/networks/{ids['network']}/assignments/{ids['goals']}/status"
    pages = [get(app, people["coordinator"], f"{path}?size=1&page={n}").get_json() for n in (1, 2, 3)]
    assert [[row["name"] for row in page["items"]] for page in pages] == [["Hamar"], ["Lillehammer"], []]
    assert {page["total"] for page in pages} == {2}


@pytest.mark.parametrize(("role", "assignment", "expected"), [
    # Their own municipality's status always; others' only where the visibility lets them read it.
    ("participant", "goals", [("Hamar", "draft"), ("Lillehammer", "late")]),
    ("participant", "plans", [("Hamar", "missing")]),
    ("other_contact", "goals", [("Lillehammer", "late")]),
    ("other_contact", "plans", [("Lillehammer", "submitted")]),
    ("observer", "goals", [("Lillehammer", "late")]),
    ("observer", "plans", []),
])
def test_others_see_the_statuses_the_web_lets_them_see(app, built, role, assignment, expected):
    ids, people = built
    body = get(app, people[role], f"/networks/{ids['network']}/assignments/{ids[assignment]}/status").get_json()
    assert [(row["name"], row["status"]) for row in body["items"]] == expected
    assert body["total"] == len(expected)


def test_an_assignment_of_another_network_is_not_found(app, built):
    ids, people = built
    other = get(app, people["outsider"], f"/networks/{ids['network'] + 1}/assignments/{ids['goals']}/status")
    assert other.status_code == 404
    assert other.mimetype == "application/problem+json"


# --- evaluations ------------------------------------------------------------------------


def test_evaluation_results_are_means_rounded_half_up_and_withheld_below_the_minimum(app, built):
    ids, people = built
    response = get(app, people["observer"], f"/networks/{ids['network']}/evaluations")
    assert response.status_code == 200
    body = response.get_json()
    assert [g["number"] for g in body["items"]] == [1, 2] and body["total"] == 2
    first, second = body["items"]
    assert (first["invited"], first["answered"], first["withheld"]) == (5, 4, False)
    assert {m["key"]: m["mean"] for m in first["means"]} == {"relevance": "4.3", "usefulness": "3.0",
                                                             "organisation": "2.5"}
    # Three rated the first added question (the minimum): its mean. One rated the second: no mean.
    assert first["questions"] == [
        {"question_id": ids["question"], "text": "Hvor nyttig var gruppearbeidet?", "answers": 3, "mean": "5.0"},
        {"question_id": ids["rarely"], "text": "Hvor godt var lunsjen?", "answers": 1, "mean": None}]
    assert second == {"gathering_id": ids["g2"], "number": 2, "title": "Planer 2", "invited": 0, "answered": 1,
                      "withheld": True, "means": [], "questions": []}
    assert FREE_TEXT not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["participant", "contact", "executive", "other_contact"])
def test_evaluation_results_are_for_coordinators_and_observers_only(app, built, role):
    ids, people = built
    assert get(app, people[role], f"/networks/{ids['network']}/evaluations").status_code == 403


# --- dashboard --------------------------------------------------------------------------


def test_the_dashboard_gives_the_pages_totals(app, built):
    ids, people = built
    response = get(app, people["coordinator"], f"/networks/{ids['network']}/dashboard")
    assert response.status_code == 200
    body = response.get_json()
    assert body["network_id"] == ids["network"] and body["municipalities"] == 2
    assert [a["title"] for a in body["assignments"]] == ["Mål", "Planer"]
    assert body["assignments"][0] | {"assignment_id": 0} == {"assignment_id": 0, "title": "Mål", "submitted": 0,
                                                             "late": 1, "draft": 1, "missing": 0}
    assert body["assignments"][1]["missing"] == 1 and body["assignments"][1]["submitted"] == 1
    assert body["feedback"] == {"new": 1, "read": 1, "answered": 0, "archived": 0, "awaiting_answer": 1}
    assert body["costs"]["total"] == "0.00"
    assert [(e["number"], e["withheld"]) for e in body["evaluations"]] == [(1, False), (2, True)]
    assert {m["key"]: m["mean"] for m in body["evaluations"][0]["means"]}["relevance"] == "4.3"
    assert ANONYMOUS_NAME not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["participant", "contact", "executive", "other_contact", "observer", "outsider"])
def test_the_dashboard_is_for_coordinators_only(app, built, role):
    ids, people = built
    assert get(app, people[role], f"/networks/{ids['network']}/dashboard").status_code == 403


# --- a fixed number of queries ----------------------------------------------------------


def populate(app, municipalities: int) -> tuple[int, int, int]:
    """A network with this many member municipalities (three people each, registered for two
    held gatherings with five answers each), two assignments with submissions of every status,
    and feedback; returns (network id, first assignment id, coordinator id)."""
    with app.app_context():
        organisations = db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
            .order_by(Organisation.kommunenummer).limit(municipalities)).all()
        network = Network(name=f"Telling {municipalities}", topic="T", ks_contact_name="K",
                          ks_contact_email="k@ks.test", feedback_email="f@ks.test")
        coordinator = Person(name="Kari Teller", email=f"teller{municipalities}@example.test")
        db.session.add_all([network, coordinator, NetworkRole(network=network, person=coordinator,
                                                              role=RoleKind.COORDINATOR)])
        memberships = [Membership(network=network, organisation=o, joined_on=date(2019, 4, 10)) for o in organisations]
        db.session.add_all(memberships)
        people = []
        for o in organisations:
            for n in range(3):
                person = Person(name=f"{o.name} {n}", email=f"t{municipalities}-{o.kommunenummer}-{n}@example.test",
                                organisation=o)
                db.session.add(NetworkRole(network=network, person=person, role=RoleKind.PARTICIPANT))
                people.append(person)
        gatherings = []
        for number in (1, 2):
            gathering = Gathering(network=network, number=number, title=f"Samling {number}", status=GatheringStatus.HELD,
                                  days=[GatheringDay(day=date(2019, 4 * number, 10), starts_at=time(10), ends_at=time(16))])
            gatherings.append(gathering)
            for person in people:
                db.session.add(Registration(gathering=gathering, person=person, status=RegistrationStatus.ATTENDED,
                                            days=list(gathering.days)))
            question = EvaluationQuestion(gathering=gathering, text="Egen", kind=QuestionKind.RATING)
            for n in range(5):
                response = EvaluationResponse(gathering=gathering, relevance=1 + n % 5, usefulness=3, organisation=4)
                response.answers.append(EvaluationAnswer(question=question, rating=1 + n % 5))
                db.session.add(response)
        db.session.add_all(gatherings)
        assignments = [Assignment(network=network, title=f"Oppgave {n}", method=AssignmentMethod.A,
                                  due_on=date(2019, 8, 1 + n)) for n in range(2)]
        db.session.add_all(assignments)
        for assignment in assignments:
            for i, membership in enumerate(memberships[1:]):
                status = SubmissionStatus.DRAFT if i % 3 == 0 else SubmissionStatus.SUBMITTED
                _submission(assignment, membership, status, DRAFT_TEXT, late=i % 3 == 2)
        for n in range(municipalities):
            db.session.add(Feedback(network=network, topic=FeedbackTopic.OTHER, works="Bra", anonymous=True,
                                    status=list(FeedbackStatus)[n % 4]))
        db.session.commit()
        return network.id, assignments[0].id, coordinator.id


def queries(app, municipalities: int) -> dict[str, int]:
    network_id, assignment_id, coordinator_id = populate(app, municipalities)
    with app.app_context():
        coordinator = db.session.get(Person, coordinator_id)
    client, headers = api_client(app, coordinator)
    counted = {}
    for name, path in (("assignments", f"/networks/{network_id}/assignments"),
                       ("status", f"/networks/{network_id}/assignments/{assignment_id}/status?size=200"),
                       ("evaluations", f"/networks/{network_id}/evaluations"),
                       ("dashboard", f"/networks/{network_id}/dashboard")):
        with count_queries(app) as statements:
            response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        counted[name] = len([s for s in statements if s.lstrip().upper().startswith("SELECT")])
        if name == "status":
            assert response.get_json()["total"] == municipalities
    return counted


def test_every_route_reads_the_same_number_of_queries_for_4_and_40_municipalities(app):
    small, large = queries(app, 4), queries(app, 40)
    assert small == large, (small, large)
    assert max(large.values()) <= 25
