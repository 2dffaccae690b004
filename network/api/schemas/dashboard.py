"""The coordinators' dashboard as figures: totals only, no names and no feedback senders."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from network.api.schemas.evaluations import RatingMeanOut
from network.api.schemas.money import Money


class GatheringParticipationOut(BaseModel):
    model_config = ConfigDict(title="GatheringParticipation")

    gathering_id: int
    number: int
    registered: int = Field(description="Deltakere fra medlemskommunene med plass.")
    attended: int = Field(description="Deltakere fra medlemskommunene registrert som møtt.")


class FollowUpGroupOut(BaseModel):
    model_config = ConfigDict(title="FollowUpGroup")

    kind: Literal["below_minimum", "executive_missing", "below_preferred", "unanchored"]
    severity: Literal["must", "nice"]
    gathering_number: int | None
    municipalities: int


class FollowUpOut(BaseModel):
    model_config = ConfigDict(title="FollowUp")

    must: int = Field(description="Kommuner med minst én ting som må følges opp.")
    groups: list[FollowUpGroupOut]


class GatheringCostOut(BaseModel):
    model_config = ConfigDict(title="GatheringCost")

    gathering_id: int
    number: int
    amount: Money


class CostTotalsOut(BaseModel):
    model_config = ConfigDict(title="CostTotals")

    total: Money
    gatherings: list[GatheringCostOut]


class AssignmentCountsOut(BaseModel):
    model_config = ConfigDict(title="AssignmentCounts")

    assignment_id: int
    title: str
    submitted: int
    late: int
    draft: int
    missing: int


class FeedbackCountsOut(BaseModel):
    model_config = ConfigDict(title="FeedbackCounts")

    new: int
    read: int
    answered: int
    archived: int
    awaiting_answer: int = Field(description="Lest, fra en navngitt avsender, og ikke besvart.")


class EvaluationSummaryOut(BaseModel):
    model_config = ConfigDict(title="EvaluationSummary")

    gathering_id: int
    number: int
    invited: int
    answered: int
    withheld: bool
    means: list[RatingMeanOut]


class DashboardOut(BaseModel):
    model_config = ConfigDict(title="Dashboard", json_schema_extra={"examples": [{
        "network_id": 1, "municipalities": 14, "total_registered": 120, "total_attended": 80,
        "participation": [{"gathering_id": 3, "number": 1, "registered": 40, "attended": 36}],
        "follow_up": {"must": 2, "groups": [{"kind": "below_minimum", "severity": "must", "gathering_number": 2,
                                              "municipalities": 2}]},
        "costs": {"total": "90000.00", "gatherings": [{"gathering_id": 3, "number": 1, "amount": "18000.00"}]},
        "assignments": [{"assignment_id": 7, "title": "Boligpolitiske mål", "submitted": 10, "late": 1, "draft": 2,
                         "missing": 1}],
        "feedback": {"new": 3, "read": 1, "answered": 4, "archived": 0, "awaiting_answer": 1},
        "evaluations": [], "examples_waiting": 0}]})

    network_id: int
    municipalities: int = Field(description="Aktive medlemskommuner.")
    total_registered: int
    total_attended: int
    participation: list[GatheringParticipationOut]
    follow_up: FollowUpOut
    costs: CostTotalsOut
    assignments: list[AssignmentCountsOut]
    feedback: FeedbackCountsOut
    evaluations: list[EvaluationSummaryOut]
    examples_waiting: int = Field(description="Eksempler kommunene har bedt om å få åpnet for alle.")
