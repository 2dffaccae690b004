"""Overlapping runs on PostgreSQL: two `privacy purge` runs at once do each piece of work once and
fail on nothing, and two administrators confirming the same deletion at once delete it once."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Gathering, GatheringDay, Registration, RegistrationStatus
from network.networks.models import Network, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage, OutboxStatus
from network.privacy import services
from network.privacy.models import DeletionRequest, DeletionStatus
from tests.conftest import make_app

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions need PostgreSQL; its run tests this")
N = 20


def _network(session, name):
    network = Network(name=name, topic="Test", ks_contact_name="K", ks_contact_email="k@ks.test",
                      feedback_email="f@ks.test")
    session.add(network)
    return network


def _cleanup(app, network_ids, person_ids, subject_like):
    with app.app_context():
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.subject.like(subject_like)))
        db.session.execute(delete(DeletionRequest).where(DeletionRequest.person_id.in_(person_ids)))
        db.session.execute(delete(Network).where(Network.id.in_(network_ids)))
        db.session.execute(delete(Person).where(Person.id.in_(person_ids)))
        db.session.commit()
        db.engine.dispose()


def test_two_purge_runs_at_once_do_each_thing_once(migrated_database):
    app = make_app(migrated_database)
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    with app.app_context():
        network = _network(db.session, "Slettetest")
        gathering = Gathering(network=network, number=1, title="Gammel samling",
                              days=[GatheringDay(day=date(2020, 5, 5), starts_at=time(10), ends_at=time(16))])
        invitees = [Person(name=f"Invitert {n}", email=f"invitert{n}@example.test", created_at=long_ago)
                    for n in range(N)]
        attendees = [Person(name=f"Deltok {n}", email=f"deltok{n}@example.test", password_hash="x") for n in range(N)]
        db.session.add_all([gathering, *invitees, *attendees])
        db.session.add_all(NetworkRole(network=network, person=p, role=RoleKind.PARTICIPANT, created_at=long_ago)
                           for p in invitees)
        db.session.add_all(Registration(gathering=gathering, person=p, status=RegistrationStatus.ATTENDED,
                                        days=list(gathering.days), diet="Vegetar", allergies="Nøtter")
                           for p in attendees)
        db.session.add_all(OutboxMessage(recipient=f"gammel{n}@example.test", subject="Purgetest", body_text="Hei",
                                         status=OutboxStatus.SENT, created_at=long_ago, sent_at=long_ago)
                           for n in range(N))
        db.session.commit()
        network_ids = [network.id]
        person_ids = [p.id for p in invitees + attendees]
        gathering_id = gathering.id

    start = threading.Barrier(2)

    def run():
        with app.app_context():
            start.wait()
            try:
                return services.purge()
            except Exception as error:  # every error is a failure of the test
                db.session.rollback()
                return error

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda _: run(), range(2)))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(r.invitations for r in results) == N
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Person).where(
                Person.id.in_(person_ids))) == N  # the attendees
            assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.subject == "Purgetest")) == 0
            assert set(db.session.scalars(select(Registration.diet).where(
                Registration.gathering_id == gathering_id))) == {""}
    finally:
        _cleanup(app, network_ids, person_ids, "Purgetest")


def test_two_administrators_confirming_at_once_delete_once(migrated_database):
    app = make_app(migrated_database)
    with app.app_context():
        person = Person(name="Dobbel Bekreftelse", email="dobbel@example.test", password_hash="x")
        admins = [Person(name=f"Admin {n}", email=f"admin{n}.dobbel@example.test", is_admin=True) for n in range(2)]
        db.session.add_all([person, *admins])
        db.session.flush()
        request = DeletionRequest(person_id=person.id)
        db.session.add(request)
        db.session.commit()
        request_id, admin_ids = request.id, [a.id for a in admins]
        person_ids = [person.id, *admin_ids]

    start = threading.Barrier(2)

    def confirm(admin_id):
        with app.test_request_context():
            request = db.session.get(DeletionRequest, request_id)
            admin = db.session.get(Person, admin_id)
            start.wait()
            try:
                services.confirm_request(request, admin)
                db.session.commit()
                return "deleted"
            except services.PrivacyError:
                db.session.rollback()
                return "refused"
            except Exception as error:  # every other error is a failure of the test
                db.session.rollback()
                return error

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = sorted(map(str, pool.map(confirm, admin_ids)))
        assert results == ["deleted", "refused"]
        with app.app_context():
            assert db.session.get(DeletionRequest, request_id).status is DeletionStatus.COMPLETED
            assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.recipient == "dobbel@example.test")) == 1
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == "dobbel@example.test"))
            db.session.commit()
        _cleanup(app, [], person_ids, "Kontoen din er slettet")
