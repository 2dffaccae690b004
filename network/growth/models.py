from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.networks.models import Membership, Network

# Average yearly change in percent (compound), 2010–2020. Norway as a whole grew 1.0 % a year
# (4,858,199 to 5,367,580): strong growth is at least the national pace, growth at least half of it,
# and decline means the population fell.
DEFAULT_STRONG_GROWTH_MIN = Decimal("1.00")
DEFAULT_GROWTH_MIN = Decimal("0.50")
DEFAULT_STABLE_MIN = Decimal("0.00")


class GrowthClass(LabelledEnum):
    STRONG_GROWTH = "strong_growth"
    GROWTH = "growth"
    STABLE = "stable"
    DECLINE = "decline"
    UNKNOWN = "unknown"  # no 2010 figure (municipalities formed from a split in 2020)

    @property
    def has_pressure(self) -> bool:
        """Growth pressure ("vekstpress") as opposed to stagnation or decline."""
        return self in (GrowthClass.STRONG_GROWTH, GrowthClass.GROWTH)


GROWTH_CLASS_LABELS = labelled(GrowthClass, {
    GrowthClass.STRONG_GROWTH: _l("Sterk vekst"),
    GrowthClass.GROWTH: _l("Vekst"),
    GrowthClass.STABLE: _l("Stabil"),
    GrowthClass.DECLINE: _l("Nedgang"),
    GrowthClass.UNKNOWN: _l("Ukjent"),
})


class GrowthSettings(db.Model):
    """A network's thresholds, in average yearly population change (percent).

    strong growth ≥ strong_growth_min > growth ≥ growth_min > stable ≥ stable_min > decline.
    """

    __tablename__ = "growth_settings"
    __table_args__ = (
        CheckConstraint(
            "strong_growth_min > growth_min AND growth_min > stable_min", name="thresholds_ordered"
        ),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), primary_key=True)
    strong_growth_min: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_STRONG_GROWTH_MIN)
    growth_min: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_GROWTH_MIN)
    stable_min: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=DEFAULT_STABLE_MIN)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship()
    updated_by: Mapped[Person | None] = relationship()


class GrowthOverride(db.Model):
    """A coordinator's choice of class for one member municipality, with the reason."""

    __tablename__ = "growth_override"
    __table_args__ = (
        CheckConstraint("growth_class <> 'unknown'", name="override_is_a_class"),
        CheckConstraint("length(trim(reason)) > 0", name="override_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("membership.id", ondelete="CASCADE"), unique=True
    )
    growth_class: Mapped[GrowthClass] = mapped_column(str_enum(GrowthClass, "growth_class"))
    reason: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    membership: Mapped[Membership] = relationship()
    set_by: Mapped[Person | None] = relationship()
