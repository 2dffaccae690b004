"""Evaluation results as CSV and XLSX: one row per response with every answer, in the order of the
answers themselves, and no response id (it says nothing, but there is no need for it either).
The XLSX adds a summary sheet: the response rate and, for each rating, the distribution and mean.
When a gathering has too few answers to show (``services.min_answers``), both say only how many
answers there are, and from how many results are shown."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from network.evaluations import services
from network.evaluations.models import STANDARD_RATINGS
from network.main.numbers import round_half_up


def response_table(results: services.Results) -> tuple[list[str], list[list]]:
    if results.withheld:
        return [_("Merknad")], [[results.withheld_message]]
    header = services.answer_headers(results.questions)
    rows = [["" if value is None else value for value in services.answer_values(response, results.questions)]
            for response in results.responses]
    return header, rows


def summary_rows(results: services.Results) -> list[list]:
    rows = [
        [_("Samling"), _("Samling %(n)s: %(title)s", n=results.gathering.number, title=results.gathering.title)],
        [_("Invitert"), results.invited],
        [_("Svart"), results.answered],
        [_("Svarprosent"), results.response_rate],
        [],
    ]
    if results.withheld:
        return [*rows, [results.withheld_message]]
    rows += [
        [_("Spørsmål"), _("Antall svar"), _("Gjennomsnitt"), *(_("Antall som svarte %(n)d", n=n) for n in services.RATINGS)],
    ]
    for summary in results.ratings:
        rows.append([summary.label, summary.answered, services.mean_for_export(summary.average),
                     *summary.counts.values()])
    return rows


def comparison_table(scores: list[services.GatheringScores]) -> tuple[list[str], list[list]]:
    header = [_("Samling"), _("Tittel"), _("Dato"), _("Invitert"), _("Svart"), _("Svarprosent")]
    header += [_("Gjennomsnitt: %(question)s", question=label) for _key, label in STANDARD_RATINGS]
    header.append(_("Merknad"))
    rows = []
    for score in scores:
        rate = score.response_rate
        rows.append([
            score.gathering.number, score.gathering.title,
            score.gathering.starts_on.isoformat() if score.gathering.starts_on else "",
            # Averages are None (an empty cell) without answers, and when there are too few to show.
            score.invited, score.answered, "" if rate is None else round_half_up(rate * 100, 0),
            *("" if score.averages[key] is None else services.mean_for_export(score.averages[key])
              for key, _label in STANDARD_RATINGS),
            score.withheld_message if score.withheld else "",
        ])
    return header, rows


# --- XLSX -------------------------------------------------------------------------------


def _cell_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(sheet, values, bold: bool = False) -> None:
    sheet.append([_cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":  # text that starts with "=" stays text, never a formula
            cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)


def results_xlsx(results: services.Results) -> bytes:
    workbook = Workbook()
    answers = workbook.active
    answers.title = _("Svar")[:31]
    header, rows = response_table(results)
    _append(answers, header, bold=True)
    for cell in answers[1]:
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        _append(answers, row)
    for index in range(1, len(header) + 1):
        answers.column_dimensions[get_column_letter(index)].width = 14 if index <= len(STANDARD_RATINGS) else 40
    answers.freeze_panes = "A2"

    summary = workbook.create_sheet(_("Sammendrag")[:31])
    for values in summary_rows(results):
        _append(summary, values, bold=bool(values) and values[0] == _("Spørsmål"))
    rate_cell = summary.cell(row=4, column=2)
    if results.response_rate is not None:  # the whole percent the page shows, rounded half up
        rate_cell.value = round_half_up(results.response_rate, 2)
    rate_cell.number_format = "0%"
    for row in summary.iter_rows(min_row=7, min_col=3, max_col=3):
        row[0].number_format = "0.0"
    summary.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
