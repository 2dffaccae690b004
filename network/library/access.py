"""Who may read, write and moderate examples in the experience library. Views, templates and
tests all ask here.

An example belongs to a municipality. Its own people in the network (participants, contact and
executive: ``is_team_member_of``) and the coordinators write and publish it; coordinators may
also write on behalf of a municipality outside the network, since KS and Husbanken collected
examples from non-members too. Only coordinators feature and hide, and only they approve an
example to be open to all (at /examples): the municipality asks, a coordinator approves or sends
it back with a comment.
"""
from __future__ import annotations

from typing import NamedTuple

from network.library.models import Example, ExampleReview, ExampleStatus
from network.networks import access as network_access
from network.networks.models import Network


class _Team(NamedTuple):
    """What ``is_team_member_of`` reads from a membership; the municipality need not be a member."""

    network: Network
    organisation_id: int


def is_own_municipality(person, example: Example) -> bool:
    return network_access.is_team_member_of(person, _Team(example.network, example.organisation_id))


def own_organisation_id(person, network: Network) -> int | None:
    """The municipality whose examples this person writes in the network, if any."""
    if not getattr(person, "is_authenticated", False) or person.organisation_id is None:
        return None
    if not network_access.TEAM_ROLES & network_access.roles_in(person, network):
        return None
    return person.organisation_id


def can_view_library(person, network: Network) -> bool:
    return network_access.can_view_network(person, network)


def can_create_example(person, network: Network) -> bool:
    if network_access.is_coordinator(person, network):
        return True
    return own_organisation_id(person, network) is not None and bool(
        person.organisation is not None and person.organisation.is_municipality
    )


def can_choose_municipality(person, network: Network) -> bool:
    """Coordinators pick the municipality (and may override its size); others write for their own."""
    return network_access.is_coordinator(person, network)


def can_edit_example(person, example: Example) -> bool:
    return network_access.is_coordinator(person, example.network) or is_own_municipality(person, example)


def can_view_example(person, example: Example) -> bool:
    """Members read published examples; drafts and hidden ones only their writers and coordinators."""
    if not can_view_library(person, example.network):
        return False
    if example.status is ExampleStatus.PUBLISHED and not example.is_hidden:
        return True
    return can_edit_example(person, example)


def can_publish_example(person, example: Example) -> bool:
    return can_edit_example(person, example)


def can_set_public(person, example: Example) -> bool:
    return can_edit_example(person, example)


def can_moderate(person, example: Example) -> bool:
    """Feature, hide, and approve or send back an example to be open to all."""
    return network_access.is_coordinator(person, example.network)


def can_review(person, network: Network) -> bool:
    """The review queue of examples waiting to be open to all."""
    return network_access.is_coordinator(person, network)


def approves_directly(person, network: Network) -> bool:
    """A coordinator who publishes, opens or edits an example approves it in the same step."""
    return network_access.is_coordinator(person, network)


def sees_every_draft(person, network: Network) -> bool:
    return network_access.is_coordinator(person, network)


def is_publicly_readable(example: Example) -> bool:
    """Readable at /examples without signing in: a coordinator has approved it (``services.PUBLIC_SCOPE``)."""
    return (example.status is ExampleStatus.PUBLISHED and example.is_public and not example.is_hidden
            and example.review is ExampleReview.APPROVED)
