"""The invoice basis as a finance office uses it: lines without subtotals among them, sums per
organisation apart (a sheet of SUMIFS formulas keyed on the organisation, which survive sorting
the lines; a CSV of its own), cached formula values that a second reader (python-calamine, and
the sheet XML itself) sees as the exact Decimal sums, and organisation numbers (mod-11) on every
municipality and county authority."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from html import unescape
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from network.costs import services
from network.extensions import db
from network.gatherings.models import RegistrationStatus
from network.networks.models import Network, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.organisations.services import DATA_DIR
from network.validators import is_org_number, normalise_org_number
from tests.factories import world
from tests.test_costs import register, set_org_number

HEADER = ["Kommune/organisasjon", "Organisasjonsnummer", "Deltaker", "Samling", "Tittel", "Dager", "Pris per dag",
          "Beløp", "Status"]
SUM_HEADER = ["Kommune/organisasjon", "Organisasjonsnummer", "Linjer", "Dager", "Beløp"]
HAMAR_NUMBER, LILLEHAMMER_NUMBER = "970540008", "945578564"  # from network/data/organisation_numbers.csv


@pytest.fixture
def w(app, factory):
    """Hamar: three lines (one at 1250,50 × 2, one no-show); Lillehammer: two; a sneaky name."""
    network, hamar, lillehammer, people = world(factory)
    g1 = factory.gathering(network, 1, date(2019, 4, 10))
    g2 = factory.gathering(network, 2, date(2019, 9, 12), days=2, price_per_day=Decimal("1250.50"))
    sneaky = factory.member_with_role(network, RoleKind.PARTICIPANT, lillehammer, name="=1+2")
    register(app, g1, people["participant"])
    register(app, g2, people["contact"])
    register(app, g2, people["executive"], RegistrationStatus.NO_SHOW)
    register(app, g2, people["other_contact"], days=1)
    register(app, g1, sneaky)
    return SimpleNamespace(network=network, hamar=hamar, lillehammer=lillehammer, people=people, g1=g1, g2=g2,
                           url=f"/networks/{network.id}")


def read_csv(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def basis_of(app, w, gathering=None):
    with app.app_context():
        return services.invoice_basis(db.session.get(Network, w.network.id), gathering)


# --- CSV --------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_line_and_nothing_else(app, login, w):
    response = login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith(f"fakturagrunnlag-nettverk-{w.network.id}.csv")
    rows = read_csv(response)
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["Hamar", HAMAR_NUMBER, "Dag Deltaker", "1", "Samling 1", "1", "900,00", "900,00", "Påmeldt"],
        ["Hamar", HAMAR_NUMBER, "Kari Kontakt", "2", "Samling 2", "2", "1250,50", "2501,00", "Påmeldt"],
        ["Hamar", HAMAR_NUMBER, "Rita Rådmann", "2", "Samling 2", "2", "1250,50", "2501,00", "Møtte ikke"],
        ["Lillehammer", LILLEHAMMER_NUMBER, "'=1+2", "1", "Samling 1", "1", "900,00", "900,00", "Påmeldt"],
        ["Lillehammer", LILLEHAMMER_NUMBER, "Lise Lillehammer", "2", "Samling 2", "1", "1250,50", "1250,50", "Påmeldt"],
    ]
    # Every row is a line: same width, a person, and an amount that is days × price.
    for row in rows[1:]:
        assert len(row) == len(HEADER) and row[2] and not row[0].startswith(("Sum", "Totalt"))
        assert Decimal(row[7].replace(",", ".")) == int(row[5]) * Decimal(row[6].replace(",", "."))


def test_the_sums_per_organisation_are_a_csv_of_their_own(app, login, w):
    response = login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis-sum.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].endswith(f"fakturagrunnlag-nettverk-{w.network.id}-sum.csv")
    assert read_csv(response) == [
        SUM_HEADER,
        ["Hamar", HAMAR_NUMBER, "3", "5", "5902,00"],
        ["Lillehammer", LILLEHAMMER_NUMBER, "2", "2", "2150,50"],
        ["Totalt", "", "5", "7", "8052,50"],
    ]


def test_one_gatherings_lines_and_sums(app, login, w):
    coordinator = login(w.people["coordinator"])
    response = coordinator.get(w.url + f"/gatherings/{w.g2.id}/invoice-basis.csv")
    assert response.headers["Content-Disposition"].endswith(f"fakturagrunnlag-nettverk-{w.network.id}-samling-2.csv")
    assert [row[2] for row in read_csv(response)[1:]] == ["Kari Kontakt", "Rita Rådmann", "Lise Lillehammer"]
    sums = coordinator.get(w.url + f"/gatherings/{w.g2.id}/invoice-basis-sum.csv")
    assert sums.headers["Content-Disposition"].endswith("-samling-2-sum.csv")
    assert read_csv(sums)[-1] == ["Totalt", "", "3", "5", "6252,50"]


def test_an_empty_invoice_basis(app, login, factory):
    network, _hamar, _lillehammer, people = world(factory)
    coordinator = login(people["coordinator"])
    url = f"/networks/{network.id}/costs/invoice-basis"
    assert read_csv(coordinator.get(url + ".csv")) == [HEADER]
    assert read_csv(coordinator.get(url + "-sum.csv")) == [SUM_HEADER, ["Totalt", "", "0", "0", "0,00"]]
    data = coordinator.get(url + ".xlsx").data
    sums = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Sum per organisasjon").to_python()
    assert sums[-1][0] == "Totalt" and sums[-1][4] == 0


# --- XLSX: layout (openpyxl) ----------------------------------------------------------------


def test_the_xlsx_has_the_lines_on_one_sheet_and_the_sums_as_formulas_on_another(app, login, w):
    response = login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Fakturagrunnlag", "Sum per organisasjon"]
    lines, sums = workbook["Fakturagrunnlag"], workbook["Sum per organisasjon"]
    assert [cell.value for cell in lines[1]] == HEADER and all(cell.font.bold for cell in lines[1])
    assert lines.freeze_panes == "A2" and lines.column_dimensions["A"].width >= 20
    assert lines.max_row == 6  # the header and five lines: no subtotal or total rows
    assert [lines.cell(row, 8).value for row in range(2, 7)] == [f"=F{row}*G{row}" for row in range(2, 7)]
    for row in range(2, 7):
        assert "kr" in lines.cell(row, 8).number_format and "0.00" in lines.cell(row, 8).number_format
        assert isinstance(lines.cell(row, 7).value, (int, float))  # the price is a number
        assert lines.cell(row, 2).data_type == "s" and len(lines.cell(row, 2).value) == 9
    sneaky = next(row for row in lines.iter_rows(min_row=2) if row[2].value == "=1+2")
    assert sneaky[2].data_type == "s"  # text, never a formula
    # Keyed on the organisation number over whole columns, never on a block of rows (see below).
    by_number = "'Fakturagrunnlag'!$B:$B,\"{}\")"
    assert [[cell.value for cell in row] for row in sums.iter_rows()] == [
        SUM_HEADER,
        *[[name, number, "=COUNTIFS(" + by_number.format(number),
           "=SUMIFS('Fakturagrunnlag'!$F:$F," + by_number.format(number),
           "=SUMIFS('Fakturagrunnlag'!$H:$H," + by_number.format(number)]
          for name, number in (("Hamar", HAMAR_NUMBER), ("Lillehammer", LILLEHAMMER_NUMBER))],
        ["Totalt", None, "=COUNT('Fakturagrunnlag'!$H:$H)", "=SUM('Fakturagrunnlag'!$F:$F)",
         "=SUM('Fakturagrunnlag'!$H:$H)"],
    ]
    assert all(cell.font.bold for cell in sums[4])


# --- XLSX: a second reader, and the formulas evaluated ----------------------------------

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def sheet_cells(data: bytes) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """Sheet title → cell reference → (formula, cached value), read from the XML with the stdlib."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    titles = [sheet.get("name") for sheet in workbook.find("m:sheets", NS)]
    result = {}
    for number, title in enumerate(titles, start=1):
        root = ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{number}.xml"))
        cells = {}
        for cell in root.iter(f"{{{NS['m']}}}c"):
            formula, value = cell.find("m:f", NS), cell.find("m:v", NS)
            inline = cell.find("m:is/m:t", NS)
            cells[cell.get("r")] = (formula.text if formula is not None else None,
                                    value.text if value is not None else (inline.text if inline is not None else None))
        result[title] = cells
    return result


def _split(ref: str) -> tuple[str, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
    return letters, int(digits)


def _arguments(text: str) -> list[str]:
    """A formula's arguments, split at the commas outside "strings"."""
    return [part.strip() for part in re.findall(r'(?:"(?:[^"]|"")*"|[^,])+', text)]


WHOLE_COLUMN = re.compile(r"(?:'?(?P<sheet>[^'!]+)'?!)?\$?(?P<column>[A-Z]+):\$?(?P=column)")


def _column(cells: dict, sheet: str, reference: str) -> tuple[str, list[str]]:
    """A whole-column reference (``'Sheet'!$H:$H``) as its sheet and the cell references in it."""
    match = WHOLE_COLUMN.fullmatch(reference)
    assert match, f"not a whole column: {reference}"
    source, column = match.group("sheet") or sheet, match.group("column")
    rows = sorted(_split(ref)[1] for ref in cells[source] if _split(ref)[0] == column)
    return source, [f"{column}{row}" for row in rows]


def _wildcards(pattern: str) -> re.Pattern:
    """A spreadsheet's text criterion as a regular expression: * and ? are wildcards, ~ escapes."""
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "~" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(value: str | None, criterion: str) -> bool:
    """Whether a cell's value meets a SUMIFS/COUNTIFS criterion, as spreadsheets read one: "" is
    a blank cell, "=text" is the text exactly (wildcards apply), digits match text or number."""
    if criterion == "":
        return value in (None, "")
    if criterion.startswith("="):  # what follows is the text itself, even a leading "<"
        pattern = criterion[1:]
    else:
        pattern = criterion
        assert not pattern.startswith(("<", ">")), f"a comparison the export never writes: {criterion}"
    if pattern == "":
        return value in (None, "")
    return value is not None and _wildcards(pattern).fullmatch(value) is not None


def _string(argument: str) -> str:
    assert argument.startswith('"') and argument.endswith('"'), argument
    return argument[1:-1].replace('""', '"')


def evaluate(cells: dict, sheet: str, ref: str) -> Decimal:
    """The value of a cell as a spreadsheet would compute it, for the formulas the export writes:
    ``=F2*G2``, and ``SUM``, ``COUNT``, ``SUMIFS`` and ``COUNTIFS`` over whole columns. Anything
    else fails the test."""
    formula, value = cells[sheet][ref]
    if formula is None:
        return Decimal(value) if value not in (None, "") else Decimal(0)
    product = re.fullmatch(r"([A-Z]+\d+)\*([A-Z]+\d+)", formula)
    if product:
        return evaluate(cells, sheet, product.group(1)) * evaluate(cells, sheet, product.group(2))
    call = re.fullmatch(r"(SUM|COUNT|SUMIFS|COUNTIFS)\((.*)\)", formula)
    assert call, f"a formula the test cannot evaluate: {formula}"
    name, arguments = call.group(1), _arguments(call.group(2))

    def numbers(source: str, refs: list[str]) -> list[Decimal | None]:
        """The numbers in the cells; None for text and blanks, which SUM and COUNT skip."""
        result = []
        for cell in refs:
            cell_formula, cell_value = cells[source].get(cell, (None, None))
            try:
                result.append(evaluate(cells, source, cell) if cell_formula else Decimal(cell_value))
            except (TypeError, ArithmeticError):
                result.append(None)
        return result

    if name in ("SUM", "COUNT"):
        (reference,) = arguments
        found = [number for number in numbers(*_column(cells, sheet, reference)) if number is not None]
        return sum(found, Decimal(0)) if name == "SUM" else Decimal(len(found))
    summed = arguments.pop(0) if name == "SUMIFS" else None
    pairs = list(zip(arguments[::2], arguments[1::2]))
    assert pairs and len(arguments) % 2 == 0, formula
    ranges = [(_column(cells, sheet, reference), _string(criterion)) for reference, criterion in pairs]
    rows = {_split(cell)[1] for (_source, refs), _criterion in ranges for cell in refs}
    picked = sorted(row for row in rows if all(
        matches(cells[source].get(f"{_split(refs[0])[0]}{row}", (None, None))[1], criterion)
        for (source, refs), criterion in ranges))
    if summed is None:
        return Decimal(len(picked))
    source, refs = _column(cells, sheet, summed)
    column = _split(refs[0])[0]
    return sum((number for number in numbers(source, [f"{column}{row}" for row in picked]) if number is not None),
               Decimal(0))


def test_every_formula_has_a_cached_value_equal_to_the_exact_decimal_sum(app, login, w):
    data = login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis.xlsx").data
    basis = basis_of(app, w)
    cells = sheet_cells(data)
    formulas = [(sheet, ref) for sheet, sheet_cells_ in cells.items()
                for ref, (formula, _value) in sheet_cells_.items() if formula]
    assert len(formulas) == 5 + 2 * 3 + 3  # the line amounts, three sums per organisation, three totals
    for sheet, ref in formulas:
        cached = cells[sheet][ref][1]
        assert cached not in (None, ""), (sheet, ref)
        assert Decimal(cached) == evaluate(cells, sheet, ref), (sheet, ref, cached)
    sums = cells["Sum per organisasjon"]
    assert Decimal(sums["E2"][1]) == basis.groups[0].subtotal == Decimal("5902.00")
    assert Decimal(sums["E3"][1]) == basis.groups[1].subtotal == Decimal("2150.50")
    assert Decimal(sums["E4"][1]) == basis.total == Decimal("8052.50")
    assert (Decimal(sums["D4"][1]), Decimal(sums["C4"][1])) == (basis.days, len(basis.lines))

    # A second reader that does not compute: python-calamine sees the same totals.
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names == ["Fakturagrunnlag", "Sum per organisasjon"]
    lines = workbook.get_sheet_by_name("Fakturagrunnlag").to_python()
    assert lines[0] == HEADER
    assert [Decimal(str(row[7])) for row in lines[1:]] == [line.amount for line in basis.lines]
    read_sums = workbook.get_sheet_by_name("Sum per organisasjon").to_python()
    assert [(row[0], row[1], Decimal(str(row[4]))) for row in read_sums[1:]] == [
        ("Hamar", HAMAR_NUMBER, Decimal("5902.00")), ("Lillehammer", LILLEHAMMER_NUMBER, Decimal("2150.50")),
        ("Totalt", "", Decimal("8052.50"))]
    assert sum(Decimal(str(row[7])) for row in lines[1:]) == Decimal(str(read_sums[-1][4]))


def test_a_line_changed_in_the_sheet_changes_its_organisations_sum_and_the_total(app, login, w):
    """The formulas point at the right cells: change one line's days (an input of ``=F*G``) and
    evaluate again, as Excel would on opening."""
    cells = sheet_cells(login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis.xlsx").data)
    lines = cells["Fakturagrunnlag"]
    row = next(r for r in range(2, 7) if lines[f"C{r}"][1] == "Kari Kontakt")
    before = {ref: evaluate(cells, "Sum per organisasjon", ref) for ref in ("D2", "E2", "E3", "E4", "D4")}
    lines[f"F{row}"] = (None, "3")  # 2 days → 3 days at 1250,50
    assert evaluate(cells, "Fakturagrunnlag", f"H{row}") == Decimal("3751.50")
    assert evaluate(cells, "Sum per organisasjon", "E2") == before["E2"] + Decimal("1250.50")
    assert evaluate(cells, "Sum per organisasjon", "D2") == before["D2"] + 1
    assert evaluate(cells, "Sum per organisasjon", "E3") == before["E3"]  # Lillehammer's sum is untouched
    assert evaluate(cells, "Sum per organisasjon", "E4") == before["E4"] + Decimal("1250.50")
    assert evaluate(cells, "Sum per organisasjon", "D4") == before["D4"] + 1


def sorted_lines(cells: dict, order) -> dict:
    """The workbook's cells with the lines sheet's rows put in another order, as sorting the sheet
    in Excel does: each row's values move together, and its ``=F*G`` points at its new row."""
    lines = cells["Fakturagrunnlag"]
    rows = sorted({_split(ref)[1] for ref in lines} - {1})
    moved = {ref: cell for ref, cell in lines.items() if _split(ref)[1] == 1}
    for new_row, old_row in zip(rows, order(rows)):
        for ref, (formula, value) in lines.items():
            column, row = _split(ref)
            if row == old_row:
                moved[f"{column}{new_row}"] = (re.sub(r"(?<=[A-Z])\d+", str(new_row), formula) if formula else None,
                                               value)
    return {**cells, "Fakturagrunnlag": moved}


def sums_formulas(cells: dict) -> dict[str, str]:
    return {ref: formula for ref, (formula, _value) in cells["Sum per organisasjon"].items() if formula}


def assert_sums_survive_sorting(cells: dict) -> None:
    """Every sum, evaluated after the lines are reversed, sorted by person and shuffled, is still
    the cached value (the exact Decimal sum)."""
    sums = cells["Sum per organisasjon"]
    by_person = lambda rows: sorted(rows, key=lambda row: cells["Fakturagrunnlag"][f"C{row}"][1])  # noqa: E731
    shuffled = lambda rows: [rows[(index * 3 + 1) % len(rows)] for index in range(len(rows))]  # noqa: E731
    assert len(set(shuffled(list(range(2, 7))))) == 5
    for order in (lambda rows: rows[::-1], by_person, shuffled):
        moved = sorted_lines(cells, order)
        for ref in sums_formulas(cells):
            assert evaluate(moved, "Sum per organisasjon", ref) == Decimal(sums[ref][1]), ref


def test_every_sum_is_keyed_on_the_organisation_over_whole_columns_so_sorting_keeps_it(app, login, w):
    """Each organisation's sums are SUMIFS/COUNTIFS over whole columns of the lines, keyed on its
    organisation number: sorting or filtering the lines sheet in Excel can't move them off their
    rows, as a SUM over a block of rows did."""
    cells = sheet_cells(login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis.xlsx").data)
    formulas = sums_formulas(cells)
    whole = r"'Fakturagrunnlag'!\$(?P<column>[A-Z]):\$(?P=column)"
    for row, number in ((2, HAMAR_NUMBER), (3, LILLEHAMMER_NUMBER)):
        key = f"'Fakturagrunnlag'!$B:$B,\"{number}\""
        assert formulas[f"C{row}"] == f"COUNTIFS({key})"
        assert formulas[f"D{row}"] == f"SUMIFS('Fakturagrunnlag'!$F:$F,{key})"
        assert formulas[f"E{row}"] == f"SUMIFS('Fakturagrunnlag'!$H:$H,{key})"
    for ref, formula in formulas.items():
        assert re.fullmatch(rf"(SUM|COUNT)\({whole}\)|(SUMIFS|COUNTIFS)\(.*", formula), (ref, formula)
        assert not re.search(r"[A-Z]+\d+:[A-Z]+\d+", formula), (ref, formula)  # no block of rows anywhere
    assert_sums_survive_sorting(cells)
    # …and a line changed after sorting still counts for its organisation.
    moved = sorted_lines(cells, lambda rows: rows[::-1])
    row = next(r for r in range(2, 7) if moved["Fakturagrunnlag"][f"C{r}"][1] == "Kari Kontakt")
    moved["Fakturagrunnlag"][f"F{row}"] = (None, "3")
    assert evaluate(moved, "Sum per organisasjon", "E2") == Decimal("5902.00") + Decimal("1250.50")
    assert evaluate(moved, "Sum per organisasjon", "E3") == Decimal("2150.50")


def test_organisations_without_a_number_are_keyed_on_their_exact_name(app, factory, login, w):
    """Without a number the key is the name, matched exactly (a name with * ? ~ or a leading "<" is
    no pattern or comparison) and with an empty number, so a namesake with a number stays apart.
    People without an organisation are summed under "Uten organisasjon"."""
    with app.app_context():
        lillehammer = db.session.get(Organisation, w.lillehammer.id)
        lillehammer.name, lillehammer.org_number = "Hamar", None  # Hamar's namesake, without a number
        db.session.commit()
    pattern = factory.organisation("<Lille* ~hammer?")
    lookalike = factory.organisation("<Lille* ~hammerX")  # what "Lille*" and "?" would catch as patterns
    for organisation, name in ((pattern, "Mønster"), (lookalike, "Likner"), (None, "Uten Org")):
        if organisation is not None:
            factory.member(w.network, organisation)
        register(app, w.g2, factory.member_with_role(w.network, RoleKind.PARTICIPANT, organisation, name=name))
    data = login(w.people["coordinator"]).get(w.url + "/costs/invoice-basis.xlsx").data
    basis = basis_of(app, w)
    cells = sheet_cells(data)
    sums = cells["Sum per organisasjon"]
    names = {sums[f"A{row}"][1]: row for row in range(2, len(basis.groups) + 2)}
    assert len(names) == len(basis.groups) - 1  # two Hamars
    for index, group in enumerate(basis.groups, start=2):
        assert sums[f"A{index}"][1] == (group.organisation_name or "Uten organisasjon")
        formula = sums[f"E{index}"][0]
        if group.org_number:
            assert formula.endswith(f"'Fakturagrunnlag'!$B:$B,\"{group.org_number}\")")
        else:
            assert "'Fakturagrunnlag'!$A:$A," in formula and formula.endswith("'Fakturagrunnlag'!$B:$B,\"\")")
        for column, value in (("C", len(group.lines)), ("D", group.days), ("E", group.subtotal)):
            assert Decimal(sums[f"{column}{index}"][1]) == value == evaluate(cells, "Sum per organisasjon",
                                                                              f"{column}{index}"), (index, column)
    assert sums[f"E{len(basis.groups) + 1}"][0] == "SUMIFS('Fakturagrunnlag'!$H:$H,'Fakturagrunnlag'!$A:$A," \
        "\"=Uten organisasjon\",'Fakturagrunnlag'!$B:$B,\"\")"
    assert "\"=<Lille~* ~~hammer~?\"" in sums[f"E{names['<Lille* ~hammer?']}"][0]
    assert Decimal(sums[f"E{len(basis.groups) + 2}"][1]) == basis.total
    assert_sums_survive_sorting(cells)
    read = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Sum per organisasjon").to_python()
    assert [Decimal(str(row[4])) for row in read[1:-1]] == [group.subtotal for group in basis.groups]


def test_cached_values_are_exact_over_many_lines(app, factory, login):
    """Many 1250,50 lines: float addition would drift in the last øre; the cached sums do not."""
    network, hamar, _lillehammer, people = world(factory)
    gathering = factory.gathering(network, 1, date(2019, 4, 10), price_per_day=Decimal("0.10"))
    for n in range(30):
        register(app, gathering, factory.member_with_role(network, RoleKind.PARTICIPANT, hamar, name=f"Deltaker {n}"))
    data = login(people["coordinator"]).get(f"/networks/{network.id}/costs/invoice-basis.xlsx").data
    cells = sheet_cells(data)
    assert cells["Sum per organisasjon"]["E2"][1] == "3.00"
    assert sum([0.10] * 30) != 3.0  # what a reader that adds floats would get wrong
    read = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Sum per organisasjon").to_python()
    assert read[1][4] == 3.0


# --- organisation numbers ----------------------------------------------------------------


@pytest.mark.parametrize("value, valid", [
    ("970540008", True),        # Hamar
    ("970 540 008", True),      # typed with spaces
    ("958935420", True),        # Oslo
    ("970540009", False),       # wrong check digit
    ("97054000", False),        # 8 digits
    ("9705400080", False),      # 10 digits
    ("97054000a", False),
    ("", False),
    ("١٢٣٤٥٦٧٨٩", False),       # digits, but not ASCII ones
    ("000000000", True),        # remainder 0: check digit 0
])
def test_the_mod_11_check_digit(value, valid):
    assert is_org_number(value) is valid, value


def test_a_number_whose_remainder_is_1_is_never_valid():
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    first = next(f"{n:08d}" for n in range(10_000_000, 10_010_000)
                 if sum(int(d) * w for d, w in zip(f"{n:08d}", weights)) % 11 == 1)
    assert not any(is_org_number(first + str(check)) for check in range(10))


def test_every_municipality_and_county_authority_has_a_valid_number(app):
    with app.app_context():
        rows = db.session.execute(select(Organisation.kind, Organisation.name, Organisation.org_number).where(
            Organisation.kind.in_([OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY_AUTHORITY]))).all()
    assert len(rows) == 356 + 10
    assert [(name, number) for _kind, name, number in rows if not is_org_number(number)] == []
    assert len({number for _kind, _name, number in rows}) == len(rows)  # no two share a number


def test_every_municipality_in_the_demo_network_has_its_number():
    """The demo's municipalities (network/data/network_2019.csv) are all in the number file."""
    with (DATA_DIR / "organisation_numbers.csv").open(encoding="utf-8") as handle:
        numbers = {row["kommunenummer"]: row["organisasjonsnummer"] for row in csv.DictReader(handle)}
    with (DATA_DIR / "network_2019.csv").open(encoding="utf-8") as handle:
        demo = [row["kommunenummer"] for row in csv.DictReader(handle)]
    assert len(demo) == 17
    assert all(is_org_number(numbers.get(number)) for number in demo)


def test_the_national_import_keeps_a_number_a_coordinator_set(app, runner):
    with app.app_context():
        hamar = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "3403"))
        hamar.org_number = LILLEHAMMER_NUMBER  # deliberately another valid one
        gjovik = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "3407"))
        gjovik.org_number = None
        db.session.commit()
    result = runner.invoke(args=["organisations", "import"])
    assert result.exit_code == 0 and "updated: 1." in result.output
    with app.app_context():
        assert db.session.scalar(select(Organisation.org_number).where(Organisation.kommunenummer == "3403")) \
            == LILLEHAMMER_NUMBER
        assert is_org_number(db.session.scalar(select(Organisation.org_number).where(Organisation.kommunenummer == "3407")))


# --- the notice, the form and the CSV import ---------------------------------------------


def main_of(response) -> str:
    return unescape(response.get_data(as_text=True)).split("<main")[1].split("</main>")[0]


def test_the_cost_page_names_the_organisations_without_a_number(app, login, w):
    set_org_number(app, w.hamar, None)
    page = main_of(login(w.people["coordinator"]).get(w.url + "/costs"))
    notice = page.split('id="missing-org-numbers"')[1].split("</div>")[0]
    assert "1 organisasjon mangler organisasjonsnummer" in notice
    assert f'href="/networks/{w.network.id}/organisations/{w.hamar.id}/org-number"' in notice
    assert "Lillehammer" not in notice
    assert f'href="/networks/{w.network.id}/org-numbers/import"' in notice
    set_org_number(app, w.hamar, HAMAR_NUMBER)
    assert 'id="missing-org-numbers"' not in main_of(login(w.people["coordinator"]).get(w.url + "/costs"))


def test_a_wrong_number_is_refused_with_the_typed_value_kept(app, login, w):
    http = login(w.people["coordinator"])
    url = w.url + f"/organisations/{w.hamar.id}/org-number"
    assert http.get(url).status_code == 200
    response = http.post(url, data={"org_number": "970 540 009"})
    assert response.status_code == 422
    page = main_of(response)
    assert "ds-error-summary" in page and "gyldig kontrollsiffer" in page
    assert 'value="970 540 009"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.get(Organisation, w.hamar.id).org_number == HAMAR_NUMBER


def test_a_number_is_saved_without_spaces_and_can_be_removed(app, login, w):
    http = login(w.people["coordinator"])
    url = w.url + f"/organisations/{w.hamar.id}/org-number"
    set_org_number(app, w.hamar, None)
    response = http.post(url, data={"org_number": " 970 540 008 "})
    assert response.status_code == 302 and response.headers["Location"].endswith(w.url + "/costs")
    with app.app_context():
        assert db.session.get(Organisation, w.hamar.id).org_number == HAMAR_NUMBER
    http.post(url, data={"org_number": ""})
    with app.app_context():
        assert db.session.get(Organisation, w.hamar.id).org_number is None


def test_an_organisation_outside_the_network_is_not_found(app, login, w):
    with app.app_context():
        bergen = db.session.scalar(select(Organisation.id).where(Organisation.kommunenummer == "4601"))
    http = login(w.people["coordinator"])
    assert http.get(w.url + f"/organisations/{bergen}/org-number").status_code == 404
    assert http.post(w.url + f"/organisations/{bergen}/org-number", data={"org_number": "958935420"}).status_code == 404
    assert http.get(w.url + "/organisations/999999/org-number").status_code == 404


def upload(http, url, text: str | bytes, name="numre.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return http.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def numbers_of(app, *kommunenumre) -> list[str | None]:
    with app.app_context():
        return [db.session.scalar(select(Organisation.org_number).where(Organisation.kommunenummer == k))
                for k in kommunenumre]


def test_the_csv_import_sets_every_number(app, login, w):
    set_org_number(app, w.hamar, None)
    http = login(w.people["coordinator"])
    url = w.url + "/org-numbers/import"
    page = main_of(http.get(url))
    assert "kommunenummer" in page and "organisasjonsnummer" in page and 'enctype="multipart/form-data"' in page
    response = upload(http, url, "Kommunenummer;Organisasjonsnummer;navn\r\n3403;970 540 008;Hamar\r\n"
                                 "3405;945578564;Lillehammer\r\n\r\n")
    assert response.status_code == 302
    assert numbers_of(app, "3403", "3405") == [HAMAR_NUMBER, LILLEHAMMER_NUMBER]
    assert "1 organisasjonsnumre er oppdatert; 1 var allerede riktige." in unescape(
        http.get(response.headers["Location"]).get_data(as_text=True))


def test_a_county_authority_by_its_county_number_and_windows_1252(app, login, w):
    http = login(w.people["coordinator"])
    with app.app_context():
        innlandet = db.session.scalar(select(Organisation).where(Organisation.name == "Innlandet fylkeskommune"))
        innlandet.org_number, innlandet_id = None, innlandet.id
        db.session.commit()
    response = upload(http, w.url + "/org-numbers/import",
                      "fylkesnummer,organisasjonsnummer,navn\n34,920717152,Innlandet fylkeskommune ø\n".encode("cp1252"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, innlandet_id).org_number == "920717152"


def test_an_import_with_errors_changes_nothing_and_lists_every_line(app, login, w):
    set_org_number(app, w.hamar, None)
    http = login(w.people["coordinator"])
    response = upload(http, w.url + "/org-numbers/import",
                      "kommunenummer;organisasjonsnummer\n3403;970540008\n9999;970540008\n3405;945578565\n"
                      "3403;970540008\n")
    assert response.status_code == 422
    errors = main_of(response).split('id="import-errors"')[1].split("</ul>")[0]
    assert "Linje 3: Finner ingen kommune eller fylkeskommune med nummer «9999»." in errors
    assert "Linje 4: «945578565» er ikke et gyldig organisasjonsnummer" in errors
    assert "Linje 5: Hamar står også på linje 2." in errors
    assert numbers_of(app, "3403", "3405") == [None, LILLEHAMMER_NUMBER]  # all or nothing


@pytest.mark.parametrize("content, message", [
    ("3403;970540008\n", "Første linje må være overskriftene"),
    ("kommunenummer;organisasjonsnummer\n", "Filen har ingen rader"),
    ("kommunenummer;organisasjonsnummer\n" + "3403;970540008\n" * 20_000, "Filen er for stor"),
    (b"\x00\xff\xfe binary", "Første linje må være overskriftene"),
])
def test_a_file_that_is_no_number_list_is_refused(app, login, w, content, message):
    response = upload(login(w.people["coordinator"]), w.url + "/org-numbers/import", content)
    assert response.status_code == 422
    assert message in main_of(response)


def test_an_import_without_a_file_asks_for_one(app, login, w):
    response = login(w.people["coordinator"]).post(w.url + "/org-numbers/import", data={})
    assert response.status_code == 422 and "Velg en CSV-fil" in main_of(response)


def test_the_import_command(app, runner, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("kommunenummer;organisasjonsnummer\n301;958935420\n", encoding="utf-8")
    bad.write_text("kommunenummer;organisasjonsnummer\n0301;958935421\n", encoding="utf-8")
    with app.app_context():
        oslo = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "0301"))
        oslo.org_number = None
        db.session.commit()
    result = runner.invoke(args=["organisations", "import-org-numbers", str(bad)])
    assert result.exit_code == 1 and "Line 2:" in result.output
    assert numbers_of(app, "0301") == [None]
    result = runner.invoke(args=["organisations", "import-org-numbers", str(good)])
    assert result.exit_code == 0 and "updated: 1" in result.output
    assert numbers_of(app, "0301") == ["958935420"]  # "301": a spreadsheet dropped the leading zero


def test_the_new_organisation_form_checks_the_number(app, login, w):
    http = login(w.people["coordinator"])
    response = http.post(w.url + "/organisations", data={"name": "Et selskap", "kind": "other", "county_id": "",
                                                          "org_number": "123456789"})
    assert response.status_code == 422 and "gyldig kontrollsiffer" in main_of(response)
    assert 'value="123456789"' in main_of(response)
    response = http.post(w.url + "/organisations", data={"name": "Et selskap", "kind": "other", "county_id": "",
                                                          "org_number": "958 935 420"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Organisation.org_number).where(Organisation.name == "Et selskap")) == "958935420"
    assert normalise_org_number("958 935 420") == "958935420"
