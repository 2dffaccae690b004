"""Forms for feedback to KS and the coordinators' inbox. The rules themselves are in ``services``;
the forms ask them, so every bad field is reported at once."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from network.feedback import services
from network.feedback.models import FEEDBACK_TEXT_MAX, FeedbackStatus, FeedbackTopic
from network.feedback.services import FeedbackError
from network.validators import EmailAddress


def strip(value):
    return value.strip() if isinstance(value, str) else value


def one_line(value):
    """A name is one line: no line breaks or other control characters."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def clean_text(value):
    """Browsers send line breaks as CRLF; counted as one character, as the reader sees them."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


TEXT_LENGTH = Length(max=FEEDBACK_TEXT_MAX, message=_l("Teksten kan være høyst %(max)s tegn.", max=FEEDBACK_TEXT_MAX))


def _text(label, description):
    return TextAreaField(label, description=description, filters=[clean_text], validators=[Optional(), TEXT_LENGTH],
                         render_kw={"rows": 5, "maxlength": FEEDBACK_TEXT_MAX})


def _int_or_none(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 10 else None


class FeedbackForm(FlaskForm):
    topic = SelectField(_l("Hva gjelder tilbakemeldingen?"), choices=[], validate_choice=False)
    gathering_id = SelectField(_l("Samling"), choices=[], validate_choice=False,
                               description=_l("Velg samlingen hvis tilbakemeldingen gjelder en samling."))
    slide_set_id = SelectField(_l("Lysarksett"), choices=[], validate_choice=False,
                               description=_l("Velg lysarksettet hvis tilbakemeldingen gjelder lysarkene."))
    works = _text(_l("Hva fungerer?"), _l("Det som er nyttig, og som KS bør fortsette med."))
    does_not_work = _text(_l("Hva fungerer ikke?"), _l("Det som er vanskelig, mangler eller kan droppes."))
    suggestion = _text(_l("Forslag"), _l("Hvordan KS kan gjøre det bedre."))
    attachment = FileField(_l("Vedlegg"))
    anonymous = BooleanField(_l("Send anonymt"))
    name = StringField(_l("Navnet ditt"), filters=[one_line], render_kw={"autocomplete": "name"},
                       validators=[Optional(), Length(max=services.NAME_MAX, message=_l(
                           "Navnet kan være høyst %(max)s tegn.", max=services.NAME_MAX))])
    email = EmailField(_l("E-postadressen din"), filters=[strip], render_kw={"autocomplete": "email"},
                       description=_l("Bare slik at KS kan svare deg."),
                       validators=[Optional(), Length(max=services.EMAIL_MAX)])
    # The honeypot: hidden from people, filled in by robots. See the template.
    website = StringField(_l("La dette feltet stå tomt"),
                          render_kw={"autocomplete": "off", "tabindex": "-1"})

    def __init__(self, *args, visitor: bool, gatherings=(), slide_sets=(), max_mb: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _("Velg hva den gjelder"))] + [(t.value, t.label) for t in FeedbackTopic]
        self.gatherings = {g.id: g for g in gatherings}
        self.slide_sets = {s.id: s for s in slide_sets}
        if gatherings:
            self.gathering_id.choices = [("", _("Ingen bestemt samling"))] + [
                (str(g.id), _("Samling %(number)s: %(title)s", number=g.number, title=g.title)) for g in gatherings]
        else:
            del self.gathering_id
        if slide_sets:
            self.slide_set_id.choices = [("", _("Ikke et bestemt sett"))] + [
                (str(s.id), _("%(title)s (tilpasset av %(name)s)", title=s.title, name=s.organisation.name)
                 if s.organisation else s.title) for s in slide_sets]
        else:
            del self.slide_set_id
        if not visitor:
            del self.name
            del self.email
        kinds = ", ".join(kind.label for kind in services.ATTACHMENT_KINDS)
        self.attachment.description = _(
            "Valgfritt, for eksempel lysark dere har laget selv. Tillatte filtyper: %(kinds)s. "
            "Største størrelse: %(mb)s MB. Sender du anonymt, fjerner vi opplysninger om forfatter, "
            "organisasjon og kommentarer fra filen før den lagres.", kinds=kinds, mb=max_mb)
        self.attachment.render_kw = {"accept": ",".join(e for kind in services.ATTACHMENT_KINDS for e in kind.extensions)}

    @property
    def is_spam(self) -> bool:
        return bool((self.website.data or "").strip())

    def validate_topic(self, field):
        if field.data not in {t.value for t in FeedbackTopic}:
            raise ValidationError(_l("Velg hva tilbakemeldingen gjelder."))

    def validate_gathering_id(self, field):
        if field.data and _int_or_none(field.data) not in self.gatherings:
            raise ValidationError(_l("Velg en samling fra listen."))

    def validate_slide_set_id(self, field):
        if field.data and _int_or_none(field.data) not in self.slide_sets:
            raise ValidationError(_l("Velg et lysarksett fra listen."))

    def validate_name(self, field):
        if not self.anonymous.data and not field.data:
            raise ValidationError(_l("Skriv navnet ditt, eller send anonymt."))

    def validate_email(self, field):
        if self.anonymous.data:
            return
        if not field.data:
            raise ValidationError(_l("Skriv e-postadressen din, eller send anonymt."))
        EmailAddress(_l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."))(self, field)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any(getattr(self, name).errors for name in services.TEXT_FIELDS):
            try:
                services.check_texts(*(getattr(self, name).data or "" for name in services.TEXT_FIELDS))
            except FeedbackError as error:
                getattr(self, error.field).errors.append(str(error))
                valid = False
        return valid

    def show_error(self, error: FeedbackError) -> None:
        target = getattr(self, error.field, None) if error.field else None
        if target is not None:
            target.errors = [*target.errors, str(error)]
        else:
            self.form_errors.append(str(error))

    @property
    def chosen_topic(self) -> FeedbackTopic:
        return FeedbackTopic(self.topic.data)

    @property
    def chosen_gathering(self):
        return self.gatherings.get(_int_or_none(self.gathering_id.data)) if "gathering_id" in self else None

    @property
    def chosen_slide_set(self):
        return self.slide_sets.get(_int_or_none(self.slide_set_id.data)) if "slide_set_id" in self else None


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="status", **kwargs)
        self.status.choices = [(s.value, s.label) for s in FeedbackStatus]

    def validate_status(self, field):
        if field.data not in {s.value for s in FeedbackStatus}:
            raise ValidationError(_l("Velg en status fra listen."))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Nytt notat"), filters=[clean_text], render_kw={"rows": 3, "maxlength": services.NOTE_MAX},
                         description=_l("Notatene er bare for koordinatorene. Avsenderen ser dem aldri."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="note", **kwargs)


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Svaret ditt"), filters=[clean_text], render_kw={"rows": 6, "maxlength": services.REPLY_MAX})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="reply", **kwargs)


class InboxFilterForm(FlaskForm):
    """A GET form: works without JavaScript, and every choice stays in the address."""

    class Meta:
        csrf = False

    topic = SelectField(_l("Emne"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)

    def __init__(self, formdata, **kwargs):
        super().__init__(formdata, **kwargs)
        self.topic.choices = [("", _("Alle emner"))] + [(t.value, t.label) for t in FeedbackTopic]
        self.status.choices = [("", _("Alle statuser"))] + [(s.value, s.label) for s in FeedbackStatus]

    @property
    def chosen_topic(self) -> FeedbackTopic | None:
        """Anything else (an edited address) is left out rather than refused."""
        try:
            return FeedbackTopic(self.topic.data) if self.topic.data else None
        except ValueError:
            return None

    @property
    def chosen_status(self) -> FeedbackStatus | None:
        try:
            return FeedbackStatus(self.status.data) if self.status.data else None
        except ValueError:
            return None
