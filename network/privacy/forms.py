"""Forms for deletion requests and the export log's filters. The rules are in ``services``."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from network.privacy.models import ExportKind
from network.privacy.services import EXPORT_LOG_SORTS, REASON_MAX


def clean_text(value):
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class DeletionRequestForm(FlaskForm):
    """The confirmation step: the person ticks that they understand what deletion means."""

    confirm = BooleanField(
        _l("Jeg forstår at kontoen min slettes for godt, og at jeg ikke kan logge inn igjen."),
        validators=[DataRequired(_l("Kryss av for at du forstår hva sletting betyr, eller avbryt."))])


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Begrunnelse"), filters=[clean_text],
        description=_l("Hvorfor KS ikke kan slette kontoen nå. Begrunnelsen sendes til personen på e-post."),
        validators=[DataRequired(_l("Skriv hvorfor KS ikke sletter kontoen.")),
                    Length(max=REASON_MAX, message=_l("Begrunnelsen kan være høyst %(max)s tegn.", max=REASON_MAX))],
        render_kw={"rows": 3, "maxlength": REASON_MAX})

    def __init__(self, *args, request_id: int, **kwargs):
        super().__init__(*args, prefix=f"decline-{request_id}", **kwargs)


class ExportLogFilterForm(FlaskForm):
    """A GET form: works without JavaScript, and every choice stays in the address."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Hva"), choices=[], validate_choice=False)
    network = SelectField(_l("Nettverk"), choices=[], validate_choice=False)
    person = StringField(_l("Hvem (navn eller e-post)"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[Optional(), Length(max=120)])
    since = DateField(_l("Fra og med dato"), validators=[Optional()],
                      render_kw={"autocomplete": "off"})
    until = DateField(_l("Til og med dato"), validators=[Optional()], render_kw={"autocomplete": "off"})
    sort = SelectField(_l("Sorter etter"), choices=[], validate_choice=False)
    dir = SelectField(_l("Rekkefølge"), choices=[], validate_choice=False)

    def __init__(self, formdata, networks=(), **kwargs):
        super().__init__(formdata, **kwargs)
        self.kind.choices = [("", _("Alle"))] + [(kind.value, kind.label) for kind in ExportKind]
        self.network.choices = [("", _("Alle"))] + [(str(network.id), network.name) for network in networks]
        self.sort.choices = [("at", _("Tidspunkt")), ("person", _("Hvem")), ("kind", _("Hva")),
                             ("network", _("Nettverk"))]
        self.dir.choices = [("desc", _("Synkende (nyeste først)")), ("asc", _("Stigende (eldste først)"))]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("Til-datoen kan ikke være før fra-datoen."))

    @property
    def chosen_kind(self) -> ExportKind | None:
        try:
            return ExportKind(self.kind.data) if self.kind.data else None
        except ValueError:
            return None

    @property
    def chosen_network_id(self) -> int | None:
        value = self.network.data or ""
        return int(value) if value.isdigit() and len(value) < 10 else None

    @property
    def chosen_sort(self) -> str:
        return self.sort.data if self.sort.data in EXPORT_LOG_SORTS else "at"

    @property
    def descending(self) -> bool:
        return self.dir.data != "asc"
