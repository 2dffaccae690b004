"""Benchmark the coordinators' dashboard at national scale.

    .venv/bin/python bench/dashboard.py             # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/dashboard.py

A network with every municipality in Norway as a member (356), three people each (one of them the
executive), five gatherings (two held, one open, one closed, one planned) with most people
registered and attendance marked for the held ones, ten assignments with submissions from most
municipalities, 2,000 pieces of feedback and evaluations of the held gatherings, all bulk inserted.
Then the dashboard is requested BENCH_ROUNDS times: median and p95 latency, SQL queries per request
and the page's size. Prints figures; asserts nothing. Requests go through Flask's test client (the
app, not a server). On a database that already has the benchmark network, it is deleted and made again.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, insert, select  # noqa: E402

from measure import count_queries, signed_in_client, time_pages  # noqa: E402  (bench/, first on the path when run)
from network import create_app  # noqa: E402
from network.assignments.models import Assignment, AssignmentMethod, Submission, SubmissionStatus, Visibility  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.evaluations.models import EvaluationInvitation, EvaluationResponse  # noqa: E402
from network.extensions import db  # noqa: E402
from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic, random_id  # noqa: E402
from network.gatherings.models import (  # noqa: E402
    Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus, registration_day,
)
from network.networks.models import Membership, Network, NetworkRole, RoleKind  # noqa: E402
from network.organisations.models import Organisation, OrganisationKind  # noqa: E402
from network.organisations.services import import_national_list  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
PEOPLE_EACH = 3
ASSIGNMENTS = 10
FEEDBACK = 2_000
REGISTERING_SHARE = 0.8  # of the people, per gathering
NETWORK_NAME = "Benk: oversikt for hele landet"
COORDINATOR_EMAIL = "benk.oversikt@bench.test"
STATUSES = (GatheringStatus.HELD, GatheringStatus.HELD, GatheringStatus.OPEN, GatheringStatus.CLOSED,
            GatheringStatus.PLANNED)


def build() -> tuple[int, int, dict]:
    """The network and its data; returns (network id, coordinator id, counts)."""
    rng = random.Random(2019)
    import_national_list()
    db.session.execute(delete(Network).where(Network.name == NETWORK_NAME))  # cascades to everything below
    db.session.execute(delete(Person).where(Person.email.like("benk-oversikt-%@bench.test")))
    coordinator = db.session.scalar(select(Person).where(Person.email == COORDINATOR_EMAIL))
    if coordinator is None:
        coordinator = Person(name="Benk Koordinator", email=COORDINATOR_EMAIL)
        db.session.add(coordinator)
    network = Network(name=NETWORK_NAME, topic="Benk", ks_contact_name="K", ks_contact_email="k@ks.test",
                      feedback_email="f@ks.test")
    db.session.add(network)
    db.session.flush()
    db.session.add(NetworkRole(network_id=network.id, person_id=coordinator.id, role=RoleKind.COORDINATOR))

    municipalities = db.session.scalars(
        select(Organisation.id).where(Organisation.kind == OrganisationKind.MUNICIPALITY)).all()
    db.session.execute(insert(Membership), [
        {"network_id": network.id, "organisation_id": org_id, "joined_on": date(2019, 4, 10),
         "executive_name": "Rådmann" if rng.random() < 0.8 else None,
         "anchoring_decided_on": date(2019, 3, 1)} for org_id in municipalities])
    membership_ids = db.session.scalars(select(Membership.id).where(Membership.network_id == network.id)).all()

    db.session.execute(insert(Person), [
        {"name": f"Person {org_id}-{n}", "email": f"benk-oversikt-{org_id}-{n}@bench.test", "organisation_id": org_id,
         "is_admin": False, "active": True}
        for org_id in municipalities for n in range(PEOPLE_EACH)])
    people = db.session.execute(select(Person.id, Person.email).where(Person.email.like("benk-oversikt-%"))).all()
    db.session.execute(insert(NetworkRole), [
        {"network_id": network.id, "person_id": person_id,
         "role": RoleKind.EXECUTIVE if email.endswith("-0@bench.test") else RoleKind.PARTICIPANT}
        for person_id, email in people])
    person_ids = [person_id for person_id, _email in people]

    gatherings = []
    for number, status in enumerate(STATUSES, start=1):
        first_day = date(2019, 4, 10) + timedelta(days=91 * (number - 1))
        gathering = Gathering(network_id=network.id, number=number, title=f"Samling {number}", status=status,
                              days=[GatheringDay(day=first_day + timedelta(days=n), starts_at=datetime.min.time(),
                                                 ends_at=datetime.max.time().replace(microsecond=0)) for n in range(2)])
        db.session.add(gathering)
        gatherings.append(gathering)
    db.session.flush()
    registrations = 0
    for gathering in gatherings:
        if gathering.status is GatheringStatus.PLANNED:
            continue
        held = gathering.status is GatheringStatus.HELD
        chosen = rng.sample(person_ids, int(len(person_ids) * REGISTERING_SHARE))
        rows = []
        for person_id in chosen:
            status = (RegistrationStatus.ATTENDED if rng.random() < 0.9 else RegistrationStatus.NO_SHOW) if held \
                else RegistrationStatus.CONFIRMED
            rows.append({"gathering_id": gathering.id, "person_id": person_id, "status": status})
        db.session.execute(insert(Registration), rows)
        registrations += len(rows)
        ids = db.session.scalars(select(Registration.id).where(Registration.gathering_id == gathering.id)).all()
        db.session.execute(insert(registration_day), [
            {"registration_id": registration_id, "day_id": day.id} for registration_id in ids for day in gathering.days])
        if held:
            db.session.execute(insert(EvaluationInvitation), [
                {"gathering_id": gathering.id, "person_id": person_id, "answered": n % 3 != 0}
                for n, person_id in enumerate(chosen)])
            db.session.execute(insert(EvaluationResponse), [
                {"id": random_id(), "gathering_id": gathering.id, "relevance": rng.randint(2, 5),
                 "usefulness": rng.randint(1, 5), "organisation": rng.randint(3, 5), "best": "", "improve": ""}
                for n in range(len(chosen)) if n % 3 != 0])

    first_due = date(2019, 9, 11)
    db.session.execute(insert(Assignment), [
        {"network_id": network.id, "title": f"Oppgave {n + 1}", "description": "", "method": list(AssignmentMethod)[n % 3],
         "due_on": first_due + timedelta(days=30 * n), "visibility": Visibility.NETWORK, "created_by_id": coordinator.id}
        for n in range(ASSIGNMENTS)])
    assignment_ids = db.session.scalars(select(Assignment.id).where(Assignment.network_id == network.id)).all()
    submissions = []
    for assignment_id in assignment_ids:
        for membership_id in rng.sample(membership_ids, int(len(membership_ids) * 0.85)):
            roll = rng.random()
            draft = roll < 0.15
            submissions.append({"assignment_id": assignment_id, "membership_id": membership_id,
                                "status": SubmissionStatus.DRAFT if draft else SubmissionStatus.SUBMITTED,
                                "text": "Svar.", "is_late": roll > 0.9,
                                "submitted_at": None if draft else datetime(2019, 9, 1, tzinfo=timezone.utc)})
    db.session.execute(insert(Submission), submissions)

    db.session.execute(insert(Feedback), [
        {"id": random_id(), "network_id": network.id, "topic": rng.choice(list(FeedbackTopic)), "works": "Bra.",
         "does_not_work": "", "suggestion": "", "anonymous": n % 2 == 0,
         "sender_id": None if n % 2 == 0 else rng.choice(person_ids), "sender_name": "", "sender_email": "",
         "received_on": date(2019, 5, 1) + timedelta(days=n % 400), "status": list(FeedbackStatus)[n % 4]}
        for n in range(FEEDBACK)])
    db.session.commit()
    counts = {"municipalities": len(membership_ids), "people": len(person_ids), "gatherings": len(gatherings),
              "registrations": registrations, "assignments": len(assignment_ids), "submissions": len(submissions),
              "feedback": FEEDBACK}
    return network.id, coordinator.id, counts


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        network_id, coordinator_id, counts = build()
        build_s = time.perf_counter() - started
        coordinator = db.session.get(Person, coordinator_id)
        engine = db.engine
        client = signed_in_client(app, coordinator)

    queries = count_queries(engine)

    pages = {
        "dashboard": f"/networks/{network_id}/dashboard",
        "cost overview": f"/networks/{network_id}/costs",  # for comparison: one of the sections on its own
    }
    print(f"database: {engine.dialect.name}; rounds per page: {ROUNDS}")
    print(", ".join(f"{value} {name}" for name, value in counts.items()) + f" (built in {build_s:.1f} s)")
    time_pages(client, queries, pages, ROUNDS)


if __name__ == "__main__":
    main()
