"""What the API says about planning-status profiles and self-assessments, with the network's summary."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from network.planning.models import PlanningStep, PlanStatus, StrategicAdvice


class StepOut(BaseModel):
    model_config = ConfigDict(title="Plansteg")

    step: PlanningStep
    number: int
    status: PlanStatus | None = Field(description="Tom når ikke registrert.")
    year: int | None
    document_url: str | None


class AssessmentOut(BaseModel):
    model_config = ConfigDict(title="Egenvurdering")

    advice: StrategicAdvice
    number: int
    score: int | None = Field(description="1 (lite på plass) til 4 (godt innarbeidet); tom når ikke vurdert.")
    comment: str


class MunicipalityPlanningOut(BaseModel):
    model_config = ConfigDict(title="Planstatus for en kommune")

    organisation_id: int
    name: str
    kommunenummer: str | None
    county: str | None
    adopted_count: int
    steps: list[StepOut]
    assessments: list[AssessmentOut] | None = Field(
        description="Bare for kommunens egne folk, koordinatorer og observatører; ellers tom.")


class StepCountsOut(BaseModel):
    model_config = ConfigDict(title="Antall per plansteg")

    step: PlanningStep
    number: int
    adopted: int
    in_progress: int
    not_started: int
    not_recorded: int


class AdviceSummaryOut(BaseModel):
    model_config = ConfigDict(title="Egenvurdering i nettverket")

    advice: StrategicAdvice
    number: int
    answered: int
    average: str | None = Field(description="Snittet, avrundet halvt opp til én desimal (\"2.4\").", examples=["2.4"])
    distribution: dict[str, int] = Field(description="Hvor mange kommuner som ga hver vurdering, \"1\" til \"4\".")


class PlanningOut(BaseModel):
    model_config = ConfigDict(title="Planstatus", json_schema_extra={"examples": [{
        "network_id": 1,
        "municipalities": [{"organisation_id": 7, "name": "Hamar kommune", "kommunenummer": "3403",
                            "county": "Innlandet", "adopted_count": 1,
                            "steps": [{"step": "planning_strategy", "number": 1, "status": "adopted", "year": 2020,
                                       "document_url": None}],
                            "assessments": [{"advice": "knowledge_and_direction", "number": 1, "score": 3,
                                             "comment": ""}]}],
        "steps": [{"step": "planning_strategy", "number": 1, "adopted": 1, "in_progress": 0, "not_started": 0,
                   "not_recorded": 0}],
        "advice": [{"advice": "knowledge_and_direction", "number": 1, "answered": 1, "average": "3.0",
                    "distribution": {"1": 0, "2": 0, "3": 1, "4": 0}}],
        "page": 1, "size": 50, "total": 1,
    }]})

    network_id: int
    municipalities: list[MunicipalityPlanningOut] = Field(
        description="Aktive medlemskommuner, etter navn, én side av dem (page, size).")
    steps: list[StepCountsOut] = Field(description="Hvor mange kommuner som står hvor, per steg (alle kommunene).")
    advice: list[AdviceSummaryOut] = Field(description="Nettverkets snitt og fordeling per råd (alle kommunene).")
    page: int
    size: int
    total: int = Field(description="Hvor mange kommuner det er i alt (etter filteret), på alle sidene.")
