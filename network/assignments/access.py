"""Who may see, edit, reopen and comment on assignments and submissions. Views, templates,
the comments package and the tests all ask here.

- Coordinators (and KS admins) see everything and may reopen a submission at any time.
- A municipality's own people (participants, contact, executive) see and edit its submission,
  and may reopen it until the due date.
- A submitted submission is read by: the whole network (visibility NETWORK), the people of the
  municipalities in the same group of the assignment's grouping plus observers (GROUP), or no one
  else (COORDINATORS). Drafts are never shown to others.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from network.assignments.models import Assignment, Submission, SubmissionStatus, Visibility
from network.extensions import db
from network.groups.models import GroupMember
from network.networks import access as network_access
from network.networks.models import Membership, MembershipStatus, RoleKind

OSLO = ZoneInfo("Europe/Oslo")


def due_at(assignment: Assignment) -> datetime:
    """The end of the due date in Norway: a submission after this moment is late."""
    return datetime.combine(assignment.due_on + timedelta(days=1), time(0), tzinfo=OSLO)


def is_past_due(assignment: Assignment, now: datetime) -> bool:
    return now >= due_at(assignment)


def can_view_assignments(person, network) -> bool:
    return network_access.can_view_network(person, network)


def can_manage_assignments(person, network) -> bool:
    return network_access.is_coordinator(person, network)


def can_view_assignment(person, assignment: Assignment) -> bool:
    """Every member knows the assignment; visibility is about who reads others' submissions."""
    return network_access.can_view_network(person, assignment.network)


def is_own(person, submission_or_membership) -> bool:
    membership = getattr(submission_or_membership, "membership", submission_or_membership)
    return membership.status is MembershipStatus.ACTIVE and network_access.is_team_member_of(person, membership)


def _same_group(person, assignment: Assignment, membership: Membership) -> bool:
    """Whether the person's municipality shares a group with ``membership`` in the assignment's grouping."""
    if assignment.grouping_id is None or person.organisation_id is None:
        return False
    own = db.session.scalar(select(Membership).where(
        Membership.network_id == assignment.network_id, Membership.organisation_id == person.organisation_id))
    if own is None or not network_access.is_team_member_of(person, own):
        return False
    groups = db.session.scalars(select(GroupMember.group_id).where(
        GroupMember.grouping_id == assignment.grouping_id,
        GroupMember.membership_id.in_([own.id, membership.id]),
    )).all()
    return len(groups) == 2 and groups[0] == groups[1]


def can_view_submission(person, submission: Submission) -> bool:
    assignment = submission.assignment
    network = assignment.network
    if network_access.is_coordinator(person, network) or is_own(person, submission):
        return True
    if submission.status is not SubmissionStatus.SUBMITTED or not network_access.can_view_network(person, network):
        return False
    if assignment.visibility is Visibility.NETWORK:
        return True
    if assignment.visibility is Visibility.GROUP:
        if RoleKind.OBSERVER in network_access.roles_in(person, network):
            return True
        return _same_group(person, assignment, submission.membership)
    return False


def can_edit_submission(person, submission_or_membership) -> bool:
    """Only the municipality's own people write its submission, and only while it is a draft."""
    if not is_own(person, submission_or_membership):
        return False
    status = getattr(submission_or_membership, "status", SubmissionStatus.DRAFT)
    return status is SubmissionStatus.DRAFT


def can_reopen_submission(person, submission: Submission, now: datetime) -> bool:
    if submission.status is not SubmissionStatus.SUBMITTED:
        return False
    if network_access.is_coordinator(person, submission.assignment.network):
        return True
    return is_own(person, submission) and not is_past_due(submission.assignment, now)


def can_comment(person, submission: Submission) -> bool:
    """Comments are on submitted work, by anyone who may read it."""
    return submission.status is SubmissionStatus.SUBMITTED and can_view_submission(person, submission)


def can_view_grid(person, network) -> bool:
    return network_access.is_coordinator(person, network)


def due_date_is_valid(due_on: date, presented_on: date | None, given_on: date | None) -> bool:
    """The due date falls after the gathering where it was given and before the one where it is presented."""
    if presented_on is not None and due_on >= presented_on:
        return False
    return not (given_on is not None and due_on < given_on)
