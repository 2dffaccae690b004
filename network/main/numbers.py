"""One rounding rule for every number shown or exported: half up, as people round by hand.

Floats are taken at their shortest decimal form (``repr``), so a mean of 4.05 (stored as
4.04999…) rounds to 4.1 on the page, in the CSV and in the XLSX alike. Babel's
``format_decimal`` and Python's ``round`` round half to even; give them values rounded here.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal


def round_half_up(value: int | float | Decimal | None, places: int = 0) -> Decimal | None:
    """``value`` rounded to ``places`` decimals, halves away from zero; None stays None."""
    if value is None:
        return None
    exact = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else value)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decimal_text(value: int | float | Decimal | None, places: int = 1, grouping: bool = True) -> str:
    """"4,1", "1 234,50": rounded half up, in the active locale; a dash for None."""
    if value is None:
        return "–"
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
    return format_decimal(round_half_up(value, places), format=pattern)
