"""Who may send feedback to KS and who reads it. Views, templates and tests all ask here.

Every member of a network (any role) may send feedback; visitors, and signed-in people outside
the network, only when the coordinators allow feedback from visitors. Only coordinators (and KS
administrators) read the inbox, the attachments and the notes, and answer.
"""
from __future__ import annotations

from network.feedback.models import Feedback
from network.networks.access import can_view_network, is_coordinator
from network.networks.models import Network


def is_member(person, network: Network) -> bool:
    """Members see the network's gatherings and slide sets in the form and get its menu."""
    return can_view_network(person, network)


def can_send_feedback(person, network: Network) -> bool:
    return is_member(person, network) or bool(network.feedback_from_visitors)


def can_manage_feedback(person, network: Network) -> bool:
    """The inbox, the CSV, attachments, status, notes and replies."""
    return is_coordinator(person, network)


def can_reply(person, feedback: Feedback) -> bool:
    """Anonymous feedback has no one to answer."""
    return can_manage_feedback(person, feedback.network) and not feedback.anonymous
