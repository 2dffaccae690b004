"""Small helpers shared by the capability models."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy import Enum as SAEnum

from network.main import clock


def utcnow() -> datetime:
    """Now, in UTC, from the app's clock (``network/main/clock.py``), so a test that sets the
    clock sees the same moment in every stored timestamp."""
    return clock.utc_now()


class LabelledEnum(enum.Enum):
    """An enum stored by its value whose members each have a translatable label, given once with
    ``labelled`` after the class (the members must exist before they can key a mapping)."""

    @property
    def label(self) -> str:
        return str(type(self)._member_labels[self])


def labelled(enum_cls: type[LabelledEnum], labels: dict) -> dict:
    """Give every member of ``enum_cls`` its label, and return the mapping (for choices and lists)."""
    if set(labels) != set(enum_cls):
        raise ValueError(f"{enum_cls.__name__} needs exactly one label per member")
    enum_cls._member_labels = labels
    return labels


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


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database. SQLite has no time zones, so it stores naive UTC
    and this type puts the zone back on the way out; comparisons then work the same everywhere."""

    impl = DateTime
    cache_ok = True

    def __init__(self):
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
