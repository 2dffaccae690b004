"""The proof for issue 16: a request that mails 1,000 people makes no SMTP connection; a real
worker (``flask jobs worker``, a process of its own) delivers all 1,000 with one connection per
batch, and stopping it half-way and starting it again loses none and sends none twice.

It needs committed data that another process can read, so it builds its own (bulk inserted, once)
with an app of its own rather than the savepoint-bound ``app``, and removes it afterwards."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, time as clock_time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, insert, select

from config import PROJECT_ROOT
from network.auth.models import Person
from network.evaluations.models import EvaluationInvitation
from network.extensions import db
from network.gatherings.models import Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus
from network.jobs.services import MAIL_BATCH_SIZE, SEND_MAIL
from network.networks.models import Network, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage, OutboxStatus
from tests.conftest import make_app, signed_in_client
from tests.test_jobs_queue import REDIS_URL, CountingSMTPServer, forget_keys, queued_jobs, require_redis

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")
# Production's database, where two worker processes send side by side (SKIP LOCKED). It passes on
# SQLite too, with one process, but at twice the time, so the SQLite run leaves it out.
pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="the queue's proof runs on PostgreSQL, production's "
                                "database; the PostgreSQL run tests it")
PEOPLE = 1000
DOMAIN = "jobs-proof.test"
KEY_PREFIX = f"test-jobs-proof-{os.getpid()}-{time.time_ns()}:"
WORKER_CONCURRENCY = 2


def _wait_for(condition, timeout: float, what: str, worker=None, every: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker is not None and worker.process.poll() is not None:
            pytest.fail(f"the worker stopped while waiting for {what}:\n{worker.log()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}" + (f":\n{worker.log()}" if worker else ""))
        time.sleep(every)


class Worker:
    """``flask --app wsgi jobs worker`` in a process of its own, on the test's database and queue."""

    def __init__(self, database_url: str, smtp_port: int, log_path):
        self.log_path = log_path
        env = {**os.environ, "FLASK_CONFIG": "development", "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
               "JOBS_KEY_PREFIX": KEY_PREFIX, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
               "SITE_URL": "http://localhost"}
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker",
                 "--concurrency", str(WORKER_CONCURRENCY), "--without-mingle", "--without-gossip"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as systemd stops it: Celery's warm shutdown finishes the jobs it has started."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the worker did not stop on SIGTERM:\n{self.log()}")


@pytest.fixture
def start_worker(migrated_database, smtp, tmp_path):
    """``start_worker()`` starts one; any still running when the test ends is killed."""
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(migrated_database, smtp.port, tmp_path / "worker.log"))
        return started[-1]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait()


@pytest.fixture(scope="module")
def smtp():
    server = CountingSMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proof(migrated_database, smtp):
    """A closed gathering whose last day has passed, with 1,000 confirmed people, and its coordinator;
    bulk inserted and committed. The app enqueues to this module's own keys in Redis."""
    client = require_redis()
    app = make_app(migrated_database, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT_SECONDS=5,
                   CELERY_BROKER_URL=REDIS_URL, JOBS_KEY_PREFIX=KEY_PREFIX)
    with app.app_context():
        network = Network(name="Tusen deltakere", topic="Køen", ks_contact_name="K", ks_contact_email=f"k@{DOMAIN}",
                          feedback_email=f"f@{DOMAIN}")
        coordinator = Person(name="Kari Koordinator", email=f"koordinator@{DOMAIN}")
        last_day = date.today() - timedelta(days=1)
        gathering = Gathering(network=network, number=1, title="Storsamlingen", status=GatheringStatus.CLOSED,
                              days=[GatheringDay(day=last_day, starts_at=clock_time(10), ends_at=clock_time(16))])
        db.session.add_all([network, coordinator, gathering,
                            NetworkRole(network=network, person=coordinator, role=RoleKind.COORDINATOR)])
        db.session.flush()
        db.session.execute(insert(Person), [{"name": f"Deltaker {n}", "email": f"deltaker{n}@{DOMAIN}", "active": True,
                                             "is_admin": False} for n in range(PEOPLE)])
        people = db.session.scalars(select(Person.id).where(Person.email.like(f"deltaker%@{DOMAIN}"))).all()
        db.session.execute(insert(NetworkRole), [{"network_id": network.id, "person_id": person_id,
                                                  "role": RoleKind.PARTICIPANT} for person_id in people])
        db.session.execute(insert(Registration), [{"gathering_id": gathering.id, "person_id": person_id,
                                                   "status": RegistrationStatus.CONFIRMED} for person_id in people])
        db.session.commit()
        ids = {"network": network.id, "gathering": gathering.id, "coordinator": SimpleNamespace(id=coordinator.id)}
        db.session.remove()
    try:
        yield app, ids, client
    finally:
        forget_keys(client, KEY_PREFIX)
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like(f"%@{DOMAIN}")))
            db.session.execute(delete(EvaluationInvitation).where(EvaluationInvitation.gathering_id == ids["gathering"]))
            db.session.execute(delete(Network).where(Network.id == ids["network"]))
            db.session.execute(delete(Person).where(Person.email.like(f"%@{DOMAIN}")))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()


def _counts(app) -> dict[OutboxStatus, int]:
    with app.app_context():
        counts = dict(db.session.execute(
            select(OutboxMessage.status, func.count()).where(OutboxMessage.recipient.like(f"deltaker%@{DOMAIN}"))
            .group_by(OutboxMessage.status)).all())
        db.session.remove()
    return counts


def _outbox_ids(app) -> list[int]:
    with app.app_context():
        ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient.like(f"deltaker%@{DOMAIN}"))).all()
        db.session.remove()
    return list(ids)


def test_a_thousand_mails_leave_the_request_and_a_worker_sends_each_once(proof, smtp, start_worker):
    app, ids, redis_client = proof
    http = signed_in_client(app, ids["coordinator"])

    started = time.perf_counter()
    response = http.post(f"/networks/{ids['network']}/gatherings/{ids['gathering']}/status",
                         data={"status": "held", "confirmed": "1"})
    request_seconds = time.perf_counter() - started
    assert response.status_code == 302
    # The request made no SMTP connection: it left 1,000 waiting messages and 20 delivery jobs.
    assert smtp.connections == 0 and smtp.messages == []
    assert _counts(app) == {OutboxStatus.PENDING: PEOPLE}
    batches = -(-PEOPLE // MAIL_BATCH_SIZE)
    jobs = queued_jobs(redis_client, KEY_PREFIX + "network")
    assert [name for name, _args in jobs] == [SEND_MAIL] * batches
    assert sorted(i for _name, (batch,) in jobs for i in batch) == sorted(_outbox_ids(app))

    # A worker starts sending, and is stopped (SIGTERM) part of the way through.
    started = time.perf_counter()
    first = start_worker()
    _wait_for(lambda: len(smtp.messages) >= 150, 90, "the first 150 mails", first)
    assert first.stop() == 0
    arrived_before_restart = len(smtp.messages)
    counts = _counts(app)
    assert counts[OutboxStatus.SENT] == arrived_before_restart  # each mail that arrived is marked sent
    assert 0 < counts.get(OutboxStatus.PENDING, 0)  # and the rest still waits

    # Started again, it sends the rest: its jobs were left in the queue.
    second = start_worker()
    _wait_for(lambda: len(smtp.messages) >= PEOPLE, 90, "the rest of the mail", second)
    _wait_for(lambda: _counts(app) == {OutboxStatus.SENT: PEOPLE}, 30, "every mail to be marked sent", second, 0.2)
    deliver_seconds = time.perf_counter() - started
    assert second.stop() == 0

    message_ids = [m["Message-ID"] for m in smtp.messages]
    assert len(message_ids) == PEOPLE  # none lost, none twice
    assert len(set(message_ids)) == PEOPLE
    assert sorted(m["To"] for m in smtp.messages) == sorted(f"deltaker{n}@{DOMAIN}" for n in range(PEOPLE))
    # One SMTP connection per batch, not one per mail.
    assert smtp.connections <= batches
    with app.app_context():
        assert set(db.session.scalars(select(OutboxMessage.attempts).where(
            OutboxMessage.recipient.like(f"deltaker%@{DOMAIN}")))) == {1}
        db.session.remove()
    print(f"\nrequest {request_seconds:.2f} s; worker delivered {PEOPLE} in {deliver_seconds:.2f} s "
          f"(stopped after {arrived_before_restart}) over {smtp.connections} SMTP connections")
