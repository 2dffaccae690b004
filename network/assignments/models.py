from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.files.models import StoredFile
    from network.gatherings.models import Gathering
    from network.groups.models import Grouping
    from network.networks.models import Membership, Network


class AssignmentMethod(LabelledEnum):
    """The network's working methods (seed 002)."""

    A = "A"
    B = "B"
    C = "C"


ASSIGNMENT_METHOD_LABELS = labelled(AssignmentMethod, {
    AssignmentMethod.A: _l("A: boligpolitiske mål og innhold"),
    AssignmentMethod.B: _l("B: konkrete planer og utviklingsområder"),
    AssignmentMethod.C: _l("C: kunnskapsgrunnlag og egne utfordringer"),
})


class Visibility(LabelledEnum):
    NETWORK = "network"
    GROUP = "group"
    COORDINATORS = "coordinators"


VISIBILITY_LABELS = labelled(Visibility, {
    Visibility.NETWORK: _l("Hele nettverket"),
    Visibility.GROUP: _l("Kommunens gruppe"),
    Visibility.COORDINATORS: _l("Bare koordinatorene"),
})


class Assignment(db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("visibility <> 'group' OR grouping_id IS NOT NULL", name="group_visibility_has_grouping"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    method: Mapped[AssignmentMethod] = mapped_column(str_enum(AssignmentMethod, "assignment_method"))
    given_after_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"))
    presented_at_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date)  # submissions after the end of this day are late
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility, "assignment_visibility"), default=Visibility.NETWORK)
    # With group visibility: whose groups decide who reads whom.
    grouping_id: Mapped[int | None] = mapped_column(ForeignKey("grouping.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship()
    given_after: Mapped[Gathering | None] = relationship(foreign_keys=[given_after_id])
    presented_at: Mapped[Gathering | None] = relationship(foreign_keys=[presented_at_id])
    grouping: Mapped[Grouping | None] = relationship()
    submissions: Mapped[list[Submission]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class SubmissionStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


SUBMISSION_STATUS_LABELS = labelled(SubmissionStatus, {
    SubmissionStatus.DRAFT: _l("Utkast"),
    SubmissionStatus.SUBMITTED: _l("Levert"),
})


class Submission(db.Model):
    """A municipality's one shared answer to an assignment. ``version`` is the optimistic lock
    that stops two people's edits from overwriting each other silently."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("assignment_id", "membership_id"),
        CheckConstraint("status <> 'submitted' OR submitted_at IS NOT NULL", name="submitted_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(str_enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.DRAFT)
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_late: Mapped[bool] = mapped_column(default=False)  # set when it is submitted after the due date
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    assignment: Mapped[Assignment] = relationship(back_populates="submissions")
    membership: Mapped[Membership] = relationship()
    updated_by: Mapped[Person | None] = relationship()
    attachments: Mapped[list[SubmissionAttachment]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionAttachment.id")
    events: Mapped[list[SubmissionEvent]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionEvent.at")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Comment.created_at")

    __mapper_args__ = {"version_id_col": version}


class SubmissionAttachment(db.Model):
    __tablename__ = "submission_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()
    added_by: Mapped[Person | None] = relationship()


class SubmissionEventKind(LabelledEnum):
    EDITED = "edited"
    SUBMITTED = "submitted"
    REOPENED = "reopened"
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_REMOVED = "attachment_removed"


SUBMISSION_EVENT_LABELS = labelled(SubmissionEventKind, {
    SubmissionEventKind.EDITED: _l("endret teksten"),
    SubmissionEventKind.SUBMITTED: _l("leverte"),
    SubmissionEventKind.REOPENED: _l("åpnet for endringer igjen"),
    SubmissionEventKind.ATTACHMENT_ADDED: _l("la til et vedlegg"),
    SubmissionEventKind.ATTACHMENT_REMOVED: _l("fjernet et vedlegg"),
})


class SubmissionEvent(db.Model):
    """Who changed a submission, how and when."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SubmissionEventKind] = mapped_column(str_enum(SubmissionEventKind, "submission_event_kind"))
    detail: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    submission: Mapped[Submission] = relationship(back_populates="events")
    person: Mapped[Person | None] = relationship()


# A deleted comment that has replies stays as a placeholder with its text (and author) cleared.
DELETED_COMMENT_BODY = ""


class Comment(db.Model):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)  # Markdown, sanitised when shown
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="comments")
    author: Mapped[Person | None] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])


class NotificationMode(LabelledEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


NOTIFICATION_MODE_LABELS = labelled(NotificationMode, {
    NotificationMode.IMMEDIATE: _l("En e-post for hver ny kommentar"),
    NotificationMode.DAILY: _l("En samlet e-post om dagen"),
})


class NotificationPreference(db.Model):
    """How a person wants to hear about new comments. No row means immediately."""

    __tablename__ = "notification_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    comment_mode: Mapped[NotificationMode] = mapped_column(
        str_enum(NotificationMode, "notification_mode"), default=NotificationMode.IMMEDIATE)


class PendingCommentNotice(db.Model):
    """A comment someone with a daily digest has yet to hear about. The digest run deletes what it sends."""

    __tablename__ = "pending_comment_notice"
    __table_args__ = (UniqueConstraint("person_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    comment: Mapped[Comment] = relationship()


class AssignmentReminder(db.Model):
    """A reminder sent to a municipality about an assignment. The unique key makes a second
    (or overlapping) cron run skip it rather than send it twice."""

    __tablename__ = "assignment_reminder"
    __table_args__ = (UniqueConstraint("assignment_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
