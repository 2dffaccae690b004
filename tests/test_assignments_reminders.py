"""``flask assignments send-reminders`` against a real SMTP server: who is reminded, when, and once."""
from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from network.assignments import services
from network.assignments.models import Assignment, AssignmentReminder
from network.auth.models import Person
from network.extensions import db
from network.networks.models import Network, RoleKind
from network.outbox.models import OutboxMessage
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)
from tests.test_assignments import FUTURE, membership_id, save, setting_for

BASE_URL = "https://nettverk.test"
DUE = FUTURE[2]  # 5 March 2031; the network reminds 7 days before by default


def _subject(mail) -> str:
    # The default policy joins adjacent encoded words the way mail programs show them.
    return message_from_bytes(mail.as_bytes(), policy=policy.default)["Subject"]


def _part(mail, content_type) -> str:
    return next(part.get_payload(decode=True).decode() for part in mail.walk() if part.get_content_type() == content_type)


def _remind(runner, today: str, *extra):
    return runner.invoke(args=["assignments", "send-reminders", "--today", today, "--base-url", BASE_URL, *extra])


def _reminders(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(AssignmentReminder.membership_id)))


@pytest.fixture
def setting(app, factory):
    return setting_for(app, factory)


def test_municipalities_without_a_delivery_are_reminded_once(app, factory, setting, runner, smtp):
    # Hamar has a draft; Lillehammer has not started; Gjøvik delivered; Nittedal has nobody to write to.
    gjovik = factory.municipality("3407")
    factory.member(setting.network, gjovik)
    gunn = factory.member_with_role(setting.network, RoleKind.CONTACT, gjovik, name="Gunn Gjøvik")
    setting.people["gjovik"] = gunn
    save(app, setting, "Gjøvik er ferdig", person_key="gjovik", deliver=True,
         membership=membership_id(app, setting.network.id, gjovik.id))
    save(app, setting, "Hamar skriver", person_key="contact")
    factory.member(setting.network, factory.municipality("3031"))

    result = _remind(runner, "2031-02-26")
    assert result.exit_code == 0, result.output
    assert "reminded 2 municipalities with 3 mail(s)" in result.output
    assert "nobody to remind in Nittedal" in result.output
    assert "Queued 3 reminder mail(s) to 2 municipalities." in result.output
    assert "Sent 3, failed 0." in result.output

    people = setting.people
    recipients = sorted(mail["To"] for mail in smtp.messages)
    # Contacts and participants; the executive and the delivering municipality hear nothing.
    assert recipients == sorted([people["participant"].email, people["contact"].email, people["other_contact"].email])
    hamar_mail = next(m for m in smtp.messages if m["To"] == people["contact"].email)
    assert _subject(hamar_mail) == "Påminnelse: frist for «Våre boligpolitiske mål»"
    text = _part(hamar_mail, "text/plain")
    assert "5. mars 2031" in text and "Hamar har et utkast" in text
    assert f"{BASE_URL}{setting.submission_url()}" in text
    assert "samling 2: Samling 2" in text
    html = _part(hamar_mail, "text/html")
    assert f'href="{BASE_URL}{setting.submission_url()}"' in html
    lillehammer_text = _part(next(m for m in smtp.messages if m["To"] == people["other_contact"].email), "text/plain")
    assert "Lillehammer har ikke begynt på besvarelsen" in lillehammer_text
    assert _reminders(app) == {setting.hamar_membership, setting.lillehammer_membership}

    smtp.handler.messages.clear()
    again = _remind(runner, "2031-02-27")
    assert again.exit_code == 0, again.output
    assert "Queued 0 reminder mail(s) to 0 municipalities." in again.output
    assert smtp.messages == []


@pytest.mark.parametrize("today, reminded", [
    ("2031-02-25", False),   # eight days before: not yet
    ("2031-02-26", True),    # seven days before
    ("2031-03-05", True),    # the due date itself
    ("2031-03-06", False),   # past due: too late to remind
])
def test_reminders_follow_the_networks_setting(app, setting, runner, today, reminded):
    result = _remind(runner, today)
    assert result.exit_code == 0, result.output
    assert bool(_reminders(app)) is reminded


@pytest.mark.parametrize("days, reminded", [(3, False), (10, True)])
def test_days_option_overrides_the_network(app, setting, runner, days, reminded):
    # 2031-02-26 is 7 days before the due date: inside 10 days, outside 3.
    assert _remind(runner, "2031-02-26", "--days", str(days)).exit_code == 0
    assert bool(_reminders(app)) is reminded


def test_network_reminder_days_are_used(app, setting, runner):
    with app.app_context():
        db.session.get(Network, setting.network.id).reminder_days_before = 2
        db.session.commit()
    assert "Queued 0" in _remind(runner, "2031-03-01").output
    assert "Queued 3" in _remind(runner, "2031-03-03").output


def test_inactive_people_get_no_reminder(app, setting, runner, smtp):
    with app.app_context():
        db.session.get(Person, setting.people["participant"].id).active = False
        db.session.commit()
    _remind(runner, "2031-02-28")
    assert setting.people["participant"].email not in [m["To"] for m in smtp.messages]
    assert setting.people["contact"].email in [m["To"] for m in smtp.messages]


def test_a_run_that_finds_the_reminder_already_taken_skips_it(app, setting, runner, smtp):
    """Two overlapping runs: the second one's insert hits the unique key and sends nothing for it."""
    with app.app_context():
        db.session.add(AssignmentReminder(assignment_id=setting.assignment_id, membership_id=setting.hamar_membership))
        db.session.commit()
    sent = []
    with app.test_request_context(base_url=BASE_URL):
        assignment = db.session.get(Assignment, setting.assignment_id)
        result = services.remind(assignment, lambda _a, _m, person, _s: sent.append(person.email))
        assert [m.organisation.name for m in result.reminded] == ["Lillehammer"]
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(AssignmentReminder)) == 2
    assert sent == [setting.people["other_contact"].email]


def test_the_savepoint_keeps_the_run_going_when_another_run_inserted_first(app, setting):
    """Simulate the race: the reminder row appears after this run read the list."""
    with app.test_request_context(base_url=BASE_URL):
        assignment = db.session.get(Assignment, setting.assignment_id)
        sent = []

        def send(assignment_, membership, person, submission):
            sent.append(membership.id)
            if membership.id == setting.hamar_membership and len(sent) == 1:
                # Another run takes Lillehammer while this one is busy with Hamar.
                with db.session.begin_nested():
                    db.session.add(AssignmentReminder(assignment_id=assignment.id,
                                                      membership_id=setting.lillehammer_membership))

        result = services.remind(assignment, send)
        assert [m.id for m in result.reminded] == [setting.hamar_membership]
        db.session.commit()
    assert setting.lillehammer_membership not in sent


def test_without_base_url_the_links_go_to_site_url(app, setting, runner):
    """Issue 17: links come from SITE_URL (here the test config's), never from a request's host."""
    result = runner.invoke(args=["assignments", "send-reminders", "--today", "2031-02-26"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body_text)).all()
    assert bodies and all("http://localhost/networks/" in body for body in bodies)


def test_delivered_assignments_send_nothing(app, setting, runner, smtp):
    save(app, setting, "Levert", deliver=True)
    save(app, setting, "Levert", person_key="other_contact", deliver=True, membership=setting.lillehammer_membership)
    result = _remind(runner, "2031-03-01")
    assert "Queued 0 reminder mail(s)" in result.output
    assert smtp.messages == []


def test_assignments_long_past_due_are_ignored(app, factory, runner):
    setting_for(app, factory, dates=(date(2019, 4, 10), date(2019, 9, 18), date(2019, 9, 11)))
    assert "Queued 0" in _remind(runner, "2019-09-12").output
    assert not _reminders(app)


def test_the_reminder_mail_escapes_the_title(app, setting, runner, smtp):
    with app.app_context():
        db.session.get(Assignment, setting.assignment_id).title = "<script>alert('x')</script> Mål"
        db.session.commit()
    _remind(runner, "2031-03-01")
    html = _part(smtp.messages[0], "text/html")
    assert "<script>" not in html and "&lt;script&gt;" in html
