"""Demo evaluations for the 2019–2020 network: every held gathering's attendees invited, most of
them answered, with ratings and short free texts; two added questions on gathering 3.

``load_demo(network, coordinator)`` is called by the demo loader. A gathering that already has
invitations is left alone, so a second run adds nothing. The answers are drawn from a seeded
random generator, so every run of the demo gives the same numbers. No mail is sent.
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.auth.models import Person
from network.evaluations.models import (
    EvaluationAnswer, EvaluationInvitation, EvaluationQuestion, EvaluationResponse, QuestionKind,
)
from network.evaluations.models import RATING_KEYS
from network.evaluations.services import INVITED_STATUSES
from network.extensions import db
from network.gatherings.models import Gathering, GatheringStatus, Registration
from network.networks.models import Network

# The share who answered, per gathering number; fewer answer as the network goes on.
ANSWER_SHARE = {1: 0.86, 2: 0.8, 3: 0.78, 4: 0.7, 5: 0.64}
# Weights for the ratings 1–5, per gathering number and rating: the start was relevant but less
# useful at home; the group work at gathering 3 was the most useful; one venue was too cramped.
WEIGHTS = {
    1: {"relevance": (0, 1, 4, 10, 7), "usefulness": (1, 3, 8, 7, 3), "organisation": (0, 1, 5, 10, 6)},
    2: {"relevance": (0, 1, 3, 10, 8), "usefulness": (0, 2, 6, 9, 5), "organisation": (1, 3, 7, 8, 3)},
    3: {"relevance": (0, 0, 3, 8, 11), "usefulness": (0, 1, 3, 9, 9), "organisation": (0, 1, 4, 10, 7)},
    4: {"relevance": (0, 1, 4, 9, 7), "usefulness": (0, 2, 5, 9, 5), "organisation": (0, 1, 3, 9, 9)},
    5: {"relevance": (0, 1, 3, 8, 9), "usefulness": (0, 1, 4, 9, 7), "organisation": (0, 1, 4, 9, 8)},
}
BEST = [
    "Å høre hvordan de andre kommunene faktisk jobber, ikke bare hva de har skrevet i planene.",
    "Gruppearbeidet. Vi fikk konkrete tips vi kan bruke med en gang.",
    "Godt innlegg fra Husbanken om startlån og tilskudd.",
    "At rådmannen var med. Det ga tyngde til arbeidet hjemme.",
    "Tid til å snakke med kommuner på samme størrelse som oss.",
    "Eksemplene fra kommunene var nyttigere enn teorien.",
    "Det var lett å spørre om ting uten å føle seg dum.",
    "Fin blanding av plenum og arbeid i små grupper.",
    "Kunnskapsgrunnlaget om befolkningsutviklingen var en øyeåpner.",
    "Vi dro hjem med en liste over hva vi skal gjøre før neste samling.",
]
IMPROVE = [
    "For mange innlegg før lunsj. Mer tid til diskusjon.",
    "Lokalet var for trangt til gruppearbeid.",
    "Send ut lysarkene før samlingen, så vi kan forberede oss.",
    "Det ble litt lang dag for oss som reiste langt.",
    "Gjerne flere eksempler fra små distriktskommuner.",
    "Oppgaven mellom samlingene kom sent, og fristen ble kort.",
    "Mer konkret om hvordan vi får politikerne med.",
    "Gruppene kunne vært blandet mer på tvers av fylkene.",
]
ADDED_QUESTIONS = [
    ("Hvor nyttig var det å jobbe i grupper etter vekstpress?", QuestionKind.RATING, (0, 1, 3, 8, 10)),
    ("Hva vil du at vi tar opp på neste samling?", QuestionKind.TEXT, [
        "Hvordan vi bruker kommunens egne tomter.",
        "Samarbeid med private utbyggere om rimelige boliger.",
        "Hvordan vi måler om boligpolitikken virker.",
        "Mer om boligsosiale tiltak for unge.",
    ]),
]
QUESTIONS_AT = 3            # the gathering with added questions
STILL_OPEN = "deltaker.hamar@demo.test"  # has the last evaluation waiting on "Min side"


def _draw(rng: random.Random, weights) -> int:
    return rng.choices(range(1, 6), weights=weights)[0]


def _questions(gathering: Gathering) -> list[EvaluationQuestion]:
    existing = list(db.session.scalars(select(EvaluationQuestion).where(EvaluationQuestion.gathering_id == gathering.id)
                                       .order_by(EvaluationQuestion.position)))
    if existing:
        return existing
    made = [EvaluationQuestion(gathering=gathering, position=position, text=text, kind=kind)
            for position, (text, kind, _answers) in enumerate(ADDED_QUESTIONS, start=1)]
    db.session.add_all(made)
    db.session.flush()
    return made


class _Pool:
    """Free texts handed out at most once per gathering, so no two people write the same words."""

    def __init__(self, rng: random.Random, texts: list[str], chance: float):
        self.rng, self.texts, self.chance = rng, rng.sample(texts, len(texts)), chance

    def draw(self) -> str:
        return self.texts.pop() if self.texts and self.rng.random() < self.chance else ""


def _answers(rng: random.Random, questions: list[EvaluationQuestion], topics: _Pool) -> list[EvaluationAnswer]:
    answers = []
    for question, (_text, kind, source) in zip(questions, ADDED_QUESTIONS):
        if kind is QuestionKind.RATING and rng.random() < 0.95:
            answers.append(EvaluationAnswer(question_id=question.id, rating=_draw(rng, source)))
        elif kind is QuestionKind.TEXT and (text := topics.draw()):
            answers.append(EvaluationAnswer(question_id=question.id, text=text))
    return answers


def _evaluate(gathering: Gathering, people: list[Person]) -> int:
    rng = random.Random(f"evaluering-{gathering.number}")
    day = gathering.ends_on or gathering.starts_on
    invited_at = datetime.combine(day, time(15), tzinfo=timezone.utc) + timedelta(days=1) if day else None
    share = ANSWER_SHARE.get(gathering.number, 0.7)
    weights = WEIGHTS.get(gathering.number, WEIGHTS[3])
    questions = _questions(gathering) if gathering.number == QUESTIONS_AT else []
    last = gathering.number == max(ANSWER_SHARE)
    candidates = [person for person in people if not (last and person.email == STILL_OPEN)]
    rng.shuffle(candidates)
    # The demo's Hamar participant answered the earlier ones, so "Min side" shows just the last.
    candidates.sort(key=lambda person: person.email != STILL_OPEN)
    answering = {person.id for person in candidates[:round(share * len(people))]}
    for person in people:
        answers = person.id in answering
        db.session.add(EvaluationInvitation(gathering=gathering, person=person, answered=answers,
                                            **({"invited_at": invited_at} if invited_at else {})))
    # The responses are added apart from the invitations, in an order of their own.
    best, improve, topics = _Pool(rng, BEST, 0.5), _Pool(rng, IMPROVE, 0.4), _Pool(rng, ADDED_QUESTIONS[1][2], 0.4)
    for _n in range(len(answering)):
        db.session.add(EvaluationResponse(
            gathering=gathering,
            **{key: _draw(rng, weights[key]) for key in RATING_KEYS},
            best=best.draw(), improve=improve.draw(), answers=_answers(rng, questions, topics),
        ))
    return len(answering)


def load_demo(network: Network, coordinator: Person | None) -> int:
    """Add the demo evaluations to ``network``'s held gatherings. Returns how many responses were made."""
    made = 0
    gatherings = db.session.scalars(select(Gathering).where(
        Gathering.network_id == network.id, Gathering.status == GatheringStatus.HELD).order_by(Gathering.number)).all()
    for gathering in gatherings:
        if db.session.scalar(select(EvaluationInvitation.id).where(EvaluationInvitation.gathering_id == gathering.id)
                             .limit(1)) is not None:
            continue
        people = {}
        for registration in db.session.scalars(
                select(Registration).where(Registration.gathering_id == gathering.id,
                                           Registration.status.in_(INVITED_STATUSES))
                .options(joinedload(Registration.person)).order_by(Registration.id)):
            people.setdefault(registration.person.id, registration.person)
        made += _evaluate(gathering, list(people.values()))
    db.session.flush()
    return made
