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
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from measure import count_queries, signed_in_client, time_pages  # noqa: E402  (bench/, first on the path when run)
from national_data import build_network  # noqa: E402
from network import create_app  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.extensions import db  # noqa: E402
from network.networks.models import RoleKind  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
NETWORK_NAME = "Benk: oversikt for hele landet"
COORDINATOR_EMAIL = "benk.oversikt@bench.test"


def build() -> tuple[int, int, dict]:
    """The network and its data (bench/national_data.py); returns (network id, coordinator id, counts)."""
    first_days = [date(2019, 4, 10) + timedelta(days=91 * n) for n in range(5)]
    return build_network(NETWORK_NAME, "benk-oversikt", COORDINATOR_EMAIL, first_days,
                         roles=(RoleKind.EXECUTIVE, RoleKind.PARTICIPANT, RoleKind.PARTICIPANT))


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
