"""When the scheduled jobs run (Celery beat, ``flask jobs scheduler``), in Oslo time.

Each job is safe to run twice, or twice at once (see its ``flask …`` command), so a second
scheduler or a rerun by hand does no harm. Nothing is scheduled between 02:00 and 03:00, the
hour summer time skips in March and repeats in October.
"""
from __future__ import annotations

from celery.schedules import crontab

from network.jobs.services import (
    ANONYMOUS_FEEDBACK_COUNT, ASSIGNMENT_REMINDERS, COMMENT_DIGEST, GATHERING_REMINDERS, PRIVACY_PURGE,
    SWEEP_OUTBOX,
)

TIMEZONE = "Europe/Oslo"

SCHEDULE = {
    # Every minute: mail whose delivery job was lost, retries that are due, and «Glemt passord»
    # requests not handled as their response closed (``flask mail send-pending``). A sweep not
    # started within the minute is dropped: the next one does the same work.
    "sweep-outbox": {"task": SWEEP_OUTBOX, "schedule": 60.0, "options": {"expires": 55}},
    # Nightly, when nobody works: what the retention periods no longer allow (``flask privacy purge``).
    "privacy-purge": {"task": PRIVACY_PURGE, "schedule": crontab(hour=3, minute=30)},
    # Early morning, waiting in the inbox when the working day starts:
    # yesterday's comments for those who chose the daily digest (``flask comments send-digest``),
    "comment-digest": {"task": COMMENT_DIGEST, "schedule": crontab(hour=6, minute=0)},
    # the count of anonymous feedback that came in before today (``flask feedback send-anonymous-notices``),
    "anonymous-feedback-count": {"task": ANONYMOUS_FEEDBACK_COUNT, "schedule": crontab(hour=6, minute=15)},
    # gatherings within their network's reminder days (``flask gatherings send-reminders``),
    "gathering-reminders": {"task": GATHERING_REMINDERS, "schedule": crontab(hour=7, minute=0)},
    # and assignments due soon that a municipality has not delivered (``flask assignments send-reminders``).
    "assignment-reminders": {"task": ASSIGNMENT_REMINDERS, "schedule": crontab(hour=7, minute=15)},
}
