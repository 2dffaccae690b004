"""Cost pages, the invoice basis export and the catering list.
Each view loads its objects, checks access, then acts."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from network.costs import export, services
from network.main.paging import row_page
from network.gatherings.loading import load_gathering
from network.gatherings.models import Gathering
from network.main.spreadsheets import CSV_CONTENT_TYPE
from network.networks import access
from network.networks.loading import load_network, require
from network.networks.models import Network
from network.networks.services import get_membership
from network.organisations import services as organisation_services
from network.privacy.audit import audited, names_for_coordinators
from network.privacy.models import ExportKind

bp = Blueprint("costs", __name__, url_prefix="/networks/<int:network_id>")

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMS = "sum"  # the CSV of sums per organisation, apart from the lines


@bp.app_template_global()
def municipality_costs(membership):
    """For ``costs/_municipality_costs.html``: the membership's costs, or None when the viewer
    may not see them."""
    return services.costs_for_viewer(current_user, membership)


@bp.get("/costs")
@login_required
def overview(network_id: int):
    """Coordinators see every organisation's costs; a contact their municipality's; any other
    member their own, and never anyone else's amounts."""
    network = load_network(network_id)
    if not access.is_coordinator(current_user, network):
        return _own_costs(network)
    sort = request.args.get("sort", "name")
    sort = sort if sort in services.MATRIX_SORTS else "name"
    descending = request.args.get("dir") == "desc"
    matrix = services.cost_matrix(network, sort, descending)
    return render_template(
        "costs/overview.html",
        network=network,
        matrix=matrix,
        # Fifty organisations a page, in the order chosen; the sums and the downloads cover all.
        matrix_page=row_page(matrix.rows, "page"),
        sort=sort,
        descending=descending,
        # The finance office invoices by organisation number: those without one are named first.
        missing_org_numbers=organisation_services.missing_org_numbers(
            [row.organisation_id for row in matrix.rows], [row.organisation_id for row in matrix.rows if row.total]),
    )


def _own_costs(network: Network):
    membership = (get_membership(network, current_user.organisation_id)
                  if current_user.organisation_id else None)
    if membership is not None and services.can_see_costs(current_user, membership):
        return render_template("costs/mine.html", network=network, membership=membership, costs=None)
    return render_template("costs/mine.html", network=network, membership=None,
                           costs=services.person_costs(network, current_user.id))


def _export(network: Network, gathering: Gathering | None, fmt: str) -> Response:
    basis = services.invoice_basis(network, gathering)
    name = f"fakturagrunnlag-nettverk-{network.id}" + (f"-samling-{gathering.number}" if gathering else "")
    if fmt == "csv":  # the lines only, for import; the sums per organisation are a file of their own
        body, content_type = export.to_csv(basis), CSV_CONTENT_TYPE
    elif fmt == SUMS:
        body, content_type, name, fmt = export.sums_to_csv(basis), CSV_CONTENT_TYPE, name + "-sum", "csv"
    else:
        body, content_type = export.to_xlsx(basis), XLSX_MIMETYPE
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": f"attachment; filename={name}.{fmt}",
        "Cache-Control": "no-store",
    })


@bp.get("/costs/invoice-basis.<any(csv, xlsx):fmt>")
@bp.get("/costs/invoice-basis-sum.csv", defaults={"fmt": SUMS})
@login_required
@audited(ExportKind.INVOICE_BASIS)
def invoice_basis(network_id: int, fmt: str):
    network = load_network(network_id)
    require(access.is_coordinator(current_user, network))
    return _export(network, None, fmt)


@bp.get("/gatherings/<int:gathering_id>/invoice-basis.<any(csv, xlsx):fmt>")
@bp.get("/gatherings/<int:gathering_id>/invoice-basis-sum.csv", defaults={"fmt": SUMS})
@login_required
@audited(ExportKind.INVOICE_BASIS)
def gathering_invoice_basis(network_id: int, gathering_id: int, fmt: str):
    gathering = load_gathering(network_id, gathering_id)
    network = gathering.network
    require(access.is_coordinator(current_user, network))
    return _export(network, gathering, fmt)


@bp.get("/gatherings/<int:gathering_id>/catering")
@login_required
@audited(ExportKind.CATERING, only_if=names_for_coordinators)
def catering(network_id: int, gathering_id: int):
    """Open to the network's members with counts only; names are for coordinators alone."""
    gathering = load_gathering(network_id, gathering_id)
    network = gathering.network
    coordinator = access.is_coordinator(current_user, network)
    return render_template(
        "costs/catering.html",
        network=network,
        gathering=gathering,
        days=services.catering(gathering, with_names=coordinator),
        with_names=coordinator,
    )
