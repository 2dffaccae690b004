from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Numeric, String, Table, Text, Time,
    UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.files.models import StoredFile
    from network.networks.models import Network

DEFAULT_DAY_PRICE = Decimal("900.00")  # seed 002: about NOK 900 per person per gathering day


class GatheringStatus(LabelledEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    HELD = "held"
    CANCELLED = "cancelled"


GATHERING_STATUS_LABELS = labelled(GatheringStatus, {
    GatheringStatus.PLANNED: _l("Planlagt"),
    GatheringStatus.OPEN: _l("Åpen for påmelding"),
    GatheringStatus.CLOSED: _l("Påmeldingen er stengt"),
    GatheringStatus.HELD: _l("Gjennomført"),
    GatheringStatus.CANCELLED: _l("Avlyst"),
})

# The one table of allowed moves: planned → open → closed → held; a coordinator may reopen a
# closed registration; any gathering not yet held may be cancelled. Held and cancelled are final.
# Further conditions (held only from the last day on) are in gatherings/services.py.
GATHERING_TRANSITIONS = {
    GatheringStatus.PLANNED: {GatheringStatus.OPEN, GatheringStatus.CANCELLED},
    GatheringStatus.OPEN: {GatheringStatus.CLOSED, GatheringStatus.PLANNED, GatheringStatus.CANCELLED},
    GatheringStatus.CLOSED: {GatheringStatus.OPEN, GatheringStatus.HELD, GatheringStatus.CANCELLED},
    GatheringStatus.HELD: set(),
    GatheringStatus.CANCELLED: set(),
}


class WorkingMethod(LabelledEnum):
    PLENARY = "plenary"
    A = "A"
    B = "B"
    C = "C"


WORKING_METHOD_LABELS = labelled(WorkingMethod, {
    WorkingMethod.PLENARY: _l("Plenum"),
    WorkingMethod.A: _l("A: mål og innhold"),
    WorkingMethod.B: _l("B: planer og utviklingsområder"),
    WorkingMethod.C: _l("C: utviklingsarbeid"),
})


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


REGISTRATION_STATUS_LABELS = labelled(RegistrationStatus, {
    RegistrationStatus.CONFIRMED: _l("Påmeldt"),
    RegistrationStatus.WAITING: _l("På venteliste"),
    RegistrationStatus.CANCELLED: _l("Avmeldt"),
    RegistrationStatus.ATTENDED: _l("Møtte"),
    RegistrationStatus.NO_SHOW: _l("Møtte ikke"),
})
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING,
                   RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)
SEAT_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


class Gathering(db.Model):
    __tablename__ = "gathering"
    __table_args__ = (
        UniqueConstraint("network_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("price_per_day >= 0", name="price_not_negative"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    price_per_day: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=DEFAULT_DAY_PRICE)
    status: Mapped[GatheringStatus] = mapped_column(
        str_enum(GatheringStatus, "gathering_status"), default=GatheringStatus.PLANNED
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    network: Mapped[Network] = relationship(back_populates="gatherings")
    days: Mapped[list[GatheringDay]] = relationship(
        back_populates="gathering", cascade="all, delete-orphan", order_by="GatheringDay.day"
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="gathering", cascade="all, delete-orphan", order_by="ProgrammeItem.position"
    )
    materials: Mapped[list[Material]] = relationship(
        back_populates="gathering", cascade="all, delete-orphan", order_by="Material.id"
    )
    registrations: Mapped[list[Registration]] = relationship(back_populates="gathering", cascade="all, delete-orphan")

    @property
    def starts_on(self) -> date | None:
        return self.days[0].day if self.days else None

    @property
    def ends_on(self) -> date | None:
        return self.days[-1].day if self.days else None

    def can_move_to(self, status: GatheringStatus) -> bool:
        return status in GATHERING_TRANSITIONS[self.status]

    @property
    def is_cancelled(self) -> bool:
        return self.status is GatheringStatus.CANCELLED

    @property
    def is_final(self) -> bool:
        """Held or cancelled: its days are settled (they are the invoice basis, or were cancelled in
        everyone's calendar), and the registered are told of no more changes."""
        return not GATHERING_TRANSITIONS[self.status]

    def move_to(self, status: GatheringStatus) -> None:
        """Refuse illegal moves, for example reopening a gathering that has been held."""
        if not self.can_move_to(status):
            raise ValueError(f"A gathering can't go from {self.status.value} to {status.value}")
        self.status = status

    def __repr__(self) -> str:
        return f"<Gathering {self.network_id}/{self.number} {self.title}>"


class GatheringDay(db.Model):
    __tablename__ = "gathering_day"
    __table_args__ = (
        UniqueConstraint("gathering_id", "day"),
        CheckConstraint("ends_at > starts_at", name="time_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)

    gathering: Mapped[Gathering] = relationship(back_populates="days")


class ProgrammeItem(db.Model):
    __tablename__ = "programme_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    day_id: Mapped[int | None] = mapped_column(ForeignKey("gathering_day.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[time | None] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(200))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    method: Mapped[WorkingMethod] = mapped_column(str_enum(WorkingMethod, "working_method"), default=WorkingMethod.PLENARY)
    description: Mapped[str] = mapped_column(Text, default="")

    gathering: Mapped[Gathering] = relationship(back_populates="programme")
    day: Mapped[GatheringDay | None] = relationship()
    materials: Mapped[list[Material]] = relationship(back_populates="programme_item", order_by="Material.id")


class Material(db.Model):
    """A file or a link, attached to a gathering or one of its programme items."""

    __tablename__ = "material"
    __table_args__ = (CheckConstraint("(url IS NULL) <> (file_id IS NULL)", name="file_or_link"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    programme_item_id: Mapped[int | None] = mapped_column(ForeignKey("programme_item.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    gathering: Mapped[Gathering] = relationship(back_populates="materials")
    programme_item: Mapped[ProgrammeItem | None] = relationship(back_populates="materials")
    file: Mapped[StoredFile | None] = relationship()


registration_day = Table(
    "registration_day",
    db.metadata,
    Column("registration_id", ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True),
    Column("day_id", ForeignKey("gathering_day.id", ondelete="CASCADE"), primary_key=True),
    # The cost totals count a network's days from its own gathering days (costs.services.charged_totals).
    Index("ix_registration_day_day_id", "day_id"),
)


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # At most one active registration per person and gathering, whatever the app does.
        Index(
            "uq_registration_active_person", "gathering_id", "person_id", unique=True,
            sqlite_where=text("status <> 'cancelled'"), postgresql_where=text("status <> 'cancelled'"),
        ),
        # The coordinators' list of a gathering's registrations, a page at a time in the order they came.
        Index("ix_registration_gathering_created", "gathering_id", "created_at", "id"),
        # Late cancellations are few; the cost totals look for them in every gathering of a network.
        Index(
            "ix_registration_late_cancelled", "gathering_id",
            sqlite_where=text("status = 'cancelled' AND late_cancellation IS TRUE"),
            postgresql_where=text("status = 'cancelled' AND late_cancellation IS TRUE"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "registration_status"))
    diet: Mapped[str] = mapped_column(String(300), default="")
    allergies: Mapped[str] = mapped_column(String(300), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gathering: Mapped[Gathering] = relationship(back_populates="registrations")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    registered_by: Mapped[Person | None] = relationship(foreign_keys=[registered_by_id])
    days: Mapped[list[GatheringDay]] = relationship(secondary=registration_day, order_by="GatheringDay.day")

    @property
    def is_active(self) -> bool:
        return self.status is not RegistrationStatus.CANCELLED
