from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from network.library.models import REVIEW_COMMENT_MAX, Example, MunicipalitySize
from network.library.services import QUERY_MAX, TEXT_FIELDS, TEXT_MAX, TITLE_MAX, UNIT_MAX, Filters, clean_query
from network.networks.forms import MultiCheckboxField
from network.planning.models import PlanningStep, StrategicAdvice


def strip(value):
    return value.strip() if isinstance(value, str) else value


def clean_text(value):
    """Browsers send line breaks as CRLF; counted as one character, as the reader sees them."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


# Labels and help for Husbanken's text fields, in its order.
TEXT_LABELS = {
    "summary": (_l("Sammendrag"), _l("Kort om hva kommunen gjorde. Vises i oversikten over eksempler.")),
    "result": (_l("Resultat"), _l("Hva arbeidet har ført til så langt.")),
    "background": (_l("Bakgrunn"), _l("Situasjonen før arbeidet startet, og hvorfor kommunen tok tak i den.")),
    "goals": (_l("Mål"), _l("Hva kommunen ville oppnå.")),
    "who_did_what": (_l("Hvem gjorde hva"), _l("Organisering, faser, roller og samarbeidspartnere.")),
    "relevant_law": (_l("Relevant lovverk"), _l("Lover, forskrifter og planer arbeidet bygde på.")),
    "user_participation": (_l("Brukermedvirkning"), _l("Hvordan innbyggere, brukere og andre ble hørt.")),
    "financing": (_l("Finansiering"), _l("Hvordan arbeidet ble betalt, for eksempel med tilskudd.")),
    "success_factors": (_l("Suksessfaktorer"), _l("Det som gjorde at arbeidet lyktes.")),
    "difficulties": (_l("Utfordringer underveis"), _l("Motstand, hindringer og det som var vanskelig.")),
    "tips": (_l("Tips til andre"), _l("Råd til kommuner som vil gjøre noe lignende.")),
    "reports_and_links": (_l("Rapporter og lenker"), _l("Planer, rapporter og artikler, gjerne med lenke (https://…).")),
    "continuation": (_l("Videreføring"), _l("Hvordan arbeidet har fortsatt etterpå.")),
}

# The form's and the example page's sections, after the facts at the top.
SECTIONS = [
    ("summary", _l("Oppsummert"), ("summary", "result")),
    ("background", _l("Bakgrunn og mål"), ("background", "goals")),
    ("implementation", _l("Gjennomføring"), ("who_did_what", "relevant_law", "user_participation", "financing")),
    ("experience", _l("Erfaringer"), ("success_factors", "difficulties", "tips")),
    ("further", _l("Rapporter og videre arbeid"), ("reports_and_links", "continuation")),
]

TEXT_LENGTH_MESSAGE = _l("Teksten kan være høyst %(max)s tegn.", max=TEXT_MAX)
SIZE_VALUES = [size.value for size in MunicipalitySize]
STEP_VALUES = [step.value for step in PlanningStep]
ADVICE_VALUES = [advice.value for advice in StrategicAdvice]


def _text_field(name: str):
    label, description = TEXT_LABELS[name]
    return TextAreaField(label, description=description, filters=[clean_text], render_kw={"rows": 5},
                         validators=[Optional(), Length(max=TEXT_MAX, message=TEXT_LENGTH_MESSAGE)])


def _only_known(message):
    def check(form, field):
        allowed = {value for value, _label in field.choices}
        if set(field.data or []) - allowed:
            raise ValidationError(message)
    return check


class ExampleForm(FlaskForm):
    """One example in Husbanken's structure. Coordinators choose the municipality and may override
    its size; a municipality's own people write for their municipality."""

    organisation_id = SelectField(_l("Kommune"), choices=[], validate_choice=False,
                                  description=_l("Kommunen eksempelet kommer fra. Fylket hentes fra kommunen."))
    title = StringField(_l("Tittel"), filters=[strip], validators=[
        DataRequired(_l("Skriv en tittel på eksempelet.")),
        Length(max=TITLE_MAX, message=_l("Tittelen kan være høyst %(max)s tegn.", max=TITLE_MAX)),
    ])
    responsible_unit = StringField(
        _l("Ansvarlig enhet"), filters=[strip], description=_l("For eksempel plan- og samfunnsavdelingen."),
        validators=[Optional(), Length(max=UNIT_MAX, message=_l("Ansvarlig enhet kan være høyst %(max)s tegn.", max=UNIT_MAX))],
    )
    size = SelectField(_l("Kommunestørrelse"), choices=[], validate_choice=False,
                       description=_l("Beregnes fra innbyggertallet i 2020 hvis du ikke velger selv."))
    summary = _text_field("summary")
    result = _text_field("result")
    background = _text_field("background")
    goals = _text_field("goals")
    who_did_what = _text_field("who_did_what")
    relevant_law = _text_field("relevant_law")
    user_participation = _text_field("user_participation")
    financing = _text_field("financing")
    success_factors = _text_field("success_factors")
    difficulties = _text_field("difficulties")
    tips = _text_field("tips")
    reports_and_links = _text_field("reports_and_links")
    continuation = _text_field("continuation")
    challenges = MultiCheckboxField(_l("Utfordringer eksempelet svarer på"), choices=[], validate_choice=False,
                                    validators=[_only_known(_l("Velg utfordringer fra nettverkets liste."))])
    steps = MultiCheckboxField(_l("Steg i planprosessen"), choices=[], validate_choice=False,
                               validators=[_only_known(_l("Velg steg fra listen over planprosessen."))])
    advice = MultiCheckboxField(_l("Strategiske råd eksempelet viser"), choices=[], validate_choice=False,
                                validators=[_only_known(_l("Velg blant de seks strategiske rådene."))])

    def __init__(self, *args, challenges=(), municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is None:
            del self.organisation_id
            del self.size
        else:
            # Grouped by county, so the list of 356 is quick to scan with or without a screen reader.
            self.organisation_id.choices = [SelectChoice("", _("Velg kommune"))] + [
                SelectChoice(str(org.id), org.name, optgroup=org.county.name if org.county else _("Uten fylke"))
                for org in municipalities
            ]
            self._municipality_ids = {str(org.id) for org in municipalities}
            self.size.choices = [("", _("Beregn fra innbyggertallet"))] + [(s.value, s.label) for s in MunicipalitySize]
        self.challenges.choices = [(str(c.id), c.title) for c in challenges]
        self.steps.choices = [(s.value, f"{s.number}. {s.label}") for s in PlanningStep]
        self.advice.choices = [(a.value, f"{a.number}. {a.label}") for a in StrategicAdvice]

    def validate_organisation_id(self, field):
        if field.data not in self._municipality_ids:
            raise ValidationError(_l("Velg en kommune fra listen."))

    def validate_size(self, field):
        if field.data and field.data not in SIZE_VALUES:
            raise ValidationError(_l("Velg en kommunestørrelse fra listen."))

    @staticmethod
    def initial(example: Example | None, computed_size: MunicipalitySize | None = None) -> dict:
        """The form's values for an existing example; the size shows as computed unless overridden."""
        if example is None:
            return {}
        data = {name: getattr(example, name) for name in ("title", "responsible_unit", *TEXT_FIELDS)}
        data.update(
            organisation_id=str(example.organisation_id),
            size=example.size.value if example.size and example.size is not computed_size else "",
            challenges=[str(c.id) for c in example.challenges],
            steps=[row.step.value for row in example.steps],
            advice=[row.advice.value for row in example.advice],
        )
        return data

    @property
    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in TEXT_FIELDS}

    @property
    def chosen_size(self) -> MunicipalitySize | None:
        return MunicipalitySize(self.size.data) if self.size.data else None

    @property
    def chosen_challenge_ids(self) -> list[int]:
        return [int(value) for value in self.challenges.data or []]

    @property
    def chosen_steps(self) -> list[PlanningStep]:
        return [PlanningStep(value) for value in self.steps.data or []]

    @property
    def chosen_advice(self) -> list[StrategicAdvice]:
        return [StrategicAdvice(value) for value in self.advice.data or []]


class SendBackForm(FlaskForm):
    """A coordinator sends an example back to the municipality: the comment says what to change."""

    comment = TextAreaField(
        _l("Kommentar til kommunen"), filters=[clean_text], render_kw={"rows": 6},
        description=_l("Hva bør endres før eksempelet kan bli åpent for alle? Kommentaren sendes på e-post til den "
                       "som ba om godkjenning, og vises på eksempelet for kommunen og koordinatorene."),
        validators=[
            DataRequired(_l("Skriv hva kommunen bør endre før eksempelet kan bli åpent for alle.")),
            Length(max=REVIEW_COMMENT_MAX, message=_l("Kommentaren kan være høyst %(max)s tegn.", max=REVIEW_COMMENT_MAX)),
        ],
    )


class SwitchForm(FlaskForm):
    """Turn a setting on or off (public, featured, hidden); the button says which."""

    value = HiddenField(validators=[AnyOf(["on", "off"])])

    @property
    def on(self) -> bool:
        return self.value.data == "on"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _enum_or_none(enum_cls, value: str | None):
    try:
        return enum_cls(value) if value else None
    except ValueError:
        return None


class LibraryFilterForm(FlaskForm):
    """A GET form: works without JavaScript, and every choice stays in the address."""

    class Meta:
        csrf = False

    q = SearchField(_l("Søk"), filters=[clean_query], render_kw={"maxlength": QUERY_MAX},
                    description=_l("Søk i tittel, sammendrag og de andre tekstene. Alle ordene må finnes."))
    county = SelectField(_l("Fylke"), choices=[], validate_choice=False)
    size = SelectField(_l("Kommunestørrelse"), choices=[], validate_choice=False)
    challenge = SelectField(_l("Utfordring"), choices=[], validate_choice=False)
    step = SelectField(_l("Steg i planprosessen"), choices=[], validate_choice=False)
    advice = SelectField(_l("Strategisk råd"), choices=[], validate_choice=False)

    def __init__(self, formdata, *, counties=(), challenges=None, **kwargs):
        super().__init__(formdata, **kwargs)
        self.county.choices = [("", _("Alle fylker"))] + [(str(c.id), c.name) for c in counties]
        self.size.choices = [("", _("Alle størrelser"))] + [(s.value, s.label) for s in MunicipalitySize]
        if challenges is None:  # the public library spans networks, and challenges belong to one
            del self.challenge
        else:
            self.challenge.choices = [("", _("Alle utfordringer"))] + [(str(c.id), c.title) for c in challenges]
        self.step.choices = [("", _("Alle steg"))] + [(s.value, f"{s.number}. {s.label}") for s in PlanningStep]
        self.advice.choices = [("", _("Alle råd"))] + [(a.value, f"{a.number}. {a.label}") for a in StrategicAdvice]
        self._county_ids = {c.id for c in counties}
        self._challenge_ids = {c.id for c in challenges or ()}

    def filters(self) -> Filters:
        """The valid choices; anything else (an edited address) is left out rather than refused."""
        county_id = _int_or_none(self.county.data)
        challenge_id = _int_or_none(self.challenge.data) if "challenge" in self else None
        return Filters(
            county_id=county_id if county_id in self._county_ids else None,
            size=_enum_or_none(MunicipalitySize, self.size.data),
            challenge_id=challenge_id if challenge_id in self._challenge_ids else None,
            step=_enum_or_none(PlanningStep, self.step.data),
            advice=_enum_or_none(StrategicAdvice, self.advice.data),
            q=self.q.data or "",
        )

    def query_args(self, filters: Filters) -> dict[str, str]:
        """The filters as URL parameters, for links to other pages of the same list."""
        args = {
            "q": filters.q, "county": filters.county_id, "size": filters.size.value if filters.size else None,
            "challenge": filters.challenge_id, "step": filters.step.value if filters.step else None,
            "advice": filters.advice.value if filters.advice else None,
        }
        return {key: str(value) for key, value in args.items() if value}

