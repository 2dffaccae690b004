"""Mail about feedback through the outbox to a real SMTP server in the test process: the notice to
KS (with the content when named, generic when anonymous), the reply to the sender, and nothing lost
when the SMTP server is down."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic
from network.main import clock
from network.networks.models import Network
from network.outbox.models import OutboxMessage, OutboxStatus
from tests.comment_helpers import mail_parts, subject
from tests.factories import world
from tests.smtp_server import app_config, free_port, smtp  # noqa: F401  (fixtures: a real SMTP server)
from tests.test_feedback import XSS, make_feedback



@pytest.fixture
def w(factory):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = factory.gathering(network, 2, date(2019, 9, 18), title="Boligpolitiske mål")
    return {"network": network, "people": people, "gathering": gathering.id}


def send(login, w, **data):
    response = login(w["people"]["participant"]).post(f"/networks/{w['network'].id}/feedback/new", data=data)
    assert response.status_code == 302, response.status_code  # on to the receipt page
    return response


def only_feedback(app) -> Feedback:
    with app.app_context():
        [feedback] = db.session.scalars(select(Feedback)).all()
        db.session.expunge(feedback)
        return feedback


def test_named_feedback_reaches_ks_with_its_content_and_a_link(app, w, login, smtp):
    send(login, w, topic="gathering", gathering_id=str(w["gathering"]), works="Gruppene fungerte godt.",
         suggestion="Mer tid til spørsmål.")
    feedback = only_feedback(app)
    [message] = smtp.messages
    assert message["To"] == "tilbakemelding@ks.test"
    assert subject(message) == "Ny tilbakemelding til KS: En samling"
    parts = mail_parts(message)
    for body in parts.values():
        assert "Dag Deltaker" in body and "Gruppene fungerte godt." in body and "Mer tid til spørsmål." in body
        assert "Boligpolitiske mål" in body
        assert f"/networks/{w['network'].id}/feedback/{feedback.id}" in body


def test_anonymous_feedback_is_counted_the_next_day_and_the_notice_says_nothing_of_it(app, w, login, smtp, runner):
    send(login, w, topic="slides", does_not_work="Lysarkene er for tette.", anonymous="y")
    send(login, w, topic="other", works="Fint nettsted.", anonymous="y")
    assert smtp.messages == []  # nothing at the time of sending
    feedback = only_feedback_ids(app)

    same_day = runner.invoke(args=["feedback", "send-anonymous-notices", "--base-url", "https://nettverk.test"])
    assert "Counted 0" in same_day.output and smtp.messages == []

    tomorrow = (clock.oslo_today() + timedelta(days=1)).isoformat()
    result = runner.invoke(args=["feedback", "send-anonymous-notices", "--base-url", "https://nettverk.test",
                                 "--today", tomorrow])
    assert "Counted 2" in result.output and "Sent 1" in result.output
    [message] = smtp.messages
    assert message["To"] == "tilbakemelding@ks.test"
    assert subject(message) == "Nye anonyme tilbakemeldinger til KS"
    for body in mail_parts(message).values():
        assert "2 nye anonyme tilbakemeldinger" in body
        assert "for tette" not in body and "Lysark" not in body and "nettsted" not in body
        assert not any(feedback_id in body for feedback_id in feedback)
        assert "Dag Deltaker" not in body and w["people"]["participant"].email not in body
        assert f"https://nettverk.test/networks/{w['network'].id}/feedback" in body

    again = runner.invoke(args=["feedback", "send-anonymous-notices", "--base-url", "https://nettverk.test",
                                "--today", tomorrow])
    assert "Counted 0" in again.output and len(smtp.messages) == 1  # each item is counted once


def only_feedback_ids(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Feedback.id)))


@pytest.mark.parametrize("feedback_email, ks_contact_email, recipient", [
    ("", "kontakt@ks.test", "kontakt@ks.test"),
    ("", "", None),
])
def test_notice_falls_back_to_the_ks_contact(app, w, login, smtp, feedback_email, ks_contact_email, recipient):
    with app.app_context():
        network = db.session.get(Network, w["network"].id)
        network.feedback_email, network.ks_contact_email = feedback_email, ks_contact_email
        db.session.commit()
    send(login, w, topic="other", works="Hei.")
    assert only_feedback(app).works == "Hei."  # stored whether or not anyone is told
    assert [m["To"] for m in smtp.messages] == ([recipient] if recipient else [])


def test_reply_reaches_the_sender_with_the_original_quoted(app, w, login, smtp):
    participant = w["people"]["participant"]
    feedback_id = make_feedback(app, w["network"].id, sender=participant, topic=FeedbackTopic.NETWORK,
                                works="Samlingene er nyttige.", does_not_work="Reisen er lang.\nOg dyr.")
    response = login(w["people"]["coordinator"]).post(
        f"/networks/{w['network'].id}/feedback/{feedback_id}/reply",
        data={"reply-body": "Takk!\n\nVi ser på en digital samling i vår."})
    assert response.status_code == 302
    [message] = smtp.messages
    assert message["To"] == participant.email
    assert subject(message) == "Svar fra KS på tilbakemeldingen din"
    parts = mail_parts(message)
    text = parts["text/plain"].replace("\r\n", "\n")
    assert "Vi ser på en digital samling i vår." in text and "Kristin Koordinator" in text
    assert "> Reisen er lang.\n> Og dyr." in text and "> Samlingene er nyttige." in text
    assert "tilbakemelding@ks.test" in text  # where to write back
    assert "<blockquote>" in parts["text/html"] and "Reisen er lang." in parts["text/html"]
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).status is FeedbackStatus.ANSWERED


def test_reply_to_a_visitor_goes_to_the_address_they_gave(app, w, login, smtp):
    feedback_id = make_feedback(app, w["network"].id, visitor=("Vera", "vera@example.test"), works="Fint.")
    login(w["people"]["admin"]).post(f"/networks/{w['network'].id}/feedback/{feedback_id}/reply",
                                     data={"reply-body": "Takk, Vera."})
    assert [m["To"] for m in smtp.messages] == ["vera@example.test"]


def test_user_text_is_escaped_in_mail(app, w, login, smtp):
    send(login, w, topic="other", works=XSS)
    feedback_id = only_feedback(app).id
    login(w["people"]["coordinator"]).post(f"/networks/{w['network'].id}/feedback/{feedback_id}/reply",
                                           data={"reply-body": XSS})
    assert len(smtp.messages) == 2
    for message in smtp.messages:
        html = mail_parts(message)["text/html"]
        assert "<script>" not in html and "javascript:" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


@pytest.mark.parametrize("app_config", [{"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT_SECONDS": 2}])
def test_smtp_outage_loses_nothing(app, w, login, smtp, app_config):
    send(login, w, topic="other", works="Lagres selv om e-posten ikke går.")
    assert only_feedback(app).works == "Lagres selv om e-posten ikke går."
    with app.app_context():
        [row] = db.session.scalars(select(OutboxMessage)).all()
        assert row.status is OutboxStatus.PENDING and row.attempts == 1 and row.last_error
    assert smtp.messages == []
