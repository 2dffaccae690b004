"""Benchmark the experience library: a network with every municipality (356) as a member and
2,000 published examples with realistic text. Measures the network's list unfiltered, filtered
and searched, the public list and an example page: latency and SQL queries per page.

    .venv/bin/python bench/library.py               # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/library.py

Prints figures; asserts nothing. Uses Flask's test client, so it measures the app, not a server.
Running it again on the same database reuses the examples it made the first time.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402

from measure import signed_in_client  # noqa: E402  (bench/, first on the path when run)
from network import create_app  # noqa: E402
from network.auth.models import Person  # noqa: E402
from network.challenges.models import Challenge  # noqa: E402
from network.extensions import db  # noqa: E402
from network.library.models import (  # noqa: E402
    Example, ExampleAdvice, ExampleReview, ExampleStatus, ExampleStep, MunicipalitySize, example_challenge, search_document,
    search_query,
)
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind  # noqa: E402
from network.organisations.models import Organisation, OrganisationKind  # noqa: E402
from network.organisations.services import import_national_list  # noqa: E402
from network.planning.models import PlanningStep, StrategicAdvice  # noqa: E402

EXAMPLES = int(os.environ.get("BENCH_EXAMPLES", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))
NETWORK_NAME = "Benchmark: erfaringsbiblioteket"
CHALLENGES = [
    "Høye boligpriser for barnefamilier", "Lite rotasjon i eneboligmarkedet", "Boliger for eldre",
    "Boliger til vanskeligstilte", "Dårlige levekår i enkelte områder", "Oppsplittet ansvar for boligpolitikken",
    "Fortetting som driver prisene opp",
]

# Fragments for sentences that read like the examples municipalities write. Each example draws
# its objects from one theme, so a word is found in some of the examples, not in all of them.
SUBJECTS = ["Kommunen", "Boligkontoret", "Plan- og bygningsetaten", "Tildelingsenheten", "NAV-kontoret",
            "Eiendomsavdelingen", "Arbeidsgruppa", "Kommunestyret", "Rådmannens stab", "Prosjektlederen",
            "Helse- og omsorgstjenesten", "Boligstiftelsen", "Styringsgruppa", "Planavdelingen"]
VERBS = ["kartla", "utarbeidet", "vedtok", "prioriterte", "samordnet", "fulgte opp", "evaluerte", "forhandlet fram",
         "etablerte", "styrket", "finansierte", "drøftet", "konkretiserte", "rullerte"]
THEMES = [
    ["en boligpolitisk handlingsplan", "målene i samfunnsdelen", "kunnskapsgrunnlaget om boligbehovet",
     "den politiske forankringen", "en temaplan for bolig"],
    ["tilvisningsavtaler med private utbyggere", "grunnlån fra Husbanken", "tildelingsretten til utleieboliger",
     "annonsen i lokalavisa", "samarbeidet med utleierne"],
    ["boligbehovet for eldre", "omsorgsboliger med fellesarealer", "tilpasning av eksisterende boliger",
     "velferdsteknologi i hjemmet", "livsløpsstandard i nye prosjekter"],
    ["leie-til-eie-ordningen", "startlån til barnefamilier", "sparedelen i husleien", "kjøpsopsjonen etter fem år",
     "oppfølgingen av familienes økonomi"],
    ["fortettingen rundt knutepunktet", "arealdelen av kommuneplanen", "reguleringsplanen for sentrum",
     "utbyggingsavtalene", "kravene til boligmiks"],
    ["kommunale boliger med oppfølging", "boligsosiale tjenester", "bostøtte og tilskudd",
     "boligklynger for utviklingshemmede", "samarbeidet med rus- og psykiatritjenesten"],
    ["bomiljøet i de eldste boligområdene", "levekårskartleggingen", "områdeløftet i bydelen",
     "møteplassene i nabolaget", "beboermedvirkningen"],
    ["prisregulerte boliger på kommunal tomt", "tomtereserven", "kommunens rolle som eiendomsaktør",
     "salget av kommunale eiendommer", "boligbyggelagets prosjekter"],
]
ENDINGS = ["i tett dialog med Husbanken.", "sammen med frivillige organisasjoner.", "etter innspill fra beboerne.",
           "over to år.", "med tilskudd fra Husbanken.", "for å nå målene i samfunnsdelen.", "i alle bydelene.",
           "med god politisk forankring.", "før økonomiplanen ble rullert.", "i samarbeid med nabokommunene.",
           "uten ekstra bevilgninger.", "med hjelp fra fylkeskommunen.", "på oppdrag fra formannskapet."]
TEXT_FIELDS = ("result", "background", "goals", "who_did_what", "relevant_law", "user_participation", "financing",
               "success_factors", "difficulties", "tips", "reports_and_links", "continuation")


def sentence(rng: random.Random, theme: list[str]) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(theme)} {rng.choice(ENDINGS)}"


def paragraph(rng: random.Random, theme: list[str], low: int, high: int) -> str:
    return " ".join(sentence(rng, theme) for _ in range(rng.randint(low, high)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def build_world() -> tuple[int, int, int]:
    """The network, its 356 members, a coordinator and the examples. Returns (network, coordinator, example) ids."""
    import_national_list()
    network = db.session.scalar(select(Network).where(Network.name == NETWORK_NAME))
    if network is None:
        network = Network(name=NETWORK_NAME, topic="Boligpolitikk", description="", framing="",
                          ks_contact_name="Benk Benchmark", ks_contact_email="benk@bench.test",
                          feedback_email="benk@bench.test", status=NetworkStatus.ACTIVE)
        db.session.add(network)
        db.session.flush()
    coordinator = db.session.scalar(select(Person).where(Person.email == "bench-library@bench.test"))
    if coordinator is None:
        coordinator = Person(name="Benk Koordinator", email="bench-library@bench.test")
        db.session.add(coordinator)
        db.session.add(NetworkRole(network=network, person=coordinator, role=RoleKind.COORDINATOR))
    municipalities = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.kommunenummer)))
    members = set(db.session.scalars(select(Membership.organisation_id).where(Membership.network_id == network.id)))
    db.session.add_all(Membership(network=network, organisation=org) for org in municipalities if org.id not in members)
    if not db.session.scalar(select(func.count()).select_from(Challenge).where(Challenge.network_id == network.id)):
        db.session.add_all(Challenge(network=network, position=n, title=title) for n, title in enumerate(CHALLENGES, 1))
    db.session.flush()
    challenge_ids = list(db.session.scalars(select(Challenge.id).where(Challenge.network_id == network.id)))

    have = db.session.scalar(select(func.count()).select_from(Example).where(Example.network_id == network.id))
    rng = random.Random(2019)
    start = datetime(2019, 4, 10, tzinfo=timezone.utc)
    tags: dict = {example_challenge: [], ExampleStep: [], ExampleAdvice: []}
    for number in range(have, EXAMPLES):
        org = municipalities[number % len(municipalities)]
        theme = rng.choice(THEMES)
        published = start + timedelta(hours=number * 7)
        example_id = db.session.execute(insert(Example).values(
            network_id=network.id, organisation_id=org.id,
            title=f"{rng.choice(theme).capitalize()} i {org.name}"[:200],
            responsible_unit=rng.choice(SUBJECTS), size=MunicipalitySize.for_population(org.population_2020),
            summary=paragraph(rng, theme, 2, 4),
            **{name: paragraph(rng, theme, 1, 6) for name in TEXT_FIELDS},
            status=ExampleStatus.PUBLISHED, is_public=number % 3 == 0, is_featured=number % 97 == 0, is_hidden=False,
            review=ExampleReview.APPROVED if number % 3 == 0 else ExampleReview.NONE,
            published_at=published, created_at=published, updated_at=published, updated_by_id=None,
        ).returning(Example.id)).scalar_one()
        tags[example_challenge] += [{"example_id": example_id, "challenge_id": challenge_id}
                                    for challenge_id in rng.sample(challenge_ids, rng.randint(1, 3))]
        tags[ExampleStep] += [{"example_id": example_id, "step": step}
                              for step in rng.sample(list(PlanningStep), rng.randint(1, 3))]
        tags[ExampleAdvice] += [{"example_id": example_id, "advice": advice}
                                for advice in rng.sample(list(StrategicAdvice), rng.randint(1, 3))]
    for target, rows in tags.items():
        if rows:
            db.session.execute(insert(target), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum would give a live database after a bulk load: without
        # them the planner guesses and may skip the search index.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE example"))
    db.session.commit()
    example_id = db.session.scalar(select(Example.id).where(Example.network_id == network.id).order_by(Example.id))
    return network.id, coordinator.id, example_id


def explain_search(engine) -> None:
    """On PostgreSQL: does the search use the GIN index?"""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execute(text("ANALYZE example"))
        statement = select(Example.id).where(search_document(Example.__table__.c).op("@@")(search_query("tilvisningsavtaler")))
        compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
        plan = [row[0] for row in connection.execute(text(f"EXPLAIN {compiled}"))]
    used = any("ix_example_search" in line for line in plan)
    print(f"search plan uses ix_example_search: {'yes' if used else 'no'} ({plan[0].strip()})")


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        network_id, coordinator_id, example_id = build_world()
        build_s = time.perf_counter() - started
        total = db.session.scalar(select(func.count()).select_from(Example).where(Example.network_id == network_id))
        county_id = db.session.scalar(select(Organisation.county_id).where(Organisation.kommunenummer == "3403"))
        challenge_id = db.session.scalar(select(Challenge.id).where(Challenge.network_id == network_id,
                                                                    Challenge.position == 4))
        coordinator = db.session.get(Person, coordinator_id)
        engine = db.engine
        explain_search(engine)
        client = signed_in_client(app, coordinator)
        anonymous = app.test_client()

    queries = {"n": 0}
    event.listen(engine, "before_cursor_execute", lambda *args: queries.__setitem__("n", queries["n"] + 1))

    library = f"/networks/{network_id}/library"
    pages = {
        "unfiltered": (client, library),
        "unfiltered, page 50": (client, f"{library}?page=50"),
        "county + step": (client, f"{library}?county={county_id}&step=housing_plan"),
        "challenge+advice+size": (client, f"{library}?challenge={challenge_id}&advice=property_actor&size=medium"),
        "search 1 word": (client, f"{library}?q=tilvisningsavtaler"),
        "search 2 words": (client, f"{library}?q=boliger+eldre"),
        "search common word": (client, f"{library}?q=kommunen"),
        "search, no match": (client, f"{library}?q=vindkraftverk"),
        "search + filters": (client, f"{library}?q=startlån&county={county_id}&step=economic_plan"),
        "public unfiltered": (anonymous, "/examples"),
        "public search": (anonymous, "/examples?q=omsorgsboliger"),
        "example page": (client, f"{library}/{example_id}"),
    }
    print(f"database: {engine.dialect.name}; examples: {total}; set-up {build_s:.1f} s; rounds per page: {ROUNDS}")
    print(f"{'page':<24} {'median ms':>10} {'p95 ms':>8} {'req/s':>7} {'queries':>8} {'results':>8}")
    for name, (http, path) in pages.items():
        timings = []
        response = http.get(path)  # warm up
        for _ in range(ROUNDS):
            queries["n"] = 0
            started = time.perf_counter()
            response = http.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        body = response.get_data(as_text=True)
        results = body.count('class="example-card"')
        median = statistics.median(timings)
        print(f"{name:<24} {median:>10.2f} {percentile(timings, 0.95):>8.2f} {1000 / median:>7.0f} "
              f"{queries['n']:>8} {results:>8}")


if __name__ == "__main__":
    main()
