"""Privacy: people's requests to have their account deleted, and the log of who exported personal data.

Both belong to the installation, not to a network, so neither is in a network's archive.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.networks.models import Network


class DeletionStatus(LabelledEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


DELETION_STATUS_LABELS = labelled(DeletionStatus, {
    DeletionStatus.PENDING: _l("Venter på behandling"),
    DeletionStatus.COMPLETED: _l("Slettet"),
    DeletionStatus.DECLINED: _l("Avslått"),
    DeletionStatus.WITHDRAWN: _l("Trukket tilbake"),
})


class DeletionRequest(db.Model):
    """A person asked for their account to be deleted; a KS administrator confirms or declines.

    The row outlives the deletion as the record that it was done. It holds no name or address:
    the person it points to is by then the anonymous "deleted person"."""

    __tablename__ = "deletion_request"
    __table_args__ = (
        # One open request per person at a time, whatever the app does.
        Index("uq_deletion_request_pending_person", "person_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        CheckConstraint("status <> 'declined' OR reason <> ''", name="declined_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    status: Mapped[DeletionStatus] = mapped_column(
        str_enum(DeletionStatus, "deletion_status"), default=DeletionStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # Why KS declined; shown to the person and mailed to them.
    reason: Mapped[str] = mapped_column(Text, default="")
    # The mail telling the person the deletion is done: it holds their address until it is sent,
    # and the purge job removes it from the outbox as soon as it has been.
    notice_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])


class ExportKind(LabelledEnum):
    MY_DATA = "my_data"
    REGISTRATIONS = "registrations"
    INVOICE_BASIS = "invoice_basis"
    CATERING = "catering"
    ARCHIVE = "archive"
    MEMBERS = "members"
    FEEDBACK = "feedback"
    CHALLENGES = "challenges"


EXPORT_KIND_LABELS = labelled(ExportKind, {
    ExportKind.MY_DATA: _l("Mine data"),
    ExportKind.REGISTRATIONS: _l("Påmeldingsliste"),
    ExportKind.INVOICE_BASIS: _l("Fakturagrunnlag"),
    ExportKind.CATERING: _l("Bevertningsliste med navn"),
    ExportKind.ARCHIVE: _l("Nettverksarkiv"),
    ExportKind.MEMBERS: _l("Medlemsliste"),
    ExportKind.FEEDBACK: _l("Tilbakemeldinger"),
    ExportKind.CHALLENGES: _l("Utfordringer"),
})


class ExportLog(db.Model):
    """Someone took personal data out of the platform: who, what, from which network, when."""

    __tablename__ = "export_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    kind: Mapped[ExportKind] = mapped_column(str_enum(ExportKind, "export_kind"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="SET NULL"))
    # The address that was downloaded, with its format and filters.
    path: Mapped[str] = mapped_column(String(300))

    person: Mapped[Person | None] = relationship()
    network: Mapped[Network | None] = relationship()
