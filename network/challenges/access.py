"""Who may see or change the challenges. Views, templates and tests all ask here.

Every member of the network reads the catalogue and who shares each challenge. Coordinators
keep the catalogue. Only a municipality's own people say which challenges apply to it: the
issue is the municipality's own account of itself, so coordinators read it but do not edit it.
"""
from __future__ import annotations

from network.networks.access import can_view_network, is_coordinator, is_team_member_of, roles_in
from network.networks.models import Membership, MembershipStatus, Network, RoleKind


def can_view_challenges(person, network: Network) -> bool:
    return can_view_network(person, network)


def can_manage_catalogue(person, network: Network) -> bool:
    return is_coordinator(person, network)


def can_edit_municipality_challenges(person, membership: Membership) -> bool:
    """The municipality's own participants, contact and executive, while it is an active member."""
    return (
        membership.status is MembershipStatus.ACTIVE
        and membership.organisation.is_municipality
        and is_team_member_of(person, membership)
    )


def can_view_matrix(person, network: Network) -> bool:
    """The overview across municipalities is for coordinators and observers (Husbanken, counties, researchers)."""
    return is_coordinator(person, network) or RoleKind.OBSERVER in roles_in(person, network)
