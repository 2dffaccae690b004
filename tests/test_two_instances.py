"""Two app instances behind one address (issue 16): nothing a visit needs lives in one process.

Two gunicorn processes, started with ``gunicorn.conf.py`` and the production configuration, share
the suite's database, one SECRET_KEY, and one Redis for rate limits and the job queue (under key
prefixes of this run's own); a ``flask jobs worker`` joins them to deliver queued mail. One cookie
jar drives both instances, sending each request to the instance a round-robin load balancer
would pick. The test is that balancer: it reaches the instances from 127.0.0.1, the address they
trust as their proxy (``FORWARDED_ALLOW_IPS``), and names the client in ``X-Forwarded-For``.

Only two settings differ from a real deployment: the session cookie is not ``Secure`` (the test
speaks plain http, and a cookie jar keeps a ``Secure`` cookie to https), and the login limits are
small. The data made here is deleted again, leaving the national list as the other tests expect.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shelve
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
import redis
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import select

from network.auth.models import LoginSession, Person
from network.auth.passwords import hash_password
from network.extensions import db
from network.jobs.cli import readable_schedule_file
from network.organisations.services import import_national_list
from network.outbox.models import OutboxMessage, OutboxStatus
from tests.conftest import make_app
from tests.smtp_server import SMTP_PORT, free_port

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
EMAIL = "to.instanser@example.test"
NAME = "Tove To-Instanser"
FORGETFUL = "glemsk@example.test"  # the mail test gives this person a new password
MOVER = "flytter@example.test"  # and this one a new e-mail address
PASSWORD = "et langt passord for to instanser"
# Per client IP address, and per e-mail address from any address: small, so a few tries hit them.
LOGIN_RATE_LIMIT = "3 per minute"
LOGIN_ACCOUNT_RATE_LIMIT = "3 per hour"
# Requests per API token (network/api), in the same store: small too.
API_RATE_LIMIT = "3 per minute"
START_SECONDS = 90


@dataclass
class Instance:
    name: str
    url: str
    process: subprocess.Popen
    log: Path

    def __call__(self, path: str) -> str:
        return self.url + path

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


# --- set-up ------------------------------------------------------------------------------


def _redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL): {error}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return client


def _instance_env(database_url: str, key_prefix: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("FLASK_", "GUNICORN_", "CELERY_", "REDIS_", "JOBS_", "MAIL_"))}
    env.update({
        "FLASK_CONFIG": "production",
        "SECRET_KEY": "two-instances-" + uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "SITE_URL": "https://nettverk.example.test",
        "TRUSTED_HOSTS": "127.0.0.1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "PROXY_FIX_X_FOR": "1",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "LOGIN_RATE_LIMIT": LOGIN_RATE_LIMIT,
        "LOGIN_ACCOUNT_RATE_LIMIT": LOGIN_ACCOUNT_RATE_LIMIT,
        "API_RATE_LIMIT": API_RATE_LIMIT,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(SMTP_PORT),
        # The job queue, in the same Redis under this run's prefix: requests enqueue their mail.
        "REDIS_URL": REDIS_URL,
        "JOBS_KEY_PREFIX": f"{key_prefix}:",
        "GUNICORN_WORKERS": "1",
    })
    return env


def _start(name: str, env: dict[str, str], key_prefix: str, folder: Path) -> Instance:
    port = free_port()
    log = folder / f"{name}.log"
    # The production configuration, with the two test-only settings the module docstring names.
    app = ('network:create_app({"CONFIG_NAME": "production", "SESSION_COOKIE_SECURE": False, '
           f'"RATELIMIT_KEY_PREFIX": "{key_prefix}"}})')
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return Instance(name, f"http://127.0.0.1:{port}", process, log)


def _wait_until_up(instance: Instance, deadline: float) -> None:
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            pytest.fail(f"Instance {instance.name} stopped at start:\n{instance.log_tail()}", pytrace=False)
        try:
            if requests.get(instance("/login"), timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or slow to answer on a busy machine
            pass
        time.sleep(0.2)
    pytest.fail(f"Instance {instance.name} did not answer in {START_SECONDS} s:\n{instance.log_tail()}", pytrace=False)


def _stop(*instances: Instance) -> None:
    # Each instance is its own process group (master and worker). A graceful stop takes seconds on
    # a busy machine and proves nothing here, so both groups are killed outright.
    for instance in instances:
        if instance.process.poll() is None:
            os.killpg(instance.process.pid, signal.SIGKILL)
    for instance in instances:
        instance.process.wait(timeout=30)


def _leave_database_as_found(app) -> None:
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        import_national_list()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@dataclass
class Cluster:
    a: Instance
    b: Instance
    app: Flask  # this process's own, on the same database (no savepoint: the instances must see its writes)
    env: dict[str, str]
    key_prefix: str
    folder: Path
    store: redis.Redis


@pytest.fixture(scope="module")
def cluster(migrated_database, smtp_server, tmp_path_factory):
    """Instances A and B, three people who can sign in, and this process's own app on the same database."""
    store = _redis()
    key_prefix = f"two-instances-{uuid.uuid4().hex[:12]}"
    app = make_app(migrated_database)
    with app.app_context():
        for email in (EMAIL, FORGETFUL, MOVER):
            db.session.add(Person(name=NAME, email=email, password_hash=hash_password(PASSWORD)))
        db.session.commit()
        db.session.remove()
    env = _instance_env(migrated_database, key_prefix)
    folder = tmp_path_factory.mktemp("instances")
    a = _start("A", env, key_prefix, folder)
    b = _start("B", env, key_prefix, folder)
    try:
        deadline = time.monotonic() + START_SECONDS
        _wait_until_up(a, deadline)
        _wait_until_up(b, deadline)
        yield Cluster(a, b, app, env, key_prefix, folder, store)
    finally:
        _stop(a, b)
        for key in store.scan_iter(match=f"*{key_prefix}*"):  # rate limits and the job queue
            store.delete(key)
        store.close()
        _leave_database_as_found(app)


@pytest.fixture
def a(cluster) -> Instance:
    return cluster.a


@pytest.fixture
def b(cluster) -> Instance:
    return cluster.b


@pytest.fixture
def app(cluster) -> Flask:
    return cluster.app


# --- the browser: one cookie jar ---------------------------------------------------------


def browser(client_ip: str) -> requests.Session:
    """A browser behind the proxy: one cookie jar, its address in X-Forwarded-For as the proxy sets it."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = client_ip
    return session


def csrf_token(response: requests.Response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert match, f"no CSRF token on {response.url}"
    return match.group(1)


def sign_in(session: requests.Session, instance: Instance, email: str = EMAIL, password: str = PASSWORD,
            form_from: Instance | None = None):
    """Open the sign-in page (on ``form_from``, or the same instance) and send it to ``instance``."""
    token = csrf_token(session.get((form_from or instance)("/login")))
    return session.post(instance("/login"), data={"email": email, "password": password, "csrf_token": token},
                        allow_redirects=False)


def signed_in_as(session: requests.Session, instance: Instance) -> str | None:
    """The name «Min side» greets on that instance, or None when it sends the browser to sign in."""
    response = session.get(instance("/me"), allow_redirects=False)
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
        return None
    assert response.status_code == 200
    return NAME if NAME in response.text else "someone else"


# --- sessions ------------------------------------------------------------------------------


def test_signed_in_on_a_is_signed_in_on_b(a, b):
    session = browser("198.51.100.1")
    # The form (and its CSRF token, kept in the session cookie) from B, sent to A.
    assert sign_in(session, a, form_from=b).status_code == 302
    # Round robin: every other request lands on the other instance.
    assert [signed_in_as(session, instance) for instance in (b, a, b)] == [NAME, NAME, NAME]


def test_a_page_kept_by_b_shows_a_change_made_on_a_at_once(cluster, a, b, app):
    """The page cache (network/main/page_cache.py) is in Redis, and so is the generation every
    commit moves on: a page B keeps is not served once A has changed what it shows."""
    email, renamed = "sidebuffer@example.test", "Siri Omdøpt"
    with app.app_context():
        db.session.add(Person(name="Siri Sidebuffer", email=email, password_hash=hash_password(PASSWORD)))
        db.session.commit()
        db.session.remove()
    session = browser("198.51.100.40")
    assert sign_in(session, a, email=email).status_code == 302
    pages = f"{cluster.key_prefix}:pages:page:*"
    assert [("Siri Sidebuffer" in session.get(b("/me")).text) for _ in range(2)] == [True, True]
    assert list(cluster.store.scan_iter(match=pages)), "B kept no page"
    form = session.get(a("/me/profile"))
    saved = session.post(a("/me/profile"), data={"name": renamed, "job_title": "", "phone": "",
                                                 "preferred_contact": "email", "csrf_token": csrf_token(form)},
                         allow_redirects=False)
    assert saved.status_code == 302
    for _ in range(2):  # the first shows «Profilen er lagret.», the second may come from B's cache
        page = session.get(b("/me")).text
        assert renamed in page and "Siri Sidebuffer" not in page


def _sign_ins_of(app, email: str) -> int:
    with app.app_context():
        count = len(db.session.scalars(
            select(LoginSession.id).join(Person, Person.id == LoginSession.person_id).where(Person.email == email)
        ).all())
        db.session.remove()
    return count


def test_signing_out_on_b_ends_the_sign_in_on_a(a, b, app):
    session = browser("198.51.100.2")
    assert sign_in(session, a).status_code == 302
    copied_cookie = session.cookies.get("session")
    before = _sign_ins_of(app, EMAIL)
    page = session.get(a("/me"))
    assert session.post(b("/logout"), data={"csrf_token": csrf_token(page)}, allow_redirects=False).status_code == 302
    assert _sign_ins_of(app, EMAIL) == before - 1
    assert signed_in_as(session, a) is None
    # A copy of the cookie from before signing out names a sign-in that no longer exists anywhere.
    thief = browser("198.51.100.3")
    thief.cookies.set("session", copied_cookie, domain="127.0.0.1")
    assert signed_in_as(thief, a) is None and signed_in_as(thief, b) is None


# --- rate limits -----------------------------------------------------------------------------


def _failed_sign_ins(sessions_and_instances, email_for) -> list[int]:
    return [sign_in(session, instance, email_for(n), "feil passord").status_code
            for n, (session, instance) in enumerate(sessions_and_instances)]


def test_failed_sign_ins_on_a_and_b_count_against_one_limit_per_address(a, b):
    session = browser("198.51.100.10")
    # Three tries a minute from one address, whichever instance each try reaches.
    statuses = _failed_sign_ins([(session, a), (session, b), (session, a), (session, b)],
                                lambda n: f"ukjent{n}@example.test")
    assert statuses == [422, 422, 422, 429]


def test_failed_sign_ins_on_a_and_b_count_against_one_limit_per_account(a, b):
    # Four addresses, alternating instances: the account's three failures an hour are shared too.
    tries = [(browser(f"198.51.100.{20 + n}"), instance) for n, instance in enumerate((a, b, a, b))]
    assert _failed_sign_ins(tries, lambda n: "laast.konto@example.test") == [422, 422, 422, 429]


def test_api_requests_on_a_and_b_count_against_one_limit_per_token(cluster, a, b, app):
    """The API's limit per token lives in the same Redis as the sign-in limits, whichever instance
    a reporting tool's request reaches."""
    from datetime import timedelta

    from network.api import tokens
    from network.models_base import utcnow

    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == EMAIL))
        _token, secret = tokens.create(person, "To instanser", utcnow() + timedelta(days=1))
        db.session.commit()
        db.session.remove()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {secret}"
    statuses = [session.get(instance("/api/v1/me")).status_code for instance in (a, b, a)]
    refused = [session.get(instance("/api/v1/me")) for instance in (b, a)]
    assert statuses == [200, 200, 200]
    for response in refused:
        assert response.status_code == 429
        assert response.headers["Content-Type"] == "application/problem+json"
        assert int(response.headers["Retry-After"]) >= 1
    # Counted under this run's key prefix (and so deleted with the run's other keys afterwards).
    assert any(cluster.store.scan_iter(match=f"*{cluster.key_prefix}*api*"))


def test_forwarded_for_from_a_client_that_is_not_the_proxy_is_dropped(a, b):
    """From 127.0.0.2 the instances see no proxy, so a made-up X-Forwarded-For on each try does not
    make each try look like a new address: gunicorn.conf.py drops the header before ProxyFix."""
    tries = []
    for n, instance in enumerate((a, b, a, b)):
        session = browser(f"203.0.113.{n}")
        session.mount("http://", SourceAddressAdapter("127.0.0.2"))
        tries.append((session, instance))
    assert _failed_sign_ins(tries, lambda n: f"spoof{n}@example.test") == [422, 422, 422, 429]


class SourceAddressAdapter(HTTPAdapter):
    """Connect from another loopback address, as a client that is not the proxy."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


# --- mail ------------------------------------------------------------------------------------


def _wait_for_mail(smtp_server, recipient: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in smtp_server.messages:
            if message["To"] == recipient:
                return message
        time.sleep(0.1)
    return None


def _outbox(app, *recipients: str) -> dict[str, tuple[int, OutboxStatus]]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.in_(recipients))).all()
        found = {row.recipient: (row.id, row.status) for row in rows}
        db.session.remove()
    return found


def _wait_for_status(app, recipients: list[str], status: OutboxStatus, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = _outbox(app, *recipients)
        if len(found) == len(recipients) and {row_status for _id, row_status in found.values()} == {status}:
            return True
        time.sleep(0.1)
    return False


def _body(message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def test_mail_queued_on_a_is_in_the_shared_outbox_and_its_link_works_on_b(cluster, a, b, app, smtp_server):
    smtp_server.handler.messages.clear()
    session = browser("198.51.100.40")
    page = session.get(a("/forgot-password"))
    response = session.post(a("/forgot-password"), data={"email": FORGETFUL, "csrf_token": csrf_token(page)},
                            allow_redirects=False)
    assert response.status_code == 302
    # A queues the reset mail once its response has gone; the worker delivers it.
    with jobs_worker(cluster):
        message = _wait_for_mail(smtp_server, FORGETFUL)
        assert message is not None, "the reset mail queued on A was not delivered"
        # In the shared outbox, marked sent by the worker just after the SMTP server took it.
        assert _wait_for_status(app, [FORGETFUL], OutboxStatus.SENT), "the reset mail was not marked sent"
    link = re.search(r"https://nettverk\.example\.test(/reset-password/\S+)", _body(message)).group(1)
    new_password = "et helt nytt passord fra B"
    form = session.get(b(link))
    response = session.post(b(link), data={"password": new_password, "confirm": new_password,
                                           "csrf_token": csrf_token(form)}, allow_redirects=False)
    assert response.status_code == 302
    assert signed_in_as(session, a) == NAME
    # The new password is the one both instances know.
    other = browser("198.51.100.41")
    assert sign_in(other, b, FORGETFUL, new_password).status_code == 302


# --- the job queue -------------------------------------------------------------------------


def queued_jobs(store: redis.Redis, key: str) -> list[tuple[str, list]]:
    """(task name, args) of each job waiting in the Redis list behind a queue, oldest first."""
    jobs = []
    for raw in reversed(store.lrange(key, 0, -1)):  # kombu pushes on the left
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        jobs.append((message["headers"]["task"], args))
    return jobs


@contextmanager
def jobs_worker(cluster: Cluster):
    """``flask --app wsgi jobs worker``, as production runs it, on this run's queue."""
    log = cluster.folder / "worker.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker",
             "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=cluster.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield lambda: "\n".join(log.read_text(errors="replace").splitlines()[-40:])
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def test_mail_queued_on_a_waits_in_redis_for_a_worker_and_its_link_works_on_b(cluster, a, b, app, smtp_server):
    smtp_server.handler.messages.clear()
    new_address = "ny.adresse@example.test"
    session = browser("198.51.100.50")
    assert sign_in(session, a, MOVER).status_code == 302
    form = session.get(a("/me/profile/email"))
    response = session.post(a("/me/profile/email"), allow_redirects=False, data={
        "email": new_address, "current_password": PASSWORD, "csrf_token": csrf_token(form)})
    assert response.status_code == 302

    # A committed both mails and put one delivery job on the queue, and sent nothing itself.
    outbox = _outbox(app, new_address, MOVER)
    assert {status for _id, status in outbox.values()} == {OutboxStatus.PENDING}
    ids = sorted(message_id for message_id, _status in outbox.values())
    assert queued_jobs(cluster.store, f"{cluster.key_prefix}:network") == [("jobs.send_mail", [ids])]
    assert smtp_server.messages == []

    with jobs_worker(cluster) as worker_log:
        confirmation = _wait_for_mail(smtp_server, new_address, seconds=60)
        assert confirmation is not None, f"the worker did not deliver the mail:\n{worker_log()}"
        assert _wait_for_mail(smtp_server, MOVER) is not None
        # The worker marks each message sent just after the SMTP server has it.
        assert _wait_for_status(app, [new_address, MOVER], OutboxStatus.SENT), \
            f"the worker did not mark the mail sent:\n{worker_log()}"

    link = re.search(r"https://nettverk\.example\.test(/me/profile/email/confirm/\S+)", _body(confirmation)).group(1)
    page = session.get(b(link))
    assert session.post(b(link), data={"csrf_token": csrf_token(page)}, allow_redirects=False).status_code == 302
    assert sign_in(browser("198.51.100.51"), a, new_address).status_code == 302


# --- the one file on local disk ------------------------------------------------------------


def test_a_beat_schedule_cut_short_is_replaced_so_the_scheduler_starts(tmp_path):
    """The scheduler's only state, when each job last ran, is a shelve file in instance/; a scheduler
    killed while writing it left one that stopped every later start with EOFError."""
    path = str(tmp_path / "celerybeat-schedule")
    with shelve.open(path) as store:
        store["entries"] = {"sweep-outbox": "last run"}
    app = make_app("sqlite://")
    with app.app_context():
        readable_schedule_file(path)  # a sound file is kept
        with shelve.open(path) as store:
            assert store["entries"] == {"sweep-outbox": "last run"}
        # The data cut short: dbm.dumb keeps it in .dat beside its index, other dbm modules in one file.
        data = Path(path + ".dat") if Path(path + ".dat").exists() else Path(path)
        data.write_bytes(b"")
        readable_schedule_file(path)
        with shelve.open(path) as store:
            assert "entries" not in store
