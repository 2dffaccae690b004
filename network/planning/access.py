"""Who may see or change planning-status profiles. Views, templates and tests all ask here."""
from __future__ import annotations

from network.networks.access import can_view_network, is_coordinator, is_team_member_of, roles_in
from network.networks.models import Membership, MembershipStatus, Network, RoleKind


def can_edit_profile(person, membership: Membership) -> bool:
    """Only the municipality's own people know where its plans stand; coordinators don't edit them."""
    return (
        membership.status is MembershipStatus.ACTIVE
        and membership.organisation.is_municipality
        and is_team_member_of(person, membership)
    )


def can_view_comparison(person, network: Network) -> bool:
    return can_view_network(person, network)


def reads_every_profile(person, network: Network) -> bool:
    """Coordinators and observers (Husbanken, county authorities, researchers) follow the whole network:
    they may pick any municipality to compare and download every municipality's scores."""
    return is_coordinator(person, network) or RoleKind.OBSERVER in roles_in(person, network)


def can_export_comparison(person, network: Network) -> bool:
    return reads_every_profile(person, network)


def can_see_assessment(person, membership: Membership) -> bool:
    """A municipality's self-assessment is for its own people and those who follow the whole network.
    Other municipalities see it only as part of the network's average and distribution."""
    return is_team_member_of(person, membership) or reads_every_profile(person, membership.network)
