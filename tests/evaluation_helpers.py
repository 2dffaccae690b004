"""Shared set-up for the evaluation tests: a network whose gathering has attendees in every
registration status, marked held (or not) through the status change."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from network.auth.models import Person
from network.evaluations import services
from network.evaluations.models import EvaluationInvitation, EvaluationQuestion, EvaluationResponse, QuestionKind
from network.extensions import db
from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
from network.gatherings import services as gathering_services
from network.networks.models import Network, NetworkRole, RoleKind
from tests.factories import world

_people = itertools.count(1)

# Who registered for the gathering, and how it went. Only the first two are invited.
REGISTRATIONS = {
    "participant": RegistrationStatus.CONFIRMED,
    "contact": RegistrationStatus.ATTENDED,
    "executive": RegistrationStatus.WAITING,
    "other_contact": RegistrationStatus.NO_SHOW,
    "cancelled": RegistrationStatus.CANCELLED,
}
INVITED = ("participant", "contact")
VALID = {"relevance": "4", "usefulness": "3", "organisation": "5",
         "best": "Gruppearbeidet om boligbehovet.", "improve": "Lengre pauser."}


@dataclass
class Setup:
    network_id: int
    gathering_id: int
    people: dict

    @property
    def network_url(self) -> str:
        return f"/networks/{self.network_id}"

    @property
    def gathering_url(self) -> str:
        return f"/networks/{self.network_id}/gatherings/{self.gathering_id}"

    @property
    def url(self) -> str:
        return self.gathering_url + "/evaluation"


def setup(app, factory, number: int = 2) -> Setup:
    network, hamar, _lillehammer, people = world(factory)
    people["cancelled"] = factory.member_with_role(network, RoleKind.PARTICIPANT, hamar, name="Anne Avmeldt")
    gathering = factory.gathering(network, number, date(2019, 9, 18), title="Boligpolitiske mål",
                                  status=GatheringStatus.CLOSED)
    with app.app_context():
        for key, status in REGISTRATIONS.items():
            db.session.add(Registration(gathering_id=gathering.id, person_id=people[key].id, status=status))
        db.session.commit()
    return Setup(network.id, gathering.id, people)


def hold(http, s: Setup):
    response = http.post(s.gathering_url + "/status", data={"status": "held", "confirmed": "1"})
    assert response.status_code == 302, response.status_code
    return response


def hold_quietly(app, gathering_id: int) -> None:
    """Mark held through the service, outside a request (the mail is queued, not sent)."""
    with app.test_request_context():
        gathering_services.change_status(db.session.get(Gathering, gathering_id), GatheringStatus.HELD)
        db.session.commit()


def invitations(app, gathering_id: int) -> dict[int, bool]:
    with app.app_context():
        return dict(db.session.execute(select(EvaluationInvitation.person_id, EvaluationInvitation.answered)
                                       .where(EvaluationInvitation.gathering_id == gathering_id)).all())


def response_count(app, gathering_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EvaluationResponse)
                                 .where(EvaluationResponse.gathering_id == gathering_id))


def add_question(app, gathering_id: int, text: str, kind: QuestionKind = QuestionKind.RATING) -> int:
    with app.app_context():
        question = services.add_question(db.session.get(Gathering, gathering_id), text, kind.value)
        db.session.commit()
        return question.id


def question_ids(app, gathering_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(EvaluationQuestion.id).where(EvaluationQuestion.gathering_id == gathering_id)
                                       .order_by(EvaluationQuestion.position, EvaluationQuestion.id)))


def invite_and_answer(app, network_id: int, gathering_id: int, rows: list[dict], unanswered: int = 0) -> None:
    """One new attendee per row, invited and answering with it through the services; and
    ``unanswered`` more who are invited but have not answered."""
    with app.test_request_context():
        gathering = db.session.get(Gathering, gathering_id)
        questions = services.questions_for(gathering)
        network = db.session.get(Network, network_id)
        for row in rows + [None] * unanswered:
            k = next(_people)
            person = Person(name=f"Svarer {k}", email=f"svarer.{k}@example.test")
            db.session.add_all([person, NetworkRole(network=network, person=person, role=RoleKind.PARTICIPANT)])
            invitation = EvaluationInvitation(gathering=gathering, person=person)
            db.session.add(invitation)
            db.session.flush()
            if row is not None:
                services.submit(invitation, questions, services.read_answers(questions, row))
        db.session.commit()
