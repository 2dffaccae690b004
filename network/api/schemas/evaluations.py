"""Evaluation results per gathering: counts always, means only from ``EVALUATION_MIN_ANSWERS``
answers, as on the web. Never an individual answer and never a free-text answer."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from network.api.framework import PageQuery

RatingKey = Literal["relevance", "usefulness", "organisation"]
MEAN_DESCRIPTION = "Gjennomsnitt på skalaen 1–5 med én desimal, avrundet halvt opp; tom uten svar."


class EvaluationQuery(PageQuery):
    pass


class RatingMeanOut(BaseModel):
    model_config = ConfigDict(title="RatingMean")

    key: RatingKey
    label: str
    mean: str | None = Field(description=MEAN_DESCRIPTION, examples=["4.1"])


class QuestionMeanOut(BaseModel):
    model_config = ConfigDict(title="QuestionMean")

    question_id: int
    text: str
    answers: int = Field(description="Hvor mange som ga spørsmålet en karakter.")
    mean: str | None = Field(description=MEAN_DESCRIPTION + " Tom også når færre enn minstetallet har svart på spørsmålet.",
                             examples=["3.8"])


class GatheringEvaluationOut(BaseModel):
    model_config = ConfigDict(title="GatheringEvaluation", json_schema_extra={"examples": [{
        "gathering_id": 3, "number": 1, "title": "Oppstart", "invited": 40, "answered": 31,
        "withheld": False, "means": [{"key": "relevance", "label": "Hvor relevant var samlingen for deg?", "mean": "4.1"}],
        "questions": [{"question_id": 5, "text": "Hvor nyttig var gruppearbeidet?", "answers": 29, "mean": "3.8"}]}]})

    gathering_id: int
    number: int
    title: str
    invited: int
    answered: int = Field(description="Antall svar.")
    withheld: bool = Field(description="For få svar til å vise resultater: bare antallene, ingen gjennomsnitt.")
    means: list[RatingMeanOut] = Field(description="De tre faste karakterene; tom når resultatene holdes tilbake.")
    questions: list[QuestionMeanOut] = Field(
        description="Koordinatorenes egne karakterspørsmål; tom når resultatene holdes tilbake.")
