"""Benchmark the read-only API's main list endpoints at national scale.

    .venv/bin/python bench/api.py             # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/api.py

The national data set of bench/dashboard.py: every municipality in Norway as a member (356), three
people each, five gatherings with registrations, attendance and evaluations, ten assignments with
submissions, feedback. A coordinator's personal access token is made as the profile page makes
one, and each endpoint is requested BENCH_ROUNDS times with it (the largest page, size=200):
median and p95 latency, requests per second, SQL queries per request and the response's size.
Prints figures; asserts nothing. Requests go through Flask's test client (the app, not a server),
with the rate limit off so the rounds are not refused.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from dashboard import ROUNDS, build  # noqa: E402  (bench/, first on the path when run)
from measure import count_queries, time_pages  # noqa: E402
from network import create_app  # noqa: E402
from network.api import tokens  # noqa: E402
from network.assignments.models import Assignment  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.extensions import db  # noqa: E402
from network.gatherings.models import Gathering  # noqa: E402
from network.models_base import utcnow  # noqa: E402

PAGE = "size=200"


def api_pages(network_id: int) -> dict[str, str]:
    """The main list endpoints of the three resource groups, on the national network."""
    gathering_id = db.session.scalar(select(Gathering.id).where(Gathering.network_id == network_id, Gathering.number == 1))
    assignment_id = db.session.scalar(select(Assignment.id).where(Assignment.network_id == network_id)
                                      .order_by(Assignment.due_on, Assignment.id))
    n = f"/api/v1/networks/{network_id}"
    return {
        "members": f"{n}/members?{PAGE}",
        "gatherings": f"{n}/gatherings?{PAGE}",
        "registrations (gathering 1)": f"{n}/gatherings/{gathering_id}/registrations?{PAGE}",
        "costs": f"{n}/costs?{PAGE}",
        "invoice basis": f"{n}/invoice-basis?{PAGE}",
        "planning": f"{n}/planning?{PAGE}",
        "assignment status grid": f"{n}/assignments/{assignment_id}/status?{PAGE}",
        "evaluations": f"{n}/evaluations?{PAGE}",
        "dashboard": f"{n}/dashboard",
    }


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        network_id, coordinator_id, counts = build()
        build_s = time.perf_counter() - started
        coordinator = db.session.get(Person, coordinator_id)
        _token, secret = tokens.create(coordinator, "Benk", utcnow() + timedelta(days=1))
        db.session.commit()
        pages = api_pages(network_id)
        engine = db.engine

    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    queries = count_queries(engine)
    print(f"database: {engine.dialect.name}; rounds per endpoint: {ROUNDS}; a coordinator's token")
    print(", ".join(f"{value} {name}" for name, value in counts.items()) + f" (built in {build_s:.1f} s)")
    time_pages(client, queries, pages, ROUNDS)


if __name__ == "__main__":
    main()
