"""Who may see or change growth classes. Views, templates and tests all ask here."""
from __future__ import annotations

from network.networks.access import can_view_network, is_coordinator, roles_in
from network.networks.models import Membership, Network, RoleKind


def can_view_growth(person, network: Network) -> bool:
    """The classes build on public SSB figures: every member of the network may see them."""
    return can_view_network(person, network)


def can_export_growth(person, network: Network) -> bool:
    """Coordinators, and observers (Husbanken, county authorities, researchers) who work with the figures."""
    return is_coordinator(person, network) or RoleKind.OBSERVER in roles_in(person, network)


def can_edit_thresholds(person, network: Network) -> bool:
    return is_coordinator(person, network)


def can_override(person, membership: Membership) -> bool:
    return is_coordinator(person, membership.network)
