"""What the API says about registrations and attendance. Never diet, allergies, accessibility
needs or comments: those are for the gathering's catering and hosts, not for reporting tools."""
from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from network.api.framework import MAX_ID, PageQuery
from network.gatherings.models import RegistrationStatus


class RegistrationOut(BaseModel):
    model_config = ConfigDict(title="Påmelding", json_schema_extra={"examples": [{
        "id": 31, "person_id": 8, "person_name": "Dag Deltaker", "organisation_id": 12,
        "organisation_name": "Hamar", "days": ["2031-03-12", "2031-03-13"], "status": "attended",
        "registered_at": "2031-02-01T09:12:00Z", "cancelled_at": None, "late_cancellation": False,
    }]})

    id: int
    person_id: int
    person_name: str
    organisation_id: int | None
    organisation_name: str | None
    days: list[date]
    status: RegistrationStatus = Field(description="confirmed, waiting, cancelled, attended eller no_show (oppmøte).")
    registered_at: datetime
    cancelled_at: datetime | None
    late_cancellation: bool


class RegistrationQuery(PageQuery):
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID, description="Bare påmeldte fra denne organisasjonen.")
    status: RegistrationStatus | None = None
