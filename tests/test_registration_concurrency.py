"""Capacity holds when many people register at the same moment (PostgreSQL row lock)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time

import pytest
from sqlalchemy import delete, func, select

from network.auth.models import Person
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.gatherings.services import RegistrationDetails
from network.networks.models import Network, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from tests.conftest import make_app

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
PEOPLE = 50
FREE_SEATS = 10
ALREADY_TAKEN = 5


@pytest.mark.skipif(not ON_POSTGRES, reason="the row lock is PostgreSQL's; the PostgreSQL run of the suite tests it")
def test_fifty_simultaneous_registrations_for_the_last_ten_seats(migrated_database):
    app = make_app(migrated_database, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PEOPLE + 5, "max_overflow": 0})
    with app.app_context():
        network = Network(name="Samtidighetstest", topic="Test", ks_contact_name="K", ks_contact_email="k@ks.test",
                          feedback_email="f@ks.test")
        gathering = Gathering(network=network, number=1, title="Full samling", status=GatheringStatus.OPEN,
                              capacity=ALREADY_TAKEN + FREE_SEATS,
                              days=[GatheringDay(day=date(2031, 5, 5), starts_at=time(10), ends_at=time(16))])
        people = [Person(name=f"Samtidig {n}", email=f"samtidig{n}@example.test") for n in range(ALREADY_TAKEN + PEOPLE)]
        db.session.add_all([network, gathering, *people])
        db.session.add_all(NetworkRole(network=network, person=p, role=RoleKind.PARTICIPANT) for p in people)
        db.session.flush()
        day_id = gathering.days[0].id
        for person in people[:ALREADY_TAKEN]:
            db.session.add(Registration(gathering=gathering, person=person, status=RegistrationStatus.CONFIRMED))
        db.session.commit()
        gathering_id, network_id = gathering.id, network.id
        contenders = [p.id for p in people[ALREADY_TAKEN:]]
        all_people = [p.id for p in people]

    start = threading.Barrier(PEOPLE)

    def register(person_id: int):
        with app.test_request_context():
            gathering = db.session.get(Gathering, gathering_id)
            person = db.session.get(Person, person_id)
            start.wait()
            try:
                registration = services.register(gathering, person, RegistrationDetails(day_ids=[day_id]),
                                                 registered_by=person)
                db.session.commit()
                return registration.status
            except Exception as error:  # every error is a failure of the test
                db.session.rollback()
                return error

    try:
        with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
            results = list(pool.map(register, contenders))
        errors = [r for r in results if isinstance(r, Exception)]
        assert errors == []
        assert results.count(RegistrationStatus.CONFIRMED) == FREE_SEATS
        assert results.count(RegistrationStatus.WAITING) == PEOPLE - FREE_SEATS
        with app.app_context():
            rows = db.session.execute(select(Registration.status, func.count()).where(
                Registration.gathering_id == gathering_id).group_by(Registration.status)).all()
            assert dict(rows) == {RegistrationStatus.CONFIRMED: ALREADY_TAKEN + FREE_SEATS,
                                  RegistrationStatus.WAITING: PEOPLE - FREE_SEATS}
            # The waiting list keeps the order people came in, with no ties lost.
            waiting = db.session.scalars(select(Registration.waiting_since).where(
                Registration.gathering_id == gathering_id, Registration.status == RegistrationStatus.WAITING)).all()
            assert len(waiting) == PEOPLE - FREE_SEATS and all(waiting)
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("samtidig%")))
            db.session.execute(delete(Network).where(Network.id == network_id))
            db.session.execute(delete(Person).where(Person.id.in_(all_people)))
            db.session.commit()
            db.engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="overlapping cron runs need PostgreSQL's row locks; the PostgreSQL run tests it")
def test_two_reminder_runs_at_once_send_each_reminder_once(migrated_database):
    from network.calendar.reminders import send_reminders

    app = make_app(migrated_database, SERVER_NAME="nettverk.example.test")
    with app.app_context():
        network = Network(name="Påminnelsestest", topic="Test", ks_contact_name="K", ks_contact_email="k@ks.test",
                          feedback_email="f@ks.test", reminder_days_before=7)
        gathering = Gathering(network=network, number=1, title="Snart", status=GatheringStatus.OPEN,
                              days=[GatheringDay(day=date(2031, 5, 5), starts_at=time(10), ends_at=time(16))])
        people = [Person(name=f"Påminnet {n}", email=f"paminnet{n}@example.test") for n in range(20)]
        db.session.add_all([network, gathering, *people])
        db.session.flush()
        for person in people:
            db.session.add(Registration(gathering=gathering, person=person, status=RegistrationStatus.CONFIRMED,
                                        days=list(gathering.days)))
        db.session.commit()
        network_id, all_people = network.id, [p.id for p in people]

    start = threading.Barrier(2)

    def run():
        with app.app_context():
            start.wait()
            return send_reminders(today=date(2031, 5, 1))

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = list(pool.map(lambda _: run(), range(2)))
        assert sum(counts) == 20  # each registration claimed by exactly one run
        with app.app_context():
            per_person = db.session.execute(
                select(OutboxMessage.recipient, func.count()).where(OutboxMessage.recipient.like("paminnet%"))
                .group_by(OutboxMessage.recipient)).all()
            assert len(per_person) == 20
            assert {count for _recipient, count in per_person} == {1}
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("paminnet%")))
            db.session.execute(delete(Network).where(Network.id == network_id))
            db.session.execute(delete(Person).where(Person.id.in_(all_people)))
            db.session.commit()
            db.engine.dispose()
