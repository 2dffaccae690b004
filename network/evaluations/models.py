"""Evaluations after a gathering.

Anonymous by design: ``EvaluationInvitation`` records only *that* a person has answered, so the
evaluation can be answered once; ``EvaluationResponse`` holds the answer with a random id and no
person, no time and no other column that could join the two.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.feedback.models import random_id
from network.models_base import LabelledEnum, UTCDateTime, labelled, str_enum, utcnow

if TYPE_CHECKING:
    from network.auth.models import Person
    from network.gatherings.models import Gathering

RATING_MIN, RATING_MAX = 1, 5
# The three ratings every evaluation asks for, in order: (column, label).
STANDARD_RATINGS = (
    ("relevance", _l("Hvor relevant var samlingen for deg?")),
    ("usefulness", _l("Hvor nyttig var samlingen for din kommune?")),
    ("organisation", _l("Hvor godt var samlingen organisert?")),
)
RATING_KEYS = tuple(key for key, _label in STANDARD_RATINGS)


def _rating_check(column: str, nullable: bool = False) -> CheckConstraint:
    rule = f"{column} BETWEEN {RATING_MIN} AND {RATING_MAX}"
    return CheckConstraint(f"{column} IS NULL OR {rule}" if nullable else rule, name=f"{column}_range")


class QuestionKind(LabelledEnum):
    RATING = "rating"
    TEXT = "text"


QUESTION_KIND_LABELS = labelled(QuestionKind, {
    QuestionKind.RATING: _l("Karakter fra 1 til 5"),
    QuestionKind.TEXT: _l("Fritekst"),
})


class EvaluationQuestion(db.Model):
    """A question a coordinator adds to one gathering's evaluation."""

    __tablename__ = "evaluation_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))

    gathering: Mapped[Gathering] = relationship()


class EvaluationInvitation(db.Model):
    """A registered attendee was asked to evaluate a gathering, and whether they have answered.
    Deliberately no time of answering."""

    __tablename__ = "evaluation_invitation"
    __table_args__ = (UniqueConstraint("gathering_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)

    gathering: Mapped[Gathering] = relationship()
    person: Mapped[Person] = relationship()


class EvaluationResponse(db.Model):
    """One anonymous answer to a gathering's evaluation."""

    __tablename__ = "evaluation_response"
    __table_args__ = tuple(_rating_check(column) for column, _label in STANDARD_RATINGS)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    relevance: Mapped[int] = mapped_column(SmallInteger)
    usefulness: Mapped[int] = mapped_column(SmallInteger)
    organisation: Mapped[int] = mapped_column(SmallInteger)
    best: Mapped[str] = mapped_column(Text, default="")
    improve: Mapped[str] = mapped_column(Text, default="")

    gathering: Mapped[Gathering] = relationship()
    answers: Mapped[list[EvaluationAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class EvaluationAnswer(db.Model):
    """An answer to one of the coordinators' added questions."""

    __tablename__ = "evaluation_answer"
    __table_args__ = (_rating_check("rating", nullable=True),)

    response_id: Mapped[str] = mapped_column(ForeignKey("evaluation_response.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("evaluation_question.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[EvaluationResponse] = relationship(back_populates="answers")
    question: Mapped[EvaluationQuestion] = relationship()
