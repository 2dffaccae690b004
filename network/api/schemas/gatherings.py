"""What the API says about gatherings, their days and their programme."""
from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict, Field

from network.api.framework import PageQuery
from network.gatherings.models import GatheringStatus, WorkingMethod


class DayOut(BaseModel):
    model_config = ConfigDict(title="Samlingsdag")

    date: date
    starts_at: time = Field(description="Klokkeslett i Europe/Oslo.")
    ends_at: time = Field(description="Klokkeslett i Europe/Oslo.")


class GatheringOut(BaseModel):
    model_config = ConfigDict(title="Samling", json_schema_extra={"examples": [{
        "id": 4, "network_id": 1, "number": 1, "title": "Oppstartssamling", "theme": "Mål og innhold",
        "status": "open", "days": [{"date": "2031-03-12", "starts_at": "10:00:00", "ends_at": "16:00:00"}],
        "venue": "Scandic Hamar", "address": "Vangsvegen 121, 2318 Hamar", "capacity": 60,
        "seats_taken": 42, "waiting_list": 0, "registration_opens_at": "2031-01-10T08:00:00Z",
        "registration_closes_at": "2031-03-01T22:59:00Z", "cancellation_deadline": "2031-03-05T22:59:00Z",
    }]})

    id: int
    network_id: int
    number: int
    title: str
    theme: str
    status: GatheringStatus
    days: list[DayOut]
    venue: str
    address: str
    capacity: int | None
    seats_taken: int = Field(description="Påmeldte med plass (påmeldt, møtte, møtte ikke).")
    waiting_list: int = Field(description="Antall på ventelisten.")
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None = Field(description="Påmeldingsfristen.")
    cancellation_deadline: datetime | None = Field(description="Frist for gratis avmelding.")


class GatheringQuery(PageQuery):
    status: GatheringStatus | None = Field(None, description="Bare samlinger med denne statusen.")


class ProgrammeItemOut(BaseModel):
    model_config = ConfigDict(title="Programpost", json_schema_extra={"examples": [{
        "id": 7, "position": 1, "day": "2031-03-12", "starts_at": "10:00:00", "title": "Velkommen",
        "presenter": "KS", "method": "plenary", "description": "",
    }]})

    id: int
    position: int
    day: date | None
    starts_at: time | None
    title: str
    presenter: str
    method: WorkingMethod
    description: str


class ProgrammeOut(BaseModel):
    model_config = ConfigDict(title="Program", json_schema_extra={"examples": [{
        "gathering_id": 4, "items": [{
            "id": 7, "position": 1, "day": "2031-03-12", "starts_at": "10:00:00", "title": "Velkommen",
            "presenter": "KS", "method": "plenary", "description": "",
        }]}]})

    gathering_id: int
    items: list[ProgrammeItemOut]
