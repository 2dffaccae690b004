"""Benchmark the main pages on the demo network: time per request and SQL queries per page.

    .venv/bin/python bench/pages.py               # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/pages.py

Prints figures; asserts nothing. Uses Flask's test client, so it measures the app, not a server.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from measure import count_queries, time_pages  # noqa: E402  (bench/, first on the path when run)
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
        first_gathering_id = network.gatherings[0].id
        challenge_id = db.session.scalar(select(Challenge.id).where(Challenge.network_id == network_id, Challenge.position == 1))
        engine = db.engine

    queries = count_queries(engine)

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
        "feedback inbox": f"/networks/{network_id}/feedback",
        "feedback CSV": f"/networks/{network_id}/feedback.csv",
        "evaluation results": f"/networks/{network_id}/gatherings/{first_gathering_id}/evaluation/results",
        "evaluation XLSX": f"/networks/{network_id}/gatherings/{first_gathering_id}/evaluation/results.xlsx",
        "evaluations compared": f"/networks/{network_id}/evaluations",
        "dashboard": f"/networks/{network_id}/dashboard",
        "archive ZIP": f"/networks/{network_id}/archive.zip",
    }
    print(f"database: {engine.dialect.name}; rounds per page: {ROUNDS}")
    print(f"sign-in (argon2 verify included): {login_ms:.1f} ms")
    time_pages(client, queries, pages, ROUNDS)


if __name__ == "__main__":
    main()
