"""Addresses of the pages comments point to, for the views and the mail."""
from __future__ import annotations

from flask import current_app, url_for

from network.assignments.models import Comment, Submission
from network.main.site import site_url_for

# The assignments capability's page for one municipality's submission.
SUBMISSION_ENDPOINT = "assignments.submission"


def submission_url(submission: Submission, anchor: str | None = None, external: bool = False) -> str:
    """``/networks/<id>/assignments/<assignment_id>/municipalities/<organisation_id>``."""
    network_id = submission.assignment.network_id
    organisation_id = submission.membership.organisation_id
    build = site_url_for if external else url_for
    if SUBMISSION_ENDPOINT in current_app.view_functions:
        return build(SUBMISSION_ENDPOINT, network_id=network_id, assignment_id=submission.assignment_id,
                     organisation_id=organisation_id, _anchor=anchor)
    # Until that page exists, the same address built by hand.
    root = build("main.index").rstrip("/")
    path = f"{root}/networks/{network_id}/assignments/{submission.assignment_id}/municipalities/{organisation_id}"
    return f"{path}#{anchor}" if anchor else path


def comment_url(comment: Comment, external: bool = False) -> str:
    return submission_url(comment.submission, anchor=comment_anchor(comment), external=external)


def comment_anchor(comment: Comment) -> str:
    return f"comment-{comment.id}"


def thread_url(submission: Submission, external: bool = False) -> str:
    return submission_url(submission, anchor="comments", external=external)


def preferences_url(external: bool = False) -> str:
    return site_url_for("comments.preferences") if external else url_for("comments.preferences")
