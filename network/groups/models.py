from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.challenges.models import Challenge
    from network.gatherings.models import Gathering
    from network.networks.models import Membership, Network


class GroupKind(LabelledEnum):
    GROWTH = "growth"
    CHALLENGE = "challenge"
    MIXED = "mixed"
    FREE = "free"


GROUP_KIND_LABELS = labelled(GroupKind, {
    GroupKind.GROWTH: _l("Etter vekst"),
    GroupKind.CHALLENGE: _l("Etter utfordring"),
    GroupKind.MIXED: _l("Blandet"),
    GroupKind.FREE: _l("Fri"),
})


class Grouping(db.Model):
    """A set of groups made together: for the whole network, or for one gathering's table work.

    ``version`` is SQLAlchemy's optimistic lock: a save based on an older version is refused,
    so two coordinators editing at once can't silently erase each other's changes.
    """

    __tablename__ = "grouping"
    __table_args__ = (CheckConstraint("target_size BETWEEN 2 AND 50", name="target_size_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[GroupKind] = mapped_column(str_enum(GroupKind, "grouping_basis"))
    basis_challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id", ondelete="SET NULL"))
    target_size: Mapped[int] = mapped_column(default=4)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship()
    gathering: Mapped[Gathering | None] = relationship()
    basis_challenge: Mapped[Challenge | None] = relationship()
    updated_by: Mapped[Person | None] = relationship()
    groups: Mapped[list[Group]] = relationship(
        back_populates="grouping", cascade="all, delete-orphan", order_by="Group.position"
    )

    __mapper_args__ = {"version_id_col": version}


class Group(db.Model):
    __tablename__ = "network_group"  # "group" is a reserved word in SQL
    __table_args__ = (UniqueConstraint("grouping_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grouping_id: Mapped[int] = mapped_column(ForeignKey("grouping.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind, "group_kind"))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    grouping: Mapped[Grouping] = relationship(back_populates="groups")
    facilitator: Mapped[Person | None] = relationship()
    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )


class GroupMember(db.Model):
    """A member municipality in a group. It sits in at most one group of a grouping."""

    __tablename__ = "group_member"
    __table_args__ = (UniqueConstraint("grouping_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grouping_id: Mapped[int] = mapped_column(ForeignKey("grouping.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("network_group.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"), index=True)

    group: Mapped[Group] = relationship(back_populates="members")
    membership: Mapped[Membership] = relationship()
