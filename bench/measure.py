"""What the benchmark scripts share: percentiles and timing a set of pages with their query counts."""
from __future__ import annotations

import statistics
import time

from sqlalchemy import event


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def count_queries(engine) -> dict[str, int]:
    """A counter the engine bumps on every statement; reset ``counter["n"]`` before a request."""
    counter = {"n": 0}
    event.listen(engine, "before_cursor_execute", lambda *args: counter.__setitem__("n", counter["n"] + 1))
    return counter


def time_pages(client, queries: dict[str, int], pages: dict[str, str], rounds: int) -> None:
    """GET each page ``rounds`` times and print median and p95 in ms, requests per second, the
    queries of the last request and the page's size."""
    width = max(len(name) for name in pages) + 2
    print(f"{'page':<{width}} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'queries':>8} {'kB':>7}")
    for name, path in pages.items():
        timings = []
        size = 0
        for _ in range(rounds):
            queries["n"] = 0
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            size = len(response.data)
            if response.status_code != 200:
                print(f"  {path} answered {response.status_code}")
                break
        median = statistics.median(timings)
        print(f"{name:<{width}} {median:>10.1f} {percentile(timings, 0.95):>8.1f} {1000 / median:>7.1f} "
              f"{queries['n']:>8} {size / 1024:>7.0f}")


def signed_in_client(app, person):
    """A client signed in as ``person`` (call inside the app context that loaded them), as the
    sign-in page leaves it: a sign-in row committed and its token in the session cookie (the
    person's id alone no longer signs anyone in)."""
    from network.auth import sessions
    from network.extensions import db

    client = app.test_client()
    token = sessions.create(person)
    db.session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return client
