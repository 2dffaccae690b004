from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.files.models import StoredFile
    from network.networks.models import Network
    from network.organisations.models import Organisation


class SlideSet(db.Model):
    """A slide set with a script for each slide: KS's own, or a municipality's adapted version."""

    __tablename__ = "slide_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The municipality that adapted it; None for KS's own set.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("slide_set.id", ondelete="SET NULL"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    based_on: Mapped[SlideSet | None] = relationship(remote_side=[id])
    file: Mapped[StoredFile | None] = relationship()
    created_by: Mapped[Person | None] = relationship()
    slides: Mapped[list[Slide]] = relationship(back_populates="slide_set", cascade="all, delete-orphan",
                                               order_by="Slide.number")


class Slide(db.Model):
    __tablename__ = "slide"
    __table_args__ = (UniqueConstraint("slide_set_id", "number"), CheckConstraint("number >= 1", name="number_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    slide_set_id: Mapped[int] = mapped_column(ForeignKey("slide_set.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    script: Mapped[str] = mapped_column(Text, default="")  # the suggested words to go with the slide

    slide_set: Mapped[SlideSet] = relationship(back_populates="slides")


class ReportKind(LabelledEnum):
    REPORT = "report"
    RESEARCH = "research"
    GUIDE = "guide"
    ARTICLE = "article"
    OTHER = "other"


REPORT_KIND_LABELS = labelled(ReportKind, {
    ReportKind.REPORT: _l("Rapport"),
    ReportKind.RESEARCH: _l("Forskning"),
    ReportKind.GUIDE: _l("Veileder"),
    ReportKind.ARTICLE: _l("Artikkel"),
    ReportKind.OTHER: _l("Annet"),
})


class Report(db.Model):
    __tablename__ = "report"
    __table_args__ = (CheckConstraint("year IS NULL OR year BETWEEN 1900 AND 2100", name="year_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None]
    authors: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[ReportKind] = mapped_column(str_enum(ReportKind, "report_kind"), default=ReportKind.REPORT)
    url: Mapped[str | None] = mapped_column(String(500))


class CompetenceEnvironment(db.Model):
    __tablename__ = "competence_environment"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    offer: Mapped[str] = mapped_column(Text, default="")  # what they offer municipalities
    url: Mapped[str | None] = mapped_column(String(500))
