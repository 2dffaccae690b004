"""Benchmark the app as a server at national scale: gunicorn, PostgreSQL, wrk.

    .venv/bin/python bench/national.py                       # build if missing, then every page
    .venv/bin/python bench/national.py --skip-build --duration 3 --pages gathering,dashboard,register
    .venv/bin/python bench/national.py --rebuild             # make the data again
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/other .venv/bin/python bench/national.py

Into its own database (``bench_national``, created if missing) it migrates and loads a network of
every municipality in Norway (bench/national_data.py: 356 × 3 people, five gatherings, 3,000+
registrations, ten assignments, 50,000 comments, 2,000 feedback, evaluations, library examples), a
second network whose open gathering takes the registration benchmark, and the demo (the demo-size
network). Then it starts gunicorn with the production settings (gunicorn.conf.py, 2 sync workers)
for the app, for the app with its page cache off, and for a bare one-route Flask app (bench/bare.py),
and loads each page with wrk as the role that usually opens it, signed in by a session cookie made
the way the sign-in page makes one: once as served (a page seen again comes from the page cache),
once as made for every request. Registration is POSTed by wrk over 8 connections, each person
once, with their own cookie and CSRF token, and counted per second by the server's timestamps. Queries per request come from one in-process request; sizes are what the server sends with
``Accept-Encoding: gzip``, the page's CSS and JS included.

Prints one table and a line per goal; asserts nothing. Needs ``wrk`` (``apt-get install -y wrk``;
installed here if missing and apt-get is allowed) and PostgreSQL.
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_national"
NATIONAL_NAME = "Benk: hele landet"
PEOPLE_PREFIX = "benk-land"
COORDINATOR_EMAIL = "benk.land@bench.test"
REGISTRATION_NAME = "Benk: påmeldingsfart"
COMMENTS = 50_000
EXAMPLES = 500
DEMO_PARTICIPANT = "deltaker.hamar@demo.test"
USER_AGENT = "bench-national"
HOST = "127.0.0.1"

# Page key → (label, role, path template). The role is who usually opens the page.
PAGES = {
    "gathering-demo": ("gathering page, demo", "demo participant", "/networks/{demo}/gatherings/{demo_gathering}"),
    "gathering": ("gathering page", "participant", "/networks/{net}/gatherings/{open}"),
    "gathering-coordinator": ("gathering page", "coordinator", "/networks/{net}/gatherings/{open}"),
    "me": ("Min side", "participant", "/me"),
    "front": ("network front page", "participant", "/networks/{net}"),
    "members": ("members", "coordinator", "/networks/{net}/members"),
    "registrations": ("registrations list", "coordinator", "/networks/{net}/gatherings/{open}/registrations"),
    "dashboard": ("dashboard", "coordinator", "/networks/{net}/dashboard"),
    "costs": ("costs", "coordinator", "/networks/{net}/costs"),
    "costs-contact": ("costs", "contact", "/networks/{net}/costs"),
    "grid": ("status grid", "coordinator", "/networks/{net}/assignments/grid"),
    "library": ("library list", "participant", "/networks/{net}/library"),
}
ALL = [*PAGES, "register"]
ALONE_ROUNDS = 5
LATENCY_GOALS = ("gathering", "gathering-coordinator", "dashboard")
README_MARKER = "<!-- bench/national.py output: replaced by each new run -->"

# wrk prints this line when a run ends: latencies in microseconds.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %.0f %.0f %.0f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5, help="seconds of wrk per page (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent registering clients (default 8)")
    parser.add_argument("--registrations", type=int, default=400,
                        help="people who register, each once (default 400; half get a seat)")
    parser.add_argument("--skip-build", action="store_true", help="never build; use the data as it is")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even if it is there")
    parser.add_argument("--pages", default=",".join(ALL), help="comma-separated, of: " + ", ".join(ALL))
    parser.add_argument("--readme", action="store_true", help="put the output in README.md's benchmark section")
    parser.add_argument("--port", type=int, default=8731, help="the app's port; the bare app takes the next one")
    args = parser.parse_args()
    args.pages = [page.strip() for page in args.pages.split(",") if page.strip()]
    unknown = set(args.pages) - set(ALL)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


# Delivery jobs the app enqueues during the run wait here, and are removed at the end.
JOBS_KEY_PREFIX = "bench-national:"


def drop_queued_jobs() -> None:
    import redis

    store = redis.Redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    for key in store.scan_iter(match=f"{JOBS_KEY_PREFIX}*"):
        store.delete(key)


def server_environment(url: str) -> dict[str, str]:
    """Production settings, as gunicorn in production gets them (plain http on the loopback)."""
    # The job queue as in production: a request that writes mail only enqueues its delivery. No
    # worker runs, so the jobs wait under this run's own key prefix (removed at the end), and no
    # MAIL_SERVER: nothing is sent.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MAIL_", "GUNICORN_", "CELERY_")) and key != "REDIS_URL"}
    env.update({
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"), "JOBS_KEY_PREFIX": JOBS_KEY_PREFIX,
        "FLASK_CONFIG": "production", "DATABASE_URL": url, "SECRET_KEY": "bench-national-not-a-secret",
        "SITE_URL": "https://bench.invalid", "TRUSTED_HOSTS": f"{HOST},localhost",
        "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379"),
        "GUNICORN_WORKERS": "2",
    })
    return env


def ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        sys.exit("bench/national.py measures PostgreSQL: DATABASE_URL must be postgresql+psycopg://…")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}):
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing; installing it with apt-get install -y wrk", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: sudo apt-get install -y wrk")
    return found


# --- data --------------------------------------------------------------------------------


def ensure_data(force: bool, skip: bool) -> None:
    from sqlalchemy import select, text

    from national_data import build_network
    from network.auth.models import Person
    from network.demo.services import load_demo
    from network.extensions import db
    from network.main import clock
    from network.networks.models import Network

    have = db.session.scalar(select(Network.id).where(Network.name == NATIONAL_NAME))
    have_registration = db.session.scalar(select(Network.id).where(Network.name == REGISTRATION_NAME))
    have_demo = db.session.scalar(select(Person.id).where(Person.email == DEMO_PARTICIPANT))
    if skip and not (have and have_registration and have_demo):
        sys.exit("--skip-build, but the data is missing: run once without it")
    built = False
    if not skip and (force or not have or not have_registration):
        started = time.perf_counter()
        today = clock.oslo_today()
        first_days = [today + timedelta(days=offset) for offset in (-300, -120, 20, 60, 150)]
        national_id, _coordinator, counts = build_network(
            NATIONAL_NAME, PEOPLE_PREFIX, COORDINATOR_EMAIL, first_days, comments=COMMENTS, examples=EXAMPLES)
        build_registration_network(national_id, today)
        print(", ".join(f"{value} {name}" for name, value in counts.items())
              + f" (built in {time.perf_counter() - started:.1f} s)", flush=True)
        built = True
    if not skip and (force or not have_demo):
        load_demo()
        db.session.commit()
        built = True
    # Fresh statistics, as autovacuum keeps them on a live database: after a bulk load, and after
    # the last run's registrations (deleted and added again each time).
    db.session.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if built else "ANALYZE"))


def build_registration_network(national_id: int, today) -> None:
    """A network with the national one's members and people, and one open gathering; the benchmark
    sets its capacity to half of those who register, so the rest must land on the waiting list."""
    from datetime import time as clock_time

    from sqlalchemy import delete, insert, select

    from national_data import _utc
    from network.extensions import db
    from network.gatherings.models import Gathering, GatheringDay, GatheringStatus
    from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind

    db.session.execute(delete(Network).where(Network.name == REGISTRATION_NAME))
    network = Network(name=REGISTRATION_NAME, topic="Benk", ks_contact_name="K", ks_contact_email="k@ks.test",
                      feedback_email="f@ks.test", status=NetworkStatus.ACTIVE)
    db.session.add(network)
    db.session.flush()
    organisations = db.session.scalars(select(Membership.organisation_id).where(Membership.network_id == national_id)).all()
    db.session.execute(insert(Membership), [{"network_id": network.id, "organisation_id": org_id} for org_id in organisations])
    people = db.session.scalars(select(NetworkRole.person_id).where(
        NetworkRole.network_id == national_id, NetworkRole.role != RoleKind.COORDINATOR)).all()
    db.session.execute(insert(NetworkRole), [
        {"network_id": network.id, "person_id": person_id, "role": RoleKind.PARTICIPANT} for person_id in people])
    first_day = today + timedelta(days=40)
    db.session.add(Gathering(
        network_id=network.id, number=1, title="Påmeldingsfart", status=GatheringStatus.OPEN,
        registration_closes_at=_utc(first_day - timedelta(days=7)),
        days=[GatheringDay(day=first_day + timedelta(days=n), starts_at=clock_time(10), ends_at=clock_time(16))
              for n in range(2)]))
    db.session.commit()


def lookup() -> dict:
    """Ids and people the pages need."""
    from sqlalchemy import select

    from network.auth.models import Person
    from network.extensions import db
    from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
    from network.networks.models import Network, NetworkRole, RoleKind

    national = db.session.scalar(select(Network.id).where(Network.name == NATIONAL_NAME))
    open_id = db.session.scalar(select(Gathering.id).where(Gathering.network_id == national,
                                                           Gathering.status == GatheringStatus.OPEN))
    # A participant registered for the open gathering, and a contact of the same municipality.
    participant = db.session.scalar(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .join(Registration, Registration.person_id == Person.id)
        .where(NetworkRole.network_id == national, NetworkRole.role == RoleKind.PARTICIPANT,
               Registration.gathering_id == open_id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Person.id).limit(1))
    contact = db.session.scalar(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == national, NetworkRole.role == RoleKind.CONTACT,
               Person.organisation_id == participant.organisation_id))
    coordinator = db.session.scalar(select(Person).where(Person.email == COORDINATOR_EMAIL))
    demo_participant = db.session.scalar(select(Person).where(Person.email == DEMO_PARTICIPANT))
    # The demo's main network: the one of the participant's networks with the most gatherings.
    demo_gathering = db.session.scalars(
        select(Gathering).join(NetworkRole, NetworkRole.network_id == Gathering.network_id)
        .where(NetworkRole.person_id == demo_participant.id, Gathering.status == GatheringStatus.HELD)
        .order_by(Gathering.number.desc())).first()
    registration = db.session.scalar(select(Network.id).where(Network.name == REGISTRATION_NAME))
    registration_gathering = db.session.scalar(select(Gathering).where(Gathering.network_id == registration))
    return {
        "ids": {"net": national, "open": open_id, "demo": demo_gathering.network_id, "demo_gathering": demo_gathering.id},
        "people": {"participant": participant, "contact": contact, "coordinator": coordinator,
                   "demo participant": demo_participant},
        "registration": {"network": registration, "gathering": registration_gathering.id,
                         "days": [day.id for day in registration_gathering.days]},
    }


def signed_in(app, person) -> tuple[str, str]:
    """(session cookie, CSRF token) of a fresh sign-in, as the sign-in page makes them: a sign-in row
    committed, its token, the browser's identifier and a CSRF secret in a cookie signed with the
    app's key."""
    from flask import g, session
    from flask_login.utils import _create_identifier
    from flask_wtf.csrf import generate_csrf

    from network.auth import sessions
    from network.extensions import db

    token = sessions.create(person)
    db.session.commit()
    with app.test_request_context(environ_base={"REMOTE_ADDR": HOST}, headers={"User-Agent": USER_AGENT}):
        session.update({"_user_id": token, "_fresh": True, "_id": _create_identifier()})
        g.pop(app.config["WTF_CSRF_FIELD_NAME"], None)  # the request shares the caller's app context and its g
        csrf = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf


# --- the servers -------------------------------------------------------------------------


def start_server(name: str, app_path: str, port: int, env: dict, log: Path, chdir: Path) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}"}
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app_path]
    process = subprocess.Popen(command, cwd=chdir, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped at start: see {log}")
        try:
            status, _headers, _body = get(port, "/healthz" if name.startswith("app") else "/")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"{name} did not answer on port {port}: see {log}")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()  # gunicorn's arbiter stops its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    """One GET as a browser sends it (gzip accepted); redirects are not followed."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Accept-Encoding": "gzip", "User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


class PageError(Exception):
    """A page that does not answer 200 OK is not measured (a 302 to /login: a wrong cookie)."""


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def page_size(port: int, path: str, cookie: str) -> dict:
    """Bytes on the wire with gzip accepted: the HTML, and the HTML with its CSS and JS. An asset the
    server sends uncompressed counts as its gzip size (level 6, as Flask-Compress), and is listed."""
    status, headers, body = get(port, path, cookie)
    if status != 200:
        raise PageError(f"answered {status}" + (f" → {headers['location']}" if "location" in headers else ""))
    compressed = headers.get("content-encoding") == "gzip"
    html = gzip.decompress(body) if compressed else body
    parser = _Assets()
    parser.feed(html.decode("utf-8", "replace"))
    assets = 0
    uncompressed = []
    for url in dict.fromkeys(parser.urls):
        if url.startswith(("http:", "https:", "//")):
            continue
        _status, asset_headers, asset = get(port, url)
        if asset_headers.get("content-encoding") != "gzip":
            uncompressed.append(url)
            asset = gzip.compress(asset, 6)
        assets += len(asset)
    html_gz = len(body) if compressed else len(gzip.compress(body, 6))
    return {"html_kb": len(html) / 1024, "gz_kb": html_gz / 1024, "total_gz_kb": (html_gz + assets) / 1024,
            "assets": len(dict.fromkeys(parser.urls)), "uncompressed": uncompressed + ([] if compressed else [path])}


def warm_up(port: int, path: str, cookie: str | None) -> None:
    """A few requests first, so that both workers have served the page (templates compiled, caches full)."""
    threads = [threading.Thread(target=lambda: [get(port, path, cookie) for _ in range(3)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_wrk(wrk: str, script: Path, port: int, path: str, cookie: str | None, args, duration: float,
            connections: int | None = None) -> dict:
    connections = connections or args.connections
    command = [wrk, f"-t{min(args.threads, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "--timeout", "10s",
               "-s", str(script), "-H", f"User-Agent: {USER_AGENT}", "-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, duration_us, socket_errors, status_errors, p50, p95, p99 = (float(x) for x in line.split()[1:])
    if not requests:  # nothing answered within the run: no latency to report
        p50 = p95 = p99 = float("nan")
    return {"rps": requests / (duration_us / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
            "errors": int(socket_errors + status_errors), "requests": int(requests)}


# --- registration ------------------------------------------------------------------------


# wrk's POSTs for the registration run: each thread takes every n-th line of the file (a person's
# cookie and form), sends each once, and stops when its share has answered. A few spare people
# per thread keep a connection that is still busy at the end from sending anyone twice.
REGISTER_SCRIPT = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  local file, count, path, referer, agent = args[1], tonumber(args[2]), args[3], args[4], args[5]
  share = tonumber(args[6])
  items, sent, answered = {}, 0, 0
  local line_number = 0
  for line in io.lines(file) do
    if line_number % count == id then
      local cookie, body = line:match("([^\t]*)\t(.*)")
      items[#items + 1] = wrk.format("POST", path, {["Cookie"] = cookie, ["Referer"] = referer,
        ["User-Agent"] = agent, ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
    end
    line_number = line_number + 1
  end
end
function request()
  sent = sent + 1
  return items[math.min(sent, #items)]
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= share then wrk.thread:stop() end
end
""" + WRK_SCRIPT


def bench_registration(app, wrk: str, port: int, target: dict, args, queries: dict) -> dict:
    """``args.registrations`` people of the registration network register themselves, each once,
    over ``args.clients`` connections (wrk, a client in C that never keeps the server waiting),
    for a gathering with seats for half of them. Registrations per second come from the server's
    own clock: the first registration's time to the last's."""
    from sqlalchemy import delete, func, select

    from network.auth.models import Person
    from network.extensions import db
    from network.gatherings.models import Gathering, Registration, RegistrationStatus
    from network.networks.models import NetworkRole

    clients, count = args.clients, args.registrations
    threads = min(args.threads, clients)
    spare = -(-clients // threads)  # connections per thread
    network_id, gathering_id, day_ids = target["network"], target["gathering"], target["days"]
    path = f"/networks/{network_id}/gatherings/{gathering_id}/register"
    with app.app_context():
        db.session.execute(delete(Registration).where(Registration.gathering_id == gathering_id))
        people = db.session.scalars(select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
                                    .where(NetworkRole.network_id == network_id)
                                    .order_by(Person.id).limit(count + 1 + spare * threads)).all()
        db.session.get(Gathering, gathering_id).capacity = max(1, count // 2)
        db.session.commit()
        signed = [signed_in(app, person) for person in people]
        first_person = people[0].id

    def body(csrf: str) -> str:
        return urlencode([("csrf_token", csrf), *(("days", str(day)) for day in day_ids)])

    # The first person registers in-process, to count the queries one registration runs.
    cookie, csrf = signed.pop(0)
    client = app.test_client(use_cookies=False)
    queries["n"] = 0
    # A browser sends the form's page as Referer; Flask-WTF wants it on https (the test client's scheme here).
    response = client.post(path, data=body(csrf), headers={
        "Cookie": cookie, "User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://localhost{path}"})
    in_process = {"status": response.status_code, "queries": queries["n"]}

    work = Path(tempfile.mkdtemp(prefix="bench-register-"))
    (work / "people.tsv").write_text("".join(f"{cookie}\t{body(csrf)}\n" for cookie, csrf in signed))
    (work / "register.lua").write_text(REGISTER_SCRIPT)
    share = count // threads
    seconds = max(3, round(count / 50))  # wrk waits this long whatever happens; each thread stops when done
    output = subprocess.run([wrk, f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
                             "-s", str(work / "register.lua"), f"http://{HOST}:{port}{path}", "--",
                             str(work / "people.tsv"), str(threads), path, f"http://{HOST}:{port}{path}",
                             USER_AGENT, str(share)],
                            capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    requests, _duration, socket_errors, status_errors, p50, p95, _p99 = (float(x) for x in line.split()[1:])

    with app.app_context():
        capacity = db.session.get(Gathering, gathering_id).capacity
        by_status = dict(db.session.execute(
            select(Registration.status, func.count()).where(Registration.gathering_id == gathering_id)
            .group_by(Registration.status)).all())
        doubled = db.session.scalar(select(func.count()).select_from(
            select(Registration.person_id).where(Registration.gathering_id == gathering_id)
            .group_by(Registration.person_id).having(func.count() > 1).subquery()))
        # The first ``count`` registrations made by wrk's clients: a connection still busy when its
        # thread stopped may add one or two more, later.
        times = db.session.scalars(
            select(Registration.created_at).where(Registration.gathering_id == gathering_id,
                                                  Registration.person_id != first_person)
            .order_by(Registration.created_at).limit(count)).all()
        made = db.session.scalar(select(func.count()).where(Registration.gathering_id == gathering_id,
                                                            Registration.person_id != first_person))
    confirmed = by_status.get(RegistrationStatus.CONFIRMED, 0)
    seconds_taken = max((times[-1] - times[0]).total_seconds(), 1e-6)
    return {
        "rps": (len(times) - 1) / seconds_taken, "p50": p50 / 1000, "p95": p95 / 1000,
        "errors": int(socket_errors + status_errors) + (in_process["status"] != 302),
        "requests": made + 1, "queries": in_process["queries"], "capacity": capacity,
        "confirmed": confirmed, "waiting": by_status.get(RegistrationStatus.WAITING, 0),
        "overbooked": max(0, confirmed - capacity), "doubled": doubled,
        "statuses": {"wrk": int(requests)},
    }


# --- the run -----------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    env = server_environment(url)
    os.environ.update(env)  # the in-process app gets the servers' settings (config reads them on import)
    wrk = ensure_wrk()
    ensure_database(url)

    from flask_migrate import upgrade

    from measure import count_queries
    from network import create_app
    from network.extensions import db

    app = create_app("production")
    # In this process every page is made: "made ms" and the query count are a first visit's.
    app.config["PAGE_CACHE_SECONDS"] = 0
    with app.app_context():
        upgrade()
        ensure_data(force=args.rebuild, skip=args.skip_build)
        found = lookup()
        cookies = {role: signed_in(app, person)[0] for role, person in found["people"].items()}
        engine = db.engine
    queries = count_queries(engine)

    work = Path(tempfile.mkdtemp(prefix="bench-national-"))
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    load_before = os.getloadavg()
    servers: list[subprocess.Popen] = []
    rows: dict[str, dict] = {}
    try:
        servers.append(start_server("app", "wsgi:app", args.port, env, work / "app.log", ROOT))
        servers.append(start_server("bare", "bare:app", args.port + 1, env,
                                    work / "bare.log", ROOT / "bench"))
        # The same app with the page cache off (writes still count): what a page costs to make.
        made_port = args.port + 2
        servers.append(start_server("app without page cache", "wsgi:app", made_port,
                                    {**env, "PAGE_CACHE_SECONDS": "0"}, work / "app-made.log", ROOT))
        warm_up(args.port + 1, "/", None)
        # The bare app first and last, and briefly just before each page, whose ratio uses that.
        rows["bare"] = {"label": "bare Flask hello, first", "role": "-",
                        **run_wrk(wrk, script, args.port + 1, "/", None, args, args.duration)}

        def bare_now() -> float:
            """The bare app's req/s just before a page: the load on the machine changes by the minute."""
            return run_wrk(wrk, script, args.port + 1, "/", None, args, max(2, args.duration / 2))["rps"]
        for key in [page for page in args.pages if page in PAGES]:
            label, role, template = PAGES[key]
            path = template.format(**found["ids"])
            cookie = cookies[role]
            try:
                row = {"label": label, "role": role, **page_size(args.port, path, cookie)}
            except PageError as error:
                rows[key] = {"label": label, "role": role, "failed": str(error)}
                print(f"  {label} ({role}) {error}: not measured", file=sys.stderr, flush=True)
                continue
            client = app.test_client(use_cookies=False)  # the Cookie header as given
            client.get(path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})  # caches filled, as in a worker
            alone, cpu = [], []
            for _ in range(ALONE_ROUNDS):  # one request at a time, in this process: no queue in front
                queries["n"] = 0
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
                alone.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
            row["alone"] = statistics.median(alone)
            row["cpu"] = statistics.median(cpu)  # the app's own work, steadier than the clock on a busy machine
            row["queries"] = queries["n"] if response.status_code == 200 else None
            warm_up(args.port, path, cookie)
            row["bare_rps"] = bare_now()
            row.update(run_wrk(wrk, script, args.port, path, cookie, args, args.duration))
            if key in LATENCY_GOALS:  # also with one connection per worker: the latency without a queue
                row["p95_alone"] = run_wrk(wrk, script, args.port, path, cookie, args, args.duration, connections=2)["p95"]
            warm_up(made_port, path, cookie)
            row["made"] = run_wrk(wrk, script, made_port, path, cookie, args, args.duration)
            rows[key] = row
            print(f"  {label} ({role}) done", file=sys.stderr, flush=True)
        if "register" in args.pages:
            bare_rps = bare_now()
            result = bench_registration(app, wrk, args.port, found["registration"], args, queries)
            rows["register"] = {"label": f"register (POST, {args.clients} clients)", "role": "participant",
                                "bare_rps": bare_rps, **result}
        rows["bare-last"] = {"label": "bare Flask hello, last", "role": "-",
                             **run_wrk(wrk, script, args.port + 1, "/", None, args, args.duration)}
    finally:
        for server in servers:
            stop_server(server)
        drop_queued_jobs()
    text = report(rows, args, load_before, os.getloadavg(), engine)
    print(text)
    if args.readme:
        update_readme(text)


def update_readme(text: str) -> None:
    """Put the output in README.md's code block after README_MARKER."""
    readme = ROOT / "README.md"
    content = readme.read_text()
    start = content.index(README_MARKER)
    block_start = content.index("```text\n", start) + len("```text\n")
    block_end = content.index("```", block_start)
    readme.write_text(content[:block_start] + text.rstrip("\n") + "\n" + content[block_end:])


def report(rows: dict, args, load_before, load_after, engine) -> str:
    lines: list[str] = []
    out = lines.append  # the report is returned, to print and for README.md
    bare = statistics.mean(rows[key]["rps"] for key in ("bare", "bare-last"))  # for rows without their own
    out(f"database: {engine.dialect.name} {engine.url.database}; gunicorn 2 sync workers each for app and bare; "
          f"wrk -t{args.threads} -c{args.connections}, {args.duration:g} s per page, gzip accepted; the job queue "
          f"configured, as in production (delivery jobs wait in Redis; no worker runs)")
    out(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} cores, "
          f"shared); ×bare: req/s over the bare app's, measured just before (bare r/s)")
    out("p50, p95, req/s, ×bare: as served, the page cache on, as in production: wrk asks for one page with one "
        "sign-in, so after its first request the page comes from the cache (network/main/page_cache.py)")
    out("made: the same page made for every request (a second server, the page cache off): its p95, req/s and ×bare")
    out("1 req ms: one request at a time in this process, made (no queue, no cache), CPU ms of it (the app's Python, "
        "not PostgreSQL); queries: of that request; sizes as sent with gzip")
    header = (f"{'page':<30} {'role':<17} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} {'bare r/s':>8} {'×bare':>6} {'errors':>6} "
              f"{'made p95':>8} {'r/s':>5} {'×bare':>6} "
              f"{'1 req ms':>8} {'CPU ms':>6} {'queries':>7} {'HTML kB':>7} {'gz kB':>6} {'+CSS/JS':>7}")
    out(header)
    out("-" * len(header))
    for row in rows.values():
        if "failed" in row:
            out(f"{row['label']:<30} {row['role']:<17} {row['failed']}: not measured")
            continue
        queries = "-" if row.get("queries") is None else str(row["queries"])
        alone = f"{row['alone']:>8.1f} {row['cpu']:>6.1f}" if "alone" in row else f"{'-':>8} {'-':>6}"
        sizes = (f"{row['html_kb']:>7.1f} {row['gz_kb']:>6.1f} {row['total_gz_kb']:>7.1f}" if "html_kb" in row
                 else f"{'-':>7} {'-':>6} {'-':>7}")
        reference = row.get("bare_rps", bare)
        made = (f"{row['made']['p95']:>8.1f} {row['made']['rps']:>5.0f} {row['made']['rps'] / reference:>6.3f}"
                if "made" in row else f"{'-':>8} {'-':>5} {'-':>6}")
        out(f"{row['label']:<30} {row['role']:<17} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['rps']:>7.0f} "
            f"{reference:>8.0f} {row['rps'] / reference:>6.3f} {row['errors']:>6} {made} {alone} {queries:>7} {sizes}")
    if "register" in rows:
        r = rows["register"]
        out(f"registration: {r['requests']} people registered themselves, {r['confirmed']} confirmed of "
              f"{r['capacity']} seats, {r['waiting']} waiting, {r['doubled']} registered twice; "
              f"{r['statuses']['wrk']} answers to wrk, {r['errors']} of them errors (anything but 2xx/3xx; 302 is "
              f"success); registrations per second from the server's time of the first registration to the {args.registrations}th; "
              f"{r['queries']} queries for one registration")
    plain = sorted({url for row in rows.values() for url in row.get("uncompressed", [])})
    if plain:
        # Static files are sent streamed, and Flask-Compress compresses a streamed response with zstd, br or
        # deflate only: a browser gets them compressed, a client that accepts only gzip does not.
        out(f"sent uncompressed to a gzip-only client ({len(plain)}; counted above at their gzip size): "
              + ", ".join(url.rsplit("/", 1)[-1] for url in plain))
    out("")

    def goal(text: str, holds: bool | None, detail: str) -> None:
        verdict = "n/a " if holds is None else ("HOLDS" if holds else "FAILS")
        out(f"[{verdict}] {text}: {detail}")

    def made_each_time(row: dict, what: str) -> str:
        """The same figure with the page made for every request: the goal is judged as served."""
        if "made" not in row:
            return ""
        made = row["made"]
        figure = f"{made['rps'] / row['bare_rps']:.3f}" if what == "ratio" else f"p95 {made['p95']:.1f} ms"
        return f"; made for every request: {figure}"

    failed = {key: f"{row['label']} ({row['role']}) {row['failed']}" for key, row in rows.items() if "failed" in row}
    measured = {key: row for key, row in rows.items() if "failed" not in row}

    def broken(*keys: str) -> str | None:
        """Why a goal can't hold: one of its pages answered with an error."""
        reasons = [failed[key] for key in keys if key in failed]
        return "; ".join(reasons) or None

    demo = measured.get("gathering-demo")
    goal("gathering page, demo-size network, ≥ 0.10 of bare req/s",
         False if broken("gathering-demo") else demo and demo["rps"] / demo["bare_rps"] >= 0.10,
         broken("gathering-demo") or (f"{demo['rps'] / demo['bare_rps']:.3f} ({demo['rps']:.0f} of "
                                      f"{demo['bare_rps']:.0f} req/s){made_each_time(demo, 'ratio')}"
                                      if demo else "not measured"))
    national = [measured[key] for key in ("gathering", "gathering-coordinator") if key in measured]
    worst = max((row["p95"] for row in national), default=None)
    worst_alone = max((row["p95_alone"] for row in national), default=None)
    goal("gathering page, national, p95 ≤ 25 ms on PostgreSQL (every role measured)",
         False if broken("gathering", "gathering-coordinator") else None if worst is None else worst <= 25,
         broken("gathering", "gathering-coordinator") or ("not measured" if worst is None else
                                                          f"p95 {worst:.1f} ms ({args.connections} connections; "
                                                          f"{worst_alone:.1f} ms with 2, no queue)"
                                                          f"{made_each_time(max(national, key=lambda row: row['p95']), 'p95')}"))
    dashboard = measured.get("dashboard")
    goal("dashboard, national, p95 ≤ 50 ms and page ≤ 100 kB",
         False if broken("dashboard") else None if not dashboard
         else dashboard["p95"] <= 50 and dashboard["html_kb"] <= 100,
         broken("dashboard") or (f"p95 {dashboard['p95']:.1f} ms ({dashboard['p95_alone']:.1f} ms with 2 connections), "
                                 f"HTML {dashboard['html_kb']:.0f} kB "
                                 f"({dashboard['gz_kb']:.0f} kB gzip){made_each_time(dashboard, 'p95')}"
                                 if dashboard else "not measured"))
    register = measured.get("register")
    goal(f"registration ≥ 200/s with {args.clients} concurrent clients, 0 overbookings, 0 errors",
         None if not register else register["rps"] >= 200 and register["overbooked"] == 0 and register["errors"] == 0
         and register["doubled"] == 0,
         f"{register['rps']:.0f}/s, {register['overbooked']} overbooked, {register['errors']} errors"
         if register else "not measured")
    counted = {row["label"] + f" ({row['role']})": row["queries"] for key, row in measured.items()
               if key in PAGES and row.get("queries") is not None}
    over = {name: n for name, n in counted.items() if n > 10}
    goal("≤ 10 queries per page (GET)", None if not counted else not over,
         "over: " + ", ".join(f"{name} {n}" for name, n in over.items()) if over else f"most {max(counted.values(), default=0)}")
    sized = {row["label"] + f" ({row['role']})": row["total_gz_kb"] for row in measured.values() if "total_gz_kb" in row}
    heavy = {name: kb for name, kb in sized.items() if kb > 60}
    goal("≤ 60 kB gzip per page (HTML + CSS + JS)", None if not sized else not heavy,
         "over: " + ", ".join(f"{name} {kb:.0f} kB" for name, kb in heavy.items()) if heavy
         else f"largest {max(sized.values(), default=0):.0f} kB")
    if failed:
        out(f"[FAILS] every page answers: {'; '.join(failed.values())}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
