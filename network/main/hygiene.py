"""Input hygiene for every request: what reaches a form or a query must be text the database and
the outputs (mail headers, .ics, HTML) can hold. Registered by the application factory.

One place for all of it, so no view has to remember:

- every form and query value (and key, and upload name) loses NUL and the other control characters
  but tab, newline and carriage return (PostgreSQL refuses NUL in text, RFC 5545 and mail headers
  refuse the rest);
- ``request.args.get(name, type=int)`` and the ``int`` URL converter only give integers the
  database can hold, so a huge id is "not found", never an ``OverflowError`` or ``DataError``;
- every WTForms integer field refuses numbers out of that range with a Norwegian message, and every
  single-line text field (not a text area) gets its newlines turned into spaces, so a title can't
  carry a line break into a mail header or an .ics;
- a lazy translation string is text in a template, not markup: Flask-Babel's ``LazyString`` says it
  is safe HTML, so ``_l("Samling %(n)s: %(title)s", title=…)`` would put a user's title unescaped
  into the page.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation

# Integer columns are PostgreSQL's ``integer``: 32 bits, signed.
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
# C0 controls but tab, LF and CR, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Whatever a mail header, an .ics line or Python's ``splitlines`` takes for a line break.
LINE_BREAKS = re.compile(r"[ \t]*[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+[ \t]*")
OUT_OF_RANGE = _l("Tallet er for stort eller for lite.")


def clean(value: str) -> str:
    """``value`` without control characters (tab and line breaks stay)."""
    return CONTROL_CHARACTERS.sub("", value)


def one_line(value: str) -> str:
    """``value`` on one line: each line break, with the blanks around it, becomes one space."""
    return LINE_BREAKS.sub(" ", clean(value))


def in_range(number: int) -> bool:
    return INT_MIN <= number <= INT_MAX


def parse_id(value: Any) -> int | None:
    """A positive id the database can hold, from text; ``None`` for anything else."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= INT_MAX else None


# --- forms and queries ----------------------------------------------------------------------


def _bounded(type_: Callable | None) -> Callable | None:
    if type_ is not int:
        return type_

    def bounded_int(value: str) -> int:
        number = int(value) if len(value) <= 20 else None  # never parse a million digits
        if number is None or not in_range(number):
            raise ValueError(value)
        return number

    return bounded_int


def _clean_item(key: Any, value: Any) -> tuple[Any, Any]:
    if isinstance(key, str):
        key = clean(key)
    if isinstance(value, str):
        value = clean(value)
    elif isinstance(value, FileStorage) and value.filename:
        value.filename = one_line(value.filename)
    return key, value


def _items(mapping: Any) -> Iterable[tuple[Any, Any]]:
    if mapping is None:
        return ()
    if isinstance(mapping, MultiDict):
        return mapping.items(multi=True)
    if isinstance(mapping, dict):
        return ((key, item) for key, value in mapping.items()
                for item in (value if isinstance(value, (list, tuple)) else [value]))
    return mapping


class CleanMultiDict(ImmutableMultiDict):
    """The request's storage for query, form and file values: cleaned as they are parsed, and
    ``get(…, type=int)`` gives the default for integers the database can't hold."""

    def __init__(self, mapping: Any = None):
        super().__init__([_clean_item(key, value) for key, value in _items(mapping)])

    def get(self, key, default=None, type=None):  # noqa: A002  (Werkzeug's name)
        return super().get(key, default, _bounded(type))

    def getlist(self, key, type=None):  # noqa: A002
        return super().getlist(key, _bounded(type))


class CleanRequest(Request):
    parameter_storage_class = CleanMultiDict


# --- addresses ------------------------------------------------------------------------------


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` only matches ids the database can hold; a longer number is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > 11:  # int() of a very long string is slow, and refused past 4,300 digits
            raise ValidationError()
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """The default converter, without control characters: ``/examples/%00`` is a 404."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]", 1)


# --- WTForms --------------------------------------------------------------------------------


def _one_line_filter(value: Any) -> Any:
    return one_line(value) if isinstance(value, str) else value


def _within_database_range(form, field) -> None:
    if isinstance(field.data, int) and not in_range(field.data):
        field.errors[:] = []
        raise StopValidation(str(OUT_OF_RANGE))


def harden_field(field):
    """Newlines out of single-line text; integers kept to what the database holds."""
    if isinstance(field, StringField) and not isinstance(field, (TextAreaField, PasswordField)):
        field.filters = (_one_line_filter, *field.filters)
    if isinstance(field, IntegerField):
        # First, so no later validator (or a query it makes) ever sees the huge number.
        field.validators = [_within_database_range, *field.validators]
    return field


_original_bind_field = DefaultMeta.bind_field


def _bind_field(self, form, unbound_field, options):
    return harden_field(_original_bind_field(self, form, unbound_field, options))


# --- templates ------------------------------------------------------------------------------


def _lazy_string_as_text(self) -> Markup:
    return escape(str(self))


def register(app: Flask) -> None:
    """Hook the app's input hygiene in; see the module docstring."""
    app.request_class = CleanRequest
    # Before any blueprint adds its rules: converters are looked up when a rule is added.
    app.url_map.converters.update(int=BoundedIntegerConverter, default=TextConverter, string=TextConverter)
    # Every form (FlaskForm and the plain WTForms subforms of FieldList/FormField) binds its
    # fields through DefaultMeta; the same function every time, so a second app changes nothing.
    DefaultMeta.bind_field = _bind_field
    LazyString.__html__ = _lazy_string_as_text
