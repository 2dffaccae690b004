from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.models_base import UTCDateTime, utcnow


class EmailChange(db.Model):
    """A new e-mail address waiting for its owner to open the link mailed to it.

    One per person: a new request replaces the last, so only the newest link works. The link
    carries a random token; the table keeps only its SHA-256 (as ``login_session`` does), and the
    row is deleted when the link is used, so a link works once."""

    __tablename__ = "email_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    new_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
