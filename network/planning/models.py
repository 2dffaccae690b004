from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.networks.models import Membership


class PlanningStep(LabelledEnum):
    """Husbanken's circular planning process (seed 003), in order."""

    PLANNING_STRATEGY = "planning_strategy"
    COMMUNITY_PART = "community_part"
    LAND_USE_PART = "land_use_part"
    HOUSING_PLAN = "housing_plan"
    ZONING_PLAN = "zoning_plan"
    ECONOMIC_PLAN = "economic_plan"

    @property
    def number(self) -> int:
        return list(PlanningStep).index(self) + 1


PLANNING_STEP_LABELS = labelled(PlanningStep, {
    PlanningStep.PLANNING_STRATEGY: _l("Kommunal planstrategi"),
    PlanningStep.COMMUNITY_PART: _l("Kommuneplanens samfunnsdel"),
    PlanningStep.LAND_USE_PART: _l("Kommuneplanens arealdel"),
    PlanningStep.HOUSING_PLAN: _l("Temaplan for boligpolitikk"),
    PlanningStep.ZONING_PLAN: _l("Reguleringsplan"),
    PlanningStep.ECONOMIC_PLAN: _l("Økonomiplan med handlingsdel"),
})


class PlanStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ADOPTED = "adopted"


PLAN_STATUS_LABELS = labelled(PlanStatus, {
    PlanStatus.NOT_STARTED: _l("Ikke startet"),
    PlanStatus.IN_PROGRESS: _l("Under arbeid"),
    PlanStatus.ADOPTED: _l("Vedtatt"),
})


class StrategicAdvice(LabelledEnum):
    """KS's six strategic pieces of advice (seed 000), in order."""

    KNOWLEDGE_AND_DIRECTION = "knowledge_and_direction"
    GOVERNANCE_AND_PLANNING = "governance_and_planning"
    RESPONSIBILITY_AND_ORGANISATION = "responsibility_and_organisation"
    PROPERTY_ACTOR = "property_actor"
    COOPERATION_AND_DIALOGUE = "cooperation_and_dialogue"
    HOUSING_QUALITY = "housing_quality"

    @property
    def number(self) -> int:
        return list(StrategicAdvice).index(self) + 1


STRATEGIC_ADVICE_LABELS = labelled(StrategicAdvice, {
    StrategicAdvice.KNOWLEDGE_AND_DIRECTION: _l("Bygg kunnskap og velg politisk retning"),
    StrategicAdvice.GOVERNANCE_AND_PLANNING: _l("Bruk styringssystemet og plan- og bygningsloven"),
    StrategicAdvice.RESPONSIBILITY_AND_ORGANISATION: _l("Avklar administrativt ansvar og organisering"),
    StrategicAdvice.PROPERTY_ACTOR: _l("Vær en strategisk eiendomsaktør"),
    StrategicAdvice.COOPERATION_AND_DIALOGUE: _l("Skap retning og tillit gjennom samarbeid og dialog"),
    StrategicAdvice.HOUSING_QUALITY: _l("Sørg for kvalitet i boliger og bomiljø"),
})

SCORE_MIN, SCORE_MAX = 1, 4


class PlanningStatus(db.Model):
    """Where a member municipality stands on one step of the planning process."""

    __tablename__ = "planning_status"
    __table_args__ = (
        UniqueConstraint("membership_id", "step"),
        CheckConstraint("year IS NULL OR year BETWEEN 1965 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    step: Mapped[PlanningStep] = mapped_column(str_enum(PlanningStep, "planning_step"))
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"))
    year: Mapped[int | None]
    document_url: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    membership: Mapped[Membership] = relationship()
    updated_by: Mapped[Person | None] = relationship()


class AdviceAssessment(db.Model):
    """A member municipality's self-assessment against one piece of KS's advice, 1 (weak) to 4 (strong)."""

    __tablename__ = "advice_assessment"
    __table_args__ = (
        UniqueConstraint("membership_id", "advice"),
        CheckConstraint(f"score BETWEEN {SCORE_MIN} AND {SCORE_MAX}", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    advice: Mapped[StrategicAdvice] = mapped_column(str_enum(StrategicAdvice, "strategic_advice"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    membership: Mapped[Membership] = relationship()
    updated_by: Mapped[Person | None] = relationship()
