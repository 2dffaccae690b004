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

from flask import g
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


def own_membership(person, network) -> Membership | None:
    """The membership the person works for as one of its own people, if any (one query, cached)."""
    if not getattr(person, "is_authenticated", False) or person.organisation_id is None:
        return None
    cache = g.setdefault("_assignment_own_membership", {})
    key = (person.id, network.id)
    if key not in cache:
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == person.organisation_id))
        cache[key] = membership if membership is not None and network_access.is_team_member_of(person, membership) else None
    return cache[key]


def group_mates(person, assignment: Assignment) -> frozenset[int]:
    """The memberships in the person's own group of the assignment's grouping, the person's own
    included; empty when the person is in none. Cached for the request, so a page that checks many
    submissions of one assignment asks the database once."""
    if assignment.grouping_id is None:
        return frozenset()
    own = own_membership(person, assignment.network)
    if own is None:
        return frozenset()
    cache = g.setdefault("_assignment_group_mates", {})
    key = (own.id, assignment.grouping_id)
    if key not in cache:
        own_group = (select(GroupMember.group_id)
                     .where(GroupMember.grouping_id == assignment.grouping_id, GroupMember.membership_id == own.id)
                     .scalar_subquery())
        cache[key] = frozenset(db.session.scalars(select(GroupMember.membership_id).where(GroupMember.group_id == own_group)))
    return cache[key]


def _same_group(person, assignment: Assignment, membership: Membership) -> bool:
    """Whether the person's municipality shares a group with ``membership`` in the assignment's grouping."""
    return membership.id in group_mates(person, assignment)


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


def can_open_submission(person, assignment: Assignment, membership: Membership, submission: Submission | None) -> bool:
    """The submission page. Before anything is saved, only the municipality's own people (to start it)
    and the coordinators have anything to see."""
    if submission is None:
        return network_access.is_coordinator(person, assignment.network) or is_own(person, membership)
    return can_view_submission(person, submission)


def can_edit_submission(person, submission_or_membership) -> bool:
    """Only the municipality's own people write its submission, and only while it is a draft."""
    if not is_own(person, submission_or_membership):
        return False
    if isinstance(submission_or_membership, Submission):
        return submission_or_membership.status is SubmissionStatus.DRAFT
    return True  # nothing saved yet: the first save starts a draft


def can_remove_attachment(person, submission: Submission) -> bool:
    return can_edit_submission(person, submission)


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
