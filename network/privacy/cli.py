"""``flask privacy purge``: the retention jobs, for cron."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import click
from flask.cli import with_appcontext

from network.privacy import services


@click.command("purge")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
@with_appcontext
def purge_command(today) -> None:
    """Erase what is kept no longer than the retention periods allow: diet and allergy details after
    each gathering, old mail, expired invitations and old export log entries. Safe to run at any
    time, as often as you like, and in overlapping runs."""
    click.echo(str(purge_as_of(today.date() if today else None)))


def purge_as_of(today: date | None = None) -> services.PurgeResult:
    """Purge as on ``today`` (at noon), or now (the command, and the scheduled job in network/jobs)."""
    now = datetime.combine(today, time(12), timezone.utc) if today else None
    return services.purge(today, now)
