"""One rounding rule, half up, wherever a number is shown or exported: a mean of 4,05 is "4,1" on
the results page, on the comparison page, in the CSV and in the XLSX; 2,25 is "2,3". Python's
``round`` and Babel's ``format_decimal`` round half to even (and 4.05 is 4.0499… as a float), so
both would give "4,0" and "2,2"."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from network.extensions import db
from network.gatherings.models import Gathering, GatheringStatus
from network.main.formatting import kroner, signed_percent
from network.main.numbers import decimal_text, round_half_up
from network.main.spreadsheets import csv_cell
from tests.evaluation_helpers import invite_and_answer, setup
from tests.html import main


@pytest.mark.parametrize("value, places, expected", [
    (4.05, 1, "4.1"), (2.25, 1, "2.3"), (2.35, 1, "2.4"), (-2.25, 1, "-2.3"), (0.125, 2, "0.13"),
    (Decimal("1250.505"), 2, "1250.51"), (2.5, 0, "3"), (81 / 20, 1, "4.1"), (45 / 20, 1, "2.3"),
])
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == Decimal(expected)


def test_pythons_own_rounding_would_not_do():
    assert (round(4.05, 1), round(2.25, 1)) == (4.0, 2.2)  # why there is a helper


def test_the_formatters_round_half_up(app):
    with app.test_request_context(), force_locale("nb"):
        assert decimal_text(4.05, 1) == "4,1" and decimal_text(2.25, 1) == "2,3"
        assert decimal_text(None) == "–"
        assert signed_percent(2.25) == "+2,3\u00a0%" and signed_percent(-0.04) == "0,0\u00a0%"
        assert kroner(Decimal("1250.505")) == "1\u00a0250,51\u00a0kr"
    assert csv_cell(Decimal("4.1")) == "4,1" and csv_cell(Decimal("900.00")) == "900,00"
    assert csv_cell(Decimal("2.345")) == "2,35" and csv_cell(Decimal("75")) == "75"


def _answers(relevance: list[int], usefulness: list[int]) -> list[dict]:
    return [{"relevance": str(a), "usefulness": str(b), "organisation": "3", "best": "", "improve": ""}
            for a, b in zip(relevance, usefulness)]


@pytest.fixture
def means(app, factory):
    """20 answers: relevance 19 × 4 + 1 × 5 = 81 (mean 4,05), usefulness 15 × 2 + 5 × 3 = 45 (2,25)."""
    s = setup(app, factory)
    with app.app_context():
        db.session.get(Gathering, s.gathering_id).status = GatheringStatus.HELD
        db.session.commit()
    invite_and_answer(app, s.network_id, s.gathering_id, _answers([4] * 19 + [5], [2] * 15 + [3] * 5))
    return s


def test_a_mean_of_4_05_is_4_1_on_every_page_and_in_every_export(means, login):
    http = login(means.people["coordinator"])
    page = main(http.get(means.url + "/results"))
    assert "Gjennomsnitt 4,1 av 20 svar." in page.split('id="rating-relevance"')[1].split("</p>")[0]
    assert "Gjennomsnitt 2,3 av 20 svar." in page.split('id="rating-usefulness"')[1].split("</p>")[0]

    compare = main(http.get(f"{means.network_url}/evaluations"))
    row = compare.split(f'id="gathering-{means.gathering_id}"')[1].split("</tr>")[0]
    assert re.findall(r'data-average="\w+">([^<]*)<', row) == ["4,1", "2,3", "3,0"]

    lines = http.get(f"{means.network_url}/evaluations.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[1].split(";")[6:9] == ["4,1", "2,3", "3,0"]

    data = http.get(means.url + "/results.xlsx").data
    summary = load_workbook(io.BytesIO(data))["Sammendrag"]
    by_question = {row[0].value: row for row in summary.iter_rows(min_row=7)}
    relevance = next(row for label, row in by_question.items() if label and "relevant" in label)
    usefulness = next(row for label, row in by_question.items() if label and "nyttig" in label)
    assert (relevance[2].value, usefulness[2].value) == (4.1, 2.3)
    assert relevance[2].number_format == "0.0"
    # A second reader sees the same.
    read = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Sammendrag").to_python()
    assert {row[2] for row in read if row and isinstance(row[0], str) and ("relevant" in row[0] or "nyttig" in row[0])} \
        == {4.1, 2.3}
