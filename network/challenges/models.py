from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.networks.models import Membership, Network
    from network.organisations.models import Organisation


class Challenge(db.Model):
    """A challenge in a network's catalogue: from the coordinators, or added by a municipality."""

    __tablename__ = "challenge"
    __table_args__ = (UniqueConstraint("network_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # The municipality that added it; None for the coordinators' catalogue.
    added_by_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)

    network: Mapped[Network] = relationship(back_populates="challenges")
    added_by_organisation: Mapped[Organisation | None] = relationship()
    municipality_challenges: Mapped[list[MunicipalityChallenge]] = relationship(
        back_populates="challenge", cascade="all, delete-orphan"
    )


class ChallengePriority(LabelledEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return list(ChallengePriority).index(self)


CHALLENGE_PRIORITY_LABELS = labelled(ChallengePriority, {
    ChallengePriority.HIGH: _l("Høy"),
    ChallengePriority.MEDIUM: _l("Middels"),
    ChallengePriority.LOW: _l("Lav"),
})

LOCAL_DESCRIPTION_MAX = 1000


class MunicipalityChallenge(db.Model):
    """A member municipality says a challenge applies to it, how much, and how it looks locally."""

    __tablename__ = "municipality_challenge"
    __table_args__ = (UniqueConstraint("challenge_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    priority: Mapped[ChallengePriority] = mapped_column(str_enum(ChallengePriority, "challenge_priority"))
    description: Mapped[str] = mapped_column(String(LOCAL_DESCRIPTION_MAX), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    challenge: Mapped[Challenge] = relationship(back_populates="municipality_challenges")
    membership: Mapped[Membership] = relationship()
    updated_by: Mapped[Person | None] = relationship()
