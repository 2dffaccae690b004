"""Personal access tokens for the read-only API (network/api)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.main import clock
from network.models_base import UTCDateTime, utcnow


class ApiToken(db.Model):
    """A token a person made on their profile page. The secret itself is shown once and never
    stored: the table keeps its SHA-256 (the secret is 256 random bits, so a fast hash is enough,
    as for ``login_session``). A token may be limited to one network; it always expires."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person = relationship("Person")
    network = relationship("Network")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    @property
    def last_day(self) -> date:
        """The last Oslo day it works (it stops at the end of the day chosen on the profile page)."""
        return clock.oslo_date(self.expires_at - timedelta(microseconds=1))
