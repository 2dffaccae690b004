"""The rules of evaluations: who is invited, answering once, the coordinators' questions, and results.

Anonymity is kept by what is written, not by promises: answering flips ``answered`` on the
person's invitation and inserts a response with a random id, no person and no time. The two
writes share one transaction, and the flip is a conditional UPDATE whose row count decides
whether the answer is taken, so two submissions at once still give one response.

The flag is only ever read to decide whether that person may still answer. Every count of
answers is a count of responses, and nothing shows or exports the flags, so no output can be
compared with the responses to tell whose a response is. Results of a gathering with fewer than
``EVALUATION_MIN_ANSWERS`` responses are withheld here, before any page or export sees them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from network.evaluations import email
from network.evaluations.models import (
    RATING_KEYS, RATING_MAX, RATING_MIN, STANDARD_RATINGS, EvaluationAnswer, EvaluationInvitation, EvaluationQuestion,
    EvaluationResponse, QuestionKind,
)
from network.extensions import db
from network.main.numbers import round_half_up
from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
from network.auth.models import Person
from network.networks.models import Network, NetworkRole

# Registered attendees: those with a seat who did not cancel, wait or fail to come.
INVITED_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED)
RATINGS = tuple(range(RATING_MIN, RATING_MAX + 1))
MEAN_PLACES = 1  # a mean on the 1–5 scale, on the pages and in every export
TEXT_MAX = 2000      # characters in one free-text answer
QUESTION_MAX = 300   # the column's length


class EvaluationError(ValueError):
    """Rules were broken; ``problems`` are (field name or None, message) for the form."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__("; ".join(message for _name, message in problems))
        self.problems = problems


class AlreadyAnswered(Exception):
    """The invitation was answered already, perhaps a moment ago in another request."""


def question_field(question: EvaluationQuestion) -> str:
    return f"question_{question.id}"


# --- invitations ------------------------------------------------------------------------


def invite_attendees(gathering: Gathering) -> list[EvaluationInvitation]:
    """Invite every registered attendee who has no invitation yet, and mail them. Returns the new
    invitations. Safe to call again: the gathering's row is locked, and who is invited is read inside
    the lock, so two calls at once invite each person once."""
    db.session.execute(select(Gathering.id).where(Gathering.id == gathering.id).with_for_update())
    invited = set(db.session.scalars(
        select(EvaluationInvitation.person_id).where(EvaluationInvitation.gathering_id == gathering.id)))
    registrations = db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering.id,
                                   Registration.status.in_(INVITED_STATUSES))
        .options(joinedload(Registration.person)).order_by(Registration.id))
    new = []
    for registration in registrations:
        person = registration.person
        if person.id in invited or not person.active:
            continue
        invited.add(person.id)
        invitation = EvaluationInvitation(gathering=gathering, person=person)
        db.session.add(invitation)
        new.append(invitation)
    db.session.flush()
    for invitation in new:
        email.queue_invitation(invitation)
    return new


def count_to_invite(gathering: Gathering) -> int:
    """How many ``invite_attendees`` would invite now: the same people, counted without inviting
    (said on the confirmation before a gathering is marked as held)."""
    invited = set(db.session.scalars(
        select(EvaluationInvitation.person_id).where(EvaluationInvitation.gathering_id == gathering.id)))
    people = set(db.session.scalars(
        select(Registration.person_id).join(Registration.person)
        .where(Registration.gathering_id == gathering.id, Registration.status.in_(INVITED_STATUSES),
               Person.active.is_(True))))
    return len(people - invited)


def invitation_for(gathering: Gathering, person) -> EvaluationInvitation | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return db.session.scalar(select(EvaluationInvitation).where(
        EvaluationInvitation.gathering_id == gathering.id, EvaluationInvitation.person_id == person.id))


def open_invitations(person) -> list[EvaluationInvitation]:
    """The person's unanswered evaluations, in networks they still belong to (any, for an administrator)."""
    query = (
        select(EvaluationInvitation).join(EvaluationInvitation.gathering)
        .where(EvaluationInvitation.person_id == person.id, EvaluationInvitation.answered.is_(False))
        .options(joinedload(EvaluationInvitation.gathering).joinedload(Gathering.network),
                 joinedload(EvaluationInvitation.gathering).joinedload(Gathering.days))
        .order_by(Gathering.network_id, Gathering.number)
    )
    if not person.is_admin:
        query = query.where(select(NetworkRole.id).where(
            NetworkRole.person_id == person.id, NetworkRole.network_id == Gathering.network_id).exists())
    return list(db.session.scalars(query).unique())


# --- answering --------------------------------------------------------------------------


@dataclass
class Answers:
    ratings: dict[str, int]                                # relevance, usefulness, organisation
    best: str = ""
    improve: str = ""
    extra: dict[int, int | str] = field(default_factory=dict)  # question id → rating or text; blank ones left out


def _rating(value) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 2:
        return None
    number = int(text)
    return number if RATING_MIN <= number <= RATING_MAX else None


def _text(name: str, label: str, value, problems: list) -> str:
    text = str(value or "").strip()
    if len(text) > TEXT_MAX:
        problems.append((name, _("Svaret på «%(question)s» kan være høyst %(max)s tegn. Nå er det %(n)s.",
                                 question=label, max=TEXT_MAX, n=len(text))))
    return text


def read_answers(questions: list[EvaluationQuestion], values: Mapping[str, str]) -> Answers:
    """What was answered, checked: the three ratings are required; added questions are optional."""
    problems: list[tuple[str | None, str]] = []
    ratings = {}
    for key, label in STANDARD_RATINGS:
        rating = _rating(values.get(key))
        if rating is None:
            problems.append((key, _("Velg en karakter fra 1 til 5 for «%(question)s».", question=label)))
        ratings[key] = rating
    answers = Answers(ratings=ratings, best=_text("best", _("Hva var det beste med samlingen?"), values.get("best"), problems),
                      improve=_text("improve", _("Hva kan bli bedre?"), values.get("improve"), problems))
    for question in questions:
        name = question_field(question)
        raw = str(values.get(name) or "").strip()
        if not raw:
            continue
        if question.kind is QuestionKind.RATING:
            rating = _rating(raw)
            if rating is None:
                problems.append((name, _("Velg en karakter fra 1 til 5 for «%(question)s».", question=question.text)))
            answers.extra[question.id] = rating
        else:
            answers.extra[question.id] = _text(name, question.text, raw, problems)
    if problems:
        raise EvaluationError(problems)
    return answers


def submit(invitation: EvaluationInvitation, questions: list[EvaluationQuestion], answers: Answers) -> EvaluationResponse:
    """Take the answer once. The flag flips only if it was still down; if another request got there
    first, nothing is written and ``AlreadyAnswered`` is raised. The caller commits."""
    flipped = db.session.execute(
        update(EvaluationInvitation)
        .where(EvaluationInvitation.id == invitation.id, EvaluationInvitation.answered.is_(False))
        .values(answered=True)
        .execution_options(synchronize_session=False)
    )
    if flipped.rowcount != 1:
        raise AlreadyAnswered()
    db.session.expire(invitation, ["answered"])
    kinds = {question.id: question.kind for question in questions}
    response = EvaluationResponse(
        gathering_id=invitation.gathering_id, best=answers.best, improve=answers.improve, **answers.ratings,
        answers=[EvaluationAnswer(question_id=question_id,
                                  rating=value if kinds[question_id] is QuestionKind.RATING else None,
                                  text=value if kinds[question_id] is QuestionKind.TEXT else "")
                 for question_id, value in answers.extra.items() if question_id in kinds],
    )
    db.session.add(response)
    db.session.flush()
    return response


# --- the coordinators' questions --------------------------------------------------------


def questions_for(gathering: Gathering) -> list[EvaluationQuestion]:
    return list(db.session.scalars(
        select(EvaluationQuestion).where(EvaluationQuestion.gathering_id == gathering.id)
        .order_by(EvaluationQuestion.position, EvaluationQuestion.id)))


def get_question(gathering: Gathering, question_id: int) -> EvaluationQuestion | None:
    return db.session.scalar(select(EvaluationQuestion).where(
        EvaluationQuestion.id == question_id, EvaluationQuestion.gathering_id == gathering.id))


def response_count(gathering: Gathering) -> int:
    return db.session.scalar(select(func.count()).select_from(EvaluationResponse)
                             .where(EvaluationResponse.gathering_id == gathering.id)) or 0


def _question_fields(text: str, kind: str) -> tuple[str, QuestionKind]:
    problems = []
    text = (text or "").strip()
    if not text:
        problems.append(("text", _("Skriv spørsmålet.")))
    elif len(text) > QUESTION_MAX:
        problems.append(("text", _("Spørsmålet kan være høyst %(max)s tegn. Nå er det %(n)s.", max=QUESTION_MAX, n=len(text))))
    try:
        chosen = QuestionKind(kind)
    except ValueError:
        chosen = None
        problems.append(("kind", _("Velg om spørsmålet skal besvares med en karakter eller med fritekst.")))
    if problems:
        raise EvaluationError(problems)
    return text, chosen


def _lock_questions(gathering: Gathering) -> list[EvaluationQuestion]:
    db.session.execute(select(Gathering.id).where(Gathering.id == gathering.id).with_for_update())
    return questions_for(gathering)


def add_question(gathering: Gathering, text: str, kind: str) -> EvaluationQuestion:
    text, chosen = _question_fields(text, kind)
    existing = _lock_questions(gathering)
    question = EvaluationQuestion(gathering=gathering, text=text, kind=chosen,
                                  position=max((q.position for q in existing), default=0) + 1)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: EvaluationQuestion, text: str, kind: str) -> None:
    """The wording may be corrected at any time; the kind not once someone has answered it."""
    text, chosen = _question_fields(text, kind)
    if chosen is not question.kind and db.session.scalar(
            select(EvaluationAnswer.response_id).where(EvaluationAnswer.question_id == question.id).limit(1)):
        raise EvaluationError([("kind", _("Spørsmålet er besvart allerede, så svarformen kan ikke endres. "
                                          "Lag heller et nytt spørsmål."))])
    question.text, question.kind = text, chosen
    db.session.flush()


def delete_question(question: EvaluationQuestion) -> None:
    """Refused once the gathering has responses: their answers would be lost, and the results change."""
    if response_count(question.gathering):
        raise EvaluationError([(None, _("Spørsmålet kan ikke slettes fordi evalueringen allerede har svar. "
                                        "Du kan fortsatt legge til nye spørsmål."))])
    db.session.delete(question)
    db.session.flush()


def move_question(question: EvaluationQuestion, offset: int) -> bool:
    """Swap with the neighbour above (-1) or below (+1). False when it is already first or last."""
    questions = _lock_questions(question.gathering)
    here = questions.index(question)
    there = here + offset
    moved = offset in (-1, 1) and 0 <= there < len(questions)
    if moved:
        questions[here], questions[there] = questions[there], questions[here]
    for position, each in enumerate(questions, start=1):
        each.position = position
    db.session.flush()
    return moved


# --- results ----------------------------------------------------------------------------


def rate(answered: int, invited: int) -> float | None:
    return answered / invited if invited else None


def min_answers() -> int:
    """Results are shown from this many responses; below it, only the counts."""
    return current_app.config["EVALUATION_MIN_ANSWERS"]


def withheld_message(answered: int) -> str:
    """What every output says instead of the results of a small group."""
    return ngettext("%(num)d svar; resultatene vises fra %(min)d svar.",
                    "%(num)d svar; resultatene vises fra %(min)d svar.", answered, min=min_answers())


@dataclass
class RatingSummary:
    key: str
    label: str
    counts: dict[int, int]    # rating → how many gave it, for every rating 1–5

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        total = sum(rating * count for rating, count in self.counts.items())
        return total / self.answered if self.answered else None


@dataclass
class TextAnswers:
    key: str
    label: str
    texts: list[str]          # sorted, so the order says nothing about who answered when


@dataclass
class Results:
    gathering: Gathering
    invited: int
    answered: int
    questions: list[EvaluationQuestion]
    responses: list[EvaluationResponse]   # sorted by their answers; empty when withheld
    ratings: list[RatingSummary]          # empty when withheld
    texts: list[TextAnswers]              # empty when withheld
    withheld: bool = False                # fewer answers than ``min_answers()``: only the counts are shown

    @property
    def response_rate(self) -> float | None:
        return rate(self.answered, self.invited)

    @property
    def withheld_message(self) -> str:
        return withheld_message(self.answered)


def invitation_counts(gathering_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per gathering id: (invited, answered), in one query. Answered is the number of responses,
    never a count of the invitations' flags: the flags are not read for any output, and an imported
    network's invitations are all closed (see ``network/archive``) while its responses are kept."""
    if not gathering_ids:
        return {}
    invited = (select(func.count()).select_from(EvaluationInvitation)
               .where(EvaluationInvitation.gathering_id == Gathering.id).scalar_subquery())
    answered = (select(func.count()).select_from(EvaluationResponse)
                .where(EvaluationResponse.gathering_id == Gathering.id).scalar_subquery())
    rows = db.session.execute(select(Gathering.id, invited, answered).where(Gathering.id.in_(gathering_ids)))
    return {gathering_id: (invited or 0, answered or 0) for gathering_id, invited, answered in rows}


def answer_values(response: EvaluationResponse, questions: list[EvaluationQuestion]) -> list:
    """The response's answers in the order of ``answer_headers``: ratings, the two texts, then the added questions."""
    by_question = {answer.question_id: answer for answer in response.answers}
    values = [getattr(response, key) for key in RATING_KEYS] + [response.best, response.improve]
    for question in questions:
        answer = by_question.get(question.id)
        if answer is None:
            values.append(None if question.kind is QuestionKind.RATING else "")
        else:
            values.append(answer.rating if question.kind is QuestionKind.RATING else answer.text)
    return values


def _sort_key(values: list) -> tuple:
    # By the answers themselves; never by id or storage order, which could follow the order of answering.
    return tuple((0, value) if isinstance(value, int) else (1, value or "") for value in values)


def results(gathering: Gathering) -> Results:
    """Response rate, distributions and free texts. Four queries whatever the number of answers;
    two when there are too few answers to show, for then the answers are not even read."""
    invited, answered = invitation_counts([gathering.id]).get(gathering.id, (0, 0))
    questions = questions_for(gathering)
    if answered < min_answers():
        return Results(gathering, invited, answered, questions, [], [], [], withheld=True)
    responses = list(db.session.scalars(
        select(EvaluationResponse).where(EvaluationResponse.gathering_id == gathering.id)
        .options(selectinload(EvaluationResponse.answers))))
    responses.sort(key=lambda response: _sort_key(answer_values(response, questions)))

    def summary(key, label, values):
        counts = {rating: 0 for rating in RATINGS}
        for value in values:
            if value in counts:
                counts[value] += 1
        return RatingSummary(key, str(label), counts)

    def texts(key, label, values):
        return TextAnswers(key, str(label), sorted(value for value in values if value))

    rows = [answer_values(response, questions) for response in responses]
    ratings = [summary(key, label, [row[index] for row in rows]) for index, (key, label) in enumerate(STANDARD_RATINGS)]
    text_answers = [texts("best", _("Hva var det beste med samlingen?"), [row[3] for row in rows]),
                    texts("improve", _("Hva kan bli bedre?"), [row[4] for row in rows])]
    for index, question in enumerate(questions, start=5):
        column = [row[index] for row in rows]
        if question.kind is QuestionKind.RATING:
            ratings.append(summary(question_field(question), question.text, column))
        else:
            text_answers.append(texts(question_field(question), question.text, column))
    return Results(gathering, invited, answered, questions, responses, ratings, text_answers)


def answer_headers(questions: list[EvaluationQuestion]) -> list[str]:
    return ([str(label) for _key, label in STANDARD_RATINGS]
            + [_("Hva var det beste med samlingen?"), _("Hva kan bli bedre?")]
            + [question.text for question in questions])


# --- comparing gatherings ---------------------------------------------------------------


@dataclass
class GatheringScores:
    gathering: Gathering
    invited: int = 0
    answered: int = 0
    responses: int = 0
    averages: dict[str, float | None] = field(default_factory=dict)  # rating key → mean; None without answers or when withheld
    withheld: bool = False   # some answers, but fewer than ``min_answers()``: no averages

    @property
    def response_rate(self) -> float | None:
        return rate(self.answered, self.invited)

    @property
    def withheld_message(self) -> str:
        return withheld_message(self.answered)


def scores_by_gathering(network: Network, gatherings: list[Gathering] | None = None) -> list[GatheringScores]:
    """Per held gathering of the network, in order: invited, answered, and the mean of each standard
    rating. Reads only; two queries whatever the size (gatherings with their days, then the
    counts and sums), one when the caller has the network's gatherings already. Sums are added in SQL as
    integers and divided here, so both databases agree."""
    if gatherings is None:
        gatherings = list(db.session.scalars(
            select(Gathering).where(Gathering.network_id == network.id)
            .options(selectinload(Gathering.days)).order_by(Gathering.number)))
    held = [g for g in gatherings if g.status is GatheringStatus.HELD]
    scores = {g.id: GatheringScores(g, averages={key: None for key in RATING_KEYS}) for g in held}
    if not held:
        return []
    # One query: the invitations counted per gathering, beside the responses' count and sums.
    invited = (select(func.count()).select_from(EvaluationInvitation)
               .where(EvaluationInvitation.gathering_id == Gathering.id).scalar_subquery())
    sums = (select(EvaluationResponse.gathering_id, func.count().label("answered"),
                   *(func.sum(getattr(EvaluationResponse, key)).label(key) for key in RATING_KEYS))
            .where(EvaluationResponse.gathering_id.in_(list(scores)))
            .group_by(EvaluationResponse.gathering_id).subquery())
    rows = db.session.execute(
        select(Gathering.id, invited, sums.c.answered, *(sums.c[key] for key in RATING_KEYS))
        .outerjoin(sums, sums.c.gathering_id == Gathering.id).where(Gathering.id.in_(list(scores))))
    minimum = min_answers()
    for gathering_id, invited_count, count, *totals in rows:
        # Answered is the number of responses, as in ``invitation_counts``.
        scores[gathering_id].invited, scores[gathering_id].answered = invited_count or 0, count or 0
        if count:
            scores[gathering_id].responses = count
            if count < minimum:
                scores[gathering_id].withheld = True
            else:
                scores[gathering_id].averages = {key: int(total) / count for key, total in zip(RATING_KEYS, totals)}
    return list(scores.values())


@dataclass
class QuestionScore:
    question: EvaluationQuestion
    answers: int = 0                 # responses that gave this question a rating
    average: float | None = None     # None without ratings


def question_scores(gathering_ids: list[int]) -> dict[int, list[QuestionScore]]:
    """Per gathering id: the coordinators' rated questions, in their order, with how many rated
    each and the mean. Two queries whatever the number of answers; sums are added in SQL as
    integers and divided here, as in ``scores_by_gathering``. The caller withholds gatherings with
    fewer than ``min_answers()`` responses: this reads aggregates only, never an answer."""
    if not gathering_ids:
        return {}
    questions = db.session.scalars(
        select(EvaluationQuestion)
        .where(EvaluationQuestion.gathering_id.in_(gathering_ids), EvaluationQuestion.kind == QuestionKind.RATING)
        .order_by(EvaluationQuestion.gathering_id, EvaluationQuestion.position, EvaluationQuestion.id)).all()
    scores = {question.id: QuestionScore(question) for question in questions}
    if scores:
        rows = db.session.execute(
            select(EvaluationAnswer.question_id, func.count(EvaluationAnswer.rating), func.sum(EvaluationAnswer.rating))
            .where(EvaluationAnswer.question_id.in_(list(scores)), EvaluationAnswer.rating.is_not(None))
            .group_by(EvaluationAnswer.question_id))
        for question_id, count, total in rows:
            if count:
                scores[question_id].answers, scores[question_id].average = count, int(total) / count
    result: dict[int, list[QuestionScore]] = {gathering_id: [] for gathering_id in gathering_ids}
    for score in scores.values():
        result[score.question.gathering_id].append(score)
    return result


def two_decimals(value: float | None) -> Decimal | None:
    """For the CSV, which writes Decimals with a decimal comma."""
    return round_half_up(value, 2)


def mean_for_export(value: float | None) -> Decimal | None:
    """A mean as the pages show it: one decimal, half up (4.05 is 4,1 everywhere)."""
    return round_half_up(value, MEAN_PLACES)
