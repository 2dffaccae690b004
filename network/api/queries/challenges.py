"""The challenges catalogue and who shares each challenge, for the API, read through the challenges
services. Every member of the network reads who shares a challenge (the challenge's own page shows
the same), so the list needs no rule beyond ``can_view_challenges``. A fixed number of queries."""
from __future__ import annotations

from flask import abort

from network.api.schemas.challenges import ChallengeOut, SharerOut
from network.challenges import access, services
from network.challenges.models import Challenge, MunicipalityChallenge
from network.growth.models import GrowthClass
from network.networks.loading import require
from network.networks.models import Membership, Network
from network.networks.services import norwegian_key


def _sharer(membership: Membership, entry: MunicipalityChallenge, growth_class: GrowthClass) -> SharerOut:
    organisation = membership.organisation
    return SharerOut(organisation_id=organisation.id, name=organisation.name, kommunenummer=organisation.kommunenummer,
                     county=organisation.county.name if organisation.county else None, growth_class=growth_class,
                     priority=entry.priority, description=entry.description or "")


def _challenge(challenge: Challenge, sharers: list[SharerOut], sharing_count: int, municipality_count: int) -> ChallengeOut:
    added_by = challenge.added_by_organisation
    return ChallengeOut(id=challenge.id, position=challenge.position, title=challenge.title,
                        description=challenge.description or "", added_by_organisation_id=challenge.added_by_organisation_id,
                        added_by=added_by.name if added_by else None, sharing_count=sharing_count,
                        municipality_count=municipality_count, sharers=sharers)


def _sharer_order(sharer: SharerOut):
    return (list(type(sharer.priority)).index(sharer.priority), norwegian_key(sharer.name), sharer.organisation_id)


def catalogue(person, network: Network, growth: GrowthClass | None = None) -> list[ChallengeOut]:
    """The catalogue in its order, each challenge with the member municipalities that have it
    (highest priority first, then by name); ``growth`` keeps only sharers of that growth class."""
    require(access.can_view_challenges(person, network))
    matrix = services.matrix(network)  # every municipality: the counts are before the growth filter
    result = []
    for challenge in matrix.challenges:
        sharers = [_sharer(m, entry, matrix.growth_classes[m.id]) for m in matrix.memberships
                   if (entry := matrix.cell(challenge, m)) is not None]
        shown = sorted((s for s in sharers if growth is None or s.growth_class is growth), key=_sharer_order)
        result.append(_challenge(challenge, shown, len(sharers), len(matrix.memberships)))
    return result


def challenge(person, network: Network, challenge_id: int, growth: GrowthClass | None = None) -> ChallengeOut:
    """One challenge with who shares it, as on the challenge's page."""
    require(access.can_view_challenges(person, network))
    found = services.get_challenge(network, challenge_id)
    if found is None:
        abort(404)
    shares = services.who_shares(found, growth)
    sharers = sorted((_sharer(s.membership, s.entry, s.growth_class) for s in shares.sharers), key=_sharer_order)
    return _challenge(found, sharers, shares.sharing_count, shares.municipality_count)
