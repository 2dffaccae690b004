"""Load, then check: the first two steps of every network page, shared by the capabilities' views.

The network's access rule comes before any lookup inside it, so outsiders can't probe what exists.
"""
from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from network.networks import access
from network.networks.models import Network


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def load_network(network_id: int) -> Network:
    return admit(access.network_with_roles(network_id, current_user))


def admit(network: Network | None) -> Network:
    """404 for no network, 403 for someone who may not see it; else the network, for the header."""
    if network is None:
        abort(404)
    require(access.can_view_network(current_user, network))
    g.network = network  # the header shows the network's name
    return network


def found(obj):
    """The object a service looked up inside the network, or 404 when there is none."""
    if obj is None:
        abort(404)
    return obj
