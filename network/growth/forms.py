from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from network.growth import services
from network.growth.models import GrowthClass
from network.growth.services import GrowthError


def strip(value):
    return value.strip() if isinstance(value, str) else value


class PercentField(StringField):
    """A percentage typed with a decimal comma or point. The text stays as typed, so that a form
    sent back with errors shows it unchanged; ``number`` holds the value once it has been read.
    A blank field is refused here, where the message can sit on the field; the service refuses
    a missing threshold too."""

    number: Decimal | None = None

    def post_validate(self, form, validation_stopped):
        self.number = None
        if validation_stopped:
            return
        try:
            self.number = services.parse_percent(self.data)
        except GrowthError as error:
            raise ValidationError(str(error)) from error
        if self.number is None:
            raise ValidationError(_l("Fyll ut grensen, for eksempel 0,5."))


def _threshold_field(label, description):
    return PercentField(label, description=description, filters=[strip],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})


class ThresholdsForm(FlaskForm):
    strong_growth_min = _threshold_field(
        _l("Sterk vekst fra (prosent per år)"),
        _l("Kommuner med en gjennomsnittlig årlig endring på minst dette får klassen sterk vekst."),
    )
    growth_min = _threshold_field(
        _l("Vekst fra (prosent per år)"),
        _l("Fra denne grensen og opp til grensen for sterk vekst er klassen vekst."),
    )
    stable_min = _threshold_field(
        _l("Stabil fra (prosent per år)"),
        _l("Fra denne grensen og opp til grensen for vekst er klassen stabil. Under den er klassen nedgang."),
    )

    def thresholds(self) -> services.Thresholds:
        return services.Thresholds(self.strong_growth_min.number, self.growth_min.number, self.stable_min.number)

    def fill(self, thresholds: services.Thresholds) -> None:
        """Show the thresholds the Norwegian way: 1,00."""
        for name in services.THRESHOLD_FIELDS:
            getattr(self, name).data = f"{getattr(thresholds, name):.2f}".replace(".", ",")


OVERRIDE_CHOICES = [c for c in services.CLASS_ORDER if c is not GrowthClass.UNKNOWN]


class OverrideForm(FlaskForm):
    # The choices are checked below, with a Norwegian message, rather than by WTForms.
    growth_class = RadioField(
        _l("Vekstklasse"), choices=[], validate_choice=False,
        validators=[DataRequired(_l("Velg en vekstklasse."))],
    )
    reason = TextAreaField(
        _l("Begrunnelse"),
        description=_l("Hvorfor passer en annen klasse enn den beregnede? For eksempel en kommunesammenslåing "
                       "eller en stor endring etter 2020. Høyst 500 tegn."),
        filters=[strip],
        validators=[DataRequired(_l("Skriv hvorfor klassen overstyres.")),
                    Length(max=services.REASON_MAX_LENGTH, message=_l("Begrunnelsen kan ha høyst 500 tegn."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.growth_class.choices = [(c.value, c.label) for c in OVERRIDE_CHOICES]

    def validate_growth_class(self, field):
        if field.data not in {c.value for c in OVERRIDE_CHOICES}:
            raise ValidationError(_l("Velg en av vekstklassene i listen."))

    def chosen_class(self) -> GrowthClass:
        return GrowthClass(self.growth_class.data)
