"""Answering once when the same person submits several times at the same moment (double clicks,
two tabs). Needs real concurrent transactions, so it runs on PostgreSQL only, with its own
committed data, removed afterwards."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time

import pytest
from sqlalchemy import delete, func, select

from network.auth.models import Person
from network.evaluations import services
from network.evaluations.models import EvaluationInvitation, EvaluationResponse
from network.extensions import db
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.networks.models import Network, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from tests.conftest import make_app
from tests.evaluation_helpers import VALID

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions need PostgreSQL; its run tests this")
WRITERS = 8


@pytest.fixture
def shared(migrated_database):
    """A committed held gathering with one invited person."""
    app = make_app(migrated_database, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WRITERS + 4, "max_overflow": 0})
    with app.app_context():
        network = Network(name="Samtidige evalueringer", topic="Test", ks_contact_name="K", ks_contact_email="k@ks.test",
                          feedback_email="f@ks.test")
        person = Person(name="Dobbeltklikk Dina", email="samtidig.evaluering@example.test")
        gathering = Gathering(network=network, number=1, title="Samling", status=GatheringStatus.HELD,
                              days=[GatheringDay(day=date(2031, 2, 1), starts_at=time(10), ends_at=time(16))])
        invitation = EvaluationInvitation(gathering=gathering, person=person)
        db.session.add_all([network, person, gathering, invitation,
                            NetworkRole(network=network, person=person, role=RoleKind.PARTICIPANT)])
        db.session.commit()
        ids = {"network": network.id, "person": person.id, "gathering": gathering.id, "invitation": invitation.id}
    try:
        yield app, ids
    finally:
        with app.app_context():
            db.session.execute(delete(Network).where(Network.id == ids["network"]))
            db.session.execute(delete(Person).where(Person.id == ids["person"]))
            db.session.commit()
            db.engine.dispose()


def test_simultaneous_answers_to_one_invitation_make_one_response(shared):
    app, ids = shared
    start = threading.Barrier(WRITERS)

    def run(n):
        with app.test_request_context():
            invitation = db.session.get(EvaluationInvitation, ids["invitation"])
            questions = services.questions_for(invitation.gathering)
            answers = services.read_answers(questions, {**VALID, "relevance": str(n % 5 + 1)})
            start.wait()
            try:
                services.submit(invitation, questions, answers)
                db.session.commit()
                return "answered"
            except services.AlreadyAnswered:
                db.session.rollback()
                return "already"
            except Exception as error:  # anything else is a failure of the test
                db.session.rollback()
                return error

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        results = list(pool.map(run, range(WRITERS)))
    assert sorted(map(str, results)) == ["already"] * (WRITERS - 1) + ["answered"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvaluationResponse).where(
            EvaluationResponse.gathering_id == ids["gathering"])) == 1
        assert db.session.get(EvaluationInvitation, ids["invitation"]).answered is True


def test_two_status_changes_at_once_invite_each_attendee_once(shared):
    """``invite_attendees`` run twice at once (two coordinators marking the gathering held)."""
    app, ids = shared

    with app.app_context():
        people = [Person(name=f"Deltaker {n}", email=f"samtidig.evaluering.{n}@example.test") for n in range(6)]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all([Registration(gathering_id=ids["gathering"], person_id=p.id, status=RegistrationStatus.ATTENDED)
                            for p in people])
        db.session.commit()
        extra = [p.id for p in people]
    start = threading.Barrier(2)

    def run(_):
        with app.test_request_context():
            gathering = db.session.get(Gathering, ids["gathering"])
            start.wait()
            made = len(services.invite_attendees(gathering))
            db.session.commit()
            return made

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            made = list(pool.map(run, range(2)))
        assert sorted(made) == [0, 6]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(EvaluationInvitation).where(
                EvaluationInvitation.gathering_id == ids["gathering"])) == 7
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("samtidig.evaluering.%")))
            db.session.execute(delete(Person).where(Person.id.in_(extra)))
            db.session.commit()
