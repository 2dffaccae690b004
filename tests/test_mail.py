"""Mail goes through the outbox to a real SMTP server, after the commit, with retries."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.models_base import utcnow
from network.networks.models import RoleKind
from network.outbox.models import OutboxMessage, OutboxStatus
from network.outbox.services import queue_mail, retry_delay, send_pending
from tests.factories import world
from tests.smtp_server import SMTPServer, free_port

SMTP_PORT = free_port()


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": SMTP_PORT, "MAIL_TIMEOUT_SECONDS": 5}


@pytest.fixture
def smtp():
    server = SMTPServer(SMTP_PORT).start()
    yield server
    server.stop()


def _invite(client, network, organisation, email="ny.person@example.test"):
    return client.post(f"/networks/{network.id}/people/invite", data={
        "name": "Ny Person", "email": email, "organisation_id": str(organisation.id),
        "roles": [RoleKind.PARTICIPANT.value],
    })


def _outbox(app):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_invitation_is_delivered_after_the_commit(app, factory, login, smtp):
    network, hamar, _, people = world(factory)
    response = _invite(login(people["coordinator"]), network, hamar)
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "ny.person@example.test"
    assert str(mail["Subject"]) == "Invitasjon til Bolignettverket"
    parts = {part.get_content_type(): part.get_payload(decode=True).decode() for part in mail.walk() if not part.is_multipart()}
    assert "/invitation/" in parts["text/plain"]
    assert "/invitation/" in parts["text/html"]
    [row] = _outbox(app)
    assert row.status is OutboxStatus.SENT
    assert row.attempts == 1


def test_smtp_outage_loses_nothing_and_cli_delivers_later(app, factory, login, runner):
    network, hamar, _, people = world(factory)
    # No server is listening: the request still succeeds, and the mail waits.
    response = _invite(login(people["coordinator"]), network, hamar)
    assert response.status_code == 302
    [row] = _outbox(app)
    assert row.status is OutboxStatus.PENDING
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > utcnow()

    # Not due yet: a cron run now sends nothing.
    server = SMTPServer(SMTP_PORT).start()
    try:
        assert "Sent 0, failed 0." in runner.invoke(args=["mail", "send-pending"]).output
        with app.app_context():
            db.session.get(OutboxMessage, row.id).next_attempt_at = utcnow() - timedelta(seconds=1)
            db.session.commit()
        result = runner.invoke(args=["mail", "send-pending"])
        assert "Sent 1, failed 0." in result.output
        assert [m["To"] for m in server.messages] == ["ny.person@example.test"]
    finally:
        server.stop()
    [row] = _outbox(app)
    assert row.status is OutboxStatus.SENT
    assert row.attempts == 2


def test_rolled_back_transaction_sends_nothing(app, smtp):
    with app.test_request_context():
        queue_mail("x@example.test", "Emne", "auth/email/reset_password", person=type("P", (), {"name": "X"})(), link="http://l", hours=2)
        db.session.flush()
        db.session.rollback()
        assert send_pending() == (0, 0)
    assert smtp.messages == []
    assert _outbox(app) == []


def test_message_gives_up_after_the_last_attempt(app):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    with app.test_request_context():
        queue_mail("x@example.test", "Emne", "auth/email/reset_password", person=type("P", (), {"name": "X"})(), link="http://l", hours=2)
        db.session.commit()
        assert send_pending() == (0, 1)
        row = db.session.scalars(select(OutboxMessage)).one()
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert send_pending() == (0, 1)
        assert row.status is OutboxStatus.FAILED


def test_retry_delay_backs_off_and_is_capped():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(30) == timedelta(hours=6)


@pytest.mark.parametrize("app_config", [{"MAIL_SERVER": None}])
def test_console_delivery_when_no_smtp_server(app, factory, login, app_config, caplog):
    network, hamar, _, people = world(factory)
    with caplog.at_level("INFO"):
        _invite(login(people["coordinator"]), network, hamar)
    [row] = _outbox(app)
    assert row.status is OutboxStatus.SENT
    assert "ny.person@example.test" in caplog.text


def test_dev_mailbox_is_hidden_outside_debug(client):
    assert client.get("/dev/mail").status_code == 404


@pytest.mark.parametrize("app_config", [{"DEBUG": True, "SHOW_DEV_MAILBOX": True, "MAIL_SERVER": None}])
def test_dev_mailbox_shows_queued_mail_in_debug(app, factory, login, app_config):
    network, hamar, _, people = world(factory)
    _invite(login(people["coordinator"]), network, hamar)
    app.debug = True
    body = app.test_client().get("/dev/mail").get_data(as_text=True)
    assert "ny.person@example.test" in body
    assert "/invitation/" in body
