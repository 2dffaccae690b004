"""Who may see or change what in a network. Views, templates and tests all ask here.

KS administrators (``Person.is_admin``) act as coordinators in every network.
"""
from __future__ import annotations

from functools import wraps

from flask import g
from werkzeug.local import LocalProxy
from sqlalchemy import and_, select

from network.extensions import db
from network.networks.models import Membership, Network, NetworkRole, RoleKind

# Roles a municipal contact may hand out within their own municipality.
CONTACT_GRANTABLE_ROLES = frozenset({RoleKind.PARTICIPANT, RoleKind.CONTACT, RoleKind.EXECUTIVE})
TEAM_ROLES = frozenset({RoleKind.PARTICIPANT, RoleKind.CONTACT, RoleKind.EXECUTIVE})


def _signed_in(person) -> bool:
    return bool(person is not None and getattr(person, "is_authenticated", False))


def real_person(person):
    """The person behind Flask-Login's ``current_user`` proxy: resolved once, not on every attribute."""
    return person._get_current_object() if type(person) is LocalProxy else person


def signed_in_person(person):
    """The signed-in person (not Flask-Login's proxy), or None for a visitor."""
    person = real_person(person)
    return person if _signed_in(person) else None


def _per_request(rule):
    """Remember the rule's answer for the request, by rule, person and network: the menu, the
    breadcrumbs, the page and its footer all ask the same questions. Kept with the roles, so
    whatever forgets the roles (a role given or taken) forgets the answers too."""

    @wraps(rule)
    def decide(person, network):
        person = real_person(person)
        if not _signed_in(person) or network is None:
            return rule(person, network)
        cache = g.setdefault("_network_roles", {})
        key = (rule.__name__, person.id, network.id)
        if key not in cache:
            cache[key] = rule(person, network)
        return cache[key]

    return decide


def roles_in(person, network: Network) -> frozenset[RoleKind]:
    """The person's roles in the network, cached for the request."""
    person = real_person(person)
    if not _signed_in(person):
        return frozenset()
    cache = g.setdefault("_network_roles", {})
    key = (person.id, network.id)
    if key not in cache:
        cache[key] = frozenset(
            db.session.scalars(
                select(NetworkRole.role).where(
                    NetworkRole.person_id == person.id, NetworkRole.network_id == network.id
                )
            )
        )
    return cache[key]


def network_with_roles(network_id: int, person) -> Network | None:
    """The network, with the person's roles in it read in the same query into the request's cache:
    every network page asks both first."""
    if not _signed_in(person):
        return db.session.get(Network, network_id)
    rows = db.session.execute(
        select(Network, NetworkRole.role).where(Network.id == network_id)
        .outerjoin(NetworkRole, and_(NetworkRole.network_id == Network.id, NetworkRole.person_id == person.id))
    ).all()
    if not rows:
        return None
    remember_roles(person, {network_id: frozenset(role for _network, role in rows if role is not None)})
    return rows[0][0]


def remember_roles(person, roles_by_network: dict[int, frozenset[RoleKind]]) -> None:
    """Fill the request's cache with the person's roles in every network, read in one query
    (``services.roles_by_network``), so a page about all their networks asks once, not once per network."""
    if _signed_in(person):
        cache = g.setdefault("_network_roles", {})
        for network_id, roles in roles_by_network.items():
            cache.setdefault((person.id, network_id), frozenset(roles))


def is_admin(person) -> bool:
    return _signed_in(person) and bool(person.is_admin)


@_per_request
def is_coordinator(person, network: Network) -> bool:
    return is_admin(person) or RoleKind.COORDINATOR in roles_in(person, network)


def can_create_network(person) -> bool:
    return is_admin(person)


@_per_request
def can_view_network(person, network: Network) -> bool:
    """Network data is for its members and coordinators only."""
    return is_admin(person) or bool(roles_in(person, network))


def can_close_network(person, network: Network) -> bool:
    """Closing a network (read-only) and reopening it is for KS administrators."""
    return is_admin(person)


def can_edit_network(person, network: Network) -> bool:
    """A closed network is read-only for everyone: reopening it is a separate action."""
    return is_coordinator(person, network) and not network.is_closed


def can_manage_members(person, network: Network) -> bool:
    return is_coordinator(person, network)


def is_contact_for(person, membership: Membership) -> bool:
    return (
        RoleKind.CONTACT in roles_in(person, membership.network)
        and person.organisation_id == membership.organisation_id
    )


def is_team_member_of(person, membership: Membership) -> bool:
    """One of the municipality's own people in this network: its participants, contact or executive."""
    return (
        _signed_in(person)
        and person.organisation_id == membership.organisation_id
        and bool(TEAM_ROLES & roles_in(person, membership.network))
    )


def can_see_team_warnings(person, membership: Membership) -> bool:
    return is_coordinator(person, membership.network) or is_contact_for(person, membership)


def can_edit_anchoring(person, membership: Membership) -> bool:
    return is_coordinator(person, membership.network) or is_contact_for(person, membership)


def grantable_roles(person, network: Network, membership: Membership | None) -> frozenset[RoleKind]:
    """The roles this person may give to others, for people of ``membership``'s organisation."""
    if is_coordinator(person, network):
        return frozenset(RoleKind)
    if membership is not None and is_contact_for(person, membership):
        return CONTACT_GRANTABLE_ROLES
    return frozenset()


def can_invite(person, network: Network, membership: Membership | None = None) -> bool:
    return bool(grantable_roles(person, network, membership))


def can_revoke_role(person, role: NetworkRole, membership: Membership | None) -> bool:
    return role.role in grantable_roles(person, role.network, membership)
