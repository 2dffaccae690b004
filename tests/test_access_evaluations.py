"""The access matrix for evaluations (see tests/test_access_matrix.py): answering is for the
invited only, the questions for coordinators, the results for coordinators and observers."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from network.evaluations.models import (
    EvaluationInvitation, EvaluationQuestion, EvaluationResponse, QuestionKind,
)
from network.extensions import db
from network.gatherings.models import GatheringStatus, Registration, RegistrationStatus
from network.networks.models import Network
from tests.conftest import built_once
from tests.evaluation_helpers import VALID
from tests.test_access_matrix import CONFIRMED, COORDINATORS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}"
HELD = N + "/gatherings/{held}/evaluation"
PLANNED = N + "/gatherings/{planned}/evaluation"
READERS = COORDINATORS | {"observer"}
# The participant is invited and has not answered; the contact has answered already.
INVITED = frozenset({"participant", "contact"})


def _responses(count):
    return lambda ids: db.session.scalar(select(func.count()).select_from(EvaluationResponse).where(
        EvaluationResponse.gathering_id == ids["held"])) == count


def _question_titled(text):
    return lambda ids: db.session.scalar(select(EvaluationQuestion.id).where(EvaluationQuestion.text == text)) is not None


def _moved_up(ids):
    return db.session.get(EvaluationQuestion, ids["second_question"]).position < \
        db.session.get(EvaluationQuestion, ids["question"]).position


ROUTES = [
    Route("evaluation_answer", "evaluations.answer", "GET", HELD, INVITED),
    Route("evaluation_answer", "evaluations.answer", "POST", HELD, frozenset({"participant"}), data=VALID,
          statuses={"contact": 409}, effect=_responses(2)),
    Route("evaluation_thanks", "evaluations.thanks", "GET", HELD + "/thanks", frozenset({"contact"}),
          statuses={"participant": 302}),
    Route("evaluation_questions", "evaluations.questions", "GET", PLANNED + "/questions", COORDINATORS),
    Route("evaluation_questions", "evaluations.questions", "POST", PLANNED + "/questions", COORDINATORS,
          data={"text": "Hva ønsker du mer av?", "kind": "text"}, effect=_question_titled("Hva ønsker du mer av?")),
    Route("evaluation_edit_question", "evaluations.edit_question", "GET", PLANNED + "/questions/{question}/edit",
          COORDINATORS),
    Route("evaluation_edit_question", "evaluations.edit_question", "POST", PLANNED + "/questions/{question}/edit",
          COORDINATORS, data={"text": "Hvor nyttig, rettet?", "kind": "rating"},
          effect=_question_titled("Hvor nyttig, rettet?")),
    Route("evaluation_delete_question", "evaluations.delete_question", "POST", PLANNED + "/questions/{question}/delete",
          COORDINATORS, data=CONFIRMED, effect=lambda ids: db.session.get(EvaluationQuestion, ids["question"]) is None),
    Route("evaluation_move_question", "evaluations.move_question", "POST",
          PLANNED + "/questions/{second_question}/move", COORDINATORS, data={"direction": "up"}, effect=_moved_up),
    Route("evaluation_results", "evaluations.results", "GET", HELD + "/results", READERS),
    Route("evaluation_results_csv", "evaluations.results_csv", "GET", HELD + "/results.csv", READERS),
    Route("evaluation_results_xlsx", "evaluations.results_xlsx", "GET", HELD + "/results.xlsx", READERS),
    Route("evaluations_compare", "evaluations.compare", "GET", N + "/evaluations", READERS),
    Route("evaluations_compare_csv", "evaluations.compare_csv", "GET", N + "/evaluations.csv", READERS),
]


def build_with_evaluations(app, factory):
    """The matrix's world plus a held gathering (the participant invited, the contact invited and
    answered, the executive on the waiting list), a planned one with two questions, and a
    gathering with a question in the other network."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other = db.session.get(Network, ids["other_network"])
    held = factory.gathering(network, 1, date(2019, 4, 10), title="Oppstart", status=GatheringStatus.HELD)
    planned = factory.gathering(network, 2, date(2019, 9, 18), title="Mål")
    elsewhere = factory.gathering(other, 1, date(2019, 4, 10), title="Annen oppstart", status=GatheringStatus.HELD)
    with app.app_context():
        for role, status in (("participant", RegistrationStatus.CONFIRMED), ("contact", RegistrationStatus.ATTENDED),
                             ("executive", RegistrationStatus.WAITING)):
            db.session.add(Registration(gathering_id=held.id, person_id=people[role].id, status=status))
        db.session.add_all([
            EvaluationInvitation(gathering_id=held.id, person_id=people["participant"].id),
            EvaluationInvitation(gathering_id=held.id, person_id=people["contact"].id, answered=True),
            EvaluationResponse(gathering_id=held.id, relevance=4, usefulness=4, organisation=5),
        ])
        questions = [EvaluationQuestion(gathering_id=gathering_id, position=position, text=text, kind=QuestionKind.RATING)
                     for gathering_id, position, text in ((planned.id, 1, "Hvor nyttig?"), (planned.id, 2, "Hvor godt?"),
                                                          (elsewhere.id, 1, "Et annet nettverks spørsmål?"))]
        db.session.add_all(questions)
        db.session.commit()
        ids.update(held=held.id, planned=planned.id, elsewhere=elsewhere.id, question=questions[0].id,
                   second_question=questions[1].id, other_question=questions[2].id)
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_evaluations)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


MANAGERS = ("coordinator", "admin")
WRONG_IDS = [
    ("unknown_gathering", "GET", N + "/gatherings/999999/evaluation/results", MANAGERS),
    ("other_networks_gathering_answer", "GET", N + "/gatherings/{elsewhere}/evaluation", ("participant",) + MANAGERS),
    ("other_networks_gathering_results", "GET", N + "/gatherings/{elsewhere}/evaluation/results", MANAGERS),
    ("other_networks_gathering_questions", "POST", N + "/gatherings/{elsewhere}/evaluation/questions", MANAGERS),
    ("question_of_another_gathering", "GET", HELD + "/questions/{question}/edit", MANAGERS),
    ("question_of_another_network", "POST", PLANNED + "/questions/{other_question}/edit", MANAGERS),
    ("question_of_another_network_delete", "POST", PLANNED + "/questions/{other_question}/delete", MANAGERS),
    ("question_of_another_network_move", "POST", PLANNED + "/questions/{other_question}/move", MANAGERS),
    ("unknown_question", "POST", PLANNED + "/questions/999999/delete", MANAGERS),
    ("unknown_network_compare", "GET", "/networks/999999/evaluations", MANAGERS),
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
    data = {"text": "Nytt navn?", "kind": "rating", "direction": "up"}
    response = http.get(url) if method == "GET" else http.post(url, data=data)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        other = db.session.get(EvaluationQuestion, ids["other_question"])
        assert other is not None and other.text == "Et annet nettverks spørsmål?"
        assert db.session.scalar(select(EvaluationQuestion.id).where(EvaluationQuestion.text == "Nytt navn?")) is None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
