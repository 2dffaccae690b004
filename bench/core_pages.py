"""Benchmark the pages every role opens most: the gathering page, "Min side" and the network's
front page, on the demo network and on a national one (356 municipalities × 3 people, everyone
registered), for a coordinator, a participant, a municipal contact and an observer; and a bare
Flask endpoint in the same process, for the ratio.

    .venv/bin/python bench/core_pages.py             # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_core .venv/bin/python bench/core_pages.py
    BENCH_PROFILE="gathering national coordinator" .venv/bin/python bench/core_pages.py   # cProfile one page

Prints figures; asserts nothing. Requests go through Flask's test client (the app, not a server).
"cpu ms" is this process's CPU time per request, steadier than the clock on a shared machine (on
PostgreSQL it leaves out the server's own work); "ratio" is a bare Flask endpoint's median over the page's.
"""
from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import date, time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, select, text  # noqa: E402

from measure import count_queries, percentile, signed_in_client  # noqa: E402  (bench/, first on the path)
from network import create_app  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.demo.services import load_demo  # noqa: E402
from network.extensions import db  # noqa: E402
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus  # noqa: E402
from network.networks.models import Membership, Network, NetworkRole, RoleKind  # noqa: E402
from network.organisations.models import Organisation, OrganisationKind  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
PROFILE = os.environ.get("BENCH_PROFILE")
SHOW_SQL = os.environ.get("BENCH_SQL")  # a page's name: print the statements of one request


def national_network(coordinator: Person) -> tuple[Network, Gathering, dict[str, Person]]:
    """Every municipality a member with a contact and two participants, all registered for the
    first of five gatherings; an observer from a county authority."""
    municipalities = list(db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                                             .order_by(Organisation.kommunenummer)))
    network = Network(name="Nasjonalt", topic="Bench", ks_contact_name="K", ks_contact_email="k@ks.test",
                      feedback_email="f@ks.test")
    db.session.add(network)
    db.session.add(NetworkRole(network=network, person=coordinator, role=RoleKind.COORDINATOR))
    gatherings = []
    for number in range(1, 6):
        gathering = Gathering(network=network, number=number, title=f"Samling {number}", status=GatheringStatus.OPEN,
                              days=[GatheringDay(day=date(2031, number, 12), starts_at=clock(10), ends_at=clock(16)),
                                    GatheringDay(day=date(2031, number, 13), starts_at=clock(9), ends_at=clock(15))])
        gatherings.append(gathering)
    db.session.add_all(gatherings)
    roles: dict[str, Person] = {}
    for organisation in municipalities:
        db.session.add(Membership(network=network, organisation=organisation))
        for n in range(3):
            person = Person(name=f"{organisation.name} {n}", email=f"n.{organisation.kommunenummer}.{n}@bench.test",
                            organisation=organisation)
            kind = RoleKind.CONTACT if n == 0 else RoleKind.PARTICIPANT
            db.session.add(NetworkRole(network=network, person=person, role=kind))
            db.session.add(Registration(gathering=gatherings[0], person=person, status=RegistrationStatus.CONFIRMED,
                                        days=list(gatherings[0].days)))
            roles.setdefault(kind.value, person)
    county = db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.COUNTY_AUTHORITY))
    observer = Person(name="Bench Observatør", email="observer@bench.test", organisation=county)
    db.session.add(NetworkRole(network=network, person=observer, role=RoleKind.OBSERVER))
    roles["observer"] = observer
    roles["coordinator"] = coordinator
    db.session.flush()
    return network, gatherings[0], roles


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        demo, _ = load_demo()
        db.session.commit()
        demo_people = {kind: db.session.scalar(select(Person).where(Person.email == email)) for kind, email in (
            ("coordinator", "koordinator@demo.test"), ("participant", "deltaker.hamar@demo.test"),
            ("contact", "kontakt.hamar@demo.test"), ("observer", "husbanken@demo.test"))}
        demo_gathering = db.session.scalar(select(Gathering).where(Gathering.network_id == demo.id)
                                           .order_by(Gathering.number))
        national, national_gathering, national_people = national_network(demo_people["coordinator"])
        db.session.commit()
        sizes = {"demo": (demo.id, demo_gathering.id, demo_people),
                 "national": (national.id, national_gathering.id, national_people)}
        clients = {(size, kind): signed_in_client(app, person)
                   for size, (_n, _g, people) in sizes.items() for kind, person in people.items()}
        ids = {size: (network_id, gathering_id) for size, (network_id, gathering_id, _p) in sizes.items()}
        engine = db.engine

    queries = count_queries(engine)
    bare = Flask("bare")
    bare.add_url_rule("/", "bare", lambda: "ok")
    bare_client = bare.test_client()
    bare = []
    for _ in range(2000):
        t0 = time.perf_counter()
        bare_client.get("/")
        bare.append((time.perf_counter() - t0) * 1000)
    bare_ms = statistics.median(bare)
    print(f"database: {engine.dialect.name}; rounds per page: {ROUNDS}; bare Flask endpoint {bare_ms:.3f} ms "
          f"({1000 / bare_ms:.0f} req/s)")
    print(f"{'page':<42} {'p50 ms':>7} {'p95 ms':>7} {'cpu ms':>7} {'ratio':>7} {'queries':>8} {'kB':>6}")
    for size in ("demo", "national"):
        network_id, gathering_id = ids[size]
        pages = {"gathering": f"/networks/{network_id}/gatherings/{gathering_id}", "me": "/me",
                 "front": f"/networks/{network_id}"}
        for page, path in pages.items():
            for kind in ("coordinator", "participant", "contact", "observer"):
                client = clients[(size, kind)]
                name = f"{page} {size} {kind}"
                client.get(path)  # warm
                if SHOW_SQL == name:
                    statements = []
                    listener = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
                    event.listen(engine, "before_cursor_execute", listener)
                    client.get(path)
                    event.remove(engine, "before_cursor_execute", listener)
                    for statement in statements:
                        print(" ".join(statement.split())[:400])
                if PROFILE == name:
                    profiler = cProfile.Profile()
                    profiler.enable()
                    for _ in range(ROUNDS):
                        client.get(path)
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
                timings, cpu = [], []
                for _ in range(ROUNDS):
                    queries["n"] = 0
                    t0, c0 = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    timings.append((time.perf_counter() - t0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
                    if response.status_code != 200:
                        print(f"  {path} answered {response.status_code}")
                        break
                median = statistics.median(timings)
                print(f"{name:<42} {median:>7.1f} {percentile(timings, 0.95):>7.1f} {statistics.median(cpu):>7.1f} "
                      f"{bare_ms / median:>7.3f} "
                      f"{queries['n']:>8} {len(response.data) / 1024:>6.0f}")


if __name__ == "__main__":
    main()
