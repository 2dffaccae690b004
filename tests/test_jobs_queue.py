"""Mail and the job queue (network/jobs), against a real Redis and a real SMTP server that counts
connections: with a queue the request only enqueues delivery jobs after its commit; without one
(or with Redis down) mail goes out after the request as before; either way a batch of messages
travels over one SMTP connection, and a broken one costs one message's attempt, not the batch's."""
from __future__ import annotations

import base64
import json
import os
import uuid

import pytest
import redis
from aiosmtpd.controller import Controller
from sqlalchemy import select

from network.extensions import db
from network.jobs import services as jobs
from network.outbox.models import OutboxMessage, OutboxStatus
from network.outbox.services import queue_mail, send_pending
from tests.evaluation_helpers import INVITED, hold, setup
from tests.smtp_server import RecordingHandler, free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
# Keys of this run alone: parallel test workers and other runs on the same Redis never collide.
KEY_PREFIX = f"test-jobs-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
QUEUE_KEY = KEY_PREFIX + "network"  # the Redis list behind the queue ``network``


def require_redis(url: str = REDIS_URL) -> redis.Redis:
    """A client for the tests' Redis; skipped (failed in CI, where Redis runs) when unreachable."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {url} is not reachable: {error}", pytrace=False)
        pytest.skip(f"the job queue tests need Redis at {url}, which is not reachable: {error}")
    return client


def forget_keys(client: redis.Redis, prefix: str) -> None:
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


def queued_jobs(client: redis.Redis, key: str = QUEUE_KEY) -> list[tuple[str, list]]:
    """(task name, args) of each message waiting in the queue, oldest first."""
    jobs_ = []
    for raw in reversed(client.lrange(key, 0, -1)):  # kombu pushes on the left
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        jobs_.append((message["headers"]["task"], args))
    return jobs_


class BreakingHandler(RecordingHandler):
    """Records what arrives; mail to ``breaks_for`` breaks the connection instead of arriving."""

    def __init__(self):
        super().__init__()
        self.breaks_for: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        if self.breaks_for & set(envelope.rcpt_tos):
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


class CountingSMTPServer:
    """An SMTP server in this process that counts the connections made to it."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = BreakingHandler()
        self.connections = 0
        outer = self

        class _Controller(Controller):
            def factory(self):  # once per connection
                outer.connections += 1
                return super().factory()

        self.controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages

    def start(self) -> CountingSMTPServer:
        self.controller.start()
        self.connections = 0  # start() connects once itself to see that the server is up
        return self

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        self.handler.messages.clear()
        self.handler.breaks_for.clear()
        self.connections = 0


SMTP_PORT = free_port()
MAIL = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": SMTP_PORT, "MAIL_TIMEOUT_SECONDS": 5}
WITH_QUEUE = {**MAIL, "CELERY_BROKER_URL": REDIS_URL, "JOBS_KEY_PREFIX": KEY_PREFIX}
# Nothing listens on a fresh free port: the queue is configured but down.
QUEUE_DOWN = {**MAIL, "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0", "JOBS_KEY_PREFIX": KEY_PREFIX}


@pytest.fixture(scope="module")
def smtp_counting():
    server = CountingSMTPServer(SMTP_PORT).start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_counting):
    smtp_counting.reset()
    return smtp_counting


@pytest.fixture
def app_config():
    return MAIL


@pytest.fixture
def queue():
    client = require_redis()
    forget_keys(client, KEY_PREFIX)
    yield client
    forget_keys(client, KEY_PREFIX)


def outbox(app, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        return db.session.scalars(query).all()


def queue_some(app, count: int) -> list[int]:
    with app.test_request_context():
        messages = [queue_mail(f"person{n}@example.test", f"Emne {n}", "auth/email/reset_password",
                               person=type("P", (), {"name": f"Person {n}"})(), link="http://l", hours=2)
                    for n in range(count)]
        db.session.commit()
        return [message.id for message in messages]


# --- without a queue: as before, but one connection per batch ---------------------------------


def test_without_a_queue_the_request_sends_its_mail_over_one_connection(app, factory, login, smtp):
    s = setup(app, factory)
    hold(login(s.people["coordinator"]), s)
    assert sorted(m["To"] for m in smtp.messages) == sorted(s.people[role].email for role in INVITED)
    assert smtp.connections == 1  # was one per message
    assert {row.status for row in outbox(app)} == {OutboxStatus.SENT}


def test_send_pending_sends_a_batch_over_one_connection(app, smtp):
    queue_some(app, 7)
    with app.app_context():
        assert send_pending() == (7, 0)
    assert len(smtp.messages) == 7
    assert smtp.connections == 1


def test_a_broken_connection_costs_one_message_and_a_new_one_carries_the_rest(app, smtp):
    ids = queue_some(app, 5)
    smtp.handler.breaks_for.add("person1@example.test")
    with app.app_context():
        assert send_pending() == (4, 1)
    assert [m["To"] for m in smtp.messages] == [f"person{n}@example.test" for n in (0, 2, 3, 4)]
    assert smtp.connections == 2
    broken = {row.id: row for row in outbox(app)}[ids[1]]
    assert broken.status is OutboxStatus.PENDING and broken.attempts == 1  # retried later, as before
    assert broken.last_error.startswith(("SMTPServerDisconnected", "SMTPDataError"))
    assert [row.id for row in outbox(app, OutboxStatus.SENT)] == [ids[n] for n in (0, 2, 3, 4)]


# --- with a queue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [WITH_QUEUE])
def test_with_a_queue_the_request_only_enqueues_a_delivery_job(app, factory, login, smtp, queue, app_config):
    s = setup(app, factory)
    hold(login(s.people["coordinator"]), s)
    assert smtp.connections == 0 and smtp.messages == []
    pending = outbox(app, OutboxStatus.PENDING)
    assert sorted(row.recipient for row in pending) == sorted(s.people[role].email for role in INVITED)
    assert all(row.attempts == 0 for row in pending)
    assert queued_jobs(queue) == [(jobs.SEND_MAIL, [[row.id for row in pending]])]

    # What a worker does with it: the batch over one connection.
    [(name, args)] = queued_jobs(queue)
    result = app.extensions["celery"].tasks[name].apply(args=args)
    assert result.get() == {"sent": 2, "failed": 0}
    assert sorted(m["To"] for m in smtp.messages) == sorted(row.recipient for row in pending)
    assert smtp.connections == 1
    assert outbox(app, OutboxStatus.PENDING) == []


@pytest.mark.parametrize("app_config", [WITH_QUEUE])
def test_delivery_jobs_take_fifty_messages_each(app, queue, smtp, app_config):
    ids = list(range(1, 121))
    with app.app_context():
        jobs.deliver_mail(ids)
    assert queued_jobs(queue) == [(jobs.SEND_MAIL, [ids[:50]]), (jobs.SEND_MAIL, [ids[50:100]]),
                                  (jobs.SEND_MAIL, [ids[100:]])]
    assert smtp.connections == 0


@pytest.mark.parametrize("app_config", [WITH_QUEUE])
def test_a_rolled_back_request_enqueues_nothing(app, queue, smtp, app_config):
    with app.test_request_context():
        queue_mail("x@example.test", "Emne", "auth/email/reset_password", person=type("P", (), {"name": "X"})(),
                   link="http://l", hours=2)
        db.session.flush()
        db.session.rollback()
    assert queued_jobs(queue) == []
    assert outbox(app) == []


@pytest.mark.parametrize("app_config", [QUEUE_DOWN])
def test_with_the_queue_down_the_request_sends_its_mail_as_before(app, factory, login, smtp, app_config):
    s = setup(app, factory)
    response = hold(login(s.people["coordinator"]), s)
    assert response.status_code == 302
    assert sorted(m["To"] for m in smtp.messages) == sorted(s.people[role].email for role in INVITED)
    assert smtp.connections == 1
    assert outbox(app, OutboxStatus.PENDING) == []


# --- the commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_the_worker_and_scheduler_refuse_to_start_without_a_queue(runner, command):
    result = runner.invoke(args=["jobs", command])
    assert result.exit_code == 2
    assert "No job queue is configured: set REDIS_URL" in result.output
