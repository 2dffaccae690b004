"""iCalendar files and feeds for gatherings, and the reminder mail."""
from __future__ import annotations

import click
from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.calendar import ics, reminders, services
from network.extensions import db
from network.main.confirm import ask_first
from network.gatherings import access
from network.gatherings.loading import load_gathering
from network.networks.forms import EmptyForm
from network.networks.loading import require
from network.outbox.cli import base_url_option, link_context
from network.outbox.services import send_pending

bp = Blueprint("calendar", __name__, cli_group="gatherings")


def _calendar_response(data: bytes, filename: str, disposition: str) -> Response:
    response = Response(data, content_type=ics.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Built from live data on every request; never serve a stale copy.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/networks/<int:network_id>/gatherings/<int:gathering_id>/calendar.ics")
@login_required
def gathering_file(network_id: int, gathering_id: int):
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_view_gathering(current_user, gathering))
    return _calendar_response(ics.gathering_ics(gathering), ics.filename(gathering), "attachment")


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """The private feed: the token in the URL is the only credential, as calendar programs can't sign in."""
    person = services.person_by_token(token)
    if person is None:
        abort(404)
    response = _calendar_response(services.person_feed(person), "ks-nettverk.ics", "inline")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/calendar/token")
@login_required
def renew_token():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    had_token = current_user.calendar_token is not None
    if had_token:  # the first link replaces nothing
        page = ask_first(
            title=_("Lage en ny kalenderlenke?"),
            message=_("Lag en ny kalenderlenke for %(name)s. Den gamle lenken slutter å virke.", name=current_user.name),
            details=[_("Kalendere som abonnerer på den gamle lenken, får ikke flere oppdateringer. "
                       "Du må legge inn den nye lenken i kalenderen din.")],
            button=_("Ja, lag ny lenke"), back=url_for("main.my_page", _anchor="calendar-feed"))
        if page is not None:
            return page
    services.renew_token(current_user)
    db.session.commit()
    if had_token:
        flash(_("Du har fått en ny kalenderlenke. Den gamle lenken virker ikke lenger."), "success")
    else:
        flash(_("Kalenderlenken din er klar."), "success")
    return redirect(url_for("main.my_page", _anchor="calendar-feed"))


# --- cron --------------------------------------------------------------------------------


@bp.cli.command("send-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD).")
@base_url_option
def send_reminders_command(today, base_url: str | None) -> None:
    """Queue reminder mail for gatherings that are close, then deliver it. Safe to run from cron."""
    day = today.date() if today else reminders.today_in_oslo()
    with link_context(base_url):
        queued = reminders.send_reminders(day)
        click.echo(f"Queued {queued} reminder(s).")
        sent, failed = send_pending()
        click.echo(f"Sent {sent}, failed {failed}.")
