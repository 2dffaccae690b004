"""The jobs. Each scheduled one does what its ``flask …`` command does (those stay, for runs by
hand and as a fallback without a queue); the mail they queue goes out as delivery jobs."""
from __future__ import annotations

from datetime import date

from celery import shared_task
from flask import current_app

from network.assignments.cli import remind_due, today_in_oslo
from network.auth.services import handle_password_reset_requests
from network.calendar import reminders
from network.comments import services as comments
from network.extensions import db
from network.feedback import services as feedback
from network.jobs import services
from network.outbox.services import send_pending
from network.privacy.cli import purge_as_of

# As ``flask mail send-pending``: the most messages one sweep sends.
SWEEP_LIMIT = 500


def _day(today: str | None) -> date | None:
    """The commands' ``--today`` (YYYY-MM-DD), for a run by hand; the schedule passes none."""
    return date.fromisoformat(today) if today else None


@shared_task(name=services.SEND_MAIL, time_limit=10 * 60)
def send_mail(ids: list[int]) -> dict:
    """Send a batch over one SMTP connection. A message not due (it failed just now) or already
    sent or being sent elsewhere is left alone; the sweep sends what this misses."""
    sent, failed = send_pending(ids=ids, limit=len(ids))
    return {"sent": sent, "failed": failed}


@shared_task(name=services.SWEEP_OUTBOX, time_limit=10 * 60)
def sweep_outbox(limit: int = SWEEP_LIMIT) -> dict:
    """``flask mail send-pending``: «Glemt passord» requests left over, then every due message."""
    handle_password_reset_requests(limit=limit)
    sent, failed = send_pending(limit=limit)
    return {"sent": sent, "failed": failed}


@shared_task(name=services.GATHERING_REMINDERS)
def gathering_reminders(today: str | None = None) -> dict:
    """``flask gatherings send-reminders``."""
    with services.mail_job():
        queued = reminders.send_reminders(_day(today) or reminders.today_in_oslo())
    return {"queued": queued}


@shared_task(name=services.ASSIGNMENT_REMINDERS)
def assignment_reminders(today: str | None = None) -> dict:
    """``flask assignments send-reminders``."""
    municipalities = mails = 0
    with services.mail_job():
        for result in remind_due(_day(today) or today_in_oslo()):
            municipalities += len(result.reminded)
            mails += result.mails
    return {"municipalities": municipalities, "mails": mails}


@shared_task(name=services.COMMENT_DIGEST)
def comment_digest() -> dict:
    """``flask comments send-digest``."""
    with services.mail_job():
        result = comments.send_digest()
    return {"people": result.people, "comments": result.comments}


@shared_task(name=services.ANONYMOUS_FEEDBACK_COUNT)
def anonymous_feedback_count(today: str | None = None) -> dict:
    """``flask feedback send-anonymous-notices``."""
    with services.mail_job():
        counted = feedback.send_anonymous_notices(_day(today))
        db.session.commit()
    return {"counted": counted}


@shared_task(name=services.PRIVACY_PURGE)
def privacy_purge(today: str | None = None) -> str:
    """``flask privacy purge``."""
    result = purge_as_of(_day(today))
    current_app.logger.info("Privacy purge: %s", result)
    return str(result)
