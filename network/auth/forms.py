from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from network.validators import EmailAddress

MIN_PASSWORD_LENGTH = 8


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-postadresse"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv e-postadressen din.")), EmailAddress(_l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Passord"),
        validators=[DataRequired(_l("Skriv passordet ditt."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nytt passord"),
        description=_l("Minst %(n)s tegn.", n=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(_l("Velg et passord.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_l("Passordet må ha minst %(n)s tegn.", n=MIN_PASSWORD_LENGTH)),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Gjenta passordet"),
        validators=[
            DataRequired(_l("Skriv passordet en gang til.")),
            EqualTo("password", _l("Passordene er ikke like.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-postadresse"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv e-postadressen din.")), EmailAddress(_l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."))],
        render_kw={"autocomplete": "email"},
    )
