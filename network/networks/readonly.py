"""A closed network is read-only: every POST inside it is refused, in one place.

A KS administrator closes a network when its period is over (``Network.closed_at``). Its pages
and all its exports (GET) still work; a POST to any address with ``network_id`` in it is answered
with a page that says the network is closed, before the view runs, so no capability has to
remember the rule. Only reopening is let through.
"""
from __future__ import annotations

import logging

import redis
from flask import abort, current_app, g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from network.extensions import db
from network.networks import access
from network.networks.models import Network

log = logging.getLogger(__name__)

# What may still be posted in a closed network: reopening it (a KS administrator).
ALLOWED_WHEN_CLOSED = frozenset({"networks.reopen"})
READING = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_changes_to_closed_network():
    if request.method in READING or request.endpoint in ALLOWED_WHEN_CLOSED:
        return None
    network_id = (request.view_args or {}).get("network_id")
    if network_id is None:
        return None
    if not is_closed(network_id):
        return None  # open, or no such network (the view answers 404)
    network = db.session.get(Network, network_id)
    if not access.can_view_network(current_user, network):
        abort(403)  # outsiders learn nothing about the network
    g.network = network
    return render_template("errors/network_closed.html", network=network), 403


def is_closed(network_id: int) -> bool:
    """Asked by every POST inside a network: from the ids of the closed networks, kept in the shared
    cache until a network row is written (network/main/page_cache.py), else from the database."""
    cache = current_app.extensions.get("page_cache")
    if cache is not None:
        try:
            return network_id in cache.memo("closed-networks", "network", _closed_network_ids)
        except redis.RedisError as error:
            log.warning("closed networks not in the cache: %s", error)
    return db.session.scalar(select(Network.closed_at).where(Network.id == network_id)) is not None


def _closed_network_ids() -> list[int]:
    return list(db.session.scalars(select(Network.id).where(Network.closed_at.is_not(None))))


def register(app) -> None:
    app.before_request(refuse_changes_to_closed_network)
