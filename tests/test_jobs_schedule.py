"""The scheduled jobs (network/jobs/schedule.py): each is on the beat schedule at its Oslo time,
and running its task does what its ``flask …`` command does: the same mail to the same people, the
same rows changed. Each pair runs on the same data, the command first, rolled back, then the task."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from celery.schedules import crontab
from sqlalchemy import select

from network.assignments.models import AssignmentReminder, NotificationMode
from network.extensions import db
from network.feedback.models import Feedback
from network.gatherings.models import Registration
from network.jobs import services as jobs
from network.jobs.schedule import SCHEDULE
from network.main import clock
from network.outbox.models import OutboxMessage, OutboxStatus
from network.outbox.services import send_pending
from tests.comment_helpers import set_mode, setup as comment_setup, subject
from tests.factories import world
from tests.gathering_helpers import open_gathering, register
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)
from tests.test_assignments import setting_for

# Job → (hour, minute) in Oslo; the sweep runs every minute.
DAILY = {
    jobs.PRIVACY_PURGE: (3, 30),
    jobs.COMMENT_DIGEST: (6, 0),
    jobs.ANONYMOUS_FEEDBACK_COUNT: (6, 15),
    jobs.GATHERING_REMINDERS: (7, 0),
    jobs.ASSIGNMENT_REMINDERS: (7, 15),
}


def test_the_schedule_holds_every_job_at_its_oslo_time(app):
    celery = app.extensions["celery"]
    assert celery.conf.timezone == "Europe/Oslo"
    assert celery.conf.beat_schedule == SCHEDULE
    by_task = {entry["task"]: entry for entry in SCHEDULE.values()}
    assert set(by_task) == {*DAILY, jobs.SWEEP_OUTBOX}
    assert by_task[jobs.SWEEP_OUTBOX]["schedule"] == 60.0
    for task, (hour, minute) in DAILY.items():
        schedule = by_task[task]["schedule"]
        assert isinstance(schedule, crontab), task
        assert (schedule.hour, schedule.minute, schedule.day_of_week) == ({hour}, {minute}, set(range(7))), task
        assert not 2 <= hour < 3, "summer time skips or repeats 02:00–03:00"
    assert set(by_task) <= set(celery.tasks)  # every scheduled job is a task the worker knows


# --- each task does what its command does ------------------------------------------------


def _outcome(app, smtp, since: int, rows) -> tuple:
    """What a run left: the mail that arrived, the outbox rows it wrote, and the job's own rows."""
    with app.app_context():
        outbox = sorted(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.status)
                                           .where(OutboxMessage.id > since)).tuples())
        own = rows()
    return sorted((m["To"], subject(m)) for m in smtp.messages), outbox, own


def _same_as_command(app, db_connection, smtp, runner, command: list[str], task: str, rows, send_first=True,
                     **kwargs) -> tuple:
    """Run ``command`` and then (on the same data, the command's work rolled back) ``task``; both
    outcomes must be the same. Returns it. Mail the set-up queued goes first: the command would send
    it along (it sends whatever is due), the task leaves it to the sweep."""
    with app.app_context():
        if send_first:
            send_pending()
        since = db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0
    smtp.handler.messages.clear()
    savepoint = db_connection.begin_nested()
    try:
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
        by_command = _outcome(app, smtp, since, rows)
    finally:
        savepoint.rollback()
    smtp.handler.messages.clear()
    app.extensions["celery"].tasks[task].apply(kwargs=kwargs, throw=True)
    by_task = _outcome(app, smtp, since, rows)
    assert by_task == by_command
    return by_task


def test_gathering_reminders(app, factory, runner, smtp, db_connection):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, day=date(2031, 3, 12))  # reminders 7 days before
    for key in ("participant", "contact"):
        register(app, gathering.id, people[key].id)

    def reminded():
        return sorted(db.session.execute(select(Registration.person_id, Registration.reminder_sent_at.is_not(None))
                                          .where(Registration.gathering_id == gathering.id)).tuples())

    mail, outbox, own = _same_as_command(app, db_connection, smtp, runner,
                                         ["gatherings", "send-reminders", "--today", "2031-03-05"],
                                         jobs.GATHERING_REMINDERS, reminded, today="2031-03-05")
    assert [to for to, subject_ in mail if subject_.startswith("Påminnelse")] == sorted(
        people[key].email for key in ("participant", "contact"))
    assert {status for *_, status in outbox} == {OutboxStatus.SENT}
    assert own == sorted((people[key].id, True) for key in ("participant", "contact"))


def test_assignment_reminders(app, factory, runner, smtp, db_connection):
    setting = setting_for(app, factory)  # due 5 March 2031; reminders 7 days before

    def reminders():
        return sorted(db.session.scalars(select(AssignmentReminder.membership_id)))

    mail, outbox, own = _same_as_command(app, db_connection, smtp, runner,
                                         ["assignments", "send-reminders", "--today", "2031-02-26"],
                                         jobs.ASSIGNMENT_REMINDERS, reminders, today="2031-02-26")
    assert mail and {status for *_, status in outbox} == {OutboxStatus.SENT}
    assert own == sorted([setting.hamar_membership, setting.lillehammer_membership])


def test_comment_digest(app, factory, login, runner, smtp, db_connection):
    s = comment_setup(app, factory)
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    response = login(s.people["other_contact"]).post(s.url("/comments"), data={"body": "Til samle-e-posten"})
    assert response.status_code == 302

    mail, outbox, _ = _same_as_command(app, db_connection, smtp, runner, ["comments", "send-digest"],
                                       jobs.COMMENT_DIGEST, lambda: None)
    assert [to for to, _subject in mail] == [s.people["contact"].email]
    assert [status for *_, status in outbox] == [OutboxStatus.SENT]


def test_anonymous_feedback_count(app, factory, login, runner, smtp, db_connection):
    network, _, _, people = world(factory)
    for text in ("Lysarkene er for tette.", "Fint nettsted."):
        response = login(people["participant"]).post(f"/networks/{network.id}/feedback/new", data={
            "topic": "other", "works": text, "anonymous": "y"})
        assert response.status_code == 302
    tomorrow = (clock.oslo_today() + timedelta(days=1)).isoformat()

    def counted():
        return sorted(db.session.scalars(select(Feedback.notice_pending)))

    mail, outbox, own = _same_as_command(app, db_connection, smtp, runner,
                                         ["feedback", "send-anonymous-notices", "--today", tomorrow],
                                         jobs.ANONYMOUS_FEEDBACK_COUNT, counted, today=tomorrow)
    assert mail == [("tilbakemelding@ks.test", "Nye anonyme tilbakemeldinger til KS")]
    assert own == [False, False]  # both counted


def test_privacy_purge(app, runner, smtp, db_connection):
    now = datetime.now(timezone.utc)
    with app.app_context():
        for age in (200, 10):
            db.session.add(OutboxMessage(recipient="gammel@example.test", subject=f"Sendt for {age} dager siden",
                                         body_text="Hei", status=OutboxStatus.SENT, sent_at=now - timedelta(days=age),
                                         created_at=now - timedelta(days=age)))
        db.session.commit()

    def kept():
        return sorted(db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient == "gammel@example.test")))

    savepoint = db_connection.begin_nested()
    try:
        output = runner.invoke(args=["privacy", "purge"]).output
        with app.app_context():
            by_command = kept()
    finally:
        savepoint.rollback()
    result = app.extensions["celery"].tasks[jobs.PRIVACY_PURGE].apply(throw=True).get()
    assert result in output  # the same summary: "… 1 old mail message(s) …"
    with app.app_context():
        assert kept() == by_command == ["Sendt for 10 dager siden"]
    assert smtp.messages == []


def test_the_sweep_sends_what_is_due_as_mail_send_pending_does(app, runner, smtp, db_connection):
    now = datetime.now(timezone.utc)
    with app.app_context():
        for n in range(3):
            db.session.add(OutboxMessage(recipient=f"venter{n}@example.test", subject=f"Venter {n}", body_text="Hei",
                                         next_attempt_at=now - timedelta(minutes=1)))
        db.session.add(OutboxMessage(recipient="senere@example.test", subject="Ikke ennå", body_text="Hei",
                                     next_attempt_at=now + timedelta(hours=1)))
        db.session.commit()

    def waiting():
        return sorted(db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.status == OutboxStatus.PENDING)))

    mail, _, own = _same_as_command(app, db_connection, smtp, runner, ["mail", "send-pending"], jobs.SWEEP_OUTBOX,
                                    waiting, send_first=False)
    assert [to for to, _subject in mail] == [f"venter{n}@example.test" for n in range(3)]
    assert own == ["senere@example.test"]
