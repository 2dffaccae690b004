"""Norwegian formatting of dates and amounts, through Babel, for the active locale."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.dates import parse_pattern
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from jinja2 import pass_context

from network.main import clock
from network.main.numbers import decimal_text, round_half_up


def long_date(value: date | None) -> str:
    """12. september 2019 (the locale's long date: "September 12, 2019" in English)"""
    return format_date(value, "long") if value else ""


# Patterns of our own where CLDR's don't read as people here expect: a numeric date in Norwegian,
# an unambiguous one in English (12/09 is a different day in the US), and "kl." before the time.
SHORT_DATE = {"nb": "dd.MM.y", "nn": "dd.MM.y", "en": "d MMM y"}
DATE_TIME = {"nb": "d. MMMM y 'kl.' HH:mm", "nn": "d. MMMM y 'kl.' HH:mm", "en": "d MMMM y 'at' HH:mm"}


def _language() -> str:
    return get_locale().language


def short_date(value: date | None) -> str:
    """12.09.2019 (12 Sept 2019 in English)"""
    return format_date(value, SHORT_DATE.get(_language(), "dd.MM.y")) if value else ""


def date_time(value: datetime | None) -> str:
    """10. februar 2027 kl. 10:00 (10 February 2027 at 10:00 in English)"""
    return format_datetime(value, DATE_TIME.get(_language(), DATE_TIME["nb"])) if value else ""


# The locale's own interval patterns (CLDR's "yMMMd"), with the month written out as in
# ``long_date``. Keyed by the greatest field that differs: day, month or year.
RANGE_SKELETON = "yMMMd"


def _full_months(pattern: str) -> str:
    """MMM (sep.) becomes MMMM (september) outside quoted literals, as CLDR allows a match to
    widen a field."""
    parts = pattern.split("'")
    for index in range(0, len(parts), 2):  # even pieces are pattern, odd ones quoted text
        parts[index] = re.sub(r"(?<!M)MMM(?!M)", "MMMM", parts[index])
    return "'".join(parts)


def date_range(start: date | datetime | None, end: date | datetime | None = None) -> str:
    """1.–2. september 2027; 30. september–1. oktober 2027; 30. desember 2027–2. januar 2028;
    a single day as ``long_date``. Moments count by their date in Oslo."""
    if start is None:
        return long_date(end) if end is not None else ""
    start = clock.oslo_date(start)
    end = clock.oslo_date(end) if end is not None else start
    if end == start:
        return long_date(start)
    if end < start:
        start, end = end, start
    locale = get_locale()
    patterns = locale.interval_formats.get(RANGE_SKELETON, {})
    field = "y" if start.year != end.year else "M" if start.month != end.month else "d"
    if field not in patterns:
        return f"{long_date(start)}\u2013{long_date(end)}"
    first, second = patterns[field]
    return parse_pattern(_full_months(first)).apply(start, locale) + parse_pattern(_full_months(second)).apply(end, locale)


def kroner(amount: int | Decimal | None) -> str:
    """900 kr, 1 800 kr, 1 234,50 kr: øre only when there are any. In English the currency goes
    first, as a foreign one is written there: NOK 1,800, NOK 1,234.50 (whole amounts without .00,
    as in Norwegian, so a cost table's columns stay as narrow in every language)."""
    if amount is None:
        return ""
    amount = round_half_up(Decimal(amount), 2)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    if _language() == "en":
        return f"NOK\u00a0{format_decimal(amount, format=pattern)}"
    return f"{format_decimal(amount, format=pattern)}\u00a0kr"


def number(value: int | float | None) -> str:
    """31 488 (Norwegian digit grouping); a fraction to at most three places, rounded half up."""
    if value is None:
        return "–"
    return format_decimal(value if isinstance(value, int) else round_half_up(value, 3))


def signed_percent(value: float | None) -> str:
    """+12,3 %"""
    if value is None:
        return ""
    rounded = round_half_up(value, 1)
    return f"{'+' if rounded > 0 else ''}{decimal_text(abs(rounded) if rounded == 0 else rounded, 1)}\u00a0%"


def _per_request(function):
    """Mark a filter as context-bound, so Jinja never folds ``{{ 900|kroner }}`` into a
    constant at compile time in whatever locale happened to be active then."""

    @pass_context
    def filter_(_context, value, *args):
        return function(value, *args)

    return filter_


FILTERS = {
    "long_date": long_date, "short_date": short_date, "date_time": date_time, "date_range": date_range,
    "kroner": kroner, "number": number, "signed_percent": signed_percent,
}


def register(app) -> None:
    app.jinja_env.filters.update({name: _per_request(function) for name, function in FILTERS.items()})
