"""Planning-status profiles and the network comparison. Each view loads its objects, checks access, then acts."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.extensions import db
from network.main.charts import Bar, Series, bar_chart
from network.networks.access import is_team_member_of
from network.networks.loading import load_network, require
from network.networks.models import Membership
from network.main.numbers import decimal_text
from network.main.spreadsheets import csv_response
from network.networks.views import form_status, load_membership
from network.main.paging import row_page
from network.planning import access, services
from network.planning.forms import PlanningProfileForm
from network.planning.models import SCORE_MAX, PlanningStep, PlanStatus, StrategicAdvice
from network.planning.services import PlanningError

bp = Blueprint("planning", __name__, url_prefix="/networks")


@bp.app_template_global()
def planning_profile(membership: Membership):
    """For ``planning/_municipality_section.html``: the municipality's profile and what the viewer
    may do with it, in two queries."""
    return {
        "profile": services.profile(membership),
        "can_edit": access.can_edit_profile(current_user, membership),
        "can_see_assessment": access.can_see_assessment(current_user, membership),
    }


# --- one municipality's profile ---------------------------------------------------------


@bp.route("/<int:network_id>/municipalities/<int:organisation_id>/planning", methods=["GET", "POST"])
@login_required
def edit(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = load_membership(network, organisation_id)
    require(access.can_edit_profile(current_user, membership))
    form = PlanningProfileForm()
    if request.method == "GET":
        form.fill(services.profile(membership))
    status = 200
    if form.validate_on_submit():
        try:
            changed = services.save_profile(membership, current_user, form.step_entries, form.advice_entries)
        except PlanningError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            status = 422
        else:
            db.session.commit()
            flash(_("Planstatus og egenvurdering er lagret.") if changed else _("Ingen endringer å lagre."), "success")
            return redirect(url_for("networks.municipality", network_id=network.id, organisation_id=organisation_id)
                            + "#planning-heading")
    return render_template(
        "planning/edit.html", network=network, membership=membership, form=form,
        last_change=services.profile(membership).last_change,
    ), max(status, form_status(form))


# --- the network comparison -------------------------------------------------------------


def _status_series() -> list[Series]:
    """The four counts per step, furthest along first. The keys are ``StepCounts``'s attributes."""
    return [Series("adopted", PlanStatus.ADOPTED.label), Series("in_progress", PlanStatus.IN_PROGRESS.label),
            Series("not_started", PlanStatus.NOT_STARTED.label), Series("not_recorded", _("Ikke registrert"))]


def _status_chart(comparison: services.Comparison):
    series = _status_series()
    bars = [Bar(f"{counts.step.number}. {counts.step.label}",
                {one.key: getattr(counts, one.key) for one in series}) for counts in comparison.step_counts]
    return bar_chart(series, bars, max_value=len(comparison.rows) or None)


def _decimal(value: float | None) -> str:
    return decimal_text(value, 1)


def _advice_chart(comparison: services.Comparison, compared: services.MunicipalityRow | None):
    series = [Series("average", _("Snitt i nettverket"))]
    bars = []
    for summary in comparison.advice:
        own = compared.scores.get(summary.advice) if compared else None
        bars.append(Bar(
            f"{summary.advice.number}. {summary.advice.label}",
            {"average": summary.average or 0},
            marker=own,
            marker_label=_("%(name)s: %(score)d", name=compared.name, score=own) if own is not None else "",
            highlight=own is not None,
            total_label=_decimal(summary.average),
        ))
    return bar_chart(series, bars, max_value=SCORE_MAX)


@bp.get("/<int:network_id>/planning")
@login_required
def comparison(network_id: int):
    network = load_network(network_id)
    require(access.can_view_comparison(current_user, network))
    sort = request.args.get("sort", "name")
    sort = sort if sort in services.SORTS else "name"
    descending = request.args.get("dir") == "desc"
    result = services.comparison(network, sort, descending)
    # The viewer's own municipality is compared with the network. Coordinators and observers may
    # choose any municipality instead; others can't see another municipality's scores this way.
    own = result.row_for(current_user.organisation_id) if current_user.organisation_id else None
    own = own if own is not None and is_team_member_of(current_user, own.membership) else None
    can_choose = access.reads_every_profile(current_user, network)
    chosen = result.row_for(request.args.get("municipality", type=int)) if can_choose else None
    compared = chosen or own
    return render_template(
        "planning/comparison.html",
        network=network,
        comparison=result,
        # Fifty municipalities a page in the order chosen; the counts, charts and CSV cover them all.
        municipality_page=row_page(result.rows, "page"),
        steps=list(PlanningStep),
        statuses=list(PlanStatus),
        advice_list=list(StrategicAdvice),
        scores=services.SCORES,
        status_chart=_status_chart(result),
        advice_chart=_advice_chart(result, compared),
        compared=compared,
        own=own,
        can_choose=can_choose,
        chosen=chosen,
        status_series=_status_series(),
        can_export=access.can_export_comparison(current_user, network),
        sort=sort,
        descending=descending,
        decimal=_decimal,
    )


@bp.get("/<int:network_id>/planning.csv")
@login_required
def comparison_csv(network_id: int):
    network = load_network(network_id)
    require(access.can_export_comparison(current_user, network))
    result = services.comparison(network, request.args.get("sort", "name"), request.args.get("dir") == "desc")
    header = [_("Kommune"), _("Kommunenummer"), _("Fylke")]
    for step in PlanningStep:
        header += [_("%(n)d. %(step)s: status", n=step.number, step=step.label),
                   _("%(n)d. %(step)s: år", n=step.number, step=step.label),
                   _("%(n)d. %(step)s: lenke", n=step.number, step=step.label)]
    header += [_("Råd %(n)d. %(advice)s: vurdering (1–4)", n=advice.number, advice=advice.label)
               for advice in StrategicAdvice]
    rows = []
    for row in result.rows:
        organisation = row.membership.organisation
        values = [organisation.name, organisation.kommunenummer or "", organisation.county.name if organisation.county else ""]
        for step in PlanningStep:
            status = row.statuses.get(step)
            values += [status.status.label if status else _("Ikke registrert"),
                       status.year if status and status.year else "",
                       status.document_url if status and status.document_url else ""]
        values += [row.scores.get(advice, "") for advice in StrategicAdvice]
        rows.append(values)
    return csv_response(f"planstatus-nettverk-{network.id}.csv", header, rows)
