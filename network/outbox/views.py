"""A developer's mailbox: shows queued mail when no SMTP server is configured."""
from __future__ import annotations

import click
from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from network.auth.services import handle_password_reset_requests
from network.extensions import db
from network.outbox.models import OutboxMessage
from network.outbox.services import send_pending

bp = Blueprint("outbox", __name__, cli_group="mail")


@bp.get("/dev/mail")
def dev_mailbox():
    if not (current_app.debug and current_app.config.get("SHOW_DEV_MAILBOX")):
        abort(404)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)).all()
    return render_template("outbox/dev_mailbox.html", messages=messages)


@bp.cli.command("send-pending")
@click.option("--limit", default=500, show_default=True, help="Most messages to send in this run.")
def send_pending_command(limit: int) -> None:
    """Deliver queued mail that is due (safe to run from cron)."""
    # "Glemt passord" requests are normally handled as their response closes; any left over, here.
    handle_password_reset_requests(limit=limit)
    sent, failed = send_pending(limit=limit)
    click.echo(f"Sent {sent}, failed {failed}.")
