"""The coordinators' list of a gathering's registrations at national scale: a page of rows at a
time, optionally one municipality's, and the people one may register from there. Each function
is one query (two with the registrations' days), whatever the size of the network."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Gathering, Registration
from network.main.paging import RowPage
from network.networks.models import Membership, MembershipStatus, Network, NetworkRole
from network.networks.services import norwegian_key

PER_PAGE = 50
# The select of people to register lists everyone up to this many; beyond, one municipality's.
PEOPLE_MAX = 200


def registration_page(gathering: Gathering, organisation_id: int | None, number: int) -> RowPage[Registration]:
    """The gathering's registrations in the order they came (of one organisation when given):
    page ``number`` of them with people, organisations and days, and how many there are."""
    scope = [Registration.gathering_id == gathering.id]
    if organisation_id is not None:
        scope.append(Registration.person_id.in_(select(Person.id).where(Person.organisation_id == organisation_id)))
    total = db.session.scalar(select(func.count()).select_from(Registration).where(*scope)) or 0
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(1, number), pages)
    rows = list(db.session.scalars(
        select(Registration).where(*scope)
        .options(joinedload(Registration.person).joinedload(Person.organisation), joinedload(Registration.days))
        .order_by(Registration.created_at, Registration.id)
        .limit(PER_PAGE).offset((number - 1) * PER_PAGE)).unique())
    return RowPage(total=total, number=number, per_page=PER_PAGE, rows=rows)


def network_gatherings(network: Network) -> list[Gathering]:
    """The gatherings in order, without their days: what the follow-up reads."""
    return list(db.session.scalars(
        select(Gathering).where(Gathering.network_id == network.id).order_by(Gathering.number)))


def member_organisations(network: Network) -> list[Membership]:
    """Active memberships with their organisations, for the follow-up and the municipality filter."""
    return list(db.session.scalars(
        select(Membership)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE)
        .options(joinedload(Membership.organisation))))


def people_to_register(network: Network, organisation_id: int | None) -> list[Person] | None:
    """People with a role in the network (one organisation's when given), by name; None when
    there are more than ``PEOPLE_MAX`` and no organisation is chosen."""
    query = (select(Person).where(Person.id.in_(select(NetworkRole.person_id).where(NetworkRole.network_id == network.id)))
             .options(joinedload(Person.organisation)))
    if organisation_id is not None:
        query = query.where(Person.organisation_id == organisation_id)
    else:
        query = query.limit(PEOPLE_MAX + 1)
    people = list(db.session.scalars(query))
    if organisation_id is None and len(people) > PEOPLE_MAX:
        return None
    keys = {person.id: norwegian_key(person.name) for person in people}
    return sorted(people, key=lambda person: keys[person.id])


def sorted_by_name(memberships: list[Membership]) -> list[Membership]:
    keys = {m.id: norwegian_key(m.organisation.name) for m in memberships}
    return sorted(memberships, key=lambda m: keys[m.id])

