"""Load a gathering for a view: the network first (404, then 403), then the gathering in it (404)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from network.gatherings import services
from network.gatherings.models import Gathering
from network.networks.loading import admit


def load_gathering(network_id: int, gathering_id: int) -> Gathering:
    # The network, the viewer's roles there, the gathering and its days in one query; the checks
    # keep their order, so an outsider can't learn which gatherings exist.
    network, gathering = services.network_and_gathering(network_id, gathering_id, current_user)
    admit(network)
    if gathering is None:
        abort(404)
    return gathering


def load_gathering_and_own_seats(network_id: int, gathering_id: int) -> tuple[Gathering, tuple[int | None, int]]:
    """``load_gathering``, and the signed-in person's active registration (its id, or None) and the
    seats taken, read in the same query (``services.registration_and_seats`` for someone else)."""
    network, gathering, own = services.network_gathering_and_seats(network_id, gathering_id, current_user)
    admit(network)
    if gathering is None:
        abort(404)
    return gathering, own
