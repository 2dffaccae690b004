"""Load a gathering for a view: the network first (404, then 403), then the gathering in it (404)."""
from __future__ import annotations

from flask import abort

from network.gatherings import services
from network.gatherings.models import Gathering
from network.networks.loading import load_network


def load_gathering(network_id: int, gathering_id: int) -> Gathering:
    gathering = services.get_gathering(load_network(network_id), gathering_id)
    if gathering is None:
        abort(404)
    return gathering
