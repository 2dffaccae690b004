""""Angre" for a short while after an action that can be taken back.

The view that acted calls ``offer_undo(...)``; the next page shows its message with a small POST
form (CSRF) whose button undoes it. Each undo route checks the window itself, on the server:
a registration by its ``cancelled_at``, a removed role by the time in the signed session.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import session

from network.main import clock

# How long an action can be undone; long enough to notice a wrong click, short enough that
# nobody else has come to depend on the change.
UNDO_WINDOW = timedelta(minutes=10)
OFFER_KEY = "undo_offer"  # also read by the page cache: a page with an offer to show is made afresh


def minutes() -> int:
    return int(UNDO_WINDOW.total_seconds() // 60)


def within_window(done_at: datetime | None, now: datetime | None = None) -> bool:
    now = now or clock.utc_now()
    return done_at is not None and timedelta(0) <= now - _aware(done_at) <= UNDO_WINDOW


def offer_undo(message: str, url: str, button: str, done_at: datetime, fields: dict | None = None) -> None:
    """Show ``message`` on the next page, with a button that posts ``fields`` to ``url``."""
    session[OFFER_KEY] = {"message": message, "url": url, "button": button,
                       "until": (_aware(done_at) + UNDO_WINDOW).isoformat(), "fields": dict(fields or {})}


def pop_undo_offer() -> dict | None:
    """The offer for this page, shown once (a template global)."""
    offer = session.pop(OFFER_KEY, None) if OFFER_KEY in session else None
    if not isinstance(offer, dict):
        return None
    try:
        until = datetime.fromisoformat(offer["until"])
    except (KeyError, TypeError, ValueError):
        return None
    return {**offer, "until": clock.in_oslo(until)}


def _aware(moment: datetime) -> datetime:
    """Stored times are UTC; a naive one (as SQLite hands back raw values) is UTC too."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
