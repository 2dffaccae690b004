"""Who the token belongs to, and what it may reach."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TokenOwnerOut(BaseModel):
    model_config = ConfigDict(title="TokenOwner", json_schema_extra={"examples": [{
        "person_id": 12, "name": "Kari Koordinator", "token_name": "Power BI", "network_id": None,
        "expires_at": "2027-12-07T04:30:00+00:00"}]})

    person_id: int
    name: str
    token_name: str
    network_id: int | None
    expires_at: str
