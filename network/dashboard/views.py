"""The coordinators' dashboard: how a network is doing, on one page."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from network.assignments import services as assignment_services
from network.dashboard import access, services
from network.main.paging import row_page
from network.evaluations.models import RATING_KEYS, STANDARD_RATINGS
from network.evaluations.services import GatheringScores
from network.evaluations.views import evaluation_mean
from network.main.charts import Bar, Series, bar_chart
from network.main.spreadsheets import csv_response
from network.networks.loading import load_network, require

bp = Blueprint("dashboard", __name__, url_prefix="/networks/<int:network_id>")


# The dashboard's tables are summaries: the costs page and the CSV have every row at once.
SUMMARY_ROWS = 25

# Column headings for the three standard ratings; the charts show the full questions.
RATING_SHORT_LABELS = {"relevance": _l("Relevans"), "usefulness": _l("Nytte for kommunen"), "organisation": _l("Organisering")}


def _participation_chart(participation: services.Participation):
    series = [Series("attended", _("Møtte")), Series("absent", _("Påmeldt, ikke registrert som møtt"))]
    bars = []
    for gathering in participation.gatherings:
        registered, attended = participation.registered(gathering.id), participation.attended(gathering.id)
        # The bar's total is the number registered: those who came, and the rest.
        bars.append(Bar(_("Samling %(n)s", n=gathering.number),
                        {"attended": attended, "absent": max(0, registered - attended)}))
    return bar_chart(series, bars)


def _assignment_chart(statuses: list[services.AssignmentStatus]):
    labels = assignment_services.CELL_LABELS
    series = [Series(key, str(labels[key])) for key in services.ASSIGNMENT_STATUSES]
    bars = [Bar(status.assignment.title, dict(status.counts), total_label=f"{status.delivered}/{sum(status.counts.values())}")
            for status in statuses]
    return bar_chart(series, bars)


def _evaluation_charts(scores: list[GatheringScores]):
    """One chart per standard rating, a bar per held gathering, on the 1–5 scale."""
    charts = []
    for key, label in STANDARD_RATINGS:
        bars = [Bar(_("Samling %(n)s", n=score.gathering.number), {"mean": score.averages[key] or 0},
                    total_label=evaluation_mean(score.averages[key])) for score in scores]
        charts.append((key, str(label), bar_chart([Series("mean", _("Gjennomsnitt"))], bars, max_value=5)))
    return charts


@bp.get("/dashboard")
@login_required
def show(network_id: int):
    network = load_network(network_id)
    require(access.can_view_dashboard(current_user, network))
    board = services.dashboard(network)
    return render_template(
        "dashboard/show.html",
        network=network,
        board=board,
        # A national network's hundreds of municipalities a page at a time; the sums cover them all.
        participation_page=row_page(board.participation.rows, "participation_page", per_page=SUMMARY_ROWS),
        costs_page=row_page(board.costs.rows, "costs_page", per_page=SUMMARY_ROWS),
        summary_rows=SUMMARY_ROWS,
        participation_chart=_participation_chart(board.participation),
        assignment_chart=_assignment_chart(board.assignments),
        evaluation_charts=_evaluation_charts(board.evaluations),
        rating_labels=[(key, str(RATING_SHORT_LABELS[key])) for key in RATING_KEYS],
        status_labels={key: str(label) for key, label in assignment_services.CELL_LABELS.items()},
        statuses=services.ASSIGNMENT_STATUSES,
        inbox_url=url_for("feedback.inbox", network_id=network.id),
    )


@bp.get("/dashboard/participation.csv")
@login_required
def participation_csv(network_id: int):
    """The participation matrix for a spreadsheet: registered and attended per gathering."""
    network = load_network(network_id)
    require(access.can_view_dashboard(current_user, network))
    participation = services.participation_for(network)
    header = [_("Kommune"), _("Fylke")]
    for gathering in participation.gatherings:
        header += [_("Samling %(n)s påmeldt", n=gathering.number), _("Samling %(n)s møtt", n=gathering.number)]
    header += [_("Påmeldt i alt"), _("Møtt i alt")]
    rows = []
    for row in participation.rows:
        organisation = row.membership.organisation
        cells = [organisation.name, organisation.county.name if organisation.county else ""]
        for gathering in participation.gatherings:
            cells += [row.registered[gathering.id], row.attended[gathering.id]]
        rows.append(cells + [row.total_registered, row.total_attended])
    return csv_response(f"deltakelse-{network.id}.csv", header, rows)
