"""Time "Glemt passord" for an address with an account and for one without (issue 17, finding 6).

    .venv/bin/python bench/forgot_password.py    # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/forgot_password.py

Prints the median and p95 of the request itself (what an attacker can time) for both, and of
the work done after the response (the lookup, the link and the mail). The two request lines
should agree within the noise. Asserts nothing; uses Flask's test client, so it measures the app.
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

from measure import percentile  # noqa: E402  (bench/, first on the path when run)
from network import create_app  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.extensions import db  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
KNOWN = "finnes@bench.test"
UNKNOWN = "finnes-ikke@bench.test"


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    # Production's password hashing, and no rate limit in the way of the rounds.
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY", "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        db.session.add(Person(name="Bench", email=KNOWN))
        db.session.commit()

    request_ms: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    after_ms: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    for round_ in range(ROUNDS):
        # Alternate which goes first, so a warming cache favours neither.
        for email in (KNOWN, UNKNOWN) if round_ % 2 else (UNKNOWN, KNOWN):
            client = app.test_client()
            started = time.perf_counter()
            response = client.post("/forgot-password", data={"email": email})
            request_ms[email].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response.close()  # what the server does once the response is sent
            after_ms[email].append((time.perf_counter() - started) * 1000)

    print(f"{ROUNDS} requests each; ms")
    print(f"{'':<28} {'median':>8} {'p95':>8}")
    for label, timings in (("request, known address", request_ms[KNOWN]),
                           ("request, unknown address", request_ms[UNKNOWN]),
                           ("after response, known", after_ms[KNOWN]),
                           ("after response, unknown", after_ms[UNKNOWN])):
        print(f"{label:<28} {statistics.median(timings):>8.2f} {percentile(timings, 0.95):>8.2f}")


if __name__ == "__main__":
    main()
