"""The planning-profile form: a status, year and link for each planning step, and a score and
comment for each piece of KS's advice. The form parses what was typed; the rules are in services."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField, URLField

from network.planning import services
from network.planning.models import SCORE_MAX, SCORE_MIN, PlanningStep, PlanStatus, StrategicAdvice
from network.planning.services import AdviceEntry, StepEntry


def strip(value):
    return value.strip() if isinstance(value, str) else value


def status_choices() -> list[tuple[str, str]]:
    return [("", _("Ikke registrert"))] + [(status.value, status.label) for status in PlanStatus]


def score_choices() -> list[tuple[str, str]]:
    labels = {SCORE_MIN: _("%(n)d – lite på plass", n=SCORE_MIN), SCORE_MAX: _("%(n)d – godt på plass", n=SCORE_MAX)}
    return [(str(score), labels.get(score, str(score))) for score in services.SCORES]


@dataclass
class StepFields:
    step: PlanningStep
    status: Field
    year: Field
    document_url: Field


@dataclass
class AdviceFields:
    advice: StrategicAdvice
    score: Field
    comment: Field


class PlanningProfileForm(FlaskForm):
    """Fields are named ``status_<step>``, ``year_<step>``, ``url_<step>``, ``score_<advice>`` and
    ``comment_<advice>``, added below, so the error summary can link to each one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step in self.steps():
            step.status.choices = status_choices()
        for advice in self.advice():
            advice.score.choices = score_choices()
        self.step_entries: list[StepEntry] = []
        self.advice_entries: list[AdviceEntry] = []

    def steps(self) -> list[StepFields]:
        return [StepFields(step, self[f"status_{step.value}"], self[f"year_{step.value}"], self[f"url_{step.value}"])
                for step in PlanningStep]

    def advice(self) -> list[AdviceFields]:
        return [AdviceFields(advice, self[f"score_{advice.value}"], self[f"comment_{advice.value}"])
                for advice in StrategicAdvice]

    def fill(self, profile: services.Profile) -> None:
        for fields in self.steps():
            row = profile.statuses.get(fields.step)
            fields.status.data = row.status.value if row else ""
            fields.year.data = str(row.year) if row and row.year else ""
            fields.document_url.data = row.document_url if row and row.document_url else ""
        for fields in self.advice():
            row = profile.assessments.get(fields.advice)
            fields.score.data = str(row.score) if row else None
            fields.comment.data = row.comment if row else ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.step_entries, self.advice_entries = [], []
        for fields in self.steps():
            entry, errors = self._step_entry(fields)
            errors = {**services.step_errors(entry), **errors}
            for name, message in errors.items():
                getattr(fields, name).errors.append(message)
            self.step_entries.append(entry)
        for fields in self.advice():
            entry, errors = self._advice_entry(fields)
            errors = {**services.advice_errors(entry), **errors}
            for name, message in errors.items():
                getattr(fields, name).errors.append(message)
            self.advice_entries.append(entry)
        return valid and not self.errors

    @staticmethod
    def _step_entry(fields: StepFields) -> tuple[StepEntry, dict[str, str]]:
        """The typed values, and what could not be read at all (which the rules then don't judge)."""
        label = fields.step.label
        errors = {}
        statuses = {status.value: status for status in PlanStatus}
        raw_status = fields.status.data or ""
        if raw_status and raw_status not in statuses:
            errors["status"] = _("%(step)s: velg en av statusene i listen.", step=label)
        raw_year = fields.year.data or ""
        year = None
        if re.fullmatch(r"[0-9]{1,6}", raw_year):
            year = int(raw_year)
        elif raw_year:
            errors["year"] = _("%(step)s: skriv året med fire sifre, for eksempel 2019.", step=label)
        entry = StepEntry(fields.step, statuses.get(raw_status), year, fields.document_url.data or None)
        return entry, errors

    @staticmethod
    def _advice_entry(fields: AdviceFields) -> tuple[AdviceEntry, dict[str, str]]:
        raw_score = fields.score.data or ""
        errors = {}
        score = None
        if re.fullmatch(r"[0-9]{1,2}", raw_score):
            score = int(raw_score)
        elif raw_score:
            errors["score"] = _("%(advice)s: velg et tall fra %(min)d til %(max)d.",
                                advice=fields.advice.label, min=SCORE_MIN, max=SCORE_MAX)
        return AdviceEntry(fields.advice, score, fields.comment.data or ""), errors


for _step in PlanningStep:
    setattr(PlanningProfileForm, f"status_{_step.value}",
            SelectField(_l("Status"), choices=[], validate_choice=False, default=""))
    setattr(PlanningProfileForm, f"year_{_step.value}", StringField(
        _l("År"), filters=[strip],
        description=_l("Vedtatt: året planen ble vedtatt. Under arbeid: året den ventes vedtatt, hvis dere vet det."),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6},
    ))
    setattr(PlanningProfileForm, f"url_{_step.value}", URLField(
        _l("Lenke til dokumentet"), filters=[strip],
        description=_l("Lenke som begynner med https://, for eksempel til planen på kommunens nettsider."),
    ))
for _advice in StrategicAdvice:
    setattr(PlanningProfileForm, f"score_{_advice.value}",
            RadioField(_l("Vurdering"), choices=[], validate_choice=False))
    setattr(PlanningProfileForm, f"comment_{_advice.value}", TextAreaField(
        _l("Kommentar"),
        description=_l("Hva bygger vurderingen på, og hva vil dere gjøre videre? Høyst %(max)d tegn.",
                       max=services.COMMENT_MAX),
    ))
