"""Networks and their members for the API, read through the networks and growth services, so the
API counts teams and classes growth exactly as the web pages do. A fixed number of queries,
however many members a network has."""
from __future__ import annotations

from network.api.schemas.networks import CountyOut, MemberOut, NetworkOut
from network.growth import services as growth_services
from network.networks import access
from network.networks import services as network_services
from network.networks.access import TEAM_ROLES
from network.networks.models import Network


def _window(rows: list, query) -> list:
    start = (query.page - 1) * query.size
    return rows[start:start + query.size]


def network_out(network: Network) -> NetworkOut:
    return NetworkOut(
        id=network.id, name=network.name, topic=network.topic, status=network.status,
        starts_on=network.starts_on, ends_on=network.ends_on, closed=network.is_closed, closed_at=network.closed_at,
    )


def visible_networks(person, query, only_network_id: int | None = None) -> tuple[int, list[NetworkOut]]:
    """The networks the person may see (as on their list of networks), newest first, then by name
    and id; ``only_network_id`` for a token limited to one network. One query for the networks,
    one for the person's roles."""
    listed = network_services.networks_for(person)
    # The roles came with the list: the access rule below reads them from the request's cache.
    access.remember_roles(person, {network.id: frozenset(roles) for network, roles in listed})
    networks = [network for network, _roles in listed if access.can_view_network(person, network)]
    if only_network_id is not None:
        networks = [n for n in networks if n.id == only_network_id]
    if query.status is not None:
        networks = [n for n in networks if n.status is query.status]
    # networks_for sorts by start (newest first) and name; the id settles ties for good.
    networks.sort(key=lambda n: (-(n.starts_on.toordinal()) if n.starts_on else 1, n.name, n.id))
    return len(networks), [network_out(n) for n in _window(networks, query)]


def _yearly(classification) -> str | None:
    value = classification.figures.yearly_percent if classification else None
    return f"{value:.2f}" if value is not None else None


def _by_county_name_and_id(membership) -> tuple[str, str, int]:
    """The members page's order (county, then name, Norwegian alphabet); the id settles ties."""
    organisation = membership.organisation
    county = network_services.norwegian_key(organisation.county.name) if organisation.county else "~"
    return county, network_services.norwegian_key(organisation.name), organisation.id


def members(network: Network, query) -> tuple[int, list[MemberOut]]:
    """The network's active members, by county and name (as on the members page), then id.

    Queries: the memberships with organisation, county and executive; the growth thresholds and
    overrides; the teams — five, whatever the network's size."""
    memberships = network_services.active_memberships(network)
    memberships.sort(key=_by_county_name_and_id)
    if query.county is not None:
        memberships = [m for m in memberships if m.organisation.county and m.organisation.county.number == query.county]
    municipal = [m for m in memberships if m.organisation.is_municipality]
    classes = growth_services.classify_all(network, municipal)  # the growth overview's own classification
    if query.growth_class is not None:
        memberships = [m for m in memberships if m.id in classes and classes[m.id].growth_class is query.growth_class]
    shown = _window(memberships, query)
    team_by_org = network_services.teams(network, [m.organisation_id for m in shown]) if shown else {}
    items = []
    for membership in shown:
        organisation = membership.organisation
        classification = classes.get(membership.id)
        team = [member for member in team_by_org.get(organisation.id, []) if member.accepted]
        items.append(MemberOut(
            organisation_id=organisation.id, name=organisation.name, kind=organisation.kind,
            kommunenummer=organisation.kommunenummer, org_number=organisation.org_number,
            county=CountyOut(number=organisation.county.number, name=organisation.county.name)
            if organisation.county else None,
            population_2010=organisation.population_2010, population_2020=organisation.population_2020,
            yearly_growth_percent=_yearly(classification),
            growth_class=classification.growth_class if classification else None,
            growth_class_overridden=bool(classification and classification.is_overridden),
            team_size=sum(1 for member in team if TEAM_ROLES.intersection(member.roles)),
            participants=sum(1 for member in team if member.counts_as_participant),
            anchored=membership.is_anchored, anchoring_decided_on=membership.anchoring_decided_on,
            executive_linked=membership.executive_id is not None,
        ))
    return len(memberships), items
