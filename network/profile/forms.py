from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from network.auth.forms import SetPasswordForm, strip
from network.auth.models import CONTACT_PREFERENCE_LABELS, ContactPreference
from network.validators import EmailAddress, PhoneNumber

CONTACT_MESSAGE = _l("Velg hvordan du vil bli kontaktet.")


class DetailsForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip], validators=[DataRequired(_l("Skriv navnet ditt.")), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    job_title = StringField(_l("Stilling"), filters=[strip], validators=[Optional(), Length(max=120)],
                            render_kw={"autocomplete": "organization-title"})
    phone = StringField(
        _l("Telefon"),
        description=_l("Norsk nummer med 8 sifre, eller + og landskode for et utenlandsk nummer."),
        filters=[strip],
        validators=[Optional(), PhoneNumber()],  # PhoneNumber refuses more than PHONE_MAX_LENGTH too
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    preferred_contact = RadioField(
        _l("Hvordan vil du helst bli kontaktet?"),
        description=_l("Vises sammen med kontaktopplysningene dine for de andre i nettverket."),
        choices=[],
        default=ContactPreference.EMAIL.value,
        validators=[InputRequired(CONTACT_MESSAGE),
                    AnyOf([kind.value for kind in ContactPreference], message=CONTACT_MESSAGE)],
        validate_choice=False,  # AnyOf gives the Norwegian message
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferred_contact.choices = [(kind.value, label) for kind, label in CONTACT_PREFERENCE_LABELS.items()]


class PasswordChangeForm(SetPasswordForm):
    """``person`` is who changes their password: the new one follows the same rules as a password
    set from a link (SetPasswordForm), and the current one must be theirs."""

    current_password = PasswordField(
        _l("Passordet du har nå"),
        validators=[DataRequired(_l("Skriv passordet du har nå."))],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, *args, person=None, check_current=None, **kwargs):
        super().__init__(*args, person=person, **kwargs)
        self.check_current = check_current

    def validate_current_password(self, field) -> None:
        if self.check_current is not None and not self.check_current(field.data or ""):
            raise ValidationError(_l("Passordet er feil."))

    def validate_password(self, field) -> None:
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Det nye passordet må være et annet enn det du har nå."))
        super().validate_password(field)


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("Ny e-postadresse"),
        description=_l("Vi sender en lenke hit. Adressen byttes når du åpner lenken."),
        filters=[strip],
        validators=[DataRequired(_l("Skriv den nye e-postadressen.")),
                    Length(max=254, message=_l("E-postadressen er for lang.")),
                    EmailAddress(_l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."))],
        render_kw={"autocomplete": "email"},
    )
    current_password = PasswordField(
        _l("Passordet ditt"),
        description=_l("For å være sikre på at det er du som ber om å bytte."),
        validators=[DataRequired(_l("Skriv passordet ditt."))],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, *args, check_current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_current = check_current

    def validate_current_password(self, field) -> None:
        if self.check_current is not None and not self.check_current(field.data or ""):
            raise ValidationError(_l("Passordet er feil."))


class ConfirmForm(FlaskForm):
    """The button on the page a confirmation link opens: mail scanners that follow links only GET."""



class _Day(DateField):
    """A date, with a Norwegian message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Skriv datoen som åååå-mm-dd, for eksempel 2027-06-30.")) from None


class ApiTokenForm(FlaskForm):
    """A new personal access token for the API: a name, the last day it works (at most a year
    ahead; the rule is in ``network/api/tokens.py``) and, if wanted, the one network it may read."""

    name = StringField(_l("Navn på nøkkelen"), filters=[strip],
                       description=_l("Så du kjenner den igjen, for eksempel «Power BI for fylket»."),
                       validators=[DataRequired(_l("Gi nøkkelen et navn.")),
                                   Length(max=80, message=_l("Navnet kan være høyst 80 tegn."))])
    expires_on = _Day(_l("Gyldig til og med"), description=_l("Høyst ett år fram i tid, som åååå-mm-dd."),
                      validators=[InputRequired(_l("Velg når nøkkelen slutter å virke."))])
    network_id = SelectField(_l("Nettverk"), choices=[], validate_choice=False,
                             description=_l("Du kan begrense nøkkelen til ett nettverk. Den ser aldri mer enn du selv ser."))
