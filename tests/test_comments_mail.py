"""Who hears about a new comment, and how: mail at once through the outbox to a real SMTP server,
or a notice for the daily digest (``flask comments send-digest``)."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import delete, func, select

from network.assignments.models import (
    Assignment,
    AssignmentMethod,
    Comment,
    NotificationMode,
    NotificationPreference,
    PendingCommentNotice,
    Submission,
    SubmissionStatus,
    Visibility,
)
from network.auth.models import Person
from network.comments import services
from network.extensions import db
from network.models_base import utcnow
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from network.organisations.models import Organisation
from tests.comment_helpers import (
    add_comment,
    mail_parts,
    make_assignment,
    make_submission,
    membership_id,
    set_mode,
    set_visibility,
    setup,
    subject,
)
from tests.conftest import make_app
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)

BASE_URL = "https://nettverk.test"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgresql")


@pytest.fixture
def s(app, factory):
    return setup(app, factory)


def post(http, s, body, parent_id=None, submission_id=None):
    data = {"body": body} if parent_id is None else {"body": body, "parent_id": str(parent_id)}
    response = http.post(s.url("/comments", submission_id), data=data)
    assert response.status_code == 302, response.status_code
    return response


def recipients(smtp) -> list[str]:
    return sorted(message["To"] for message in smtp.messages)


def emails(s, *roles) -> list[str]:
    return sorted(s.people[role].email for role in roles)


def last_comment(app) -> Comment:
    with app.app_context():
        comment = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
        db.session.expunge(comment)
        return comment


def notices(app) -> list[tuple[int, int]]:
    with app.app_context():
        return sorted(db.session.execute(select(PendingCommentNotice.person_id, PendingCommentNotice.comment_id)).tuples())


def digest(runner, base_url=BASE_URL):
    result = runner.invoke(args=["comments", "send-digest", "--base-url", base_url])
    assert result.exit_code == 0, result.output
    return result.output


# --- immediate mail ----------------------------------------------------------------------


def test_a_comment_mails_the_municipalitys_own_people_but_not_the_author(app, s, login, smtp):
    post(login(s.people["other_contact"]), s, "Et godt svar. Hvordan **målte** dere behovet?")
    comment = last_comment(app)
    assert recipients(smtp) == emails(s, "participant", "contact", "executive")
    mail = next(m for m in smtp.messages if m["To"] == s.people["contact"].email)
    assert subject(mail) == "Ny kommentar til Hamar: Mål for boligpolitikken"
    parts = mail_parts(mail)
    link = f"http://localhost/networks/{s.network.id}/assignments/{s.assignment_id}/municipalities/{s.hamar.id}" \
           f"#comment-{comment.id}"
    for part in (parts["text/plain"], parts["text/html"]):
        assert "Hei, Kari Kontakt!" in part
        assert "Lise Lillehammer, Lillehammer har kommentert besvarelsen fra Hamar" in part
        assert link in part
        assert "http://localhost/me/notifications" in part
    # The excerpt is plain text: no Markdown, no HTML from the comment.
    assert "Et godt svar. Hvordan målte dere behovet?" in parts["text/plain"]
    assert "**" not in parts["text/plain"] and "<strong>" not in parts["text/html"]
    assert notices(app) == []


def test_the_municipalitys_own_comment_mails_the_rest_of_its_team(app, s, login, smtp):
    post(login(s.people["participant"]), s, "Vi har lagt til planen fra mars.")
    assert recipients(smtp) == emails(s, "contact", "executive")


def test_a_reply_also_mails_the_author_of_the_comment_answered(app, s, login, smtp):
    first = add_comment(app, s.submission_id, s.people["observer"], "Spennende, fortell mer.")
    post(login(s.people["participant"]), s, "Gjerne! Vi har en rapport.", parent_id=first)
    assert recipients(smtp) == emails(s, "contact", "executive", "observer")
    to_observer = next(m for m in smtp.messages if m["To"] == s.people["observer"].email)
    assert subject(to_observer) == "Svar på kommentaren din: Mål for boligpolitikken"
    assert "Dag Deltaker, Hamar har svart på kommentaren din" in mail_parts(to_observer)["text/plain"]


def test_replying_to_your_own_comment_mails_nobody_twice_and_not_you(app, s, login, smtp):
    first = add_comment(app, s.submission_id, s.people["contact"], "Et tillegg kommer.")
    post(login(s.people["contact"]), s, "Her er tillegget.", parent_id=first)
    assert recipients(smtp) == emails(s, "executive", "participant")


def test_people_without_a_team_role_or_an_active_account_are_not_mailed(app, s, login, smtp, factory):
    # A Hamar person who only coordinates, one with a role in another network only, and an inactive participant.
    factory.member_with_role(s.network, RoleKind.COORDINATOR, s.hamar, name="Hamar-koordinator")
    elsewhere = factory.network("Annet nettverk")
    factory.member_with_role(elsewhere, RoleKind.PARTICIPANT, s.hamar, name="Hamar et annet sted")
    factory.member_with_role(s.network, RoleKind.PARTICIPANT, s.hamar, name="Sluttet", active=False)
    post(login(s.people["other_contact"]), s, "Hei")
    assert recipients(smtp) == emails(s, "participant", "contact", "executive")


def test_an_answered_author_who_can_no_longer_read_the_submission_is_not_mailed(app, s, login, smtp):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Godt")
    set_visibility(app, s.assignment_id, Visibility.COORDINATORS)
    post(login(s.people["coordinator"]), s, "Svar", parent_id=first)
    assert recipients(smtp) == emails(s, "participant", "contact", "executive")


# --- daily digest --------------------------------------------------------------------------


def test_daily_people_get_nothing_at_once_then_one_digest_with_every_comment(app, s, login, smtp, runner):
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    set_mode(app, s.people["executive"], NotificationMode.DAILY)
    second_assignment = make_assignment(app, s.network, "Konkrete utviklingsområder")
    second = make_submission(app, second_assignment, membership_id(app, s.network, s.hamar))

    post(login(s.people["other_contact"]), s, "Første kommentar om målene")
    post(login(s.people["observer"]), s, "Andre kommentar om målene")
    post(login(s.people["coordinator"]), s, "Kommentar om utviklingsområdene", submission_id=second)
    # Only the participant (immediate) has mail so far.
    assert recipients(smtp) == [s.people["participant"].email] * 3
    assert len(notices(app)) == 6
    smtp.handler.messages.clear()

    output = digest(runner)
    assert "Queued 2 digest(s) with 6 comment(s)." in output
    assert "Sent 2, failed 0." in output
    assert recipients(smtp) == emails(s, "contact", "executive")
    mail = next(m for m in smtp.messages if m["To"] == s.people["contact"].email)
    assert subject(mail) == "3 nye kommentarer i nettverket"
    parts = mail_parts(mail)
    for part in (parts["text/plain"], parts["text/html"]):
        assert "Hamar: Mål for boligpolitikken" in part
        assert "Hamar: Konkrete utviklingsområder" in part
        for body in ("Første kommentar om målene", "Andre kommentar om målene", "Kommentar om utviklingsområdene"):
            assert body in part
        assert f"{BASE_URL}/networks/{s.network.id}/assignments/{s.assignment_id}/municipalities/{s.hamar.id}#comments" in part
        assert f"{BASE_URL}/networks/{s.network.id}/assignments/{second_assignment}/municipalities/{s.hamar.id}" in part
        assert f"{BASE_URL}/me/notifications" in part
    # Grouped by submission: both comments on the goals come before the other assignment.
    text = parts["text/plain"]
    assert text.index("Første kommentar") < text.index("Andre kommentar") < text.index("Konkrete utviklingsområder")
    assert notices(app) == []

    # A second run has nothing to send.
    smtp.handler.messages.clear()
    output = digest(runner)
    assert "Queued 0 digest(s) with 0 comment(s)." in output
    assert smtp.messages == []


def test_the_digest_leaves_out_deleted_comments_and_what_the_person_can_no_longer_read(app, s, login, smtp, runner):
    set_mode(app, s.people["observer"], NotificationMode.DAILY)
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    first = add_comment(app, s.submission_id, s.people["observer"], "Observatørens spørsmål")
    post(login(s.people["participant"]), s, "Svar til observatøren", parent_id=first)
    post(login(s.people["other_contact"]), s, "Blir slettet")
    deleted = last_comment(app)
    login(s.people["other_contact"]).post(s.url(f"/comments/{deleted.id}/delete"), data={"confirmed": "1"})
    set_visibility(app, s.assignment_id, Visibility.COORDINATORS)
    smtp.handler.messages.clear()

    output = digest(runner)
    assert "Queued 1 digest(s) with 1 comment(s)." in output
    # The observer may no longer read Hamar's submission: no mail, and the notice is used up.
    assert recipients(smtp) == [s.people["contact"].email]
    parts = mail_parts(smtp.messages[0])
    assert "Svar til observatøren" in parts["text/plain"]
    assert "Blir slettet" not in parts["text/plain"]
    assert notices(app) == []


def test_the_digest_dates_each_comment_in_oslo_time(app, s, login, smtp, runner):
    """Issue 12: every time that is mailed is Oslo's. 22:30 UTC on a summer evening is already
    half past midnight the next day in Oslo; the digest goes out from a command, outside any request."""
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    post(login(s.people["other_contact"]), s, "Skrevet sent en sommerkveld")
    with app.app_context():
        db.session.get(Comment, last_comment(app).id).created_at = datetime(2027, 6, 30, 22, 30, tzinfo=timezone.utc)
        db.session.commit()
    smtp.handler.messages.clear()

    digest(runner)
    mail = next(m for m in smtp.messages if m["To"] == s.people["contact"].email)
    for part in mail_parts(mail).values():
        assert "1. juli 2027 kl. 00:30" in part
        assert "30. juni" not in part and "22:30" not in part


def test_switching_to_immediate_keeps_what_is_waiting_for_the_digest(app, s, login, smtp, runner):
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    post(login(s.people["other_contact"]), s, "Venter på samle-e-posten")
    login(s.people["contact"]).post("/me/notifications", data={"comment_mode": "immediate"})
    smtp.handler.messages.clear()
    assert "Queued 1 digest(s) with 1 comment(s)." in digest(runner)
    assert recipients(smtp) == [s.people["contact"].email]


def test_without_base_url_the_digest_links_to_site_url(app, runner):
    """Issue 17: --base-url defaults to SITE_URL."""
    result = runner.invoke(args=["comments", "send-digest"])
    assert result.exit_code == 0, result.output


def test_a_claimed_notice_is_not_claimed_again_and_a_rollback_returns_it(app, s, login):
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    post(login(s.people["other_contact"]), s, "En")
    comment = last_comment(app)
    contact = s.people["contact"].id
    with app.test_request_context():
        assert services.claim_notices(contact) == [comment.id]
        assert services.claim_notices(contact) == []
        db.session.rollback()  # a run that failed before its commit
        assert services.claim_notices(contact) == [comment.id]


# --- text in mail is safe --------------------------------------------------------------------


def test_html_and_script_links_are_neutralised_in_mail(app, s, login, smtp, runner):
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    body = "<script>alert(1)</script> Se [her](javascript:alert(2)) og <b>fet</b> <a href=\"javascript:x\">a</a> & co"
    post(login(s.people["other_contact"]), s, body)
    digest(runner)
    assert len(smtp.messages) == 3  # participant and executive at once, the contact in the digest
    for mail in smtp.messages:
        parts = mail_parts(mail)
        html, plain = parts["text/html"], parts["text/plain"]
        assert "<script" not in html and "<b>" not in html
        assert "javascript:" not in html.split('href="')[1:] and 'href="javascript' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # typed HTML is text, as on the page
        assert "&amp; co" in html and "&amp;amp;" not in html
        # The plain part is text: the characters as typed, the link's target dropped.
        assert "<script>alert(1)</script> Se her og <b>fet</b>" in plain
        assert "javascript:alert(2)" not in plain
        assert "& co" in plain and "&amp;" not in plain


# --- overlapping cron runs (PostgreSQL) ------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRES, reason="overlapping runs need PostgreSQL's row locks; the PostgreSQL run tests it")
def test_overlapping_digest_runs_send_each_notice_once(migrated_database):
    people_count, runs = 12, 4
    app = make_app(migrated_database, SERVER_NAME="nettverk.example.test",
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": runs + 2, "max_overflow": 0})
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "3403"))
        network = Network(name="Samle-e-posttest", topic="Test", ks_contact_name="K", ks_contact_email="k@ks.test",
                          feedback_email="f@ks.test")
        membership = Membership(network=network, organisation=organisation)
        people = [Person(name=f"Samlet {n}", email=f"samlet{n}@example.test") for n in range(people_count)]
        db.session.add_all([network, membership, *people])
        db.session.add_all(NetworkRole(network=network, person=p, role=RoleKind.OBSERVER) for p in people)
        assignment = Assignment(network=network, title="Samtidig", method=AssignmentMethod.A, due_on=date(2031, 1, 1))
        submission = Submission(assignment=assignment, membership=membership, status=SubmissionStatus.SUBMITTED,
                                submitted_at=utcnow())
        comments = [Comment(submission=submission, author=people[0], body=f"Kommentar {n}") for n in range(3)]
        db.session.add_all([assignment, submission, *comments])
        db.session.flush()
        db.session.add_all(NotificationPreference(person_id=p.id, comment_mode=NotificationMode.DAILY) for p in people)
        db.session.add_all(PendingCommentNotice(person_id=p.id, comment_id=c.id) for p in people for c in comments)
        db.session.commit()
        network_id, all_people = network.id, [p.id for p in people]

    start = threading.Barrier(runs)

    def run(_):
        with app.test_request_context():
            start.wait()
            return services.send_digest()

    try:
        with ThreadPoolExecutor(max_workers=runs) as pool:
            results = list(pool.map(run, range(runs)))
        assert sum(r.people for r in results) == people_count
        assert sum(r.comments for r in results) == people_count * 3
        with app.app_context():
            per_person = dict(db.session.execute(
                select(OutboxMessage.recipient, func.count()).where(OutboxMessage.recipient.like("samlet%"))
                .group_by(OutboxMessage.recipient)).tuples().all())
            assert per_person == {f"samlet{n}@example.test": 1 for n in range(people_count)}
            assert db.session.scalar(select(func.count()).select_from(PendingCommentNotice)
                                     .where(PendingCommentNotice.person_id.in_(all_people))) == 0
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("samlet%")))
            db.session.execute(delete(Network).where(Network.id == network_id))
            db.session.execute(delete(Person).where(Person.id.in_(all_people)))
            db.session.commit()
            db.engine.dispose()
