from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.main import clock
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow
from network.organisations.models import Organisation

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.challenges.models import Challenge
    from network.gatherings.models import Gathering


class NetworkStatus(LabelledEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"


NETWORK_STATUS_LABELS = labelled(NetworkStatus, {
    NetworkStatus.PLANNED: _l("Planlagt"),
    NetworkStatus.ACTIVE: _l("Pågår"),
    # Not "Avsluttet": that is a network a KS administrator has closed (read-only), a separate step.
    NetworkStatus.COMPLETED: _l("Fullført"),
})


class MembershipStatus(LabelledEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


MEMBERSHIP_STATUS_LABELS = labelled(MembershipStatus, {
    MembershipStatus.ACTIVE: _l("Deltar"),
    MembershipStatus.WITHDRAWN: _l("Trukket seg"),
})


class RoleKind(LabelledEnum):
    PARTICIPANT = "participant"
    CONTACT = "contact"
    EXECUTIVE = "executive"
    COORDINATOR = "coordinator"
    OBSERVER = "observer"


ROLE_LABELS = labelled(RoleKind, {
    RoleKind.PARTICIPANT: _l("Deltaker"),
    RoleKind.CONTACT: _l("Kontaktperson"),
    RoleKind.EXECUTIVE: _l("Kommunedirektør (rådmann)"),
    RoleKind.COORDINATOR: _l("Koordinator"),
    RoleKind.OBSERVER: _l("Observatør"),
})


class Network(db.Model):
    __tablename__ = "network"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="period_order"),
        CheckConstraint("reminder_days_before BETWEEN 0 AND 60", name="reminder_days_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    framing: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    ks_contact_name: Mapped[str] = mapped_column(String(120), default="")
    ks_contact_email: Mapped[str] = mapped_column(String(254), default="")
    feedback_email: Mapped[str] = mapped_column(String(254), default="")
    # Whether visitors who are not signed in may send feedback to KS.
    feedback_from_visitors: Mapped[bool] = mapped_column(default=False)
    status: Mapped[NetworkStatus] = mapped_column(
        str_enum(NetworkStatus, "network_status"), default=NetworkStatus.PLANNED
    )
    # Whether a cancellation after a gathering's deadline is invoiced like an attendance.
    charge_late_cancellation: Mapped[bool] = mapped_column(default=True)
    reminder_days_before: Mapped[int] = mapped_column(default=7)
    # Set when a KS administrator closes the network: it is then read-only (exports still work)
    # until reopened. Apart from ``status``, which coordinators set freely as a description.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="network", cascade="all, delete-orphan"
    )
    roles: Mapped[list[NetworkRole]] = relationship(
        back_populates="network", cascade="all, delete-orphan"
    )
    gatherings: Mapped[list[Gathering]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="Gathering.number"
    )
    challenges: Mapped[list[Challenge]] = relationship(
        back_populates="network", cascade="all, delete-orphan", order_by="Challenge.position"
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def status_label(self) -> str:
        """What the pages show as the network's status: a closed network is "Avsluttet", whatever its status."""
        return str(_l("Avsluttet")) if self.is_closed else self.status.label

    def __repr__(self) -> str:
        return f"<Network {self.id} {self.name}>"


class Membership(db.Model):
    """An organisation's membership of a network, with a municipality's anchoring."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("network_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date, default=clock.oslo_today)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.ACTIVE
    )
    # Anchoring: participation is decided with the chief municipal executive (rådmann).
    executive_name: Mapped[str | None] = mapped_column(String(120))
    # The executive as a person in the network (the EXECUTIVE role); the name above stays for
    # anchoring recorded before that, or when no such person has been invited.
    executive_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    anchoring_decided_on: Mapped[date | None] = mapped_column(Date)
    anchoring_note: Mapped[str | None] = mapped_column(Text)
    anchoring_document_url: Mapped[str | None] = mapped_column(String(500))

    network: Mapped[Network] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()
    executive: Mapped["Person | None"] = relationship(foreign_keys=[executive_id])

    @property
    def executive_display_name(self) -> str | None:
        return self.executive.name if self.executive is not None else self.executive_name

    @property
    def is_anchored(self) -> bool:
        return bool((self.executive_id or self.executive_name) and self.anchoring_decided_on)


class NetworkRole(db.Model):
    """One role one person holds in one network. A person may hold several."""

    __tablename__ = "network_role"
    __table_args__ = (UniqueConstraint("network_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[RoleKind] = mapped_column(str_enum(RoleKind, "role_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    network: Mapped[Network] = relationship(back_populates="roles")
    person: Mapped[Person] = relationship(back_populates="roles")


class NetworkInvitation(db.Model):
    """When a person was invited to a network, and when the invitation mail last went out.

    One row per person and network. It says nothing about whether they answered: that is the
    person's ``has_accepted``. Inviting again without asking, or resending, updates ``sent_at``."""

    __tablename__ = "network_invitation"
    __table_args__ = (UniqueConstraint("network_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    times_sent: Mapped[int] = mapped_column(default=1)
