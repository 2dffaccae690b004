"""Submissions and reminders when several people (or cron runs) act at the same moment.

These need real concurrent transactions, so they run on PostgreSQL only (the PostgreSQL run of the
suite), each with its own committed data, removed afterwards.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import delete, func, select

from network.assignments import services
from network.assignments.models import Assignment, AssignmentMethod, AssignmentReminder, Submission
from network.auth.models import Person
from network.extensions import db
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.outbox.models import OutboxMessage
from tests.conftest import make_app

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions need PostgreSQL; its run tests this")
WRITERS = 8
NOW = datetime(2031, 2, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def shared(migrated_database):
    """A committed network: one assignment, 12 member municipalities with two writers each."""
    app = make_app(migrated_database, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WRITERS + 4, "max_overflow": 0},
                   SERVER_NAME="nettverk.example.test")
    with app.app_context():
        network = Network(name="Samtidige besvarelser", topic="Test", ks_contact_name="K", ks_contact_email="k@ks.test",
                          feedback_email="f@ks.test", reminder_days_before=7)
        db.session.add(network)
        db.session.flush()
        municipalities = db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                                            .order_by(Organisation.id).limit(12)).all()
        people = []
        for organisation in municipalities:
            db.session.add(Membership(network=network, organisation=organisation))
            for n in range(2):
                person = Person(name=f"Skriver {organisation.kommunenummer} {n}",
                                email=f"samtidig.{organisation.kommunenummer}.{n}@example.test", organisation=organisation)
                people.append(person)
                db.session.add(NetworkRole(network=network, person=person, role=RoleKind.PARTICIPANT))
        assignment = Assignment(network=network, title="Samtidig oppgave", method=AssignmentMethod.A, due_on=date(2031, 2, 5))
        db.session.add(assignment)
        db.session.commit()
        ids = {"network": network.id, "assignment": assignment.id, "people": [p.id for p in people],
               "first_membership": db.session.scalar(select(Membership.id).where(
                   Membership.network_id == network.id, Membership.organisation_id == municipalities[0].id)),
               "municipalities": len(municipalities)}
    try:
        yield app, ids
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("samtidig.%")))
            db.session.execute(delete(Network).where(Network.id == ids["network"]))
            db.session.execute(delete(Person).where(Person.id.in_(ids["people"])))
            db.session.commit()
            db.engine.dispose()


def _race(app, ids, writer, count=WRITERS):
    start = threading.Barrier(count)

    def run(n):
        with app.test_request_context():
            assignment = db.session.get(Assignment, ids["assignment"])
            membership = db.session.get(Membership, ids["first_membership"])
            start.wait()
            try:
                result = writer(assignment, membership, n)
                db.session.commit()
                return result
            except services.SubmissionConflict as conflict:
                db.session.rollback()
                return conflict
            except Exception as error:  # anything else is a failure of the test
                db.session.rollback()
                return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_simultaneous_first_saves_make_one_submission_and_conflicts(shared):
    app, ids = shared
    results = _race(app, ids, lambda assignment, membership, n: services.save_submission(
        assignment, membership, text=f"Tekst {n}", expected_version=None, by=None, now=NOW).id)
    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, services.SubmissionConflict)]
    assert errors == []
    saved = [r for r in results if isinstance(r, int)]
    assert len(saved) == 1
    assert sum(isinstance(r, services.SubmissionConflict) for r in results) == WRITERS - 1
    with app.app_context():
        rows = db.session.scalars(select(Submission).where(Submission.assignment_id == ids["assignment"])).all()
        assert len(rows) == 1 and rows[0].version == 1


def test_simultaneous_edits_of_one_version_let_exactly_one_through(shared):
    app, ids = shared
    with app.test_request_context():
        services.save_submission(db.session.get(Assignment, ids["assignment"]), db.session.get(Membership, ids["first_membership"]),
                                 text="Start", expected_version=None, by=None, now=NOW)
        db.session.commit()
    results = _race(app, ids, lambda assignment, membership, n: services.save_submission(
        assignment, membership, text=f"Endring {n}", expected_version=1, by=None, now=NOW).text)
    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, services.SubmissionConflict)] == []
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1
    with app.app_context():
        row = db.session.scalar(select(Submission).where(Submission.assignment_id == ids["assignment"]))
        assert (row.text, row.version) == (winners[0], 2)


def test_two_reminder_runs_at_once_remind_each_municipality_once(shared):
    app, ids = shared
    from network.assignments import email

    start = threading.Barrier(2)

    def run(_):
        with app.test_request_context():
            start.wait()
            total = 0
            for assignment in services.assignments_due_for_reminder(date(2031, 2, 1)):
                if assignment.network_id != ids["network"]:
                    continue
                total += services.remind(assignment, email.queue_reminder).mails
                db.session.commit()
            return total

    with ThreadPoolExecutor(max_workers=2) as pool:
        mails = list(pool.map(run, range(2)))
    assert sum(mails) == 2 * ids["municipalities"]  # two writers per municipality, one reminder each
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AssignmentReminder).where(
            AssignmentReminder.assignment_id == ids["assignment"])) == ids["municipalities"]
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient.like("samtidig.%"))) == 2 * ids["municipalities"]
