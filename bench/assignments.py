"""Benchmark the coordinators' grid of submissions at national scale.

    .venv/bin/python bench/assignments.py             # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/assignments.py

A network with every municipality in Norway as a member (356), 20 assignments, submissions from
most municipalities (drafts, on time and late) and 50,000 comments spread over them, all bulk
inserted. Then the grid page and its CSV are requested BENCH_ROUNDS times each: median and p95
latency, and SQL queries per request. Prints figures; asserts nothing. Requests go through Flask's
test client (the app, not a server). On a database that already has the benchmark network, it is
deleted and made again.
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
from sqlalchemy import delete, func, insert, select  # noqa: E402

from measure import count_queries, signed_in_client, time_pages  # noqa: E402  (bench/, first on the path when run)
from network import create_app  # noqa: E402
from network.assignments.models import (  # noqa: E402
    Assignment, AssignmentMethod, Comment, Submission, SubmissionStatus, Visibility,
)
from network.auth.models import Person  # noqa: E402
from network.extensions import db  # noqa: E402
from network.networks.models import Membership, Network, NetworkRole, RoleKind  # noqa: E402
from network.organisations.models import Organisation, OrganisationKind  # noqa: E402
from network.organisations.services import import_national_list  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
ASSIGNMENTS = 20
COMMENTS = 50_000
SUBMITTING_SHARE = 0.85  # of the municipalities, per assignment
NETWORK_NAME = "Benk: oppgaver for hele landet"
COORDINATOR_EMAIL = "benk.oppgaver@bench.test"


def build() -> tuple[int, int, dict]:
    """The network and its data; returns (network id, coordinator id, counts)."""
    rng = random.Random(2019)
    import_national_list()
    db.session.execute(delete(Network).where(Network.name == NETWORK_NAME))  # cascades to everything below
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
    db.session.execute(insert(Membership), [{"network_id": network.id, "organisation_id": org_id,
                                             "joined_on": date(2019, 4, 10)} for org_id in municipalities])
    membership_ids = db.session.scalars(select(Membership.id).where(Membership.network_id == network.id)).all()

    first_due = date(2019, 9, 11)
    db.session.execute(insert(Assignment), [
        {"network_id": network.id, "title": f"Oppgave {n + 1}: erfaringer og mål", "description": "Beskriv arbeidet.",
         "method": list(AssignmentMethod)[n % 3], "due_on": first_due + timedelta(days=21 * n),
         "visibility": Visibility.NETWORK, "created_by_id": coordinator.id}
        for n in range(ASSIGNMENTS)])
    assignments = db.session.execute(
        select(Assignment.id, Assignment.due_on).where(Assignment.network_id == network.id)).all()

    rows = []
    for assignment_id, due_on in assignments:
        due = datetime.combine(due_on, datetime.min.time(), tzinfo=timezone.utc)
        for membership_id in rng.sample(membership_ids, int(len(membership_ids) * SUBMITTING_SHARE)):
            roll = rng.random()
            if roll < 0.15:
                rows.append({"assignment_id": assignment_id, "membership_id": membership_id, "status": SubmissionStatus.DRAFT,
                             "text": "Utkast.", "is_late": False, "submitted_at": None})
            else:
                late = roll > 0.9
                rows.append({"assignment_id": assignment_id, "membership_id": membership_id,
                             "status": SubmissionStatus.SUBMITTED, "text": "Vår besvarelse, med **mål** og tiltak.",
                             "is_late": late, "submitted_at": due + timedelta(days=2 if late else -3)})
    db.session.execute(insert(Submission), rows)
    submitted = db.session.scalars(
        select(Submission.id).join(Assignment).where(Assignment.network_id == network.id,
                                                     Submission.status == SubmissionStatus.SUBMITTED)).all()
    for start in range(0, COMMENTS, 10_000):
        db.session.execute(insert(Comment), [
            {"submission_id": rng.choice(submitted), "author_id": coordinator.id, "body": "En kommentar."}
            for _ in range(min(10_000, COMMENTS - start))])
    db.session.commit()
    counts = {
        "municipalities": len(membership_ids), "assignments": len(assignments), "submissions": len(rows),
        "comments": db.session.scalar(select(func.count(Comment.id)).join(Submission).join(Assignment)
                                      .where(Assignment.network_id == network.id)),
    }
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
        "grid": f"/networks/{network_id}/assignments/grid",
        "grid by county": f"/networks/{network_id}/assignments/grid?sort=county&dir=desc",
        "grid CSV": f"/networks/{network_id}/assignments/grid.csv",
        "assignment list": f"/networks/{network_id}/assignments",
    }
    print(f"database: {engine.dialect.name}; rounds per page: {ROUNDS}")
    print(", ".join(f"{value} {name}" for name, value in counts.items()) + f" (built in {build_s:.1f} s)")
    time_pages(client, queries, pages, ROUNDS)


if __name__ == "__main__":
    main()
