"""Benchmark registration: throughput, latency, and SQL queries on the gathering page.

    .venv/bin/python bench/registration.py             # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/registration.py

Prints figures; asserts nothing. Requests go through Flask's test client (the app, not a server).
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402

from measure import signed_in_client  # noqa: E402  (bench/, first on the path when run)
from network import create_app  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.extensions import db  # noqa: E402
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus  # noqa: E402
from network.networks.models import Membership, Network, NetworkRole, RoleKind  # noqa: E402
from network.organisations.models import Organisation, OrganisationKind  # noqa: E402
from network.organisations.services import import_national_list  # noqa: E402

REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "300"))
PAGE_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def make_network(name: str, municipalities: list[Organisation], people_each: int, coordinator: Person):
    network = Network(name=name, topic="Bench", ks_contact_name="K", ks_contact_email="k@ks.test", feedback_email="f@ks.test")
    db.session.add(network)
    db.session.add(NetworkRole(network=network, person=coordinator, role=RoleKind.COORDINATOR))
    gathering = Gathering(network=network, number=1, title="Samling", status=GatheringStatus.OPEN,
                          days=[GatheringDay(day=date(2031, 3, 12), starts_at=clock(10), ends_at=clock(16)),
                                GatheringDay(day=date(2031, 3, 13), starts_at=clock(9), ends_at=clock(15))])
    db.session.add(gathering)
    people = []
    for organisation in municipalities:
        db.session.add(Membership(network=network, organisation=organisation))
        for n in range(people_each):
            person = Person(name=f"{organisation.name} {n}", email=f"{name}.{organisation.kommunenummer}.{n}@bench.test".lower(),
                            organisation=organisation)
            people.append(person)
            db.session.add(NetworkRole(network=network, person=person, role=RoleKind.PARTICIPANT))
    db.session.flush()
    return network, gathering, people


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        import_national_list()
        municipalities = list(db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                                                 .order_by(Organisation.kommunenummer)))
        ks = Organisation(name="KS", kind=OrganisationKind.KS)
        coordinator = Person(name="Bench Koordinator", email="koordinator@bench.test", organisation=ks)
        db.session.add_all([ks, coordinator])
        small = make_network("liten", municipalities[:17], 3, coordinator)
        large = make_network("stor", municipalities, 3, coordinator)
        throughput = make_network("fart", municipalities[:100], 3, coordinator)
        db.session.commit()
        # Everyone in the two page networks is registered for both days.
        for network, gathering, people in (small, large):
            for person in people:
                db.session.add(Registration(gathering=gathering, person=person, status=RegistrationStatus.CONFIRMED,
                                            days=list(gathering.days)))
        db.session.commit()
        ids = {
            "coordinator": coordinator.id,
            "small": (small[0].id, small[1].id), "large": (large[0].id, large[1].id),
            "fart": (throughput[0].id, throughput[1].id, [p.id for p in throughput[2]][:REGISTRATIONS],
                     [d.id for d in throughput[1].days]),
        }
        engine = db.engine

    queries = {"n": 0}
    event.listen(engine, "before_cursor_execute", lambda *args: queries.__setitem__("n", queries["n"] + 1))
    print(f"database: {engine.dialect.name}")

    # Registration throughput and latency: each person registers themself through the endpoint.
    network_id, gathering_id, person_ids, day_ids = ids["fart"]
    latencies = []
    with app.app_context():
        people = [db.session.get(Person, pid) for pid in person_ids]
        clients = [signed_in_client(app, person) for person in people]
    started = time.perf_counter()
    for client in clients:
        t0 = time.perf_counter()
        response = client.post(f"/networks/{network_id}/gatherings/{gathering_id}/register", data={"days": [str(d) for d in day_ids]})
        latencies.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 302, response.status_code
    elapsed = time.perf_counter() - started
    print(f"registrations: {len(clients)} in {elapsed:.2f} s = {len(clients) / elapsed:.0f} per second "
          f"(sequential, confirmation mail queued and delivered to the console each time)")
    print(f"register endpoint: p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms")

    with app.app_context():
        coordinator_client = signed_in_client(app, db.session.get(Person, ids["coordinator"]))
    for label, key, count in (("17 municipalities", "small", 17), ("356 municipalities", "large", 356)):
        network_id, gathering_id = ids[key]
        url = f"/networks/{network_id}/gatherings/{gathering_id}"
        timings = []
        for _ in range(PAGE_ROUNDS):
            queries["n"] = 0
            t0 = time.perf_counter()
            response = coordinator_client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        print(f"gathering page, {label} × 3 people ({count * 3} registered): p50 {statistics.median(timings):.1f} ms, "
              f"p95 {percentile(timings, 0.95):.1f} ms, {queries['n']} SQL queries")


if __name__ == "__main__":
    main()
