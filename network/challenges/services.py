"""The challenge rules: the network's catalogue, and which member municipalities have which challenge.

Every change to the catalogue's order or titles locks the network's row first (``SELECT … FOR
UPDATE`` on PostgreSQL), so two coordinators clicking at once neither duplicate a title that
differs only in case (the database's unique constraint is case-sensitive) nor scramble positions.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from network.challenges.models import LOCAL_DESCRIPTION_MAX, Challenge, ChallengePriority, MunicipalityChallenge
from network.extensions import db
from network.models_base import utcnow
from network.growth import services as growth_services
from network.growth.models import GrowthClass
from network.networks.models import Membership, MembershipStatus, Network
from network.networks.services import active_memberships, norwegian_key
from network.organisations.models import Organisation, OrganisationKind

TITLE_MAX = 300
DESCRIPTION_MAX = 2000


class ChallengeError(ValueError):
    """A rule was broken; the message is shown on the form, next to ``field`` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- reading ----------------------------------------------------------------------------


def catalogue(network: Network) -> list[Challenge]:
    return list(db.session.scalars(
        select(Challenge).where(Challenge.network_id == network.id).order_by(Challenge.position, Challenge.id)
    ))


def catalogue_with_authors(network: Network) -> list[Challenge]:
    """The catalogue with the adding municipality loaded, for pages that say who added what."""
    return list(db.session.scalars(
        select(Challenge).where(Challenge.network_id == network.id)
        .options(joinedload(Challenge.added_by_organisation))
        .order_by(Challenge.position, Challenge.id)
    ))


def get_challenge(network: Network, challenge_id: int) -> Challenge | None:
    return db.session.scalar(
        select(Challenge).where(Challenge.id == challenge_id, Challenge.network_id == network.id)
        .options(joinedload(Challenge.added_by_organisation))
    )


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
        rows_of_one.sort(key=_by_priority_then_catalogue)
    return result


def _by_priority_then_catalogue(row: MunicipalityChallenge):
    return (row.priority.rank, row.challenge.position, row.challenge.id)


def memberships_sharing(challenge: Challenge) -> list[MunicipalityChallenge]:
    """The active member municipalities that have this challenge, with their priority and description."""
    return list(db.session.scalars(
        select(MunicipalityChallenge)
        .join(MunicipalityChallenge.membership)
        .where(MunicipalityChallenge.challenge_id == challenge.id, Membership.status == MembershipStatus.ACTIVE)
        .options(selectinload(MunicipalityChallenge.membership).selectinload(Membership.organisation)
                 .selectinload(Organisation.county))
    ))


@dataclass
class PriorityCounts:
    high: int = 0
    medium: int = 0
    low: int = 0

    @property
    def total(self) -> int:
        return self.high + self.medium + self.low

    def add(self, priority: ChallengePriority, count: int = 1) -> None:
        setattr(self, priority.value, getattr(self, priority.value) + count)


def catalogue_counts(network: Network) -> dict[int, PriorityCounts]:
    """How many active member municipalities have each challenge, per priority, in one query."""
    rows = db.session.execute(
        select(MunicipalityChallenge.challenge_id, MunicipalityChallenge.priority, func.count())
        .join(MunicipalityChallenge.membership)
        .join(Membership.organisation)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE,
               Organisation.kind == OrganisationKind.MUNICIPALITY)
        .group_by(MunicipalityChallenge.challenge_id, MunicipalityChallenge.priority)
    ).all()
    counts: dict[int, PriorityCounts] = defaultdict(PriorityCounts)
    for challenge_id, priority, count in rows:
        counts[challenge_id].add(priority, count)
    return counts


def municipal_memberships(network: Network) -> list[Membership]:
    """The network's active member municipalities, by county and name."""
    return [m for m in active_memberships(network) if m.organisation.is_municipality]


def municipality_count(network: Network) -> int:
    """How many municipalities are active members of the network."""
    return db.session.scalar(
        select(func.count()).select_from(Membership).join(Membership.organisation)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE,
               Organisation.kind == OrganisationKind.MUNICIPALITY)
    ) or 0


def entries_for(membership: Membership) -> list[MunicipalityChallenge]:
    """One municipality's challenges, highest priority first, with who last changed each."""
    rows = list(db.session.scalars(
        select(MunicipalityChallenge).where(MunicipalityChallenge.membership_id == membership.id)
        .options(joinedload(MunicipalityChallenge.challenge), joinedload(MunicipalityChallenge.updated_by))
    ))
    rows.sort(key=_by_priority_then_catalogue)
    return rows


def last_change(entries: Iterable[MunicipalityChallenge]) -> MunicipalityChallenge | None:
    """The entry changed most recently: the page says who changed the municipality's list, and when."""
    return max(entries, key=lambda entry: entry.updated_at, default=None)


# --- who shares a challenge -------------------------------------------------------------


@dataclass
class Sharer:
    entry: MunicipalityChallenge
    growth_class: GrowthClass

    @property
    def membership(self) -> Membership:
        return self.entry.membership

    @property
    def organisation(self) -> Organisation:
        return self.entry.membership.organisation


@dataclass
class WhoShares:
    sharers: list[Sharer]          # after the growth filter
    sharing_count: int             # every municipality that has it, before the filter
    municipality_count: int        # the network's active member municipalities
    growth_counts: dict[GrowthClass, int] = field(default_factory=dict)  # sharers per class, before the filter


def who_shares(challenge: Challenge, growth: GrowthClass | None = None) -> WhoShares:
    """The municipalities that have the challenge, highest priority first, then by name, each
    with its growth class, so that peers under the same growth pressure can find each other."""
    entries = [e for e in memberships_sharing(challenge) if e.membership.organisation.is_municipality]
    classes = growth_services.classify_all(challenge.network, [e.membership for e in entries])
    sharers = [Sharer(entry, classes[entry.membership_id].growth_class) for entry in entries]
    sharers.sort(key=lambda s: (s.entry.priority.rank, norwegian_key(s.organisation.name)))
    growth_counts = {c: n for c in GrowthClass if (n := sum(1 for s in sharers if s.growth_class is c))}
    shown = [s for s in sharers if growth is None or s.growth_class is growth]
    return WhoShares(shown, len(sharers), municipality_count(challenge.network), growth_counts)


# --- the coordinators' matrix -----------------------------------------------------------


@dataclass
class Matrix:
    challenges: list[Challenge]
    memberships: list[Membership]  # the columns, after the growth filter
    growth_classes: dict[int, GrowthClass]  # by membership id
    cells: dict[tuple[int, int], MunicipalityChallenge]  # (challenge id, membership id)

    def cell(self, challenge: Challenge, membership: Membership) -> MunicipalityChallenge | None:
        return self.cells.get((challenge.id, membership.id))

    def challenge_counts(self, challenge: Challenge) -> PriorityCounts:
        counts = PriorityCounts()
        for membership in self.memberships:
            entry = self.cells.get((challenge.id, membership.id))
            if entry is not None:
                counts.add(entry.priority)
        return counts

    def membership_total(self, membership: Membership) -> int:
        return sum(1 for challenge in self.challenges if (challenge.id, membership.id) in self.cells)

    @property
    def total(self) -> int:
        return sum(self.membership_total(membership) for membership in self.memberships)


def matrix(network: Network, growth: GrowthClass | None = None) -> Matrix:
    """Challenges × the active member municipalities, in a fixed number of queries."""
    challenges = catalogue_with_authors(network)
    memberships = municipal_memberships(network)
    classes = {m_id: c.growth_class for m_id, c in growth_services.classify_all(network, memberships).items()}
    if growth is not None:
        memberships = [m for m in memberships if classes[m.id] is growth]
    ids = [m.id for m in memberships]
    cells = {}
    if ids:
        for entry in db.session.scalars(
            select(MunicipalityChallenge).where(MunicipalityChallenge.membership_id.in_(ids))
            .options(selectinload(MunicipalityChallenge.updated_by))
        ):
            cells[(entry.challenge_id, entry.membership_id)] = entry
    return Matrix(challenges, memberships, classes, cells)


def matrix_rows(result: Matrix) -> list[tuple[Membership, Challenge, MunicipalityChallenge]]:
    """One row per municipality and challenge it has, by municipality, then catalogue order (for CSV)."""
    by_name = sorted(result.memberships, key=lambda m: norwegian_key(m.organisation.name))
    return [(membership, challenge, result.cells[(challenge.id, membership.id)])
            for membership in by_name for challenge in result.challenges
            if (challenge.id, membership.id) in result.cells]


# --- the catalogue ----------------------------------------------------------------------


def _lock(network: Network) -> None:
    db.session.execute(select(Network.id).where(Network.id == network.id).with_for_update())


def _ordered(network: Network) -> list[Challenge]:
    return catalogue(network)


def _renumber(challenges: list[Challenge]) -> None:
    for position, challenge in enumerate(challenges, start=1):
        if challenge.position != position:
            challenge.position = position


def _clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ChallengeError(_("Skriv en tittel på utfordringen."), field="title")
    if len(title) > TITLE_MAX:
        raise ChallengeError(_("Tittelen kan være høyst %(max)s tegn.", max=TITLE_MAX), field="title")
    return title


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ChallengeError(_("Beskrivelsen kan være høyst %(max)s tegn.", max=DESCRIPTION_MAX), field="description")
    return description


def _check_unique(network: Network, title: str, exclude: Challenge | None = None) -> None:
    """Titles are unique in a network whatever their case ("Eldre" and "eldre" are one challenge)."""
    wanted = title.casefold()
    for challenge in _ordered(network):
        if challenge is not exclude and challenge.title.casefold() == wanted:
            raise ChallengeError(
                _("Utfordringen «%(title)s» finnes allerede i katalogen.", title=challenge.title), field="title")


def check_title(network: Network, title: str, exclude: Challenge | None = None) -> str:
    """The cleaned title, or a ChallengeError when it is empty, too long or taken."""
    title = _clean_title(title)
    _check_unique(network, title, exclude)
    return title


def _flush_unique() -> None:
    """The database's own unique constraint backs the check up; it must never surface as a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ChallengeError(_("En utfordring med den tittelen finnes allerede i katalogen."), field="title") from None


def add_challenge(network: Network, title: str, description: str = "",
                  added_by: Organisation | None = None) -> Challenge:
    """A new challenge goes last in the catalogue. ``added_by`` is the municipality that added it."""
    _lock(network)
    title, description = _clean_title(title), _clean_description(description)
    _check_unique(network, title)
    existing = _ordered(network)
    challenge = Challenge(
        network_id=network.id, title=title, description=description,
        position=(max((c.position for c in existing), default=0) + 1),
        added_by_organisation_id=added_by.id if added_by else None,
    )
    db.session.add(challenge)
    _flush_unique()
    return challenge


def update_challenge(challenge: Challenge, title: str, description: str) -> None:
    _lock(challenge.network)
    title, description = _clean_title(title), _clean_description(description)
    _check_unique(challenge.network, title, exclude=challenge)
    challenge.title = title
    challenge.description = description
    _flush_unique()


def entry_count(challenge: Challenge) -> int:
    """How many municipalities (active or not) have marked the challenge: they go with it on delete."""
    return db.session.scalar(
        select(func.count()).select_from(MunicipalityChallenge).where(MunicipalityChallenge.challenge_id == challenge.id)
    ) or 0


def delete_challenge(challenge: Challenge) -> int:
    """Delete the challenge with every municipality's marking of it; returns how many went with it."""
    network = challenge.network
    _lock(network)
    removed = entry_count(challenge)
    db.session.delete(challenge)
    db.session.flush()
    _renumber(_ordered(network))
    db.session.flush()
    return removed


def move_challenge(challenge: Challenge, offset: int) -> bool:
    """Swap with the neighbour above (-1) or below (+1). False when it is already first or last."""
    network = challenge.network
    _lock(network)
    challenges = _ordered(network)
    here = challenges.index(challenge)
    there = here + offset
    if offset not in (-1, 1) or not 0 <= there < len(challenges):
        _renumber(challenges)
        db.session.flush()
        return False
    challenges[here], challenges[there] = challenges[there], challenges[here]
    _renumber(challenges)
    db.session.flush()
    return True


def deleted_message(title: str, removed: int) -> str:
    if not removed:
        return _("«%(title)s» er slettet fra katalogen.", title=title)
    return ngettext(
        "«%(title)s» er slettet fra katalogen, sammen med markeringen fra %(num)d kommune.",
        "«%(title)s» er slettet fra katalogen, sammen med markeringene fra %(num)d kommuner.",
        removed, title=title,
    )


# --- a municipality's challenges --------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """What a municipality says about one catalogue challenge: it applies, how much, and how it looks locally."""
    challenge_id: int
    priority: ChallengePriority
    description: str = ""


def _clean_local(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > LOCAL_DESCRIPTION_MAX:
        raise ChallengeError(
            _("Beskrivelsen kan være høyst %(max)s tegn.", max=LOCAL_DESCRIPTION_MAX), field="local_description")
    return description


def save_choices(membership: Membership, choices: Iterable[Choice], by) -> int:
    """Make the municipality's challenges exactly ``choices``: new ones are added, changed ones
    updated, the rest removed. Only entries that change get a new "changed by … at …".
    Returns how many entries changed."""
    catalogue_ids = {c.id for c in _ordered(membership.network)}
    wanted = {}
    for choice in choices:
        if choice.challenge_id not in catalogue_ids:
            raise ChallengeError(_("Utfordringen finnes ikke i nettverkets katalog."))
        wanted[choice.challenge_id] = Choice(choice.challenge_id, choice.priority, _clean_local(choice.description))
    existing = {e.challenge_id: e for e in db.session.scalars(
        select(MunicipalityChallenge).where(MunicipalityChallenge.membership_id == membership.id))}
    changed = 0
    for challenge_id, entry in existing.items():
        if challenge_id not in wanted:
            db.session.delete(entry)
            changed += 1
    for challenge_id, choice in wanted.items():
        entry = existing.get(challenge_id)
        if entry is None:
            entry = MunicipalityChallenge(challenge_id=challenge_id, membership_id=membership.id)
            db.session.add(entry)
        elif entry.priority is choice.priority and entry.description == choice.description:
            continue
        entry.priority = choice.priority
        entry.description = choice.description
        entry.updated_by_id = getattr(by, "id", None)
        entry.updated_at = utcnow()
        changed += 1
    db.session.flush()
    return changed


def add_own_challenge(membership: Membership, *, title: str, description: str, priority: ChallengePriority,
                      local_description: str, by) -> Challenge:
    """A municipality adds a challenge of its own to the catalogue, and marks it as its own at once."""
    local_description = _clean_local(local_description)
    challenge = add_challenge(membership.network, title, description, added_by=membership.organisation)
    db.session.add(MunicipalityChallenge(
        challenge_id=challenge.id, membership_id=membership.id, priority=priority,
        description=local_description, updated_by_id=getattr(by, "id", None),
    ))
    db.session.flush()
    return challenge
