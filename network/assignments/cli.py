"""``flask assignments send-reminders``: reminder mail before an assignment's due date, for cron.

Safe to run twice, or twice at once: each municipality's reminder row is inserted (unique per
assignment and municipality) before its mail is queued, in the same transaction, so a second run
finds it and sends nothing.
"""
from __future__ import annotations

from collections.abc import Iterator

import click
from flask.cli import with_appcontext

from network.assignments import email, services
from network.assignments.models import Assignment
from network.extensions import db
from network.main import clock
from network.outbox.cli import base_url_option, link_context
from network.outbox.services import send_pending


def today_in_oslo():
    return clock.oslo_today()


def remind_due(day, days: int | None = None) -> Iterator[services.ReminderResult]:
    """Remind every assignment due soon (the command, and the scheduled job in network/jobs), one
    transaction per assignment: its reminder rows with their mail."""
    for assignment_id in [a.id for a in services.assignments_due_for_reminder(day, days)]:
        assignment = db.session.get(Assignment, assignment_id)
        result = services.remind(assignment, email.queue_reminder)
        db.session.commit()
        yield result


@click.command("send-reminders")
@base_url_option
@click.option("--days", type=click.IntRange(0, services.MAX_REMINDER_DAYS), default=None,
              help="Remind about assignments due within this many days. Default: each network's own setting.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
@with_appcontext
def send_reminders_command(base_url: str | None, days: int | None, today) -> None:
    """Remind municipalities that have not delivered an assignment that is due soon, then deliver the mail."""
    day = today.date() if today else today_in_oslo()
    with link_context(base_url):
        municipalities = mails = 0
        for result in remind_due(day, days):
            assignment = result.assignment
            municipalities += len(result.reminded)
            mails += result.mails
            click.echo(f"{assignment.network.name} – «{assignment.title}» (due {assignment.due_on.isoformat()}): "
                       f"reminded {len(result.reminded)} municipalit{'y' if len(result.reminded) == 1 else 'ies'} "
                       f"with {result.mails} mail(s)"
                       + (f"; nobody to remind in {', '.join(m.organisation.name for m in result.without_recipients)}"
                          if result.without_recipients else "") + ".")
        click.echo(f"Queued {mails} reminder mail(s) to {municipalities} municipalit{'y' if municipalities == 1 else 'ies'}.")
        sent, failed = send_pending()
        click.echo(f"Sent {sent}, failed {failed}.")
