"""The request's translations, looked up once per request instead of once per string.

Flask-Babel finds the catalogue for every ``_()`` again (the domain, the locale, its name as a
string, a dictionary): a page with a few thousand strings paid milliseconds for it. Flask-Babel
itself keeps ``babel_translations`` on its request context for this (``refresh()`` and
``force_locale()`` clear or swap it), so caching there follows its own rules for a locale change.
"""
from __future__ import annotations

import functools

import flask_babel
from babel import support
from flask import g, request
from flask_babel import Domain, get_locale
from flask_babel.speaklater import LazyString
from wtforms.i18n import messages_path as wtforms_messages_path


def _context():
    # Flask-Babel's request context (flask_babel._get_current_context), through the ``g`` proxy once.
    try:
        return getattr(g._get_current_object(), "_flask_babel", None)
    except RuntimeError:  # outside an app context
        return None


class RequestDomain(Domain):
    """The default domain, with the translations kept for the rest of the request."""

    def get_translations(self):
        ctx = _context()
        translations = getattr(ctx, "babel_translations", None) if ctx is not None else None
        if translations is None:
            translations = super().get_translations()
            if ctx is not None:
                ctx.babel_translations = translations
        return translations


def translations() -> support.NullTranslations:
    ctx = _context()
    cached = getattr(ctx, "babel_translations", None) if ctx is not None else None
    if cached is not None:
        return cached
    from flask_babel import get_translations

    return get_translations()


def _lazy_text(self) -> str:
    """``str()`` of a lazy string: an ``_l("…")`` goes straight to the request's catalogue (what
    Flask-Babel's gettext ends up doing, through the domain and context lookups, at about five
    times the cost); the site menu alone renders some thirty of them on every page."""
    if self._func is flask_babel.gettext and len(self._args) == 1:
        text = translations().ugettext(self._args[0])
        return text % self._kwargs if self._kwargs else text
    return str(self._func(*self._args, **self._kwargs))


# WTForms has no nynorsk catalogue: its bokmål is closer than its English.
WTFORMS_FALLBACK = {"nn": ["nn", "nb"]}


@functools.cache
def _wtforms_catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(wtforms_messages_path(), WTFORMS_FALLBACK.get(locale, [locale]), domain="wtforms")


class WtformsCatalogue:
    """WTForms' own messages (its validators' defaults) in the current locale. Flask-WTF reads the
    catalogue from disk once per request (``request.wtforms_translations``); this object, put
    there before it looks, keeps one per locale for the process, and follows ``force_locale``."""

    # The names Flask-WTF calls (flask_wtf.i18n.Translations).
    def ugettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_CATALOGUE = WtformsCatalogue()


def _share_wtforms_catalogue() -> None:
    request.wtforms_translations = WTFORMS_CATALOGUE


def register(app) -> None:
    from network.extensions import babel

    app.before_request(_share_wtforms_catalogue)
    LazyString.__str__ = _lazy_text  # the same function every time, so a second app changes nothing

    # One Domain for every app, as Flask-Babel's own default (it caches catalogues by locale).
    babel.domain_instance = RequestDomain()
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
