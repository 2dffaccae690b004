"""The challenge rules: the network's catalogue, and which member municipalities have which challenge."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.challenges.models import Challenge, MunicipalityChallenge
from network.extensions import db
from network.networks.models import Membership, MembershipStatus, Network


def catalogue(network: Network) -> list[Challenge]:
    return list(db.session.scalars(
        select(Challenge).where(Challenge.network_id == network.id).order_by(Challenge.position, Challenge.id)
    ))


def challenges_by_membership(membership_ids: Iterable[int]) -> dict[int, list[MunicipalityChallenge]]:
    """Each membership's challenges, highest priority first, in one query."""
    ids = list(membership_ids)
    result: dict[int, list[MunicipalityChallenge]] = defaultdict(list)
    if not ids:
        return result
    rows = db.session.scalars(
        select(MunicipalityChallenge)
        .where(MunicipalityChallenge.membership_id.in_(ids))
        .options(selectinload(MunicipalityChallenge.challenge))
    )
    for row in rows:
        result[row.membership_id].append(row)
    for rows_of_one in result.values():
        rows_of_one.sort(key=lambda row: (row.priority.rank, row.challenge.position, row.challenge.id))
    return result


def memberships_sharing(challenge: Challenge) -> list[MunicipalityChallenge]:
    """The active member municipalities that have this challenge, with their priority and description."""
    return list(db.session.scalars(
        select(MunicipalityChallenge)
        .join(MunicipalityChallenge.membership)
        .where(MunicipalityChallenge.challenge_id == challenge.id, Membership.status == MembershipStatus.ACTIVE)
        .options(selectinload(MunicipalityChallenge.membership).selectinload(Membership.organisation))
    ))
