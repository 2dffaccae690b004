from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, EmailField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from network.networks.models import NetworkStatus, RoleKind
from network.organisations.models import OrganisationKind
from network.validators import EmailAddress, OrgNumber, PhoneNumber, WebAddress

def strip(value):
    """Spaces around a pasted name or address are not part of it."""
    return value.strip() if isinstance(value, str) else value


EMAIL_MESSAGE = _l("Skriv en gyldig e-postadresse, for eksempel navn@ks.no.")
DATE_MESSAGE = _l("Skriv en gyldig dato.")


class NetworkForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Gi nettverket et navn.")), Length(max=200)])
    topic = StringField(_l("Tema"), validators=[DataRequired(_l("Skriv nettverkets tema.")), Length(max=200)])
    description = TextAreaField(_l("Beskrivelse"), validators=[Optional(), Length(max=5000)])
    framing = TextAreaField(
        _l("Faglig innramming"),
        description=_l("Utgangspunktet for arbeidet, og hva nettverket holder seg unna."),
        validators=[Optional(), Length(max=5000)],
    )
    starts_on = DateField(_l("Startdato"), validators=[Optional()])
    ends_on = DateField(_l("Sluttdato"), validators=[Optional()])
    ks_contact_name = StringField(_l("Kontaktperson i KS"), validators=[DataRequired(_l("Skriv navnet på kontaktpersonen i KS.")), Length(max=120)])
    ks_contact_email = EmailField(_l("E-post til kontaktpersonen"), filters=[strip], validators=[DataRequired(_l("Skriv e-postadressen til kontaktpersonen.")), EmailAddress(EMAIL_MESSAGE)])
    feedback_email = EmailField(
        _l("E-post for tilbakemeldinger"),
        description=_l("Tilbakemeldinger til KS sendes hit."),
        filters=[strip],
        validators=[DataRequired(_l("Skriv e-postadressen for tilbakemeldinger.")), EmailAddress(EMAIL_MESSAGE)],
    )
    feedback_from_visitors = BooleanField(
        _l("Besøkende som ikke er logget inn, kan sende tilbakemelding"),
        description=_l("Medlemmene av nettverket kan alltid sende tilbakemelding. Besøkende begrenses mot spam."),
    )
    status = SelectField(
        _l("Status"),
        choices=lambda: [(s.value, s.label) for s in NetworkStatus],  # translated per request, not at import
        default=NetworkStatus.PLANNED.value,
    )
    charge_late_cancellation = BooleanField(
        _l("Avmelding etter fristen faktureres"),
        description=_l("Gjelder avmeldinger etter samlingens frist. Den som ikke møter, faktureres alltid."),
        default=True,
    )
    reminder_days_before = IntegerField(
        _l("Påminnelse antall dager før en samling"),
        validators=[Optional(), NumberRange(min=0, max=60, message=_l("Velg et tall fra 0 til 60."))],
        default=7,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [(s.value, s.label) for s in NetworkStatus]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Sluttdatoen kan ikke være før startdatoen."))


class MemberSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Søk etter kommune eller organisasjon"), description=_l("Navn eller kommunenummer, for eksempel Hamar eller 3403."), validators=[Optional(), Length(max=100)])


class AddMemberForm(FlaskForm):
    organisation_id = HiddenField(validators=[DataRequired()])


class NewOrganisationForm(FlaskForm):
    name = StringField(_l("Navn på organisasjonen"), validators=[DataRequired(_l("Skriv navnet på organisasjonen.")), Length(max=120)])
    kind = SelectField(_l("Type"), choices=[])
    county_id = SelectField(_l("Fylke"), choices=[], validators=[Optional()])
    org_number = StringField(
        _l("Organisasjonsnummer"),
        filters=[lambda value: "".join(value.split()) if value else value],  # "970 540 008" is stored as 970540008
        validators=[Optional(), OrgNumber()],
    )

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in OrganisationKind if k is not OrganisationKind.MUNICIPALITY]
        self.county_id.choices = [("", _l("Ingen"))] + [(str(c.id), c.name) for c in counties]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a choice of several. "At least one" is the server's rule, said in Norwegian on
    the form: ``required`` on each box would make the browser ask, in its own language, for every
    box to be ticked."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __iter__(self):
        for option in super().__iter__():
            option.flags.required = False
            yield option


class InviteForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv navnet på personen.")), Length(max=120)])
    email = EmailField(_l("E-postadresse"), filters=[strip], validators=[DataRequired(_l("Skriv e-postadressen.")), EmailAddress(EMAIL_MESSAGE)])
    job_title = StringField(_l("Stilling"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Telefon"), description=_l("Norsk nummer med 8 sifre, eller + og landskode for et utenlandsk nummer."),
                        filters=[strip], validators=[Optional(), PhoneNumber()],
                        render_kw={"inputmode": "tel"})
    organisation_id = SelectField(_l("Organisasjon"), choices=[], validators=[DataRequired(_l("Velg organisasjon."))])
    roles = MultiCheckboxField(_l("Roller"), choices=[], validators=[DataRequired(_l("Velg minst én rolle."))])
    # Sent by the "Send invitasjonen på nytt" button, shown when the person was invited before.
    resend = BooleanField(_l("Send invitasjonen på nytt"))

    def __init__(self, *args, organisations=(), roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        # An empty first choice: nobody is invited to the first organisation in the list by mistake.
        self.organisation_id.choices = [("", _l("Velg organisasjon"))] + [(str(o.id), o.name) for o in organisations]
        self.roles.choices = [(r.value, r.label) for r in RoleKind if r in roles]


class AnchoringForm(FlaskForm):
    """The executive is chosen among the municipality's people with the executive role; the name
    is typed only when nobody there has that role (``use_people`` decides which field is asked)."""

    executive_id = SelectField(
        _l("Kommunedirektør"), choices=[], validate_choice=False,
        description=_l("Personene fra kommunen som har rollen kommunedirektør i nettverket."),
    )
    executive_name = StringField(_l("Kommunedirektørens navn"), validators=[Length(max=120)])
    decided_on = DateField(_l("Dato for beslutningen"), validators=[DataRequired(DATE_MESSAGE)])
    note = TextAreaField(_l("Notat"), description=_l("For eksempel saksnummer eller hvordan deltakelsen ble besluttet."), validators=[Optional(), Length(max=2000)])
    document_url = URLField(
        _l("Lenke til dokument"),
        description=_l("Lenke til vedtaket eller saken i kommunens arkiv, hvis den finnes."),
        validators=[Optional(), WebAddress(message=_l("Skriv en fullstendig lenke som begynner med https://.")), Length(max=500)],
    )

    def __init__(self, *args, executives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.executives = {str(person.id): person for person in executives}
        self.executive_id.choices = [("", _l("Velg kommunedirektør"))] + [(key, p.name) for key, p in self.executives.items()]

    @property
    def use_people(self) -> bool:
        return bool(self.executives)

    def validate_executive_id(self, field):
        if self.use_people and field.data not in self.executives:
            raise ValidationError(_l("Velg kommunedirektøren (rådmannen)."))

    def validate_executive_name(self, field):
        if not self.use_people and not (field.data or "").strip():
            raise ValidationError(_l("Skriv navnet på kommunedirektøren (rådmannen)."))


class EmptyForm(FlaskForm):
    """For POST-only buttons: carries the CSRF token."""
