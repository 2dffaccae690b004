"""The rules for comments: posting and replying, deleting, who is told about a new comment and how,
and the daily digest. Free of request, flash and templates, so views, the CLI and tests share them.

Threads are one level deep on the page: a reply to a reply is stored with its real parent (so that
comment's author hears about it) and shown under the thread's top-level comment, saying whom it answers.

Deleting: a comment nobody has answered is removed. A comment with replies keeps its place as
"Kommentaren er slettet", so the replies still make sense: its text and author are cleared, and an
empty body is what marks it as deleted (a posted comment always has text). When the last reply under
such a placeholder goes, the placeholder goes too.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from network.assignments.models import (
    DELETED_COMMENT_BODY,
    Assignment,
    Comment,
    NotificationMode,
    NotificationPreference,
    PendingCommentNotice,
    Submission,
)
from network.auth.models import Person
from network.comments import access, email
from network.extensions import db
from network.networks.access import TEAM_ROLES
from network.networks.models import Membership, NetworkRole

BODY_MAX = 5000
DELETED_BODY = DELETED_COMMENT_BODY


class CommentError(ValueError):
    """A rule was broken; the message is shown to the user, on ``field`` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def is_deleted(comment: Comment) -> bool:
    return comment.body == DELETED_BODY


# --- reading ----------------------------------------------------------------------------


@dataclass
class Reply:
    comment: Comment
    # For a reply to a reply: the comment it answers, since the page shows it flattened.
    answers: Comment | None = None


@dataclass
class Thread:
    comment: Comment
    replies: list[Reply] = field(default_factory=list)


def comments_for(submission: Submission) -> list[Comment]:
    """Every comment on the submission with its author and the author's organisation, in one query."""
    return list(db.session.scalars(
        select(Comment)
        .where(Comment.submission_id == submission.id)
        .options(joinedload(Comment.author).joinedload(Person.organisation))
        .order_by(Comment.created_at, Comment.id)
    ))


def arrange(comments: list[Comment]) -> list[Thread]:
    """Top-level comments in the order they came, each with every reply below it, oldest first."""
    by_id = {comment.id: comment for comment in comments}

    def root_of(comment: Comment) -> Comment:
        seen = {comment.id}
        while comment.parent_id in by_id and comment.parent_id not in seen:
            comment = by_id[comment.parent_id]
            seen.add(comment.id)
        return comment

    threads: dict[int, Thread] = {}
    for comment in comments:
        root = root_of(comment)
        thread = threads.setdefault(root.id, Thread(root))
        if comment is not root:
            answers = by_id.get(comment.parent_id) if comment.parent_id != root.id else None
            thread.replies.append(Reply(comment, answers))
    return [thread for thread in threads.values() if not _is_empty_placeholder(thread)]


def _is_empty_placeholder(thread: Thread) -> bool:
    return is_deleted(thread.comment) and not thread.replies


def get_comment(submission: Submission, comment_id: int) -> Comment | None:
    comment = db.session.get(Comment, comment_id)
    return comment if comment is not None and comment.submission_id == submission.id else None


def load_submission(network_id: int, submission_id: int) -> Submission | None:
    """The submission with what the pages and mail need, or None when it is not in this network."""
    submission = db.session.scalar(
        select(Submission)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Submission.id == submission_id, Assignment.network_id == network_id)
        .options(joinedload(Submission.assignment).joinedload(Assignment.network),
                 joinedload(Submission.membership).joinedload(Membership.organisation))
    )
    return submission


# --- writing ----------------------------------------------------------------------------


def post_comment(submission: Submission, author: Person, body: str, parent_id: int | None = None) -> Comment:
    """Add the comment and tell the people who should hear about it (mail queued, or a digest notice)."""
    body = (body or "").strip()
    if not body:
        raise CommentError(_("Skriv en kommentar."), "body")
    if len(body) > BODY_MAX:
        raise CommentError(_("Kommentaren kan være høyst %(max)s tegn.", max=BODY_MAX), "body")
    parent = None
    if parent_id is not None:
        parent = get_comment(submission, parent_id)
        if parent is None:
            raise CommentError(_("Kommentaren du svarer på, finnes ikke på denne besvarelsen."))
        if is_deleted(parent):
            raise CommentError(_("Kommentaren du svarer på, er slettet."))
    comment = Comment(submission=submission, parent=parent, author=author, body=body)
    db.session.add(comment)
    db.session.flush()
    notify(comment)
    return comment


def delete_comment(comment: Comment) -> bool:
    """Delete the comment; returns False when it stays as a placeholder because it has replies."""
    db.session.execute(delete(PendingCommentNotice).where(PendingCommentNotice.comment_id == comment.id))
    if _has_replies(comment.id):
        comment.body = DELETED_BODY
        comment.author_id = None
        return False
    parent = comment.parent
    db.session.delete(comment)
    db.session.flush()
    if parent is not None and is_deleted(parent) and not _has_replies(parent.id):
        delete_comment(parent)
    return True


def has_replies(comment: Comment) -> bool:
    return _has_replies(comment.id)


def _has_replies(comment_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Comment.parent_id == comment_id))))


# --- who hears about a comment ----------------------------------------------------------


def recipients(comment: Comment) -> list[Person]:
    """The submitting municipality's own people in the network, and the author of the comment
    answered; never the comment's own author, and only active accounts."""
    submission = comment.submission
    network_id = submission.assignment.network_id
    team = db.session.scalars(
        select(Person)
        .where(Person.organisation_id == submission.membership.organisation_id, Person.active.is_(True),
               Person.id.in_(select(NetworkRole.person_id).where(
                   NetworkRole.network_id == network_id, NetworkRole.role.in_(TEAM_ROLES))))
    ).all()
    people = {person.id: person for person in team}
    parent_author = comment.parent.author if comment.parent is not None else None
    if parent_author is not None and parent_author.active and access.can_view_submission(parent_author, submission):
        people.setdefault(parent_author.id, parent_author)
    people.pop(comment.author_id, None)
    return sorted(people.values(), key=lambda person: person.id)


def modes_for(person_ids: list[int]) -> dict[int, NotificationMode]:
    """Each person's choice; no row means a mail for each comment."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.person_id, NotificationPreference.comment_mode)
        .where(NotificationPreference.person_id.in_(person_ids))
    ).tuples().all()) if person_ids else {}
    return {person_id: chosen.get(person_id, NotificationMode.IMMEDIATE) for person_id in person_ids}


@dataclass
class Notified:
    mailed: list[Person] = field(default_factory=list)
    in_digest: list[Person] = field(default_factory=list)


def notify(comment: Comment) -> Notified:
    people = recipients(comment)
    modes = modes_for([person.id for person in people])
    notified = Notified()
    for person in people:
        if modes[person.id] is NotificationMode.DAILY:
            db.session.add(PendingCommentNotice(person_id=person.id, comment=comment))
            notified.in_digest.append(person)
        else:
            email.queue_comment_mail(person, comment, answers_them=_answers(comment, person))
            notified.mailed.append(person)
    return notified


def _answers(comment: Comment, person: Person) -> bool:
    return comment.parent is not None and comment.parent.author_id == person.id


# --- preferences ------------------------------------------------------------------------


def mode_for(person: Person) -> NotificationMode:
    return modes_for([person.id])[person.id]


def set_mode(person: Person, mode: NotificationMode) -> None:
    preference = db.session.get(NotificationPreference, person.id)
    if preference is not None:
        preference.comment_mode = mode
        return
    try:
        with db.session.begin_nested():
            db.session.add(NotificationPreference(person_id=person.id, comment_mode=mode))
    except IntegrityError:  # a second tab saved first: change that row instead
        db.session.get(NotificationPreference, person.id, populate_existing=True).comment_mode = mode


# --- the daily digest -------------------------------------------------------------------


@dataclass
class DigestResult:
    people: int = 0
    comments: int = 0


@dataclass
class SubmissionComments:
    submission: Submission
    comments: list[Comment]


def people_with_pending_notices() -> list[int]:
    return list(db.session.scalars(select(PendingCommentNotice.person_id).distinct().order_by(PendingCommentNotice.person_id)))


def claim_notices(person_id: int) -> list[int]:
    """Take the person's pending notices for this run and return their comment ids.

    On PostgreSQL the rows are locked and rows another run holds are skipped; the DELETE then claims
    them, so an overlapping run finds them locked or gone. On SQLite the DELETE waits for the other
    run's write lock and returns only the rows still there. Either way no notice is sent twice, and
    a run that fails before its commit leaves them for the next one.
    """
    ids = list(db.session.scalars(
        select(PendingCommentNotice.id).where(PendingCommentNotice.person_id == person_id)
        .order_by(PendingCommentNotice.id).with_for_update(skip_locked=True)
    ))
    if not ids:
        return []
    return list(db.session.scalars(
        delete(PendingCommentNotice).where(PendingCommentNotice.id.in_(ids))
        .returning(PendingCommentNotice.comment_id),
        execution_options={"synchronize_session": False},
    ))


def digest_for(person: Person, comment_ids: list[int]) -> list[SubmissionComments]:
    """The comments the person may still read, grouped by submission, oldest first."""
    if not comment_ids:
        return []
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids))
        .options(joinedload(Comment.author).joinedload(Person.organisation),
                 joinedload(Comment.submission).joinedload(Submission.assignment).joinedload(Assignment.network),
                 joinedload(Comment.submission).joinedload(Submission.membership).joinedload(Membership.organisation))
        .order_by(Comment.created_at, Comment.id)
    ).unique().all()
    grouped: dict[int, SubmissionComments] = {}
    for comment in comments:
        if is_deleted(comment) or not access.can_view_submission(person, comment.submission):
            continue
        grouped.setdefault(comment.submission_id, SubmissionComments(comment.submission, [])).comments.append(comment)
    return list(grouped.values())


def send_digest() -> DigestResult:
    """One mail per person with pending notices, one transaction per person."""
    result = DigestResult()
    for person_id in people_with_pending_notices():
        comment_ids = claim_notices(person_id)
        person = db.session.get(Person, person_id)
        groups = digest_for(person, comment_ids) if person is not None and person.active else []
        if groups:
            email.queue_digest(person, groups)
            result.people += 1
            result.comments += sum(len(group.comments) for group in groups)
        db.session.commit()
    return result


def pending_count(person_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(PendingCommentNotice)
                             .where(PendingCommentNotice.person_id == person_id))


def comment_counts(submission_ids: list[int]) -> dict[int, int]:
    """How many comments (not deleted) each submission has, in one query; for lists of submissions."""
    if not submission_ids:
        return {}
    rows = db.session.execute(
        select(Comment.submission_id, func.count())
        .where(Comment.submission_id.in_(submission_ids), Comment.body != DELETED_BODY)
        .group_by(Comment.submission_id)
    ).tuples().all()
    counts = defaultdict(int, rows)
    return {submission_id: counts[submission_id] for submission_id in submission_ids}


def recent_for_memberships(membership_ids: list[int], not_by: int | None = None, limit: int = 5) -> list[Comment]:
    """The newest comments on these municipalities' work, not the deleted ones nor (``not_by``)
    the reader's own, with their author, assignment and network: one query."""
    if not membership_ids:
        return []
    query = (
        select(Comment).join(Comment.submission)
        .where(Submission.membership_id.in_(membership_ids), Comment.body != DELETED_BODY)
        .options(joinedload(Comment.author),
                 joinedload(Comment.submission).joinedload(Submission.assignment).joinedload(Assignment.network),
                 joinedload(Comment.submission).joinedload(Submission.membership).joinedload(Membership.organisation))
        .order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    )
    if not_by is not None:
        query = query.where((Comment.author_id.is_(None)) | (Comment.author_id != not_by))
    return list(db.session.scalars(query).unique())
