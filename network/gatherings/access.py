"""Who may see, manage and register for gatherings. Builds on the network's rules."""
from __future__ import annotations

from network.auth.models import Person
from network.gatherings.models import Gathering, Registration
from network.networks import access as network_access
from network.networks.models import Membership, MembershipStatus


def can_view_gathering(person, gathering: Gathering) -> bool:
    return network_access.can_view_network(person, gathering.network)


def can_manage_gathering(person, gathering_or_network) -> bool:
    network = getattr(gathering_or_network, "network", gathering_or_network)
    return network_access.is_coordinator(person, network)


def can_change_programme(person, gathering: Gathering) -> bool:
    """Coordinators change a gathering's programme, materials and groups, until it is cancelled:
    then they are the record of what was planned, shown read-only."""
    return can_manage_gathering(person, gathering) and not gathering.is_cancelled


def can_register_for(person, gathering: Gathering, target: Person, target_membership: Membership | None) -> bool:
    """Participants register themselves; a contact registers their own municipality's people;
    a coordinator registers anyone in the network."""
    if not network_access.can_view_network(person, gathering.network):
        return False
    if network_access.is_coordinator(person, gathering.network):
        return bool(network_access.roles_in(target, gathering.network)) or target.id == person.id
    if target.id == person.id:
        return True
    return target_membership is not None and network_access.is_contact_for(person, target_membership) \
        and bool(network_access.roles_in(target, gathering.network))


def can_change_registration(person, registration: Registration, target_membership: Membership | None) -> bool:
    return can_register_for(person, registration.gathering, registration.person, target_membership)


def can_register_team(person, membership: Membership | None) -> bool:
    """Registering a municipality's team in one step: its contact, or a coordinator for any
    active member municipality."""
    if membership is None or membership.status is not MembershipStatus.ACTIVE \
            or not membership.organisation.is_municipality:
        return False
    return network_access.is_coordinator(person, membership.network) or network_access.is_contact_for(person, membership)


def can_view_registrations(person, gathering: Gathering, own_membership: Membership | None) -> bool:
    """The list of registrations: coordinators, and a member municipality's contact (who sees
    only their own municipality's, see ``sees_all_registrations``). ``own_membership`` is the
    person's own organisation's membership of the network."""
    return can_manage_gathering(person, gathering) or (
        own_membership is not None and network_access.is_contact_for(person, own_membership))


def sees_all_registrations(person, gathering: Gathering) -> bool:
    """Coordinators see every municipality's registrations; a contact only their own."""
    return can_manage_gathering(person, gathering)
