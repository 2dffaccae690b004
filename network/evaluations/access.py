"""Who may answer, manage and read evaluations. Views, templates and tests all ask here.

Only the invited answer, once. Coordinators write the added questions; coordinators and
observers (Husbanken, the counties, researchers) read the results, which hold no names.
"""
from __future__ import annotations

from network.evaluations.models import EvaluationInvitation
from network.networks.access import is_coordinator, roles_in
from network.networks.models import Network, RoleKind


def can_answer(invitation: EvaluationInvitation | None) -> bool:
    """The invitation is the right to answer; answering again is handled as "already answered"."""
    return invitation is not None


def can_manage_questions(person, network: Network) -> bool:
    return is_coordinator(person, network)


def can_view_results(person, network: Network) -> bool:
    return is_coordinator(person, network) or RoleKind.OBSERVER in roles_in(person, network)
