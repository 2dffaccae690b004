"""Assignments and their submission status grid, read-only.

The same rules as the web: every member of the network sees the assignments; the coordinators
see every municipality's status (the grid); anyone else sees their own municipality's, and the
delivered submissions the assignment's visibility lets them read. A submission's text is never
read here, let alone sent.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import load_only

from network.api.framework import Page, api_get
from network.api.schemas.assignments import (
    AssignmentOut, AssignmentQuery, StatusQuery, SubmissionStatusOut,
)
from network.assignments import access, services
from network.assignments.models import Assignment, Submission, SubmissionStatus
from network.extensions import db
from network.networks.loading import load_network, require
from network.networks.models import Membership
from network.networks.services import active_memberships

TAG = "Oppgaver"


def assignment_out(assignment: Assignment) -> AssignmentOut:
    return AssignmentOut(
        id=assignment.id, title=assignment.title, method=assignment.method.value,
        given_after=assignment.given_after.number if assignment.given_after else None,
        presented_at=assignment.presented_at.number if assignment.presented_at else None,
        due_on=assignment.due_on, visibility=assignment.visibility.value)


def _page(query, items: list):
    start = query.offset
    return Page.of(query, len(items), items[start:start + query.size])


def assignment_list(person, network, query: AssignmentQuery) -> list[AssignmentOut]:
    require(access.can_view_assignments(person, network))
    found = services.assignments_for(network)  # by due date, then id
    if query.method is not None:
        found = [a for a in found if a.method.value == query.method]
    if query.presented_at is not None:
        found = [a for a in found if a.presented_at is not None and a.presented_at.number == query.presented_at]
    return [assignment_out(a) for a in found]


def _visible(person, membership: Membership, submission: Submission | None, coordinator: bool) -> bool:
    """Whether the person sees this municipality's status: the grid's rule for coordinators, the
    submission's own rule (``can_view_submission``) for everyone else."""
    if coordinator or access.is_own(person, membership):
        return True
    return submission is not None and access.can_view_submission(person, submission)


def status_rows(person, network, assignment: Assignment, status: str | None = None) -> list[SubmissionStatusOut]:
    """The active member municipalities' status for one assignment, by municipality number. Two
    queries whatever the size (members, submissions without their text), plus the viewer's roles
    and groups, which ``access`` caches for the request."""
    require(access.can_view_assignment(person, assignment))
    coordinator = access.can_view_grid(person, network)
    memberships = [m for m in active_memberships(network) if m.organisation.is_municipality]
    submissions = {s.membership_id: s for s in db.session.scalars(
        select(Submission).where(Submission.assignment_id == assignment.id)
        # The text stays in the database: only what the grid shows is loaded.
        .options(load_only(Submission.id, Submission.assignment_id, Submission.membership_id, Submission.status,
                           Submission.is_late, Submission.submitted_at, Submission.version)))}
    rows = []
    for membership in memberships:
        submission = submissions.get(membership.id)
        if not _visible(person, membership, submission, coordinator):
            continue
        cell = services.status_of(submission)
        if status is not None and cell != status:
            continue
        organisation = membership.organisation
        delivered = submission.submitted_at if submission and submission.status is SubmissionStatus.SUBMITTED else None
        rows.append(((organisation.kommunenummer or "~", membership.id), SubmissionStatusOut(
            organisation_id=organisation.id, municipality_number=organisation.kommunenummer, name=organisation.name,
            status=cell, delivered_at=delivered)))
    rows.sort(key=lambda row: row[0])
    return [row for _key, row in rows]


@api_get("/networks/<int:network_id>/assignments", response=Page[AssignmentOut], query=AssignmentQuery,
         summary="Nettverkets oppgaver, etter frist", tag=TAG)
def list_assignments(network_id: int, query: AssignmentQuery) -> Page[AssignmentOut]:
    network = load_network(network_id)
    return _page(query, assignment_list(current_user, network, query))


def _load(network, assignment_id: int) -> Assignment:
    assignment = services.get_assignment(network, assignment_id)
    if assignment is None:
        abort(404)
    return assignment


@api_get("/networks/<int:network_id>/assignments/<int:assignment_id>", response=AssignmentOut,
         summary="Én oppgave", tag=TAG)
def get_assignment(network_id: int, assignment_id: int) -> AssignmentOut:
    network = load_network(network_id)
    require(access.can_view_assignments(current_user, network))
    assignment = _load(network, assignment_id)
    require(access.can_view_assignment(current_user, assignment))
    return assignment_out(assignment)


@api_get("/networks/<int:network_id>/assignments/<int:assignment_id>/status", response=Page[SubmissionStatusOut],
         query=StatusQuery, summary="Hvor langt hver kommune har kommet med oppgaven (aldri teksten)", tag=TAG)
def assignment_status(network_id: int, assignment_id: int, query: StatusQuery) -> Page[SubmissionStatusOut]:
    network = load_network(network_id)
    assignment = _load(network, assignment_id)
    return _page(query, status_rows(current_user, network, assignment, query.status))
