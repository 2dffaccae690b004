"""The request's translations, looked up once per request instead of once per string.

Flask-Babel finds the catalogue for every ``_()`` again (the domain, the locale, its name as a
string, a dictionary): a page with a few thousand strings paid milliseconds for it. Flask-Babel
itself keeps ``babel_translations`` on its request context for this (``refresh()`` and
``force_locale()`` clear or swap it), so caching there follows its own rules for a locale change.
"""
from __future__ import annotations

from babel import support
from flask import g
from flask_babel import Domain


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


def register(app) -> None:
    from network.extensions import babel

    # One Domain for every app, as Flask-Babel's own default (it caches catalogues by locale).
    babel.domain_instance = RequestDomain()
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
