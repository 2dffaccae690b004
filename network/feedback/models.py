"""Feedback to KS.

Anonymous feedback must not be traceable to its sender, so the tables are shaped for it:
random ids (no sequence that orders it among other rows), a date rather than a time, no IP
address, and attachments kept in their own table rather than among the numbered stored files.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from network.extensions import db
from network.main import clock
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.gatherings.models import Gathering
    from network.networks.models import Network
    from network.resources.models import SlideSet


def random_id() -> str:
    return uuid.uuid4().hex


class FeedbackTopic(LabelledEnum):
    SLIDES = "slides"
    GATHERING = "gathering"
    NETWORK = "network"
    PLATFORM = "platform"
    OTHER = "other"


FEEDBACK_TOPIC_LABELS = labelled(FeedbackTopic, {
    FeedbackTopic.SLIDES: _l("Lysarkene"),
    FeedbackTopic.GATHERING: _l("En samling"),
    FeedbackTopic.NETWORK: _l("Nettverket som helhet"),
    FeedbackTopic.PLATFORM: _l("Nettstedet"),
    FeedbackTopic.OTHER: _l("Annet"),
})


class FeedbackStatus(LabelledEnum):
    NEW = "new"
    READ = "read"
    ANSWERED = "answered"
    ARCHIVED = "archived"


FEEDBACK_STATUS_LABELS = labelled(FeedbackStatus, {
    FeedbackStatus.NEW: _l("Ny"),
    FeedbackStatus.READ: _l("Lest"),
    FeedbackStatus.ANSWERED: _l("Besvart"),
    FeedbackStatus.ARCHIVED: _l("Arkivert"),
})

FEEDBACK_TEXT_MAX = 5000


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        # Anonymous feedback carries no sender of any kind.
        CheckConstraint(
            "NOT anonymous OR (sender_id IS NULL AND sender_name = '' AND sender_email = '')",
            name="anonymous_has_no_sender",
        ),
        CheckConstraint("works <> '' OR does_not_work <> '' OR suggestion <> ''", name="has_content"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    topic: Mapped[FeedbackTopic] = mapped_column(str_enum(FeedbackTopic, "feedback_topic"))
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="SET NULL"))
    slide_set_id: Mapped[int | None] = mapped_column(ForeignKey("slide_set.id", ondelete="SET NULL"))
    works: Mapped[str] = mapped_column(Text, default="")
    does_not_work: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # A signed-in sender, or a visitor's own name and address; all empty when anonymous.
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    sender_name: Mapped[str] = mapped_column(String(120), default="")
    sender_email: Mapped[str] = mapped_column(String(254), default="")
    # Only the day: a time of day could be matched against other traces of the sender.
    received_on: Mapped[date] = mapped_column(Date, default=clock.oslo_today, index=True)
    status: Mapped[FeedbackStatus] = mapped_column(
        str_enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.NEW
    )
    # Anonymous feedback is announced to KS in a daily count, not one mail per item: a mail's
    # own time of sending would otherwise give the item its time of day.
    notice_pending: Mapped[bool] = mapped_column(Boolean, default=False)

    network: Mapped[Network] = relationship()
    gathering: Mapped[Gathering | None] = relationship()
    slide_set: Mapped[SlideSet | None] = relationship()
    sender: Mapped[Person | None] = relationship()
    attachments: Mapped[list[FeedbackAttachment]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackAttachment.filename"
    )
    notes: Mapped[list[FeedbackNote]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackNote.created_at"
    )
    replies: Mapped[list[FeedbackReply]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan", order_by="FeedbackReply.sent_at"
    )

    @property
    def reply_address(self) -> str:
        """Where a reply goes; empty for anonymous feedback."""
        if self.anonymous:
            return ""
        return self.sender.email if self.sender is not None else self.sender_email


class FeedbackAttachment(db.Model):
    """A file sent with feedback. Kept apart from ``stored_file``, whose numbered rows would date it."""

    __tablename__ = "feedback_attachment"
    __table_args__ = (CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    feedback: Mapped[Feedback] = relationship(back_populates="attachments")


class FeedbackNote(db.Model):
    """An internal note by a coordinator; never shown to the sender."""

    __tablename__ = "feedback_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="notes")
    author: Mapped[Person | None] = relationship()


class FeedbackReply(db.Model):
    """A coordinator's answer, e-mailed to a named sender through the outbox."""

    __tablename__ = "feedback_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[str] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    recipient: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="replies")
    author: Mapped[Person | None] = relationship()
