"""Benchmark the main pages on the demo network: time per request and SQL queries per page.

    .venv/bin/python bench/pages.py               # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/pages.py

Prints figures; asserts nothing. Uses Flask's test client, so it measures the app, not a server.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from network import create_app  # noqa: E402
from network.demo.services import load_demo  # noqa: E402
from network.challenges.models import Challenge  # noqa: E402
from network.extensions import db  # noqa: E402
from network.groups.models import Grouping  # noqa: E402
from network.organisations.models import Organisation  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        network, _ = load_demo()
        db.session.commit()
        network_id = network.id
        hamar_id = db.session.scalar(select(Organisation.id).where(Organisation.kommunenummer == "3403"))
        grouping = db.session.scalar(select(Grouping).where(Grouping.network_id == network_id))
        grouping_id, group_id = grouping.id, grouping.groups[0].id
        challenge_id = db.session.scalar(select(Challenge.id).where(Challenge.network_id == network_id, Challenge.position == 1))
        engine = db.engine

    queries = {"n": 0}
    event.listen(engine, "before_cursor_execute", lambda *args: queries.__setitem__("n", queries["n"] + 1))

    client = app.test_client()
    started = time.perf_counter()
    client.post("/login", data={"email": "koordinator@demo.test", "password": app.config["DEMO_PASSWORD"]})
    login_ms = (time.perf_counter() - started) * 1000

    pages = {
        "front page": f"/networks/{network_id}",
        "members (sorted)": f"/networks/{network_id}/members?sort=participants",
        "members search": f"/networks/{network_id}/members?q=os",
        "members CSV": f"/networks/{network_id}/members.csv",
        "municipality": f"/networks/{network_id}/municipalities/{hamar_id}",
        "people": f"/networks/{network_id}/people",
        "growth overview": f"/networks/{network_id}/growth",
        "challenges": f"/networks/{network_id}/challenges",
        "who shares": f"/networks/{network_id}/challenges/{challenge_id}",
        "challenge matrix": f"/networks/{network_id}/challenges/matrix",
        "planning compare": f"/networks/{network_id}/planning",
        "group suggestion": f"/networks/{network_id}/groups/new?name=B&basis=growth&target_size=4&suggest=1",
        "grouping": f"/networks/{network_id}/groups/{grouping_id}",
        "group page": f"/networks/{network_id}/groups/{grouping_id}/{group_id}",
        "my page": "/me",
    }
    print(f"database: {engine.dialect.name}; rounds per page: {ROUNDS}")
    print(f"sign-in (argon2 verify included): {login_ms:.1f} ms")
    print(f"{'page':<20} {'median ms':>10} {'p95 ms':>8} {'req/s':>8} {'queries':>8}")
    for name, path in pages.items():
        timings = []
        for _ in range(ROUNDS):
            queries["n"] = 0
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:<20} {median:>10.2f} {p95:>8.2f} {1000 / median:>8.0f} {queries['n']:>8}")


if __name__ == "__main__":
    main()
