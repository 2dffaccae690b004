"""CSV exports as Norwegian spreadsheets expect them: ``;`` between cells, decimal commas,
a BOM so Excel reads æ, ø and å, and no cell a spreadsheet would run as a formula."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Iterable

from flask import Response

from network.main.numbers import round_half_up

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_cell(value):
    """Decimals get a decimal comma and keep the places they were rounded to (``round_half_up``:
    "4,1" for a mean, "900,00" for an amount), at most two, rounded half up as on the pages.
    Text that starts like a formula is opened as plain text."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = min(-exponent, 2) if isinstance(exponent, int) and exponent < 0 else 0
        return f"{round_half_up(value, places):f}".replace(".", ",")
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    # content_type, not mimetype: Werkzeug adds "; charset=utf-8" to a text/* mimetype a second time.
    return Response(csv_text(header, rows), content_type=CSV_CONTENT_TYPE, headers={
        "Content-Disposition": f"attachment; filename={filename}",
        "Cache-Control": "no-store",  # member data should not linger in shared caches
    })
