"""Evaluation results aggregated per held gathering, for those who read them on the web
(coordinators and observers). Below ``EVALUATION_MIN_ANSWERS`` answers only the counts are given;
individual answers and free texts are never read here."""
from __future__ import annotations

from flask_login import current_user

from network.api.framework import Page, api_get
from network.api.schemas.evaluations import (
    EvaluationQuery, GatheringEvaluationOut, QuestionMeanOut, RatingMeanOut,
)
from network.evaluations import access, services
from network.evaluations.models import STANDARD_RATINGS
from network.networks.loading import load_network, require

TAG = "Evalueringer"


def mean_text(value: float | None) -> str | None:
    """One decimal, half up, as the pages and exports show it: 4.05 is "4.1"."""
    rounded = services.mean_for_export(value)
    return None if rounded is None else str(rounded)


def rating_means(score: services.GatheringScores) -> list[RatingMeanOut]:
    if score.withheld or not score.responses:
        return []
    return [RatingMeanOut(key=key, label=str(label), mean=mean_text(score.averages[key]))
            for key, label in STANDARD_RATINGS]


def evaluation_rows(person, network) -> list[GatheringEvaluationOut]:
    """Held gatherings by number. Six queries whatever the number of answers."""
    require(access.can_view_results(person, network))
    scores = services.scores_by_gathering(network)
    shown = [score.gathering.id for score in scores if score.responses and not score.withheld]
    questions = services.question_scores(shown)
    minimum = services.min_answers()
    return [GatheringEvaluationOut(
        gathering_id=score.gathering.id, number=score.gathering.number, title=score.gathering.title,
        invited=score.invited, answered=score.answered, withheld=score.withheld,
        means=rating_means(score),
        questions=[QuestionMeanOut(question_id=q.question.id, text=q.question.text, answers=q.answers,
                                   # An added question few rated would give their ratings away.
                                   mean=mean_text(q.average) if q.answers >= minimum else None)
                   for q in questions.get(score.gathering.id, [])],
    ) for score in scores]


@api_get("/networks/<int:network_id>/evaluations", response=Page[GatheringEvaluationOut], query=EvaluationQuery,
         summary="Evalueringsresultater per gjennomført samling (aldri enkeltsvar)", tag=TAG)
def list_evaluations(network_id: int, query: EvaluationQuery) -> Page[GatheringEvaluationOut]:
    network = load_network(network_id)
    rows = evaluation_rows(current_user, network)
    start = query.offset
    return Page.of(query, len(rows), rows[start:start + query.size])
