"""/networks/<id>/costs and /invoice-basis: what each organisation is charged for day packages.

The invoice basis names people, so each successful read is logged as an export of the invoice
basis, as the web's download is (network/privacy/audit.py)."""
from __future__ import annotations

from flask_login import current_user
from pydantic import Field

from network.api.exports import EXPORT_LOG_PROBLEM, record_export
from network.api.framework import MAX_ID, Page, PageQuery, api_get
from network.api.queries import costs as queries
from network.api.schemas.costs import CostsOut, InvoiceLineOut
from network.networks.loading import load_network
from network.privacy.models import ExportKind

TAG = "Kostnader"


class InvoiceBasisQuery(PageQuery):
    gathering: int | None = Field(None, ge=1, le=MAX_ID, description="Bare linjene for denne samlingen (id).")
    organisation: int | None = Field(None, ge=1, le=MAX_ID, description="Bare linjene for denne organisasjonen (id).")


@api_get("/networks/<int:network_id>/costs", response=CostsOut, query=PageQuery,
         summary="Kostnader per organisasjon og samling", tag=TAG)
def costs_show(network_id: int, query: PageQuery) -> CostsOut:
    """Som kostnadssiden: koordinatorer ser alle organisasjoner, en kontaktperson sin egen kommune,
    andre medlemmer bare sine egne påmeldinger. Beløp er tekst med to desimaler (`"1800.00"`),
    med sum per organisasjon, per samling og totalt. Avlyste samlinger faktureres ingen.
    Organisasjonene kommer side for side (`page`, `size`, `organisations_total`); summene per
    samling og totalt gjelder alle."""
    return queries.network_costs(current_user, load_network(network_id), query)


@api_get("/networks/<int:network_id>/invoice-basis", response=Page[InvoiceLineOut], query=InvoiceBasisQuery,
         summary="Fakturagrunnlagets linjer", tag=TAG, problems=EXPORT_LOG_PROBLEM)
def invoice_basis_list(network_id: int, query: InvoiceBasisQuery) -> Page[InvoiceLineOut]:
    """Én linje per person og samling som faktureres, etter organisasjon, samling og person:
    organisasjonsnummer, dager, pris per dag og beløp. For koordinatorer; en kontaktperson får
    bare sin egen kommunes linjer. Filtrer på samling (`gathering=<id>`) og organisasjon
    (`organisation=<id>`)."""
    lines = queries.invoice_lines(current_user, load_network(network_id), query.gathering, query.organisation)
    record_export(ExportKind.INVOICE_BASIS, network_id)
    page = lines[query.offset:query.offset + query.size]
    return Page.of(query, len(lines), [queries.line_out(line) for line in page])
