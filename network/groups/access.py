"""Who may see or change groupings. Views, templates and tests ask here."""
from __future__ import annotations

from network.networks.access import can_view_network, is_coordinator
from network.networks.models import Network


def can_view_groupings(person, network: Network) -> bool:
    """Every member of the network (observers too) may see the groups and the print list."""
    return can_view_network(person, network)


def can_manage_groupings(person, network: Network) -> bool:
    """Making, changing and deleting groupings is the coordinators' work."""
    return is_coordinator(person, network)
