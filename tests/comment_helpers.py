"""Test data for comments: assignments and submissions built straight from the models (not through
the assignments pages), comments added without notifications, and a stand-in submission page that
includes ``comments/_thread.html`` the way the real one does."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.header import decode_header, make_header
from html import unescape

from flask import g, render_template_string
from flask_login import current_user, login_required
from sqlalchemy import select

from network.assignments import access as assignment_access
from network.assignments.models import (
    Assignment,
    AssignmentMethod,
    Comment,
    NotificationMode,
    NotificationPreference,
    Submission,
    SubmissionStatus,
    Visibility,
)
from network.extensions import db
from network.groups.models import Group, GroupKind, GroupMember, Grouping
from network.networks.loading import load_network, require
from network.networks.models import Membership, Network
from tests.factories import world

SUBMITTED_AT = datetime(2019, 5, 20, 10, 0, tzinfo=timezone.utc)
THREAD_PAGE = "/_test/networks/{network}/submissions/{submission}/thread"


@dataclass
class Setup:
    """``world`` plus an assignment with Hamar's submission (submitted) and Lillehammer's (a draft)."""
    network: Network
    hamar: object
    lillehammer: object
    people: dict
    assignment_id: int
    submission_id: int          # Hamar's, submitted
    draft_id: int               # Lillehammer's, a draft

    def url(self, suffix: str = "", submission_id: int | None = None) -> str:
        return f"/networks/{self.network.id}/submissions/{submission_id or self.submission_id}{suffix}"

    def thread_page(self, submission_id: int | None = None) -> str:
        return THREAD_PAGE.format(network=self.network.id, submission=submission_id or self.submission_id)

    def submission_path(self, organisation=None, assignment_id: int | None = None) -> str:
        organisation = organisation or self.hamar
        return (f"/networks/{self.network.id}/assignments/{assignment_id or self.assignment_id}"
                f"/municipalities/{organisation.id}")


def membership_id(app, network, organisation) -> int:
    with app.app_context():
        return db.session.scalar(select(Membership.id).where(
            Membership.network_id == network.id, Membership.organisation_id == organisation.id))


def make_assignment(app, network, title: str = "Mål for boligpolitikken", visibility: Visibility = Visibility.NETWORK,
                    grouping_id: int | None = None, due_on: date = date(2019, 6, 1)) -> int:
    with app.app_context():
        assignment = Assignment(network_id=network.id, title=title, description="Beskriv målene.",
                                method=AssignmentMethod.A, due_on=due_on, visibility=visibility,
                                grouping_id=grouping_id)
        db.session.add(assignment)
        db.session.commit()
        return assignment.id


def make_submission(app, assignment_id: int, membership: int, status: SubmissionStatus = SubmissionStatus.SUBMITTED,
                    text: str = "Vi vil ha boliger for alle.") -> int:
    with app.app_context():
        submission = Submission(assignment_id=assignment_id, membership_id=membership, status=status, text=text,
                                submitted_at=SUBMITTED_AT if status is SubmissionStatus.SUBMITTED else None)
        db.session.add(submission)
        db.session.commit()
        return submission.id


def set_visibility(app, assignment_id: int, visibility: Visibility, grouping_id: int | None = None) -> None:
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assignment.visibility = visibility
        assignment.grouping_id = grouping_id
        db.session.commit()


def make_grouping(app, network, groups: list[list[int]]) -> int:
    """A grouping whose groups hold the given membership ids."""
    with app.app_context():
        grouping = Grouping(network_id=network.id, name="Bordgrupper", basis=GroupKind.FREE)
        db.session.add(grouping)
        db.session.flush()
        for number, members in enumerate(groups, start=1):
            group = Group(grouping_id=grouping.id, name=f"Gruppe {number}", position=number, kind=GroupKind.FREE)
            db.session.add(group)
            db.session.flush()
            for member in members:
                db.session.add(GroupMember(grouping_id=grouping.id, group_id=group.id, membership_id=member))
        db.session.commit()
        return grouping.id


def setup(app, factory) -> Setup:
    network, hamar, lillehammer, people = world(factory)
    assignment_id = make_assignment(app, network)
    submission_id = make_submission(app, assignment_id, membership_id(app, network, hamar))
    draft_id = make_submission(app, assignment_id, membership_id(app, network, lillehammer), SubmissionStatus.DRAFT)
    return Setup(network, hamar, lillehammer, people, assignment_id, submission_id, draft_id)


def add_comment(app, submission_id: int, author, body: str, parent_id: int | None = None,
                minutes: int = 0) -> int:
    """A comment straight into the database (nobody is told), ``minutes`` after the first."""
    with app.app_context():
        comment = Comment(submission_id=submission_id, author_id=author.id if author else None, body=body,
                          parent_id=parent_id, created_at=SUBMITTED_AT + timedelta(days=1, minutes=minutes))
        db.session.add(comment)
        db.session.commit()
        return comment.id


def set_mode(app, person, mode: NotificationMode) -> None:
    with app.app_context():
        db.session.merge(NotificationPreference(person_id=person.id, comment_mode=mode))
        db.session.commit()


# --- a stand-in for the submission page ----------------------------------------------------

_PAGE = """{% extends "base.html" %}
{% block title %}Test{% endblock %}
{% block content %}<h1 class="ds-heading">{{ submission.membership.organisation.name }}</h1>
<div class="submission-text">{{ submission.text|markdown }}</div>
{% include "comments/_thread.html" %}{% endblock %}"""


def install_thread_page(app) -> None:
    """A page that includes the thread as the assignments capability's submission page does,
    with the same access rule, so the thread can be tested on its own."""

    @login_required
    def thread_page(network_id: int, submission_id: int):
        network = load_network(network_id)
        submission = db.get_or_404(Submission, submission_id)
        if submission.assignment.network_id != network.id:
            return "", 404
        require(assignment_access.can_view_submission(current_user, submission))
        g.network = network
        return render_template_string(_PAGE, submission=submission, network=network)

    app.add_url_rule(THREAD_PAGE.replace("{network}", "<int:network_id>").replace("{submission}", "<int:submission_id>"),
                     "test_thread_page", thread_page)


# --- reading responses -------------------------------------------------------------------


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def main(response) -> str:
    return text(response).split("<main")[1].split("</main>")[0]


def error_summary(response) -> str:
    match = re.search(r'<div class="ds-error-summary".*?</ul>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""


def textarea_value(response, field_id: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True), re.S)
    return unescape(match.group(1)).lstrip("\r\n") if match else None


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def mail_parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_payload(decode=True).decode()
            for part in message.walk() if not part.is_multipart()}
