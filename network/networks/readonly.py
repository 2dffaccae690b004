"""A closed network is read-only: every POST inside it is refused, in one place.

A KS administrator closes a network when its period is over (``Network.closed_at``). Its pages
and all its exports (GET) still work; a POST to any address with ``network_id`` in it is answered
with a page that says the network is closed, before the view runs, so no capability has to
remember the rule. Only reopening is let through.
"""
from __future__ import annotations

from flask import abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from network.extensions import db
from network.networks import access
from network.networks.models import Network

# What may still be posted in a closed network: reopening it (a KS administrator).
ALLOWED_WHEN_CLOSED = frozenset({"networks.reopen"})
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_changes_to_closed_network():
    if request.method in READING or request.endpoint in ALLOWED_WHEN_CLOSED:
        return None
    network_id = (request.view_args or {}).get("network_id")
    if network_id is None:
        return None
    if db.session.scalar(select(Network.closed_at).where(Network.id == network_id)) is None:
        return None  # open, or no such network (the view answers 404)
    network = db.session.get(Network, network_id)
    if not access.can_view_network(current_user, network):
        abort(403)  # outsiders learn nothing about the network
    g.network = network
    return render_template("errors/network_closed.html", network=network), 403


def register(app) -> None:
    app.before_request(refuse_changes_to_closed_network)
