"""Who may read, write and delete comments. The rules for submissions themselves live in
``network/assignments/access.py``; a comment is readable by whoever may read its submission."""
from __future__ import annotations

from network.assignments import access as assignment_access
from network.assignments.models import Comment, Submission
from network.networks import access as network_access

# Re-exported so views, templates and tests ask one module.
can_view_submission = assignment_access.can_view_submission


def can_comment(person, submission: Submission) -> bool:
    """Only submitted work, by anyone who may read it (coordinators, observers, other municipalities
    as the assignment's visibility allows, and the municipality's own people)."""
    return assignment_access.can_comment(person, submission)


def can_delete_comment(person, comment: Comment, can_view: bool | None = None) -> bool:
    """Authors may take back their own words while they can still read the submission;
    coordinators may remove any comment in their network. ``can_view``: the person's
    ``can_view_submission`` when the caller already knows it (a thread asks once, not per comment)."""
    submission = comment.submission
    if network_access.is_coordinator(person, submission.assignment.network):
        return True
    if comment.author_id is None or getattr(person, "id", None) != comment.author_id:
        return False
    return can_view_submission(person, submission) if can_view is None else can_view


def can_set_preferences(person) -> bool:
    return bool(person is not None and getattr(person, "is_authenticated", False))
