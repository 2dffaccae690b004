"""Growth class pages. Each view loads its objects, checks access in ``access``, then acts."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2 import pass_context

from network.main.numbers import decimal_text
from network.main.spreadsheets import csv_response
from network.extensions import db
from network.growth import access, services
from network.growth.forms import OverrideForm, ThresholdsForm
from network.growth.services import GrowthError
from network.main.confirm import ask_first
from network.main.charts import Bar, Series, bar_chart
from network.networks.forms import EmptyForm
from network.networks.loading import load_network, require
from network.networks.models import Membership, Network

bp = Blueprint("growth", __name__, url_prefix="/networks")


# --- for templates ----------------------------------------------------------------------


def growth_percent(value: Decimal | None, signed: bool = False) -> str:
    """1,02 % (two decimals, as the classes are decided on); +1,02 % when ``signed``."""
    if value is None:
        return ""
    value = abs(value) if value == 0 else value  # -0,00 % reads as a decline that isn't there
    text = decimal_text(value, 2)
    return f"{'+' if signed and value > 0 else ''}{text}\u00a0%"


@bp.app_template_filter("growth_percent")
@pass_context
def _growth_percent_filter(_context, value, signed=False):
    # Context-bound, so Jinja never folds it into a constant in whatever locale was active then.
    return growth_percent(value, signed)


@bp.app_template_global()
def growth_classification(membership: Membership):
    """For ``growth/_municipality_section.html``: the municipality's classification, with its
    override, or None for members that are not municipalities."""
    if not membership.organisation.is_municipality:
        return None
    return services.classify(membership)


@bp.app_template_global()
def can_override_growth(membership: Membership) -> bool:
    return access.can_override(current_user, membership)


def _class_chart(counts):
    series = [Series("count", _("Kommuner"))]
    return bar_chart(series, [Bar(growth_class.label, {"count": count}) for growth_class, count in counts.items()])


def _sort_args() -> tuple[str, bool]:
    sort = request.args.get("sort", services.DEFAULT_SORT)
    return (sort if sort in services.SORT_KEYS else services.DEFAULT_SORT), request.args.get("dir") == "desc"


def _load_municipality(network: Network, organisation_id: int) -> Membership:
    membership = services.classifiable_membership(network, organisation_id)
    if membership is None:
        abort(404)
    return membership


# --- the overview -----------------------------------------------------------------------


@bp.get("/<int:network_id>/growth")
@login_required
def overview(network_id: int):
    network = load_network(network_id)
    require(access.can_view_growth(current_user, network))
    sort, descending = _sort_args()
    growth = services.overview(network, sort, descending)
    counts = growth.counts
    return render_template(
        "growth/overview.html",
        network=network,
        growth=growth,
        counts=counts,
        chart=_class_chart(counts),
        sort=sort,
        descending=descending,
        can_edit=access.can_edit_thresholds(current_user, network),
        can_export=access.can_export_growth(current_user, network),
    )


def csv_headers() -> list[str]:
    return [_("Kommune"), _("Kommunenummer"), _("Fylke"), _("Innbyggere 2010"), _("Innbyggere 2020"),
            _("Endring 2010–2020 (%)"), _("Gjennomsnittlig endring per år (%)"), _("Sentralitetsklasse"),
            _("Beregnet klasse"), _("Overstyrt klasse"), _("Begrunnelse for overstyring"), _("Vekstklasse")]


@bp.get("/<int:network_id>/growth.csv")
@login_required
def overview_csv(network_id: int):
    network = load_network(network_id)
    require(access.can_export_growth(current_user, network))
    sort, descending = _sort_args()
    rows = []
    for row in services.overview(network, sort, descending).rows:
        organisation, c = row.organisation, row.classification
        # Percentages are Decimals, written with a decimal comma; text is guarded against formulas.
        rows.append((
            organisation.name, organisation.kommunenummer or "", organisation.county.name if organisation.county else "",
            c.figures.population_start if c.figures.population_start else "",
            c.figures.population_end if c.figures.population_end is not None else "",
            c.figures.change_percent if c.figures.change_percent is not None else "",
            c.figures.yearly_percent if c.figures.yearly_percent is not None else "",
            c.figures.centrality_class or "", c.computed.label,
            c.override.growth_class.label if c.override else "", c.override.reason if c.override else "",
            c.growth_class.label,
        ))
    return csv_response(f"vekstklasser-nettverk-{network.id}.csv", csv_headers(), rows)


# --- thresholds -------------------------------------------------------------------------


@bp.route("/<int:network_id>/growth/settings", methods=["GET", "POST"])
@login_required
def settings(network_id: int):
    network = load_network(network_id)
    require(access.can_edit_thresholds(current_user, network))
    form = ThresholdsForm()
    growth = services.overview(network)
    current = [row.classification for row in growth.rows]
    preview = None
    if request.method == "GET":
        form.fill(growth.thresholds)
    if form.validate_on_submit():
        thresholds = form.thresholds()
        try:
            if request.form.get("action") == "preview":
                services.validate_thresholds(thresholds)
                preview = services.count_by_class(services.with_thresholds(current, thresholds))
            else:
                services.save_thresholds(network, thresholds, current_user)
        except GrowthError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            if preview is None:
                db.session.commit()
                flash(_("Grensene for vekstklassene er lagret."), "success")
                return redirect(url_for("growth.overview", network_id=network.id))
    return render_template(
        "growth/settings.html",
        network=network,
        form=form,
        thresholds=growth.thresholds,
        settings=services.settings_for(network),
        counts=growth.counts,
        preview=preview,
        overridden=growth.overridden,
        is_default=services.is_default(growth.thresholds),
        defaults=services.Thresholds(),
        action_form=EmptyForm(),
    ), 422 if form.errors else 200


def _show_error(form: ThresholdsForm, error: GrowthError) -> None:
    if error.fields:
        for name in error.fields:
            getattr(form, name).errors.append(str(error))
    else:
        form.form_errors.append(str(error))


@bp.post("/<int:network_id>/growth/settings/reset")
@login_required
def reset_settings(network_id: int):
    network = load_network(network_id)
    require(access.can_edit_thresholds(current_user, network))
    if not EmptyForm().validate_on_submit():
        abort(400)
    page = ask_first(
        title=_("Tilbakestille grensene?"),
        message=_("Sett grensene for vekstklassene i %(network)s tilbake til standardverdiene.", network=network.name),
        details=[_("Grensene dere har satt selv, forsvinner, og kommunene kan få en annen vekstklasse. "
                   "Overstyrte klasser står seg.")],
        button=_("Ja, tilbakestill grensene"), back=url_for("growth.settings", network_id=network.id),
        afterwards=_("Dette kan ikke angres, men du kan skrive inn grensene på nytt."))
    if page is not None:
        return page
    services.reset_thresholds(network, current_user)
    db.session.commit()
    flash(_("Grensene er satt tilbake til standardverdiene."), "success")
    return redirect(url_for("growth.settings", network_id=network.id))


# --- overrides --------------------------------------------------------------------------


def _municipality_page(network: Network, membership: Membership) -> str:
    return url_for("networks.municipality", network_id=network.id, organisation_id=membership.organisation_id,
                   _anchor="growth")


@bp.route("/<int:network_id>/municipalities/<int:organisation_id>/growth", methods=["GET", "POST"])
@login_required
def override(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = _load_municipality(network, organisation_id)
    require(access.can_override(current_user, membership))
    classification = services.classify(membership)
    form = OverrideForm()
    if request.method == "GET" and classification.override:
        form.growth_class.data = classification.override.growth_class.value
        form.reason.data = classification.override.reason
    if form.validate_on_submit():
        try:
            services.set_override(membership, form.chosen_class(), form.reason.data, current_user)
        except GrowthError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Vekstklassen for %(name)s er satt til %(label)s.", name=membership.organisation.name,
                    label=form.chosen_class().label.lower()), "success")
            return redirect(_municipality_page(network, membership))
    return render_template(
        "growth/override.html",
        network=network,
        membership=membership,
        organisation=membership.organisation,
        classification=classification,
        form=form,
        action_form=EmptyForm(),
    ), 422 if form.errors else 200


@bp.post("/<int:network_id>/municipalities/<int:organisation_id>/growth/clear")
@login_required
def clear_override(network_id: int, organisation_id: int):
    network = load_network(network_id)
    membership = _load_municipality(network, organisation_id)
    require(access.can_override(current_user, membership))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.override_for(membership) is not None:  # nothing to ask when there is none
        page = ask_first(
            below={"membership": membership}, title=_("Fjerne overstyringen?"),
            message=_("Fjern den overstyrte vekstklassen for %(name)s, og bruk den beregnede klassen.",
                      name=membership.organisation.name),
            button=_("Ja, fjern overstyringen"),
            back=url_for("growth.override", network_id=network.id, organisation_id=organisation_id),
            afterwards=_("Dette kan ikke angres, men du kan overstyre klassen på nytt."))
        if page is not None:
            return page
    if services.clear_override(membership):
        db.session.commit()
        flash(_("Overstyringen er fjernet. %(name)s har nå den beregnede klassen.",
                name=membership.organisation.name), "success")
    else:
        flash(_("%(name)s hadde ingen overstyrt klasse.", name=membership.organisation.name), "info")
    return redirect(_municipality_page(network, membership))
