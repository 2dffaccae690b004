from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from network.challenges.models import LOCAL_DESCRIPTION_MAX, Challenge, ChallengePriority, MunicipalityChallenge
from network.challenges.services import DESCRIPTION_MAX, TITLE_MAX
from network.growth.models import GrowthClass


def strip(value):
    return value.strip() if isinstance(value, str) else value


PRIORITY_VALUES = [p.value for p in ChallengePriority]
PRIORITY_MESSAGE = _l("Velg prioritet: høy, middels eller lav.")
LOCAL_MESSAGE = _l("Beskrivelsen kan være høyst %(max)s tegn.", max=LOCAL_DESCRIPTION_MAX)


def _title_field():
    return StringField(_l("Tittel"), filters=[strip], validators=[
        DataRequired(_l("Skriv en tittel på utfordringen.")),
        Length(max=TITLE_MAX, message=_l("Tittelen kan være høyst %(max)s tegn.", max=TITLE_MAX)),
    ])


def _description_field(label):
    return TextAreaField(label, filters=[strip], validators=[
        Optional(), Length(max=DESCRIPTION_MAX, message=_l("Beskrivelsen kan være høyst %(max)s tegn.", max=DESCRIPTION_MAX)),
    ])


class ChallengeForm(FlaskForm):
    title = _title_field()
    description = _description_field(_l("Beskrivelse"))


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])


class GrowthFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    growth = SelectField(_l("Vekstklasse"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.growth.choices = [("", _("Alle vekstklasser"))] + [(c.value, c.label) for c in GrowthClass]

    @property
    def chosen(self) -> GrowthClass | None:
        try:
            return GrowthClass(self.growth.data) if self.growth.data else None
        except ValueError:
            return None


class OwnChallengeForm(FlaskForm):
    title = _title_field()
    description = _description_field(_l("Hva utfordringen handler om"))
    priority = RadioField(_l("Hvor viktig er utfordringen for dere?"), choices=[], validate_choice=False,
                          validators=[AnyOf(PRIORITY_VALUES, message=PRIORITY_MESSAGE)])
    local_description = TextAreaField(
        _l("Slik ser det ut hos dere"), filters=[strip],
        description=_l("Kort om situasjonen i kommunen, høyst %(max)s tegn.", max=LOCAL_DESCRIPTION_MAX),
        validators=[Optional(), Length(max=LOCAL_DESCRIPTION_MAX, message=LOCAL_MESSAGE)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority.choices = [(p.value, p.label) for p in ChallengePriority]


class MunicipalityChallengesForm(FlaskForm):
    """One fieldset per catalogue challenge, built for the catalogue at hand: ``c<id>-applies``,
    ``c<id>-priority`` and ``c<id>-description``."""

    challenges: list[Challenge] = []
    saved: dict[int, MunicipalityChallenge] = {}

    def rows(self):
        for challenge in self.challenges:
            yield challenge, self[f"c{challenge.id}-applies"], self[f"c{challenge.id}-priority"], self[f"c{challenge.id}-description"]

    def chosen(self) -> list[tuple[int, ChallengePriority, str]]:
        return [(challenge.id, ChallengePriority(priority.data), description.data or "")
                for challenge, applies, priority, description in self.rows() if applies.data]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for challenge, applies, priority, description in self.rows():
            if applies.data and priority.data not in PRIORITY_VALUES:
                priority.errors.append(_("Velg prioritet for «%(title)s».", title=challenge.title))
                valid = False
            saved = self.saved.get(challenge.id)
            # A priority or text given for a challenge left unticked would be thrown away without a
            # word. The saved values of a challenge being unticked were not given now, so unticking
            # stays one click.
            given_priority = priority.data and priority.data != (saved.priority.value if saved else "")
            given_text = description.data and description.data != (saved.description if saved else "")
            if not applies.data and (given_priority or given_text):
                applies.errors = [*applies.errors, _(
                    "Du har fylt ut «%(title)s», men ikke krysset av for at den gjelder dere. Kryss av, eller tøm feltene.",
                    title=challenge.title)]
                valid = False
        return valid


def municipality_challenges_form(challenges: list[Challenge],
                                 saved: dict[int, MunicipalityChallenge]) -> MunicipalityChallengesForm:
    """A form for this catalogue, filled from ``saved`` (challenge id → entry) on GET."""

    class Form(MunicipalityChallengesForm):
        pass

    for challenge in challenges:
        entry = saved.get(challenge.id)
        setattr(Form, f"c{challenge.id}-applies", BooleanField(_l("Gjelder oss"), default=entry is not None))
        setattr(Form, f"c{challenge.id}-priority", SelectField(
            _l("Prioritet"), validate_choice=False, default=entry.priority.value if entry else "",
            choices=[("", _("Velg prioritet"))] + [(p.value, p.label) for p in ChallengePriority],
        ))
        setattr(Form, f"c{challenge.id}-description", TextAreaField(
            _l("Slik ser det ut hos oss"), filters=[strip], default=entry.description if entry else "",
            render_kw={"rows": 3},
            validators=[Optional(), Length(max=LOCAL_DESCRIPTION_MAX, message=LOCAL_MESSAGE)],
        ))
    Form.challenges = challenges
    Form.saved = saved
    return Form()

