""""Til oppfølging": the checks of seed 002, in one place for the registrations page, the
dashboard, the members' pages and a municipality's page.

Must be followed up: fewer than the minimum registered for a gathering, participation not
anchored with the chief executive, and the executive not registered for the first or last
gathering. Nice to have: a team of the preferred size. A gathering is checked once it is announced
(open or closed for registration), so a missing executive at the last gathering shows well before
that gathering opens its registration and until it is held; drafts, held and cancelled gatherings
are left out (nothing left to fix there).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _, ngettext
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import SEAT_STATUSES, Gathering, GatheringStatus, Registration
from network.gatherings.services import registered_counts
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.networks.services import MIN_PARTICIPANTS, PREFERRED_PARTICIPANTS, Notice

MUST, NICE = "must", "nice"
BELOW_MINIMUM, EXECUTIVE_MISSING, UNANCHORED, BELOW_PREFERRED = (
    "below_minimum", "executive_missing", "unanchored", "below_preferred")
SEVERITY = {BELOW_MINIMUM: MUST, EXECUTIVE_MISSING: MUST, UNANCHORED: MUST, BELOW_PREFERRED: NICE}
ANNOUNCED = (GatheringStatus.OPEN, GatheringStatus.CLOSED)


def is_announced(gathering: Gathering) -> bool:
    return gathering.status in ANNOUNCED


def in_play(gatherings: list[Gathering]) -> list[Gathering]:
    """The gatherings that take place (a cancelled one is neither the first nor the last)."""
    return [g for g in gatherings if g.status.value != "cancelled"]


def registered_text(count: int) -> str:
    """How many are registered, in words that read right for 0, 1 and more."""
    if count == 0:
        return _("Ingen deltakere er påmeldt.")
    return ngettext("Bare %(num)d deltaker er påmeldt.", "%(num)d deltakere er påmeldt.", count)


@dataclass(frozen=True)
class Check:
    membership: Membership
    kind: str
    gathering: Gathering | None = None
    count: int = 0        # people with a seat (team size checks)
    first: bool = False   # EXECUTIVE_MISSING: the first gathering (else the last)

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    @property
    def detail(self) -> str:
        """What is wrong for this municipality, next to its name in a group."""
        if self.kind in (BELOW_MINIMUM, BELOW_PREFERRED):
            return registered_text(self.count)
        if self.kind == EXECUTIVE_MISSING:
            return _("Kommunedirektøren er ikke påmeldt.")
        return _("Forankringen er ikke registrert.")

    def notice(self) -> Notice:
        """The check on its own, as a municipality's page lists it."""
        n = self.gathering.number if self.gathering else None
        if self.kind == BELOW_MINIMUM:
            return Notice("danger", _("Samling %(n)s: %(registered)s Kommunen skal ha minst %(min)s, helst %(pref)s.",
                                      n=n, registered=registered_text(self.count), min=MIN_PARTICIPANTS,
                                      pref=PREFERRED_PARTICIPANTS))
        if self.kind == BELOW_PREFERRED:
            return Notice("info", _("Samling %(n)s: %(registered)s Helst %(pref)s.",
                                    n=n, registered=registered_text(self.count), pref=PREFERRED_PARTICIPANTS))
        if self.kind == EXECUTIVE_MISSING:
            which = _("første") if self.first else _("siste")
            return Notice("warning", _("Kommunedirektøren er ikke påmeldt den %(which)s samlingen (samling %(n)s).",
                                       which=which, n=n))
        return Notice("warning", _("Forankringen hos kommunedirektøren (rådmannen) er ikke registrert."))


@dataclass
class CheckGroup:
    """One kind of problem at one gathering (or, for anchoring, in the network): the count first."""

    kind: str
    gathering: Gathering | None
    checks: list[Check] = field(default_factory=list)
    first: bool = False

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]

    @property
    def summary(self) -> str:
        num, n = len(self.checks), self.gathering.number if self.gathering else None
        if self.kind == BELOW_MINIMUM:
            return ngettext("%(num)d kommune har færre enn %(min)d påmeldte til samling %(n)s.",
                            "%(num)d kommuner har færre enn %(min)d påmeldte til samling %(n)s.",
                            num, min=MIN_PARTICIPANTS, n=n)
        if self.kind == BELOW_PREFERRED:
            return ngettext("%(num)d kommune har %(min)d påmeldte til samling %(n)s, ikke %(pref)d.",
                            "%(num)d kommuner har %(min)d påmeldte til samling %(n)s, ikke %(pref)d.",
                            num, min=MIN_PARTICIPANTS, pref=PREFERRED_PARTICIPANTS, n=n)
        if self.kind == EXECUTIVE_MISSING:
            if self.first:
                return ngettext(
                    "%(num)d kommune har ikke meldt kommunedirektøren på samling %(n)s, den første samlingen.",
                    "%(num)d kommuner har ikke meldt kommunedirektøren på samling %(n)s, den første samlingen.",
                    num, n=n)
            return ngettext(
                "%(num)d kommune har ikke meldt kommunedirektøren på samling %(n)s, den siste samlingen.",
                "%(num)d kommuner har ikke meldt kommunedirektøren på samling %(n)s, den siste samlingen.",
                num, n=n)
        return ngettext("%(num)d kommune mangler forankring hos kommunedirektøren.",
                        "%(num)d kommuner mangler forankring hos kommunedirektøren.", num)


@dataclass
class FollowUp:
    must: list[CheckGroup]
    nice: list[CheckGroup]

    @property
    def is_empty(self) -> bool:
        return not (self.must or self.nice)

    @property
    def must_count(self) -> int:
        """Municipalities with at least one thing that must be followed up."""
        return len({check.membership.organisation_id for group in self.must for check in group.checks})

    def checks(self) -> list[Check]:
        return [check for group in self.must + self.nice for check in group.checks]

    def notices_by_organisation(self) -> dict[int, list[Notice]]:
        notices: dict[int, list[Notice]] = defaultdict(list)
        # Hundreds of checks share a few wordings: each is worded once (a notice depends on no more).
        worded: dict[tuple, Notice] = {}
        for check in self.checks():
            key = (check.kind, check.gathering.number if check.gathering else None, check.count, check.first)
            if key not in worded:
                worded[key] = check.notice()
            notices[check.membership.organisation_id].append(worded[key])
        return dict(notices)


def executives_registered(network: Network, memberships: list[Membership],
                          gathering_ids: list[int]) -> tuple[dict[int, set[int]], set[tuple[int, int]]]:
    """Organisation id → the chief executive (the person the anchoring names, or else whoever holds
    the network's executive role there), and which (person id, gathering id) of them have a seat at
    ``gathering_ids``. One query: the executives, each with their seats there."""
    chosen = {m.organisation_id: {m.executive_id} for m in memberships if m.executive_id}
    by_role: dict[int, set[int]] = defaultdict(set)
    registered: set[tuple[int, int]] = set()
    holds_role = (select(NetworkRole.person_id)
                  .where(NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.EXECUTIVE))
    # The network's named executives as a subquery, not hundreds of ids as parameters; any extra
    # person it finds only adds seats nobody looks up.
    named = select(Membership.executive_id).where(Membership.network_id == network.id,
                                                  Membership.executive_id.is_not(None))
    for org_id, person_id, is_role, gathering_id in db.session.execute(
        select(Person.organisation_id, Person.id, Person.id.in_(holds_role), Registration.gathering_id)
        .outerjoin(Registration, (Registration.person_id == Person.id) & Registration.gathering_id.in_(gathering_ids)
                   & Registration.status.in_(SEAT_STATUSES))
        .where(Person.id.in_(holds_role) | Person.id.in_(named))
    ).all():
        if is_role:
            by_role[org_id].add(person_id)
        if gathering_id is not None:
            registered.add((person_id, gathering_id))
    return {**by_role, **chosen}, registered


def follow_up(network: Network, memberships: list[Membership], gatherings: list[Gathering], *,
              gathering: Gathering | None = None, anchoring: bool = True,
              counts: dict[tuple[int, int], int] | None = None) -> FollowUp:
    """The checks for these member municipalities, grouped by severity and gathering. ``gathering``
    keeps only that gathering's checks; ``anchoring`` adds the network-wide anchoring check;
    ``counts`` (from ``registered_counts``) saves a query when the caller has it."""
    municipal = [m for m in memberships if m.organisation.is_municipality]
    taking_place = in_play(gatherings)
    # first/last: True for the first; with a single gathering, that one is the first.
    ends = {taking_place[-1].id: False, taking_place[0].id: True} if taking_place else {}
    checked = [g for g in taking_place if is_announced(g) and (gathering is None or g.id == gathering.id)]
    groups: dict[tuple[str, int | None], CheckGroup] = {}

    def add(check: Check) -> None:
        key = (check.kind, check.gathering.id if check.gathering else None)
        groups.setdefault(key, CheckGroup(check.kind, check.gathering, first=check.first)).checks.append(check)

    if municipal and checked:
        if counts is None:
            counts = registered_counts([g.id for g in checked])
        executive_ids, registered_at_ends = executives_registered(
            network, municipal, [g.id for g in checked if g.id in ends])
        for g in checked:
            for membership in municipal:
                count = counts.get((membership.organisation_id, g.id), 0)
                if count < MIN_PARTICIPANTS:
                    add(Check(membership, BELOW_MINIMUM, g, count))
                elif count < PREFERRED_PARTICIPANTS:
                    add(Check(membership, BELOW_PREFERRED, g, count))
                people = executive_ids.get(membership.organisation_id)
                # Seed 002: the executive attends the first and the last gathering.
                if g.id in ends and people and not any((p, g.id) in registered_at_ends for p in people):
                    add(Check(membership, EXECUTIVE_MISSING, g, first=ends[g.id]))
    if anchoring and gathering is None:
        for membership in municipal:
            if not membership.is_anchored:
                add(Check(membership, UNANCHORED))
    order = {BELOW_MINIMUM: 0, EXECUTIVE_MISSING: 1, BELOW_PREFERRED: 2, UNANCHORED: 3}
    number = {g.id: g.number for g in gatherings}
    ordered = sorted(groups.values(), key=lambda grp: (
        grp.gathering is None, number.get(grp.gathering.id if grp.gathering else None, 0), order[grp.kind]))
    return FollowUp(must=[grp for grp in ordered if grp.severity == MUST],
                    nice=[grp for grp in ordered if grp.severity == NICE])
