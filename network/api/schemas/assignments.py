"""Assignments and the submission status grid. Never a submission's text: the grid says only
how far each municipality has come, as the coordinators' grid on the web does."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from network.api.framework import PageQuery

Method = Literal["A", "B", "C"]
VisibilityName = Literal["network", "group", "coordinators"]
# The grid's cells: no submission yet, a draft (also one reopened for changes), delivered, delivered late.
CellStatus = Literal["missing", "draft", "submitted", "late"]


class AssignmentQuery(PageQuery):
    method: Method | None = Field(None, description="Bare oppgaver med denne arbeidsmetoden.")
    presented_at: int | None = Field(None, ge=1, description="Bare oppgaver som legges fram på samlingen med dette nummeret.")


class AssignmentOut(BaseModel):
    model_config = ConfigDict(title="Assignment", json_schema_extra={"examples": [{
        "id": 7, "title": "Boligpolitiske mål", "method": "A", "given_after": 1, "presented_at": 2,
        "due_on": "2019-08-30", "visibility": "network"}]})

    id: int
    title: str
    method: Method
    given_after: int | None = Field(description="Nummeret på samlingen der oppgaven ble gitt.")
    presented_at: int | None = Field(description="Nummeret på samlingen der oppgaven legges fram.")
    due_on: date = Field(description="Frist: levert etter slutten av denne dagen (norsk tid) er for sent.")
    visibility: VisibilityName = Field(description="Hvem som leser en levert besvarelse.")


class StatusQuery(PageQuery):
    status: CellStatus | None = Field(None, description="Bare kommuner med denne statusen.")


class SubmissionStatusOut(BaseModel):
    model_config = ConfigDict(title="SubmissionStatus", json_schema_extra={"examples": [{
        "organisation_id": 12, "municipality_number": "3403", "name": "Hamar", "status": "late",
        "delivered_at": "2019-09-01T08:30:00+00:00"}]})

    organisation_id: int
    municipality_number: str | None
    name: str
    status: CellStatus
    delivered_at: datetime | None = Field(description="Når besvarelsen ble levert; tom for utkast og manglende.")
