from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow
from network.planning.models import PlanningStep, StrategicAdvice

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.challenges.models import Challenge
    from network.networks.models import Network
    from network.organisations.models import Organisation


class ExampleStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


EXAMPLE_STATUS_LABELS = labelled(ExampleStatus, {
    ExampleStatus.DRAFT: _l("Utkast"),
    ExampleStatus.PUBLISHED: _l("Publisert"),
})


class ExampleReview(LabelledEnum):
    """Whether an example the municipality wants open to all may be: a coordinator reviews it
    first. Examples for the network's members only need no review (``NONE``)."""

    NONE = "none"          # members only, or open to all but still a draft (reviewed once published)
    PENDING = "pending"    # waits for a coordinator
    APPROVED = "approved"  # open to all while published, visible and unchanged since
    RETURNED = "returned"  # sent back with a comment; the municipality edits and asks again


EXAMPLE_REVIEW_LABELS = labelled(ExampleReview, {
    ExampleReview.NONE: _l("Ikke til vurdering"),
    ExampleReview.PENDING: _l("Venter på godkjenning"),
    ExampleReview.APPROVED: _l("Godkjent"),
    ExampleReview.RETURNED: _l("Sendt tilbake"),
})

REVIEW_COMMENT_MAX = 2_000


class MunicipalitySize(LabelledEnum):
    """Size bands by population, as Husbanken's examples give a municipality's size."""

    SMALL = "small"        # under 5,000
    MEDIUM = "medium"      # 5,000–19,999
    LARGE = "large"        # 20,000–49,999
    CITY = "city"          # 50,000 and more


    @classmethod
    def for_population(cls, population: int | None) -> MunicipalitySize | None:
        if population is None:
            return None
        if population < 5_000:
            return cls.SMALL
        if population < 20_000:
            return cls.MEDIUM
        if population < 50_000:
            return cls.LARGE
        return cls.CITY


MUNICIPALITY_SIZE_LABELS = labelled(MunicipalitySize, {
    MunicipalitySize.SMALL: _l("Under 5 000 innbyggere"),
    MunicipalitySize.MEDIUM: _l("5 000–19 999 innbyggere"),
    MunicipalitySize.LARGE: _l("20 000–49 999 innbyggere"),
    MunicipalitySize.CITY: _l("50 000 innbyggere eller flere"),
})

example_challenge = Table(
    "example_challenge", db.metadata,
    Column("example_id", ForeignKey("example.id", ondelete="CASCADE"), primary_key=True),
    Column("challenge_id", ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True),
)


class Example(db.Model):
    """One municipality's example, in the structure of Husbanken's collection (seeds 001 and 004)."""

    __tablename__ = "example"
    __table_args__ = (
        # The library's list: a network's published (or draft) examples, visible ones, featured and newest first.
        Index("ix_example_listing", "network_id", "status", "is_hidden", "is_featured", "published_at"),
        # The coordinators' review queue.
        Index("ix_example_review", "network_id", "review"),
        # Sent back always says why.
        CheckConstraint("review <> 'returned' OR review_comment <> ''", name="returned_has_comment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[MunicipalitySize | None] = mapped_column(str_enum(MunicipalitySize, "municipality_size"))
    summary: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    who_did_what: Mapped[str] = mapped_column(Text, default="")
    relevant_law: Mapped[str] = mapped_column(Text, default="")
    user_participation: Mapped[str] = mapped_column(Text, default="")
    financing: Mapped[str] = mapped_column(Text, default="")
    success_factors: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")  # challenges met along the way
    tips: Mapped[str] = mapped_column(Text, default="")
    reports_and_links: Mapped[str] = mapped_column(Text, default="")
    continuation: Mapped[str] = mapped_column(Text, default="")  # how the work continued
    status: Mapped[ExampleStatus] = mapped_column(str_enum(ExampleStatus, "example_status"), default=ExampleStatus.DRAFT)
    is_public: Mapped[bool] = mapped_column(default=False)  # readable outside the network, without signing in
    is_featured: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)  # hidden by a coordinator
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moderation of public examples: only ``APPROVED`` ones are shown at /examples.
    review: Mapped[ExampleReview] = mapped_column(str_enum(ExampleReview, "example_review"), default=ExampleReview.NONE)
    review_comment: Mapped[str] = mapped_column(Text, default="")  # the coordinator's, when sent back
    review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who asked (by publishing, opening to all or editing): told by mail of the outcome.
    review_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    network: Mapped[Network] = relationship()
    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[Person | None] = relationship(foreign_keys=[updated_by_id])
    review_requested_by: Mapped[Person | None] = relationship(foreign_keys=[review_requested_by_id])
    reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[reviewed_by_id])
    challenges: Mapped[list[Challenge]] = relationship(secondary=example_challenge, order_by="Challenge.position")
    steps: Mapped[list[ExampleStep]] = relationship(cascade="all, delete-orphan")
    advice: Mapped[list[ExampleAdvice]] = relationship(cascade="all, delete-orphan")


# Full-text search on PostgreSQL: Norwegian stemming over the title (weight A), the summary (B)
# and every other text (C). The same expression builds the GIN index and the query, so the
# planner can use the index; SQLite has no such index and searches with LIKE instead.
SEARCH_CONFIG = "norwegian"
SEARCH_BODY_FIELDS = (
    "responsible_unit", "result", "background", "goals", "who_did_what", "relevant_law", "user_participation",
    "financing", "success_factors", "difficulties", "tips", "reports_and_links", "continuation",
)
SEARCH_FIELDS = ("title", "summary", *SEARCH_BODY_FIELDS)


def _constant(value: str):
    """A constant written into the SQL itself (never user input): bound parameters would keep
    the query's expression from matching the index's."""
    return text("'%s'" % value.replace("'", "''"))


def _weighted(value, weight: str):
    return func.setweight(func.to_tsvector(_constant(SEARCH_CONFIG), value), _constant(weight))


def search_document(columns):
    """The tsvector of an example, from ``Example.__table__.c`` (or the columns of an alias)."""
    body = columns[SEARCH_BODY_FIELDS[0]]
    for name in SEARCH_BODY_FIELDS[1:]:
        body = body.op("||")(_constant(" ")).op("||")(columns[name])
    return (_weighted(columns.title, "A").op("||")(_weighted(columns.summary, "B"))
            .op("||")(_weighted(body, "C")))


def rank_document(columns):
    """What the ranking reads: the title (A) and the summary (B). Ranking the whole document would
    stem every text of every match again (the index holds no vectors to reuse), about a
    millisecond per example; title and summary cost a tenth of that, and say most about relevance."""
    return _weighted(columns.title, "A").op("||")(_weighted(columns.summary, "B"))


def search_query(words: str):
    """``websearch_to_tsquery`` accepts any text (quotes, ``&``, ``!``, ``:*``) without an error;
    the words themselves are a bound parameter."""
    return func.websearch_to_tsquery(_constant(SEARCH_CONFIG), words)


Index("ix_example_search", search_document(Example.__table__.c), postgresql_using="gin").ddl_if(dialect="postgresql")


class ExampleStep(db.Model):
    __tablename__ = "example_step"
    __table_args__ = (UniqueConstraint("example_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    example_id: Mapped[int] = mapped_column(ForeignKey("example.id", ondelete="CASCADE"), index=True)
    step: Mapped[PlanningStep] = mapped_column(str_enum(PlanningStep, "planning_step"))


class ExampleAdvice(db.Model):
    __tablename__ = "example_advice"
    __table_args__ = (UniqueConstraint("example_id", "advice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    example_id: Mapped[int] = mapped_column(ForeignKey("example.id", ondelete="CASCADE"), index=True)
    advice: Mapped[StrategicAdvice] = mapped_column(str_enum(StrategicAdvice, "strategic_advice"))
