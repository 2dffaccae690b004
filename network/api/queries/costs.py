"""Costs and the invoice basis for the API, read through the costs services, so the API charges
exactly what the cost page and the invoice basis export charge, and shows it to the same people.
A fixed number of queries, however many members and registrations a network has."""
from __future__ import annotations

from collections import defaultdict

from flask import abort

from network.api.framework import PageQuery
from network.api.schemas.costs import CostCellOut, CostsOut, CostGatheringOut, InvoiceLineOut, OrganisationCostOut
from network.api.schemas.money import money
from network.costs import services
from network.costs.services import ZERO, InvoiceLine
from network.extensions import db
from network.gatherings.models import Gathering
from network.networks import access
from network.networks.loading import require
from network.networks.models import Membership, MembershipStatus, Network
from network.networks.services import get_membership, norwegian_key


def own_membership(person, network: Network) -> Membership | None:
    """The viewer's organisation's membership, as the cost page finds it."""
    return get_membership(network, person.organisation_id) if person.organisation_id else None


def _by_number(gatherings: list[Gathering]) -> list[Gathering]:
    return sorted(gatherings, key=lambda g: (g.number, g.id))


def _gathering_rows(gatherings: list[Gathering], people: dict[int, int], amounts: dict) -> list[CostGatheringOut]:
    return [CostGatheringOut(gathering_id=g.id, number=g.number, title=g.title, status=g.status,
                             price_per_day=money(g.price_per_day), people=people.get(g.id, 0),
                             amount=money(amounts.get(g.id, ZERO)))
            for g in gatherings]


def _row(organisation_id: int | None, name: str, is_member: bool, people: dict[int, int], amounts: dict,
         gatherings: list[Gathering]) -> OrganisationCostOut:
    cells = [CostCellOut(gathering_id=g.id, people=people[g.id], amount=money(amounts.get(g.id, ZERO)))
             for g in gatherings if people.get(g.id)]
    return OrganisationCostOut(organisation_id=organisation_id, name=name, is_member=is_member, gatherings=cells,
                               total=money(sum(amounts.values(), ZERO)))


def _sums(lines: list[InvoiceLine]) -> tuple[dict[int, int], dict]:
    people: dict[int, int] = defaultdict(int)
    amounts = defaultdict(lambda: ZERO)
    for line in lines:
        people[line.gathering_id] += 1
        amounts[line.gathering_id] += line.amount
    return people, amounts


def network_costs(person, network: Network, query: PageQuery) -> CostsOut:
    """As the cost page: coordinators every organisation (the cost matrix), a contact their own
    municipality, any other member their own registrations. The sums cover everyone the viewer
    may see; the organisations come one page at a time."""
    if access.is_coordinator(person, network):
        matrix = services.cost_matrix(network)
        gatherings = _by_number(matrix.gatherings)  # sorted once, not per organisation row
        # Sorted and paged before the answer's rows are made: a national network has hundreds.
        matrix_rows = sorted(matrix.rows, key=lambda row: _order(row.organisation_id, row.organisation_name))
        rows = [_row(row.organisation_id, row.organisation_name, row.is_member, row.people, row.amounts, gatherings)
                for row in matrix_rows[query.offset:query.offset + query.size]]
        organisations = len(matrix_rows)
        people: dict[int, int] = defaultdict(int)
        for row in matrix.rows:
            for gathering_id, count in row.people.items():
                people[gathering_id] += count
        amounts = {g.id: matrix.gathering_total(g.id) for g in gatherings}
        scope, total = "network", matrix.total
    else:
        gatherings = _by_number(services.network_gatherings(network))
        membership = own_membership(person, network)
        if membership is not None and services.can_see_costs(person, membership):
            lines = services.invoice_lines(network, organisation_id=membership.organisation_id)
            people, amounts = _sums(lines)
            rows = [_row(membership.organisation_id, membership.organisation.name,
                         membership.status is MembershipStatus.ACTIVE, people, amounts, gatherings)]
            scope, organisations = "organisation", 1
            rows = rows[query.offset:query.offset + query.size]
        else:
            lines = services.invoice_lines(network, person_id=person.id)  # as person_costs, without the waiting list
            people, amounts = _sums(lines)
            rows, scope, organisations = [], "person", 0
        total = sum((line.amount for line in lines), ZERO)
    return CostsOut(network_id=network.id, scope=scope, gatherings=_gathering_rows(gatherings, people, amounts),
                    organisations=rows, total=money(total), page=query.page, size=query.size,
                    organisations_total=organisations)


def _order(organisation_id: int | None, name: str) -> tuple:
    # By name, people without an organisation last; the id settles ties for good.
    return organisation_id is None, norwegian_key(name), organisation_id or 0


def network_gathering(network: Network, gathering_id: int | None) -> Gathering | None:
    """The gathering a filter names, or 404 when it is not one of the network's."""
    if gathering_id is None:
        return None
    gathering = db.session.get(Gathering, gathering_id)
    if gathering is None or gathering.network_id != network.id:
        abort(404)
    return gathering


def line_out(line: InvoiceLine) -> InvoiceLineOut:
    return InvoiceLineOut(
        organisation_id=line.organisation_id, organisation_name=line.organisation_name,
        org_number=line.org_number, person_id=line.person_id, person_name=line.person_name,
        gathering_id=line.gathering_id, gathering_number=line.gathering_number,
        gathering_title=line.gathering_title, days=line.days, unit_price=money(line.unit_price),
        amount=money(line.amount), status=line.status,
    )


def invoice_lines(person, network: Network, gathering_id: int | None = None,
                  organisation_id: int | None = None) -> list[InvoiceLine]:
    """The invoice basis's lines: coordinators every organisation's, a contact (the cost page's
    rule, ``can_see_costs``) only their own municipality's; 403 for anyone else. Plain lines: the
    caller turns only the page it sends into ``line_out`` answers (a national network has thousands)."""
    if access.is_coordinator(person, network):
        allowed = None
    else:
        membership = own_membership(person, network)
        require(membership is not None and services.can_see_costs(person, membership))
        allowed = membership.organisation_id
    gathering = network_gathering(network, gathering_id)
    if allowed is not None and organisation_id not in (None, allowed):
        return []  # the filter names another organisation: nothing of it is theirs to see
    wanted = allowed if allowed is not None else organisation_id
    return services.invoice_lines(network, gathering, organisation_id=wanted)
