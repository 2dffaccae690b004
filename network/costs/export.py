"""The invoice basis as CSV and XLSX: one row per person and gathering, a subtotal per
organisation (one invoice each) and a grand total."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from network.costs.services import InvoiceBasis, InvoiceLine
from network.gatherings.models import RegistrationStatus
from network.main.spreadsheets import csv_text

KRONER_FORMAT = '#,##0.00\\ "kr"'
# Column widths in characters, in the order of ``headers()``.
WIDTHS = (34, 18, 30, 10, 36, 8, 14, 16, 22)
MONEY_COLUMNS = (7, 8)


def headers() -> list[str]:
    return [_("Kommune/organisasjon"), _("Organisasjonsnummer"), _("Deltaker"), _("Samling"), _("Tittel"),
            _("Dager"), _("Pris per dag"), _("Beløp"), _("Status")]


def status_label(status: RegistrationStatus) -> str:
    # Only cancellations after the deadline are charged, so the label says so.
    return _("Avmeldt etter fristen") if status is RegistrationStatus.CANCELLED else status.label


def no_organisation() -> str:
    return _("Uten organisasjon")


def _line_row(line: InvoiceLine) -> list:
    return [line.organisation_name or no_organisation(), line.org_number or "", line.person_name,
            line.gathering_number, line.gathering_title, line.days, line.unit_price, line.amount,
            status_label(line.status)]


def rows(basis: InvoiceBasis):
    """(kind, values) for every row after the header; kind is "line", "subtotal" or "total"."""
    for group in basis.groups:
        for line in group.lines:
            yield "line", _line_row(line)
        name = group.organisation_name or no_organisation()
        yield "subtotal", [_("Sum %(name)s", name=name), group.org_number or "", "", "", "", group.days, "",
                           group.subtotal, ""]
    yield "total", [_("Totalt"), "", "", "", "", basis.days, "", basis.total, ""]


# --- CSV --------------------------------------------------------------------------------


def to_csv(basis: InvoiceBasis) -> str:
    return csv_text(headers(), (values for _kind, values in rows(basis)))


# --- XLSX -------------------------------------------------------------------------------


def _xlsx_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def to_xlsx(basis: InvoiceBasis) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Fakturagrunnlag")[:31]
    bold = Font(bold=True)
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for kind, values in rows(basis):
        sheet.append([_xlsx_value(value) for value in values])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text that starts with "=" stays text, never a formula
                cell.data_type = "s"
            if cell.column in MONEY_COLUMNS:
                cell.number_format = KRONER_FORMAT
            if kind != "line":
                cell.font = bold
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
