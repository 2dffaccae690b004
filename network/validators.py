"""Form validators shared by the capabilities."""
from __future__ import annotations

from urllib.parse import urlsplit

import phonenumbers
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


# --- phone numbers -------------------------------------------------------------------------
# Checked with Google's libphonenumber (the ``phonenumbers`` package): a Norwegian number is 8
# digits, with or without +47 or 0047; any other country's number needs its + and country code.
# Stored in E.164 (+4791234567), so the same number is never stored two ways.

PHONE_MESSAGE = _l("Skriv et gyldig telefonnummer: 8 sifre for et norsk nummer (for eksempel 912 34 567), "
                   "eller + og landskode for et utenlandsk (for eksempel +46 70 123 45 67).")
PHONE_REGION = "NO"
PHONE_MAX_LENGTH = 30  # typed, with spaces; E.164 itself is at most 16 characters


def _parsed_phone(value: str | None):
    text = (value or "").strip()
    if not text or len(text) > PHONE_MAX_LENGTH:
        return None
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def is_phone_number(value: str | None) -> bool:
    """The rule of ``PhoneNumber``: empty is no number, and not a valid one."""
    return _parsed_phone(value) is not None


def normalise_phone(value: str | None) -> str | None:
    """The number in E.164 (+4791234567), or None when empty or not a valid number."""
    number = _parsed_phone(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else None


def format_phone(value: str | None) -> str:
    """A stored number as people write it: Norwegian ones without +47 (91 23 45 67), others with
    their country code (+46 70 123 45 67). Text that is no valid number is shown as it is."""
    number = _parsed_phone(value)
    if number is None:
        return value or ""
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 47
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


class PhoneNumber:
    """A Norwegian or international phone number (``is_phone_number``); use with ``Optional()`` when
    the number may be left out. Services store ``normalise_phone(field.data)``."""

    def __init__(self, message: str | None = None):
        self.message = message or PHONE_MESSAGE

    def __call__(self, form, field) -> None:
        if not is_phone_number(field.data):
            raise ValidationError(self.message)


# --- organisation numbers ------------------------------------------------------------------
# Enhetsregisteret's 9-digit number: the last digit is a mod-11 check digit over the first eight
# with the weights 3, 2, 7, 6, 5, 4, 3, 2 (remainder 0 gives 0; remainder 1 means no valid number
# exists with those eight digits). Typed with spaces ("970 540 008") is fine; stored without.

ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
ORG_NUMBER_MESSAGE = _l("Organisasjonsnummeret må ha 9 sifre og et gyldig kontrollsiffer, for eksempel 970 540 008. "
                        "Sjekk nummeret i Enhetsregisteret (Brønnøysundregistrene).")


def normalise_org_number(value: str | None) -> str | None:
    """The 9 digits without spaces, or None when ``value`` is no valid organisation number."""
    digits = "".join((value or "").split())
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return None
    remainder = sum(int(d) * w for d, w in zip(digits, ORG_NUMBER_WEIGHTS)) % 11
    if remainder == 1:
        return None
    check = 0 if remainder == 0 else 11 - remainder
    return digits if int(digits[8]) == check else None


def is_org_number(value: str | None) -> bool:
    return normalise_org_number(value) is not None


class OrgNumber:
    """A valid organisation number (``is_org_number``); use with ``Optional()`` when it may be
    left out. Services store ``normalise_org_number(field.data)``."""

    def __init__(self, message: str | None = None):
        self.message = message or ORG_NUMBER_MESSAGE

    def __call__(self, form, field) -> None:
        if not is_org_number(field.data):
            raise ValidationError(self.message)
