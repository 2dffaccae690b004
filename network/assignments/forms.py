"""Forms for assignments and submissions. They only read what was typed; the rules are in ``services``."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField

from network.assignments.models import AssignmentMethod, Visibility
from network.assignments.services import gathering_label


def strip(value):
    return value.strip() if isinstance(value, str) else value


class DayField(DateField):
    """A date. Left empty it is None, with no error: the rules in ``services`` say whether it is needed."""

    def process_formdata(self, valuelist):
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Skriv datoen som åååå-mm-dd, for eksempel 2019-09-11.")) from None


MARKDOWN_HELP = _l("Du kan formatere teksten med Markdown. Se eksemplene under feltet.")


class AssignmentForm(FlaskForm):
    title = StringField(_l("Tittel"), filters=[strip])
    method = RadioField(_l("Arbeidsform"), choices=[], validate_choice=False)
    description = TextAreaField(_l("Beskrivelse"), filters=[strip], description=MARKDOWN_HELP,
                                render_kw={"rows": 10})
    given_after_id = SelectField(_l("Gis på samling"), choices=[], validate_choice=False,
                                 description=_l("Samlingen der oppgaven deles ut."))
    presented_at_id = SelectField(_l("Legges fram på samling"), choices=[], validate_choice=False,
                                  description=_l("Samlingen der besvarelsene legges fram. Fristen må være før den."))
    due_on = DayField(_l("Frist"), description=_l("Besvarelser som leveres etter utgangen av denne dagen, merkes som levert for sent."))
    visibility = RadioField(_l("Hvem kan lese besvarelsene"), choices=[], validate_choice=False)
    grouping_id = SelectField(_l("Gruppeinndeling"), choices=[], validate_choice=False,
                              description=_l("Trengs når bare kommunene i samme gruppe skal lese hverandres besvarelser."))

    def __init__(self, *args, gatherings, groupings, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [(m.value, m.label) for m in AssignmentMethod]
        self.visibility.choices = [(v.value, v.label) for v in Visibility]
        gathering_choices = [("", _("Ingen bestemt samling"))] + [(str(g.id), gathering_label(g)) for g in gatherings]
        self.given_after_id.choices = gathering_choices
        self.presented_at_id.choices = list(gathering_choices)
        self.grouping_id.choices = [("", _("Ingen"))] + [(str(grouping.id), grouping.name) for grouping in groupings]


class SubmissionForm(FlaskForm):
    text = TextAreaField(_l("Besvarelsen"), description=MARKDOWN_HELP, render_kw={"rows": 16})
    # The version the text was loaded with: an older one means someone else saved in between.
    version = HiddenField()
    files = MultipleFileField(_l("Legg ved filer"))

    def __init__(self, *args, kinds: str, extensions: str, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.files.description = _("Du kan velge flere filer. Tillatte filtyper: %(kinds)s. Største størrelse per fil: %(mb)s MB.",
                                   kinds=kinds, mb=max_mb)
        # A hint for the browser's file picker only; the server judges each file by its bytes.
        self.files.render_kw = {"accept": extensions}

    @property
    def expected_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else None


class ActionForm(FlaskForm):
    """For POST-only buttons: carries the CSRF token."""
