"""Forms for the programme and materials. The rules themselves are in ``services``."""
from __future__ import annotations

import re
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import AnyOf, DataRequired, Length, Optional
from wtforms.widgets import TimeInput

from network.gatherings.models import Gathering, WorkingMethod
from network.main.formatting import long_date
from network.main.hygiene import parse_id


def strip(value):
    return value.strip() if isinstance(value, str) else value


class ClockField(StringField):
    """A time of day, "09:30" or "9.30" (Norwegian often writes a full stop)."""

    widget = TimeInput()

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::\d{2})?", raw)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(_("Skriv klokkeslettet som tt:mm, for eksempel 09:30."))
        self.data = time(int(match.group(1)), int(match.group(2)))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%H:%M") if self.data else ""


def _chosen_id(value) -> int | None:
    """None for "none chosen"; a value that is no id becomes 0, which no row has, so the service refuses it."""
    value = (value or "").strip()
    if not value:
        return None
    return parse_id(value) or 0


def day_choices(gathering: Gathering) -> list[tuple[str, str]]:
    return [("", _("Ingen bestemt dag"))] + [
        (str(day.id), _("Dag %(n)s: %(date)s", n=n, date=long_date(day.day))) for n, day in enumerate(gathering.days, 1)
    ]


class ProgrammeItemForm(FlaskForm):
    title = StringField(_l("Tittel"), filters=[strip], validators=[
        DataRequired(_l("Skriv en tittel på programpunktet.")),
        Length(max=200, message=_l("Tittelen kan være høyst 200 tegn.")),
    ])
    # The service checks that the day belongs to this gathering.
    day_id = SelectField(_l("Dag"), choices=[], validate_choice=False)
    starts_at = ClockField(_l("Klokkeslett"), description=_l("Når punktet begynner, for eksempel 09:30."))
    presenter = StringField(_l("Innleder"), filters=[strip], description=_l("Hvem som holder innlegget eller leder økten."),
                            validators=[Optional(), Length(max=200, message=_l("Navnet kan være høyst 200 tegn."))])
    method = SelectField(_l("Arbeidsform"), choices=[], validate_choice=False,
                         validators=[AnyOf([m.value for m in WorkingMethod], message=_l("Velg en arbeidsform."))])
    description = TextAreaField(_l("Kort beskrivelse"), filters=[strip], validators=[
        Optional(), Length(max=1000, message=_l("Beskrivelsen kan være høyst 1000 tegn."))])

    def __init__(self, *args, gathering: Gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.day_id.choices = day_choices(gathering)
        # A required list starts with an empty choice (HTML: a required <select> has a placeholder option).
        self.method.choices = [("", _("Velg arbeidsform"))] + [(m.value, m.label) for m in WorkingMethod]

    @property
    def chosen_day_id(self) -> int | None:
        return _chosen_id(self.day_id.data)


class MaterialForm(FlaskForm):
    title = StringField(_l("Tittel"), filters=[strip], description=_l("Teksten som vises. Står den tom for en fil, brukes filnavnet."),
                        validators=[Optional(), Length(max=200, message=_l("Tittelen kan være høyst 200 tegn."))])
    # The service checks that the item belongs to this gathering.
    attach_to = SelectField(_l("Gjelder"), choices=[], validate_choice=False)
    url = URLField(_l("Lenke"), filters=[strip], description=_l("En fullstendig adresse som begynner med https://."))
    file = FileField(_l("Eller last opp en fil"))

    def __init__(self, *args, gathering: Gathering, items, kinds: str, extensions: str, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.attach_to.choices = [("", _("Hele samlingen"))] + [
            (str(item.id), _("Programpunkt: %(title)s", title=item.title)) for item in items
        ]
        self.file.description = _("Tillatte filtyper: %(kinds)s. Største størrelse: %(mb)s MB.", kinds=kinds, mb=max_mb)
        # A hint for the browser's file picker only; the server judges the file by its bytes.
        self.file.render_kw = {"accept": extensions}

    @property
    def chosen_item_id(self) -> int | None:
        return _chosen_id(self.attach_to.data)


class ActionForm(FlaskForm):
    """For POST-only buttons: carries the CSRF token."""


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])
