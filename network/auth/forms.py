from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from network.auth import password_policy
from network.validators import EmailAddress

MIN_PASSWORD_LENGTH = password_policy.MIN_LENGTH


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
    """``person`` is who the password is for: it may not contain their name or e-mail address."""

    password = PasswordField(
        _l("Nytt passord"),
        description=password_policy.HINT,
        validators=[
            DataRequired(_l("Velg et passord.")),
            Length(min=MIN_PASSWORD_LENGTH, max=password_policy.MAX_LENGTH,
                   message=_l("Passordet må ha minst %(n)s tegn.", n=MIN_PASSWORD_LENGTH)),
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

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field) -> None:
        person = self.person
        problem = password_policy.problem(field.data or "", email=person.email if person else None,
                                          name=person.name if person else None)
        if problem:
            raise ValidationError(problem)


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("E-postadresse"),
        filters=[strip],
        validators=[DataRequired(_l("Skriv e-postadressen din.")), EmailAddress(_l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no."))],
        render_kw={"autocomplete": "email"},
    )
