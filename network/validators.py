"""Form validators shared by the capabilities."""
from __future__ import annotations

from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError


class EmailAddress:
    """A syntactically valid address. No DNS look-up (the app must work offline), and the
    reserved ``.test`` domain is allowed so that demo accounts work."""

    def __init__(self, message: str | None = None):
        self.message = message or _l("Skriv en gyldig e-postadresse, for eksempel navn@kommune.no.")

    def __call__(self, form, field) -> None:
        if not is_email_address(field.data):
            raise ValidationError(self.message)


class WebAddress:
    """A full http(s) address (``is_web_address``): javascript:, data: and bare words are refused."""

    def __init__(self, message: str | None = None):
        self.message = message or _l("Skriv en fullstendig lenke som begynner med https://.")

    def __call__(self, form, field) -> None:
        if not is_web_address(field.data):
            raise ValidationError(self.message)


def is_email_address(address: str | None) -> bool:
    """The rule of ``EmailAddress``, for code that checks values outside a form (an archive's import)."""
    try:
        validate_email(address or "", check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


def is_web_address(url: str | None) -> bool:
    """A full http(s) address with a host and no spaces. Everything else (javascript:, data:, file:,
    a bare word) is refused on save and never rendered as a link: it could run in the reader's browser."""
    url = url or ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return bool(host) and parts.scheme.lower() in ("http", "https") and not any(c.isspace() for c in url)
