"""Who may see or change the shared resources. Views, templates and tests all ask here.

Every member of the network reads and downloads. Coordinators keep KS's slide sets, the reports
list and the directory of competence environments. A municipality's own people (participants,
contact, executive) may upload an adapted version of a slide set, and they and the coordinators
may change or delete that version.
"""
from __future__ import annotations

from network.networks import services as network_services
from network.networks.access import can_view_network, is_coordinator, is_team_member_of
from network.networks.models import Membership, MembershipStatus, Network
from network.resources.models import SlideSet


def _signed_in(person) -> bool:
    return bool(person is not None and getattr(person, "is_authenticated", False))


def can_view_resources(person, network: Network) -> bool:
    return can_view_network(person, network)


def can_manage_resources(person, network: Network) -> bool:
    """KS's own slide sets, the reports and the competence environments."""
    return is_coordinator(person, network)


def _active_team_membership(person, network: Network, organisation_id: int | None) -> Membership | None:
    if organisation_id is None or not _signed_in(person) or person.organisation_id != organisation_id:
        return None
    membership = network_services.get_membership(network, organisation_id)
    if (membership is None or membership.status is not MembershipStatus.ACTIVE
            or not membership.organisation.is_municipality or not is_team_member_of(person, membership)):
        return None
    return membership


def adapting_membership(person, network: Network) -> Membership | None:
    """The active member municipality the person may adapt slide sets for: their own."""
    if not _signed_in(person):
        return None
    return _active_team_membership(person, network, person.organisation_id)


def can_edit_slide_set(person, slide_set: SlideSet) -> bool:
    """KS's sets: coordinators. A municipality's version: coordinators and that municipality's own people."""
    if is_coordinator(person, slide_set.network):
        return True
    return _active_team_membership(person, slide_set.network, slide_set.organisation_id) is not None
