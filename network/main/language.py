"""Which language a page and a mail are in: bokmål, nynorsk or English (issue 14).

A signed-in person's choice is kept on them (``Person.language``), a visitor's in the session; on
a first visit the browser's ``Accept-Language`` decides (``no`` and ``nb-NO`` are bokmål), and
bokmål when it names none of the three. Mail follows the recipient's choice, whoever sends it
(``outbox.services.queue_mail``), so a reminder run from cron goes out in each person's language.
"""
from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

SESSION_KEY = "lang"
# Each language named in itself, as a language menu names them; not translated.
NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}
# What browsers send, mapped onto the three: Norwegian without a written standard is bokmål.
_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "eng": "en"}
# The locale Babel formats dates and numbers in: English as written in Britain ("10 February
# 2027"), not the United States. Its catalogue is still ``en`` (gettext looks for en_GB, then en).
_LOCALES = {"en": "en_GB"}


def supported() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def known(code: str | None) -> str | None:
    """``code`` as one of the supported languages, or None."""
    if not code:
        return None
    code = code.lower().replace("_", "-").split("-")[0]
    code = _ALIASES.get(code, code)
    return code if code in supported() else None


def from_browser() -> str | None:
    for value, _quality in request.accept_languages:  # best first
        code = known(value)
        if code:
            return code
    return None


def babel_locale(code: str) -> str:
    return _LOCALES.get(code, code)


def select_locale() -> str:
    """The language of this request's pages: the person's choice, the session's, the browser's."""
    if request:
        if current_user and not current_user.is_anonymous:
            chosen = known(getattr(current_user, "language", None))
            if chosen:
                return babel_locale(chosen)
        chosen = known(session.get(SESSION_KEY)) or from_browser()
        if chosen:
            return babel_locale(chosen)
    return babel_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def for_person(person) -> str:
    """The language of mail to ``person``: their choice, else bokmål (a mail has no browser)."""
    return known(getattr(person, "language", None)) or current_app.config["BABEL_DEFAULT_LOCALE"]
