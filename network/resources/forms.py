"""Forms for the shared resources. The rules themselves are in ``services``; the forms ask them,
so a bad field is reported together with the others."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from network.resources import services
from network.resources.models import ReportKind
from network.resources.services import ResourceError


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _ask(rule, value) -> None:
    try:
        rule(value)
    except ResourceError as error:
        raise ValidationError(str(error)) from None


def _length(maximum: int, message) -> Length:
    return Length(max=maximum, message=message)


class SlideSetForm(FlaskForm):
    title = StringField(_l("Tittel"), filters=[strip], validators=[
        DataRequired(_l("Skriv en tittel på lysarksettet.")),
        _length(services.TITLE_MAX, _l("Tittelen kan være høyst %(max)s tegn.", max=services.TITLE_MAX)),
    ])
    description = TextAreaField(
        _l("Beskrivelse"), filters=[strip],
        description=_l("Hva settet handler om, og hvem det passer for. Du kan bruke Markdown."),
        validators=[Optional(), _length(services.DESCRIPTION_MAX, _l("Beskrivelsen kan være høyst %(max)s tegn.",
                                                                       max=services.DESCRIPTION_MAX))],
        render_kw={"rows": 4},
    )
    file = FileField(_l("Fil med lysarkene"))
    remove_file = BooleanField(_l("Fjern filen som ligger der nå"))
    slides = TextAreaField(
        _l("Lysark og manus"),
        description=_l("Start hvert lysark med en linje som «## 1. Tittel på lysarket», og skriv manuset på "
                       "linjene under. Lysarkene nummereres i den rekkefølgen de står, så du flytter et lysark "
                       "ved å klippe og lime. Manuset kan skrives i Markdown; bruk «###» for mellomtitler."),
        render_kw={"rows": 24, "spellcheck": "true"},
    )

    def __init__(self, *args, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = ", ".join(kind.label for kind in services.SLIDE_FILES)
        self.file.description = _("Valgfritt. Tillatte filtyper: %(kinds)s. Største størrelse: %(mb)s MB.",
                                  kinds=kinds, mb=max_mb)
        # A hint for the browser's file picker only; the server judges the file by its bytes.
        self.file.render_kw = {"accept": ",".join(e for kind in services.SLIDE_FILES for e in kind.extensions)}

    def validate_slides(self, field) -> None:
        _ask(services.parse_slides, field.data)


class YearField(StringField):
    """A year as four digits; anything else is a clear message, and what was typed stays in the field."""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return
        if not re.fullmatch(r"\d{4}", raw):
            raise ValueError(_("Skriv årstallet med fire sifre, for eksempel 2019."))
        self.data = int(raw)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


KIND_VALUES = [kind.value for kind in ReportKind]


class ReportForm(FlaskForm):
    title = StringField(_l("Tittel"), filters=[strip], validators=[
        DataRequired(_l("Skriv tittelen på rapporten.")),
        _length(services.REPORT_TITLE_MAX, _l("Tittelen kan være høyst %(max)s tegn.", max=services.REPORT_TITLE_MAX)),
    ])
    publisher = StringField(_l("Utgiver eller oppdragsutfører"), filters=[strip], validators=[
        Optional(), _length(services.PUBLISHER_MAX, _l("Utgiveren kan være høyst %(max)s tegn.", max=services.PUBLISHER_MAX))])
    year = YearField(_l("Utgivelsesår"), render_kw={"inputmode": "numeric"})
    authors = StringField(_l("Forfattere"), filters=[strip], validators=[
        Optional(), _length(services.AUTHORS_MAX, _l("Forfatterfeltet kan være høyst %(max)s tegn.", max=services.AUTHORS_MAX))])
    kind = SelectField(_l("Type publikasjon"), choices=[], validate_choice=False,
                       validators=[AnyOf(KIND_VALUES, message=_l("Velg hva slags publikasjon det er."))])
    url = URLField(_l("Lenke"), filters=[strip], description=_l("Valgfritt. En fullstendig adresse som begynner med https://."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, kind.label) for kind in ReportKind]

    def validate_year(self, field) -> None:
        _ask(services.check_year, field.data)

    def validate_url(self, field) -> None:
        _ask(services.check_web_address, field.data)


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    kind = SelectField(_l("Type publikasjon"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _("Alle typer"))] + [(kind.value, kind.label) for kind in ReportKind]

    @property
    def chosen(self) -> ReportKind | None:
        return ReportKind(self.kind.data) if self.kind.data in KIND_VALUES else None


class EnvironmentForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip], validators=[
        DataRequired(_l("Skriv navnet på kompetansemiljøet.")),
        _length(services.NAME_MAX, _l("Navnet kan være høyst %(max)s tegn.", max=services.NAME_MAX)),
    ])
    offer = TextAreaField(
        _l("Hva de tilbyr"), filters=[strip],
        description=_l("Hva kommunene kan få hjelp til eller hente kunnskap om. Du kan bruke Markdown."),
        validators=[Optional(), _length(services.OFFER_MAX, _l("Beskrivelsen kan være høyst %(max)s tegn.",
                                                                 max=services.OFFER_MAX))],
        render_kw={"rows": 4},
    )
    url = URLField(_l("Nettsted"), filters=[strip], description=_l("Valgfritt. En fullstendig adresse som begynner med https://."))

    def validate_url(self, field) -> None:
        _ask(services.check_web_address, field.data)
