"""The rule for work that leaves the request: onto the job queue when one is configured
(``CELERY_BROKER_URL`` or ``REDIS_URL``), else done here and now, as without a queue."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g

from network.outbox.cli import link_context
from network.outbox.services import send_pending

# Task names are part of the messages waiting in Redis: keep them when the code moves.
SEND_MAIL = "jobs.send_mail"
SWEEP_OUTBOX = "jobs.sweep_outbox"
GATHERING_REMINDERS = "jobs.gathering_reminders"
ASSIGNMENT_REMINDERS = "jobs.assignment_reminders"
COMMENT_DIGEST = "jobs.comment_digest"
ANONYMOUS_FEEDBACK_COUNT = "jobs.anonymous_feedback_count"
PRIVACY_PURGE = "jobs.privacy_purge"

# Messages per delivery job, each job sending its batch over one SMTP connection.
MAIL_BATCH_SIZE = 50


def queue_configured(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("CELERY_BROKER_URL"))


def batches(ids: list[int], size: int = MAIL_BATCH_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def deliver_mail(ids: list[int]) -> None:
    """Deliver the committed outbox messages ``ids``: as delivery jobs on the queue, or, without a
    queue (or when it can't be reached), here and now as the outbox always did."""
    if not ids:
        return
    if queue_configured():
        celery = current_app.extensions["celery"]
        left = list(ids)
        try:
            for batch in batches(list(ids)):
                celery.send_task(SEND_MAIL, args=[batch])
                left = left[len(batch):]
            return
        except Exception:  # noqa: BLE001  Redis is down: mail must still go, so send it the old way
            current_app.logger.exception("The job queue can't be reached; sending %s message(s) here", len(left))
        ids = left
    send_pending(ids=ids)


@contextmanager
def mail_job() -> Iterator[None]:
    """A scheduled job that queues mail, as its ``flask …`` command runs it: links go to SITE_URL,
    and the mail it commits is delivered afterwards (as delivery jobs on the queue)."""
    with link_context(None):
        g.pop("outbox_ids", None)
        yield
        ids = g.pop("outbox_ids", None)
    deliver_mail(ids or [])
