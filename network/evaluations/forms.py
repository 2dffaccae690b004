"""Forms for evaluations. They only read what was typed; the rules are in ``services``."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf

from network.evaluations.models import STANDARD_RATINGS, EvaluationQuestion, QuestionKind
from network.evaluations.services import QUESTION_MAX, RATINGS, TEXT_MAX, question_field


def strip(value):
    return value.strip() if isinstance(value, str) else value


def rating_choices() -> list[tuple[str, str]]:
    labels = {RATINGS[0]: _("%(n)s (lavest)", n=RATINGS[0]), RATINGS[-1]: _("%(n)s (høyest)", n=RATINGS[-1])}
    return [(str(n), labels.get(n, str(n))) for n in RATINGS]


def _rating_field(label) -> RadioField:
    return RadioField(label, choices=[], validate_choice=False)


def _text_field(label, description=None) -> TextAreaField:
    return TextAreaField(label, filters=[strip], description=description, render_kw={"rows": 4, "maxlength": TEXT_MAX})


class _EvaluationForm(FlaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.rating_names:
            self[name].choices = rating_choices()

    rating_names: tuple[str, ...] = ()
    added_names: tuple[str, ...] = ()


def evaluation_form(questions: list[EvaluationQuestion]) -> FlaskForm:
    """The three ratings, the two free texts, then the gathering's added questions as ``question_<id>``."""

    class EvaluationForm(_EvaluationForm):
        pass

    rating_names = []
    for key, label in STANDARD_RATINGS:
        setattr(EvaluationForm, key, _rating_field(label))
        rating_names.append(key)
    EvaluationForm.best = _text_field(_l("Hva var det beste med samlingen?"))
    EvaluationForm.improve = _text_field(_l("Hva kan bli bedre?"))
    added = []
    for question in questions:
        name = question_field(question)
        if question.kind is QuestionKind.RATING:
            setattr(EvaluationForm, name, _rating_field(question.text))
            rating_names.append(name)
        else:
            setattr(EvaluationForm, name, _text_field(question.text))
        added.append(name)
    EvaluationForm.rating_names = tuple(rating_names)
    EvaluationForm.added_names = tuple(added)
    return EvaluationForm()


class QuestionForm(FlaskForm):
    text = StringField(_l("Spørsmålet"), filters=[strip], render_kw={"maxlength": QUESTION_MAX},
                       description=_l("Høyst %(max)s tegn.", max=QUESTION_MAX))
    kind = RadioField(_l("Svarform"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, kind.label) for kind in QuestionKind]


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])
