"""Norwegian formatting of dates and amounts, through Babel, for the active locale."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_date, format_datetime, format_decimal
from jinja2 import pass_context


def long_date(value: date | None) -> str:
    """12. september 2019"""
    return format_date(value, "d. MMMM y") if value else ""


def short_date(value: date | None) -> str:
    """12.09.2019"""
    return format_date(value, "dd.MM.y") if value else ""


def date_time(value: datetime | None) -> str:
    return format_datetime(value, "d. MMMM y 'kl.' HH:mm") if value else ""


def kroner(amount: int | Decimal | None) -> str:
    """900 kr, 1 800 kr, 1 234,50 kr: øre only when there are any."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return f"{format_decimal(amount, format=pattern)}\u00a0kr"


def number(value: int | float | None) -> str:
    """31 488 (Norwegian digit grouping)."""
    return format_decimal(value) if value is not None else "–"


def signed_percent(value: float | None) -> str:
    """+12,3 %"""
    if value is None:
        return ""
    return f"{'+' if value > 0 else ''}{format_decimal(round(value, 1), format='#,##0.0')}\u00a0%"


def _per_request(function):
    """Mark a filter as context-bound, so Jinja never folds ``{{ 900|kroner }}`` into a
    constant at compile time in whatever locale happened to be active then."""

    @pass_context
    def filter_(_context, value, *args):
        return function(value, *args)

    return filter_


FILTERS = {
    "long_date": long_date, "short_date": short_date, "date_time": date_time,
    "kroner": kroner, "number": number, "signed_percent": signed_percent,
}


def register(app) -> None:
    app.jinja_env.filters.update({name: _per_request(function) for name, function in FILTERS.items()})
