from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, DateTimeLocalField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from network.gatherings.models import DEFAULT_DAY_PRICE
from network.main.formatting import long_date
from network.networks.forms import MultiCheckboxField

OSLO = ZoneInfo("Europe/Oslo")


def to_utc(local: datetime | None) -> datetime | None:
    """A time typed in the form is Norwegian local time."""
    return local.replace(tzinfo=OSLO).astimezone(ZoneInfo("UTC")) if local else None


def to_local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(OSLO).replace(tzinfo=None) if moment else None


class ClockField(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Skriv klokkeslettet som TT:MM, for eksempel 09:30."))) from None


class LocalDateTimeField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Skriv dato og klokkeslett, for eksempel 01.03.2031 kl. 12:00."))) from None


class GatheringForm(FlaskForm):
    # No number field: gatherings are numbered by date (services.renumber).
    title = StringField(_l("Tittel"), validators=[DataRequired(_l("Gi samlingen en tittel.")), Length(max=200)])
    theme = TextAreaField(_l("Tema"), validators=[Optional(), Length(max=3000)])
    venue = StringField(_l("Sted"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Adresse"), validators=[Optional(), Length(max=300)])
    capacity = IntegerField(_l("Kapasitet (antall plasser)"), description=_l("La stå tomt hvis det ikke er noen grense."),
                            validators=[Optional(), NumberRange(min=1, max=10000, message=_l("Kapasiteten må være minst 1."))])
    price_per_day = DecimalField(_l("Pris per dagpakke (kr)"), places=2, default=DEFAULT_DAY_PRICE,
                                 validators=[DataRequired(_l("Skriv prisen per dagpakke.")), NumberRange(min=Decimal("0"), max=Decimal("100000"), message=_l("Prisen kan ikke være negativ."))])
    registration_opens_at = LocalDateTimeField(_l("Påmeldingen åpner"), validators=[Optional()])
    registration_closes_at = LocalDateTimeField(_l("Påmeldingsfrist"), validators=[Optional()])
    cancellation_deadline = LocalDateTimeField(_l("Frist for avmelding uten kostnad"), validators=[Optional()])


class NewGatheringForm(GatheringForm):
    first_day = DateField(_l("Første dag"), validators=[InputRequired(_l("Skriv datoen for første dag."))])
    starts_at = ClockField(_l("Starter kl."), validators=[InputRequired(_l("Skriv når dagen starter."))])
    ends_at = ClockField(_l("Slutter kl."), validators=[InputRequired(_l("Skriv når dagen slutter."))])


class DayForm(FlaskForm):
    day = DateField(_l("Dato"), validators=[InputRequired(_l("Skriv datoen."))])
    starts_at = ClockField(_l("Starter kl."), validators=[InputRequired(_l("Skriv når dagen starter."))])
    ends_at = ClockField(_l("Slutter kl."), validators=[InputRequired(_l("Skriv når dagen slutter."))])


class StatusForm(FlaskForm):
    status = SelectField(_l("Ny status"), choices=[])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, s.label) for s in choices]


class RegistrationForm(FlaskForm):
    person_id = HiddenField()
    days = MultiCheckboxField(_l("Dager du deltar"), coerce=int, validators=[DataRequired(_l("Velg minst én dag."))])
    diet = StringField(_l("Kosthold"), description=_l("For eksempel vegetar eller halal."), validators=[Optional(), Length(max=300)])
    allergies = StringField(_l("Allergier"), validators=[Optional(), Length(max=300)])
    accessibility = StringField(_l("Behov for tilrettelegging"), description=_l("For eksempel rullestoltilgang eller teleslynge."), validators=[Optional(), Length(max=500)])
    comment = TextAreaField(_l("Kommentar"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, gathering=None, **kwargs):
        super().__init__(*args, **kwargs)
        if gathering is not None:
            self.days.choices = [(day.id, long_date(day.day)) for day in gathering.days]



class TeamRegistrationForm(FlaskForm):
    """Several people from one municipality, the same days, in one step."""

    organisation_id = HiddenField()
    people = MultiCheckboxField(_l("Hvem skal være med?"), coerce=int,
                                validators=[DataRequired(_l("Kryss av minst én person."))])
    days = MultiCheckboxField(_l("Dager de deltar"), coerce=int, validators=[DataRequired(_l("Velg minst én dag."))])

    def __init__(self, *args, gathering=None, people=(), me=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people.choices = [(member.person.id, member_label(member, me)) for member in people]
        if gathering is not None:
            self.days.choices = [(day.id, long_date(day.day)) for day in gathering.days]


def member_label(member, me=None) -> str:
    """«Kari Nordmann (deg) – kontaktperson»: the name and the roles in the network."""
    name = member.person.name
    if me is not None and member.person.id == me.id:
        name = str(_l("%(name)s (deg)", name=name))
    roles = ", ".join(str(role.label).lower() for role in member.roles)
    return f"{name} – {roles}" if roles else name
