"""Who may see the dashboard: the network's coordinators and KS administrators. It gathers
costs, every municipality's follow-up and feedback counts, which are for coordinators only."""
from __future__ import annotations

from network.networks import access as network_access


def can_view_dashboard(person, network) -> bool:
    return network_access.is_coordinator(person, network)
