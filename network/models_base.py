"""Small helpers shared by the capability models."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import Enum as SAEnum


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def str_enum(enum_cls: type[enum.Enum], name: str) -> SAEnum:
    """Store an enum by its value as a plain string with a CHECK constraint.

    Plain strings (not native PostgreSQL enums) keep migrations simple on both databases.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
