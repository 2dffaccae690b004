"""The grouping rules: suggested groups, checking a coordinator's draft, and saving it safely.

The suggestion (``suggest``) is a pure function on plain data, so it can be tested without a database.
Seed 002: for parts of the work, municipalities are grouped by growth pressure versus decline.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from typing import Callable, Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from network.challenges import services as challenge_services
from network.challenges.models import Challenge
from network.extensions import db
from network.gatherings.models import Gathering
from network.groups.models import Group, GroupKind, GroupMember, Grouping
from network.growth import services as growth_services
from network.growth.models import GrowthClass
from network.models_base import utcnow
from network.networks import services as network_services
from network.networks.access import TEAM_ROLES
from network.networks.models import Membership, Network, RoleKind
from network.networks.services import TeamMember, norwegian_key
from network.organisations.models import Organisation

MIN_TARGET_SIZE, MAX_TARGET_SIZE = 2, 50  # as the grouping table's check constraint
MAX_GROUPS = 100
NAME_MAX = 120  # network_group.name
CHALLENGE_TITLE_MAX = 80  # of the challenge's title in a suggested group name, so the name fits
FACILITATOR_ROLES = TEAM_ROLES | {RoleKind.COORDINATOR}
GROWTH_ORDER = list(GrowthClass)  # strong growth, growth, stable, decline, unknown


class GroupingError(ValueError):
    """A draft broke the rules. ``problems`` are (field, message) pairs; field None is the whole form."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__(problems[0][1] if problems else "")
        self.problems = problems


class GroupingConflict(GroupingError):
    """Someone else saved the grouping after this draft was loaded."""

    def __init__(self):
        super().__init__([(None, _("Noen andre har endret gruppeinndelingen mens du redigerte."))])


# --- the suggestion (pure) --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A member municipality as the suggestion sees it."""

    membership_id: int
    name: str
    county: str = ""
    centrality_class: int | None = None
    growth_class: GrowthClass = GrowthClass.UNKNOWN
    has_challenge: bool = False  # the chosen challenge, when grouping by challenge

    @property
    def key(self) -> tuple:
        """The stable order groups are dealt in: county, centrality, name, then id to break ties."""
        return (norwegian_key(self.county), self.centrality_class or 99, norwegian_key(self.name), self.membership_id)


@dataclass(frozen=True)
class ProposedGroup:
    name: str
    kind: GroupKind
    membership_ids: tuple[int, ...]


def group_count(n: int, target_size: int) -> int:
    """k = n / t rounded, halves upwards, and at least 1.

    Halves go up because, with n / t = m + ½, m + 1 groups land nearer the target size than m
    groups do (t − t/(2m+2) against t + t/(2m)), and smaller groups give everyone room to speak.
    Integer arithmetic, so no float and no banker's rounding is involved.
    """
    return max(1, (2 * n + target_size) // (2 * target_size))


def deal(members: list[Candidate], k: int, spread: Callable[[Candidate], int]) -> list[list[Candidate]]:
    """Deal the members (in ``Candidate.key`` order) into k groups, county by county, like cards.

    Each county's c municipalities go q = c // k to every group, and one more to r = c % k of
    the groups that are smallest so far (lowest index first). So sizes differ by at most 1 and a
    county appears at most ceil(c / k) times in a group: the same shares as a round-robin deal.
    Within those shares each municipality goes where its ``spread`` value (the growth class when
    mixing) is rarest so far, so a mixed group also gets a spread of growth classes.
    """
    groups: list[list[Candidate]] = [[] for _ in range(k)]
    seen: list[Counter] = [Counter() for _ in range(k)]
    for _county, block in groupby(members, key=lambda c: c.key[0]):
        block = list(block)
        share, extra = divmod(len(block), k)
        by_size = sorted(range(k), key=lambda i: (len(groups[i]), i))
        room = {i: share for i in range(k)}
        for i in by_size[:extra]:
            room[i] += 1
        # Rarer values first would be ideal; sorted by value, each value's run is dealt together.
        for candidate in sorted(block, key=lambda c: (spread(c), c.key)):
            value = spread(candidate)
            chosen = min((i for i in range(k) if room[i]), key=lambda i: (seen[i][value], len(groups[i]), i))
            groups[chosen].append(candidate)
            seen[chosen][value] += 1
            room[chosen] -= 1
    return groups


def _numbered(label: str, k: int) -> list[str]:
    """"Vekst" for one group, "Vekst 1", "Vekst 2" … for several."""
    return [label] if k == 1 else [f"{label} {n}" for n in range(1, k + 1)]


def _partition(members: list[Candidate], label: str, kind: GroupKind, target_size: int,
               spread: Callable[[Candidate], int]) -> list[ProposedGroup]:
    if not members:
        return []
    k = group_count(len(members), target_size)
    dealt = deal(members, k, spread)
    return [ProposedGroup(name, kind, tuple(c.membership_id for c in group))
            for name, group in zip(_numbered(label, k), dealt)]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def suggest(candidates: Iterable[Candidate], basis: GroupKind, target_size: int,
            challenge_title: str | None = None) -> list[ProposedGroup]:
    """Suggested groups. The same candidates in any order give the same groups.

    growth: one partition per growth class, never mixing classes. challenge: those that have the
    challenge, then the others ("Øvrige kommuner"). mixed: one partition, spread over counties and
    growth classes. free: empty groups for the coordinator to fill.
    """
    if not MIN_TARGET_SIZE <= target_size <= MAX_TARGET_SIZE:
        raise ValueError("target_size out of range")
    members = sorted(candidates, key=lambda c: c.key)
    if len({c.membership_id for c in members}) != len(members):
        raise ValueError("a membership appears twice")
    by_centrality = lambda c: c.centrality_class or 99  # noqa: E731
    if basis is GroupKind.GROWTH:
        proposals = []
        for growth_class in GROWTH_ORDER:
            part = [c for c in members if c.growth_class is growth_class]
            proposals += _partition(part, growth_class.label, GroupKind.GROWTH, target_size, by_centrality)
        return proposals
    if basis is GroupKind.CHALLENGE:
        title = _shorten(challenge_title or _("valgt utfordring"), CHALLENGE_TITLE_MAX)
        sharing = [c for c in members if c.has_challenge]
        others = [c for c in members if not c.has_challenge]
        return (_partition(sharing, _("Utfordring: %(title)s", title=title), GroupKind.CHALLENGE, target_size,
                           by_centrality)
                + _partition(others, _("Øvrige kommuner"), GroupKind.MIXED, target_size, by_centrality))
    if basis is GroupKind.MIXED:
        return _partition(members, _("Gruppe"), GroupKind.MIXED, target_size,
                          lambda c: GROWTH_ORDER.index(c.growth_class))
    k = group_count(len(members), target_size)
    return [ProposedGroup(name, GroupKind.FREE, ()) for name in _numbered(_("Gruppe"), k)]


# --- what the network holds -------------------------------------------------------------


@dataclass
class MemberInfo:
    """A member municipality with what the grouping pages show beside it."""

    membership: Membership
    classification: growth_services.Classification

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def growth_class(self) -> GrowthClass:
        return self.classification.growth_class

    @property
    def county_name(self) -> str:
        return self.organisation.county.name if self.organisation.county else ""


def member_infos(network: Network) -> dict[int, MemberInfo]:
    """The network's active member municipalities by membership id, in county and name order."""
    memberships = [m for m in network_services.active_memberships(network) if m.organisation.is_municipality]
    classes = growth_services.classify_all(network, memberships)
    return {m.id: MemberInfo(m, classes[m.id]) for m in memberships}


def candidates(infos: dict[int, MemberInfo], sharing_ids: set[int] = frozenset()) -> list[Candidate]:
    return [
        Candidate(membership_id=info.membership.id, name=info.organisation.name, county=info.county_name,
                  centrality_class=info.organisation.centrality_class, growth_class=info.growth_class,
                  has_challenge=info.membership.id in sharing_ids)
        for info in infos.values()
    ]


def sharing_ids(challenge: Challenge) -> set[int]:
    return {row.membership_id for row in challenge_services.memberships_sharing(challenge)}


def suggest_for(network: Network, infos: dict[int, MemberInfo], basis: GroupKind, target_size: int,
                challenge: Challenge | None) -> list[ProposedGroup]:
    shared = sharing_ids(challenge) if basis is GroupKind.CHALLENGE and challenge is not None else set()
    return suggest(candidates(infos, shared), basis, target_size, challenge.title if challenge else None)


def facilitator_choices(network: Network) -> list[TeamMember]:
    """Who may lead a group: the coordinators and the municipalities' own people."""
    return [member for member in network_services.people_in_network(network) if FACILITATOR_ROLES & set(member.roles)]


def get_challenge(network: Network, challenge_id: int | None) -> Challenge | None:
    if challenge_id is None:
        return None
    return db.session.scalar(select(Challenge).where(Challenge.id == challenge_id, Challenge.network_id == network.id))


def get_gathering(network: Network, gathering_id: int | None) -> Gathering | None:
    if gathering_id is None:
        return None
    return db.session.scalar(select(Gathering).where(Gathering.id == gathering_id, Gathering.network_id == network.id))


# --- groupings --------------------------------------------------------------------------


@dataclass
class GroupingRow:
    grouping: Grouping
    group_count: int


def groupings_for(network: Network) -> list[GroupingRow]:
    """The network's groupings, newest first, with their number of groups: two queries."""
    groupings = list(db.session.scalars(
        select(Grouping).where(Grouping.network_id == network.id)
        .options(joinedload(Grouping.gathering), joinedload(Grouping.updated_by), joinedload(Grouping.basis_challenge))
        .order_by(Grouping.updated_at.desc(), Grouping.id.desc())
    ))
    counts = dict(db.session.execute(
        select(Group.grouping_id, func.count(Group.id)).where(Group.grouping_id.in_([g.id for g in groupings]))
        .group_by(Group.grouping_id)
    ).all()) if groupings else {}
    return [GroupingRow(grouping, counts.get(grouping.id, 0)) for grouping in groupings]


def groupings_for_gathering(gathering: Gathering) -> list[Grouping]:
    return list(db.session.scalars(
        select(Grouping).where(Grouping.gathering_id == gathering.id).order_by(Grouping.name, Grouping.id)))


def get_grouping(network: Network, grouping_id: int) -> Grouping | None:
    """The grouping with its groups, their facilitators and members, in a fixed number of queries."""
    return db.session.scalar(
        select(Grouping).where(Grouping.id == grouping_id, Grouping.network_id == network.id)
        .options(
            joinedload(Grouping.gathering), joinedload(Grouping.updated_by), joinedload(Grouping.basis_challenge),
            selectinload(Grouping.groups).joinedload(Group.facilitator),
            selectinload(Grouping.groups).selectinload(Group.members)
            .joinedload(GroupMember.membership).joinedload(Membership.organisation).joinedload(Organisation.county),
        )
        .execution_options(populate_existing=True)
    )


def sorted_members(group: Group) -> list[GroupMember]:
    return sorted(group.members, key=lambda m: norwegian_key(m.membership.organisation.name))


def placement_of(grouping: Grouping) -> dict[int, Group]:
    """Which group each membership sits in."""
    return {member.membership_id: group for group in grouping.groups for member in group.members}


def groups_for_membership(membership: Membership) -> list[Group]:
    """The groups a municipality is in, across the network's groupings, in one query."""
    return list(db.session.scalars(
        select(Group).join(GroupMember, GroupMember.group_id == Group.id)
        .join(Grouping, Grouping.id == Group.grouping_id)
        .where(GroupMember.membership_id == membership.id, Grouping.network_id == membership.network_id)
        .options(joinedload(Group.grouping).joinedload(Grouping.gathering))
        .order_by(Grouping.updated_at.desc(), Group.position)
    ))


# --- drafts: what a coordinator posts ---------------------------------------------------


@dataclass
class GroupDraft:
    key: str  # the token the municipalities' choices refer to
    name: str
    kind: str
    facilitator_id: str = ""
    group_id: str = ""  # the saved group it edits; anything else makes a new group
    remove: bool = False
    field_prefix: str = ""  # the form's name for this row, for error messages


@dataclass
class GroupingDraft:
    name: str
    gathering_id: str
    basis: str
    challenge_id: str
    target_size: int | None
    groups: list[GroupDraft]
    placements: list[tuple[str, str, str]] = field(default_factory=list)  # (membership id, group key, field name)


@dataclass
class CheckedDraft:
    """A draft whose every id has been checked against this network."""

    name: str
    gathering: Gathering | None
    basis: GroupKind
    challenge: Challenge | None
    target_size: int
    groups: list[tuple[GroupDraft, GroupKind, int | None]]  # kept groups with kind and facilitator id
    removed_keys: set[str]
    placements: dict[int, str]  # membership id -> group key (placed ones only)


def _as_id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def check_target_size(target_size: int | None) -> str | None:
    if target_size is None:
        return _("Skriv ønsket gruppestørrelse som et helt tall.")
    if not MIN_TARGET_SIZE <= target_size <= MAX_TARGET_SIZE:
        return _("Gruppestørrelsen må være mellom %(min)d og %(max)d.", min=MIN_TARGET_SIZE, max=MAX_TARGET_SIZE)
    return None


def check_settings(network: Network, *, name: str | None, gathering_id: str, basis: str, challenge_id: str,
                   target_size: int | None, need_name: bool = True, challenge_required: bool = True,
                   kept_gathering_id: int | None = None):
    """The grouping's own fields. Returns (problems, gathering, basis, challenge).

    No groups are made for a cancelled gathering; a grouping made for it before (``kept_gathering_id``)
    keeps it."""
    problems: list[tuple[str | None, str]] = []
    if need_name and not (name or "").strip():
        problems.append(("name", _("Gi gruppeinndelingen et navn.")))
    elif name and len(name.strip()) > 200:
        problems.append(("name", _("Navnet kan ha høyst 200 tegn.")))
    gathering = None
    if (gathering_id or "").strip():
        gathering = get_gathering(network, _as_id(gathering_id))
        if gathering is None:
            problems.append(("gathering_id", _("Velg en av nettverkets samlinger.")))
        elif gathering.is_cancelled and gathering.id != kept_gathering_id:
            problems.append(("gathering_id", _("Samling %(n)s er avlyst. Velg en annen samling, eller ingen.",
                                               n=gathering.number)))
    kind = next((k for k in GroupKind if k.value == basis), None)
    if kind is None:
        problems.append(("basis", _("Velg hva gruppene skal bygge på.")))
    challenge = None
    if (kind is GroupKind.CHALLENGE and challenge_required) or (challenge_id or "").strip():
        challenge = get_challenge(network, _as_id(challenge_id))
        if challenge is None:
            problems.append(("challenge_id", _("Velg en utfordring fra nettverkets liste.")
                             if (challenge_id or "").strip() else _("Velg hvilken utfordring gruppene skal samles om.")))
    if kind is not GroupKind.CHALLENGE:
        challenge = None
    message = check_target_size(target_size)
    if message:
        problems.append(("target_size", message))
    return problems, gathering, kind, challenge


def check_draft(network: Network, draft: GroupingDraft, infos: dict[int, MemberInfo],
                facilitator_ids: set[int], editing: bool = False,
                kept_gathering_id: int | None = None) -> CheckedDraft:
    """Every posted id is checked against this network; raises GroupingError with every problem found.

    When editing, a challenge grouping whose challenge was deleted since stays valid.
    """
    problems, gathering, basis, challenge = check_settings(
        network, name=draft.name, gathering_id=draft.gathering_id, basis=draft.basis,
        challenge_id=draft.challenge_id, target_size=draft.target_size, challenge_required=not editing,
        kept_gathering_id=kept_gathering_id)
    kinds = {k.value: k for k in GroupKind}
    kept: list[tuple[GroupDraft, GroupKind, int | None]] = []
    removed: set[str] = set()
    names: dict[str, GroupDraft] = {}
    keys: set[str] = set()
    for row in draft.groups:
        if not row.key or row.key in keys:
            problems.append((None, _("Skjemaet er ufullstendig. Last siden på nytt og prøv igjen.")))
            continue
        keys.add(row.key)
        if row.remove:
            removed.add(row.key)
            continue
        name = " ".join((row.name or "").split())
        row.name = name
        if not name:
            problems.append((f"{row.field_prefix}name", _("Gi gruppen et navn.")))
        elif len(name) > NAME_MAX:
            problems.append((f"{row.field_prefix}name", _("Gruppenavnet kan ha høyst %(max)d tegn.", max=NAME_MAX)))
        elif name.casefold() in names:
            problems.append((f"{row.field_prefix}name", _("To grupper kan ikke hete «%(name)s». Gi dem ulike navn.",
                                                           name=name)))
        else:
            names[name.casefold()] = row
        kind = kinds.get(row.kind)
        if kind is None:
            problems.append((f"{row.field_prefix}kind", _("Velg en type for gruppen.")))
        facilitator = None
        if (row.facilitator_id or "").strip():
            facilitator = _as_id(row.facilitator_id)
            if facilitator not in facilitator_ids:
                problems.append((f"{row.field_prefix}facilitator_id",
                                 _("Velg en gruppeleder blant koordinatorene og kommunenes deltakere.")))
        kept.append((row, kind or GroupKind.FREE, facilitator))
    if not kept and not problems:
        problems.append((None, _("Gruppeinndelingen må ha minst én gruppe.")))
    if len(kept) > MAX_GROUPS:
        problems.append((None, _("En gruppeinndeling kan ha høyst %(max)d grupper.", max=MAX_GROUPS)))

    placements: dict[int, str] = {}
    kept_keys = {row.key for row, _kind, _f in kept}
    group_names = {row.key: row.name for row in draft.groups if row.key}
    for raw_id, key, field_name in draft.placements:
        membership_id = _as_id(raw_id)
        if membership_id not in infos:
            problems.append((field_name, _("En av kommunene i skjemaet er ikke medlem av nettverket nå. "
                                           "Last siden på nytt.")))
            continue
        if membership_id in placements:
            problems.append((field_name, _("%(name)s står flere ganger i skjemaet.",
                                           name=infos[membership_id].organisation.name)))
            continue
        if not key:
            continue
        if key in removed:
            problems.append((field_name, _("%(name)s er i gruppen «%(group)s», som du vil fjerne. Flytt kommunen "
                                           "først, eller behold gruppen.", name=infos[membership_id].organisation.name,
                                           group=group_names.get(key) or key)))
        elif key not in kept_keys:
            problems.append((field_name, _("Velg en av gruppene for %(name)s.",
                                           name=infos[membership_id].organisation.name)))
        else:
            placements[membership_id] = key
    if problems:
        raise GroupingError(problems)
    return CheckedDraft(draft.name.strip(), gathering, basis, challenge, draft.target_size, kept, removed, placements)


# --- saving -----------------------------------------------------------------------------


def save_grouping(network: Network, grouping: Grouping | None, checked: CheckedDraft, by,
                  expected_version: int | None = None) -> Grouping:
    """Create or update a grouping from a checked draft.

    An edit based on an older version raises GroupingConflict: either the posted version is not the
    saved one, or another save slipped in between (the version check on UPDATE). Group ids are kept
    for groups that stay, so links to a group page keep working.
    """
    if grouping is None:
        grouping = Grouping(network_id=network.id)
        db.session.add(grouping)
    elif expected_version != grouping.version:
        raise GroupingConflict()
    grouping.name = checked.name
    grouping.gathering_id = checked.gathering.id if checked.gathering else None
    grouping.basis = checked.basis
    grouping.basis_challenge_id = checked.challenge.id if checked.challenge else None
    grouping.target_size = checked.target_size
    grouping.updated_by_id = getattr(by, "id", None)
    grouping.updated_at = utcnow()
    flag_modified(grouping, "updated_at")  # the version moves even when only groups changed
    try:
        db.session.flush()
        _save_groups(grouping, checked)
    except StaleDataError:
        raise GroupingConflict() from None
    return grouping


def _save_groups(grouping: Grouping, checked: CheckedDraft) -> None:
    # Names are unique within a grouping, so renames and replacements go through temporary names
    # in separate flushes: swapping two names in one statement batch would hit the constraint.
    existing = {group.id: group for group in grouping.groups}
    by_key: dict[str, Group] = {}
    for row, kind, _facilitator in checked.groups:
        group = existing.pop(_as_id(row.group_id) or 0, None)
        if group is None:
            group = Group(grouping=grouping, name=_temporary_name(), kind=kind)
            db.session.add(group)
        elif group.name != row.name:
            group.name = _temporary_name()
        by_key[row.key] = group
    db.session.flush()

    current = {member.membership_id: member for member in db.session.scalars(
        select(GroupMember).where(GroupMember.grouping_id == grouping.id))}
    for membership_id, member in current.items():
        target = by_key.get(checked.placements.get(membership_id, ""))
        if target is None:
            member.group.members.remove(member)  # delete-orphan removes the row
        elif member.group_id != target.id:
            member.group = target
    for membership_id, key in checked.placements.items():
        if membership_id not in current:
            db.session.add(GroupMember(grouping_id=grouping.id, group=by_key[key], membership_id=membership_id))
    db.session.flush()

    for group in existing.values():  # the groups the draft left out or removed
        grouping.groups.remove(group)
    db.session.flush()

    for position, (row, kind, facilitator_id) in enumerate(checked.groups):
        group = by_key[row.key]
        group.name, group.kind, group.facilitator_id, group.position = row.name, kind, facilitator_id, position
    db.session.flush()


def _temporary_name() -> str:
    return f"~{uuid.uuid4().hex}"


def deletion_refused(grouping: Grouping) -> str | None:
    """Why the grouping can't be deleted, or None. While an assignment's answers are read by group,
    deleting it would leave that assignment without readers, and opening them to the whole network
    would show them to more people than the coordinator chose."""
    from network.assignments.models import Assignment, Visibility  # assignments build on groups

    titles = list(db.session.scalars(select(Assignment.title).where(
        Assignment.grouping_id == grouping.id, Assignment.visibility == Visibility.GROUP).order_by(Assignment.title)))
    if not titles:
        return None
    return ngettext("«%(name)s» kan ikke slettes, fordi oppgaven %(titles)s bruker gruppene til å bestemme hvem som "
                    "kan lese besvarelsene. Endre det på oppgaven først.",
                    "«%(name)s» kan ikke slettes, fordi oppgavene %(titles)s bruker gruppene til å bestemme hvem som "
                    "kan lese besvarelsene. Endre det på oppgavene først.",
                    len(titles), name=grouping.name, titles=", ".join(f"«{title}»" for title in titles))


def delete_grouping(grouping: Grouping) -> None:
    refused = deletion_refused(grouping)
    if refused:
        raise GroupingError([(None, refused)])
    db.session.delete(grouping)


# --- the group page ---------------------------------------------------------------------


@dataclass
class GroupMemberView:
    membership: Membership
    classification: growth_services.Classification | None
    team: list[TeamMember]
    challenges: list


def group_page(network: Network, group: Group) -> list[GroupMemberView]:
    """The group's municipalities with their people, growth figures and challenges: a fixed number of queries."""
    members = sorted_members(group)
    memberships = [m.membership for m in members]
    classes = growth_services.classify_all(network, memberships)
    teams = network_services.teams(network, [m.organisation_id for m in memberships])
    challenges = challenge_services.challenges_by_membership([m.id for m in memberships])
    return [GroupMemberView(m, classes.get(m.id), teams.get(m.organisation_id, []), challenges.get(m.id, []))
            for m in memberships]


def teams_for(network: Network, grouping: Grouping) -> dict[int, list[TeamMember]]:
    """The people of every municipality in the grouping, by organisation id, in one query."""
    organisation_ids = sorted({m.membership.organisation_id for group in grouping.groups for m in group.members})
    return network_services.teams(network, organisation_ids) if organisation_ids else {}


def classes_for(network: Network, grouping: Grouping) -> dict[int, growth_services.Classification]:
    memberships = [m.membership for group in grouping.groups for m in group.members]
    return growth_services.classify_all(network, memberships)

