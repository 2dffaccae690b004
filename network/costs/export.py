"""The invoice basis as CSV and XLSX, for a finance office that imports the lines.

The lines (one per person and gathering) stand alone: no subtotal or total rows among them, so
a file can be imported as it is. The sums per organisation (one invoice each) and the grand
total come apart: a separate CSV file, and in the XLSX a sheet of their own ("Sum per
organisasjon") whose cells are formulas over the lines, so a line changed in Excel changes its
organisation's sum. Each line's amount is ``=days*price``.

Each organisation's sums are SUMIFS/COUNTIFS over whole columns of the lines sheet, keyed on its
organisation number (or, without one, on its name and an empty number), never on a block of
rows: a finance office that sorts or filters the lines keeps every sum right. The totals are
whole-column sums of the lines too, so sorting the sums sheet can't break them either.

openpyxl writes formulas without a computed value, and readers that do not compute (previews,
import tools, pandas) would then see empty cells. So every formula cell's cached value is written
into the sheet XML afterwards, from the exact Decimal sums (``_with_cached_values``).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname

from network.costs.services import InvoiceBasis, InvoiceGroup, InvoiceLine
from network.gatherings.models import RegistrationStatus
from network.main.spreadsheets import csv_text

KRONER_FORMAT = '#,##0.00\\ "kr"'
TEXT_FORMAT = "@"  # organisation numbers are identifiers, not amounts
# Column widths in characters, in the order of ``headers()`` and ``sum_headers()``.
WIDTHS = (34, 18, 30, 10, 36, 8, 14, 16, 22)
SUM_WIDTHS = (34, 18, 10, 10, 18)
# 1-based columns of the lines sheet that the formulas use.
DAYS_COLUMN, PRICE_COLUMN, AMOUNT_COLUMN = 6, 7, 8


def headers() -> list[str]:
    return [_("Kommune/organisasjon"), _("Organisasjonsnummer"), _("Deltaker"), _("Samling"), _("Tittel"),
            _("Dager"), _("Pris per dag"), _("Beløp"), _("Status")]


def sum_headers() -> list[str]:
    return [_("Kommune/organisasjon"), _("Organisasjonsnummer"), _("Linjer"), _("Dager"), _("Beløp")]


def lines_sheet_title() -> str:
    return _("Fakturagrunnlag")[:31]


def sums_sheet_title() -> str:
    return _("Sum per organisasjon")[:31]


def status_label(status: RegistrationStatus) -> str:
    # Only cancellations after the deadline are charged, so the label says so.
    return _("Avmeldt etter fristen") if status is RegistrationStatus.CANCELLED else status.label


def no_organisation() -> str:
    return _("Uten organisasjon")


def line_row(line: InvoiceLine) -> list:
    return [line.organisation_name or no_organisation(), line.org_number or "", line.person_name,
            line.gathering_number, line.gathering_title, line.days, line.unit_price, line.amount,
            status_label(line.status)]


def sum_row(group: InvoiceGroup) -> list:
    return [group.organisation_name or no_organisation(), group.org_number or "", len(group.lines), group.days,
            group.subtotal]


def total_row(basis: InvoiceBasis) -> list:
    return [_("Totalt"), "", len(basis.lines), basis.days, basis.total]


# --- CSV --------------------------------------------------------------------------------


def to_csv(basis: InvoiceBasis) -> str:
    """The lines only, ready to import."""
    return csv_text(headers(), (line_row(line) for line in basis.lines))


def sums_to_csv(basis: InvoiceBasis) -> str:
    """One row per organisation (one invoice each), then the total."""
    return csv_text(sum_headers(), [*(sum_row(group) for group in basis.groups), total_row(basis)])


# --- XLSX -------------------------------------------------------------------------------


def _xlsx_value(value):
    if value == "":
        return None  # a blank cell, which the criterion "" (no organisation number) matches everywhere
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


@dataclass
class _Formula:
    """A formula cell and the value it must show before anything recalculates it."""

    sheet: int        # 1-based, as in xl/worksheets/sheetN.xml
    ref: str          # "H2"
    value: Decimal | int


def _append(sheet, values: list, bold: bool = False) -> int:
    sheet.append([_xlsx_value(value) for value in values])
    row = sheet.max_row
    for cell in sheet[row]:
        if cell.data_type == "f":  # text that starts with "=" stays text, never a formula
            cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)
    return row


def _header(sheet, values: list[str], widths: tuple[int, ...]) -> None:
    _append(sheet, values, bold=True)
    for cell in sheet[1]:
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"


def _formula(sheet, row: int, column: int, text: str, value, formulas: list[_Formula], number: int) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "f"
    formulas.append(_Formula(number, cell.coordinate, value))


def to_xlsx(basis: InvoiceBasis) -> bytes:
    workbook = Workbook()
    formulas: list[_Formula] = []

    lines = workbook.active
    lines.title = lines_sheet_title()
    _header(lines, headers(), WIDTHS)
    for group in basis.groups:
        for line in group.lines:
            row = _append(lines, line_row(line))
            lines.cell(row=row, column=2).number_format = TEXT_FORMAT
            for column in (PRICE_COLUMN, AMOUNT_COLUMN):
                lines.cell(row=row, column=column).number_format = KRONER_FORMAT
            days, price = (get_column_letter(c) + str(row) for c in (DAYS_COLUMN, PRICE_COLUMN))
            _formula(lines, row, AMOUNT_COLUMN, f"={days}*{price}", line.amount, formulas, 1)

    sums = workbook.create_sheet(sums_sheet_title())
    _header(sums, sum_headers(), SUM_WIDTHS)
    source = quote_sheetname(lines.title)

    def column(number: int) -> str:  # a whole column of the lines sheet: 'Fakturagrunnlag'!$H:$H
        letter = get_column_letter(number)
        return f"{source}!${letter}:${letter}"

    lines_by_key: dict[tuple[str, str], list[InvoiceLine]] = {}
    for line in basis.lines:  # once: per group, a scan of every line made a national file quadratic
        lines_by_key.setdefault(_matching_key(line.org_number, line.organisation_name), []).append(line)
    for group in basis.groups:
        row = _append(sums, sum_row(group))
        sums.cell(row=row, column=2).number_format = TEXT_FORMAT
        sums.cell(row=row, column=5).number_format = KRONER_FORMAT
        criteria = ",".join(f"{column(number)},{_string(criterion)}" for number, criterion in _group_key(group))
        matching = lines_by_key.get(_matching_key(group.org_number, group.organisation_name), [])
        for target, formula, value in (
                (3, f"=COUNTIFS({criteria})", len(matching)),
                (4, f"=SUMIFS({column(DAYS_COLUMN)},{criteria})", sum(line.days for line in matching)),
                (5, f"=SUMIFS({column(AMOUNT_COLUMN)},{criteria})", sum((line.amount for line in matching), Decimal(0)))):
            _formula(sums, row, target, formula, value, formulas, 2)
    row = _append(sums, total_row(basis), bold=True)
    sums.cell(row=row, column=5).number_format = KRONER_FORMAT
    if basis.groups:
        for target, formula, value in ((3, f"=COUNT({column(AMOUNT_COLUMN)})", len(basis.lines)),
                                       (4, f"=SUM({column(DAYS_COLUMN)})", basis.days),
                                       (5, f"=SUM({column(AMOUNT_COLUMN)})", basis.total)):
            _formula(sums, row, target, formula, value, formulas, 2)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_cached_values(buffer.getvalue(), formulas)


# --- the key of an organisation's sums ----------------------------------------------------

ORG_NUMBER_COLUMN, NAME_COLUMN = 2, 1


def _group_key(group: InvoiceGroup) -> list[tuple[int, str]]:
    """The criteria (lines column, criterion) that pick an organisation's lines: its number, or
    its name where it has none (and then an empty number, so a namesake with a number is apart)."""
    if group.org_number:  # nine digits, checked on the way in; anything else is matched as text
        return [(ORG_NUMBER_COLUMN, group.org_number if group.org_number.isdigit() else _exactly(group.org_number))]
    return [(NAME_COLUMN, _exactly(group.organisation_name or no_organisation())), (ORG_NUMBER_COLUMN, "")]


def _exactly(text: str) -> str:
    """A criterion that matches this text and nothing else: "=" first, so a name that starts
    with "<", ">" or "=" is no comparison, and the wildcards * ? ~ escaped with "~"."""
    return "=" + re.sub(r"([~*?])", r"~\1", text)


def _string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _matching_key(org_number: str | None, name: str | None) -> tuple[str, str]:
    """What the spreadsheet's criteria (``_group_key``) match a line by, text compared without
    regard to case as spreadsheets do: its organisation number, or its name where it has none. The
    cached values are the sums of exactly these lines, so they are what Excel shows after it
    recalculates."""
    if org_number:
        return "number", org_number.lower()
    return "name", (name or no_organisation()).lower()


# --- cached values ----------------------------------------------------------------------

# openpyxl writes a formula cell as <c r="H2" s="3"><f>F2*G2</f><v></v></c> (or <v/>).
_FORMULA_CELL = re.compile(r'<c r="(?P<ref>[A-Z]+\d+)"(?P<attrs>[^>]*)><f>(?P<f>[^<]*)</f>(?:<v\s*/>|<v></v>)?</c>')


def _number(value: Decimal | int) -> str:
    return format(Decimal(value), "f")  # exact: "5551.50", never 5551.4999…


def _with_cached_values(data: bytes, formulas: list[_Formula]) -> bytes:
    """The workbook with each formula's value written beside it, so that it reads right in
    programs that show cached values without computing. Excel recomputes on opening anyway
    (openpyxl sets ``fullCalcOnLoad``)."""
    by_sheet: dict[int, dict[str, str]] = {}
    for formula in formulas:
        by_sheet.setdefault(formula.sheet, {})[formula.ref] = _number(formula.value)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", item.filename)
            values = by_sheet.get(int(match.group(1))) if match else None
            if values:
                content = _fill(content.decode("utf-8"), values).encode("utf-8")
            target.writestr(item, content)
    return output.getvalue()


def _fill(xml: str, values: dict[str, str]) -> str:
    filled = set()

    def replace(match: re.Match) -> str:
        ref = match.group("ref")
        if ref not in values:
            return match.group(0)
        filled.add(ref)
        return f'<c r="{ref}"{match.group("attrs")}><f>{match.group("f")}</f><v>{escape(values[ref])}</v></c>'

    xml = _FORMULA_CELL.sub(replace, xml)
    missing = set(values) - filled
    if missing:  # openpyxl changed how it writes formulas: fail loudly rather than ship empty totals
        raise RuntimeError(f"formula cells not found in the sheet XML: {sorted(missing)[:5]}")
    return xml
