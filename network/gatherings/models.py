from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db

if TYPE_CHECKING:
    from network.networks.models import Network


class Gathering(db.Model):
    __tablename__ = "gathering"
    __table_args__ = (
        UniqueConstraint("network_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("ends_on >= starts_on", name="day_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")

    network: Mapped[Network] = relationship(back_populates="gatherings")
