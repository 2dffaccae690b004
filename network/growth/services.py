"""The growth rules: figures from SSB, a network's thresholds, and coordinators' overrides.

A municipality is classed by its average yearly population change 2010–2020 (compound rate),
rounded to two decimals, so the class always agrees with the figure shown beside it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.extensions import db
from network.main.numbers import round_half_up
from network.growth.models import (
    DEFAULT_GROWTH_MIN, DEFAULT_STABLE_MIN, DEFAULT_STRONG_GROWTH_MIN, GrowthClass, GrowthOverride, GrowthSettings,
)
from network.networks.models import Membership, MembershipStatus, Network
from network.networks.services import active_memberships, norwegian_key
from network.organisations.models import Organisation

PERIOD_START, PERIOD_END = 2010, 2020  # the years the SSB data in network/data/ holds
PERIOD_YEARS = PERIOD_END - PERIOD_START
THRESHOLD_LIMIT = Decimal("20.00")  # no municipality changes by 20 % a year; beyond it is a typo
REASON_MAX_LENGTH = 500


class GrowthError(ValueError):
    """A rule was broken; the message is for the user. ``fields`` names the thresholds at fault,
    when the rule concerns single ones (the view puts the message on those fields)."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()):
        super().__init__(message)
        self.fields = fields


@dataclass(frozen=True)
class Thresholds:
    strong_growth_min: Decimal = DEFAULT_STRONG_GROWTH_MIN
    growth_min: Decimal = DEFAULT_GROWTH_MIN
    stable_min: Decimal = DEFAULT_STABLE_MIN

    def classify(self, yearly_percent: Decimal | None) -> GrowthClass:
        if yearly_percent is None:
            return GrowthClass.UNKNOWN
        if yearly_percent >= self.strong_growth_min:
            return GrowthClass.STRONG_GROWTH
        if yearly_percent >= self.growth_min:
            return GrowthClass.GROWTH
        if yearly_percent >= self.stable_min:
            return GrowthClass.STABLE
        return GrowthClass.DECLINE


@dataclass(frozen=True)
class GrowthFigures:
    population_start: int | None
    population_end: int | None
    change_percent: Decimal | None  # over the whole period
    yearly_percent: Decimal | None  # average per year, compound
    centrality_class: int | None


@dataclass(frozen=True)
class Classification:
    figures: GrowthFigures
    computed: GrowthClass
    thresholds: Thresholds
    override: GrowthOverride | None = None

    @property
    def growth_class(self) -> GrowthClass:
        return self.override.growth_class if self.override else self.computed

    @property
    def is_overridden(self) -> bool:
        return self.override is not None


def _round(value: Decimal) -> Decimal:
    return round_half_up(value, 2)


def figures_for(organisation: Organisation) -> GrowthFigures:
    start, end = organisation.population_2010, organisation.population_2020
    if not start or end is None:
        return GrowthFigures(start, end, None, None, organisation.centrality_class)
    with localcontext() as context:
        context.prec = 28
        ratio = Decimal(end) / Decimal(start)
        change = (ratio - 1) * 100
        yearly = (ratio ** (Decimal(1) / PERIOD_YEARS) - 1) * 100
    return GrowthFigures(start, end, _round(change), _round(yearly), organisation.centrality_class)


THRESHOLD_FIELDS = ("strong_growth_min", "growth_min", "stable_min")


def validate_thresholds(thresholds: Thresholds) -> None:
    values = {name: getattr(thresholds, name) for name in THRESHOLD_FIELDS}
    blank = tuple(name for name, value in values.items() if value is None)
    if blank:
        raise GrowthError(_("Alle tre grensene må fylles ut."), blank)
    outside = tuple(name for name, value in values.items() if abs(value) > THRESHOLD_LIMIT)
    if outside:
        raise GrowthError(_("Grensene må ligge mellom -20 og 20 prosent per år."), outside)
    if not thresholds.strong_growth_min > thresholds.growth_min > thresholds.stable_min:
        raise GrowthError(_(
            "Grensene må være i stigende rekkefølge: nedgang under stabil, stabil under vekst, "
            "vekst under sterk vekst, så klassene ikke overlapper."
        ))


# A threshold as people type it: "1,5", "1.5", "-0,25", ",5", optionally with a percent sign.
_PERCENT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse_percent(text: str | None) -> Decimal | None:
    """The number in a typed threshold, or None when it is blank.

    Decimal comma and point both work. More than two decimals is refused rather than rounded,
    so that what is saved is exactly what was typed.
    """
    cleaned = re.sub(r"[\s\u00a0]", "", text or "").replace("\u2212", "-").removesuffix("%")
    if not cleaned:
        return None
    if not _PERCENT.fullmatch(cleaned):
        raise GrowthError(_("Skriv et tall, for eksempel 0,5 eller -0,25."))
    value = Decimal(cleaned.replace(",", "."))
    if value.normalize().as_tuple().exponent < -2:  # 1,500 is fine, 0,505 is not
        raise GrowthError(_("Bruk høyst to desimaler."))
    return value


def settings_for(network: Network) -> GrowthSettings | None:
    return db.session.get(GrowthSettings, network.id)


def thresholds_for(network: Network) -> Thresholds:
    settings = settings_for(network)
    if settings is None:
        return Thresholds()
    return Thresholds(settings.strong_growth_min, settings.growth_min, settings.stable_min)


def _rounded(thresholds: Thresholds) -> Thresholds:
    values = [getattr(thresholds, name) for name in THRESHOLD_FIELDS]
    return Thresholds(*(None if value is None else _round(value) for value in values))


def save_thresholds(network: Network, thresholds: Thresholds, by) -> GrowthSettings:
    # Checked as typed (so that no huge number reaches the rounding), then as they will be stored:
    # 0.504 and 0.501 must not pass as ordered and both be saved as 0.50 against the constraint.
    validate_thresholds(thresholds)
    thresholds = _rounded(thresholds)
    validate_thresholds(thresholds)
    settings = settings_for(network) or GrowthSettings(network_id=network.id)
    settings.strong_growth_min = thresholds.strong_growth_min
    settings.growth_min = thresholds.growth_min
    settings.stable_min = thresholds.stable_min
    settings.updated_by_id = getattr(by, "id", None)
    db.session.add(settings)
    return settings


def set_override(membership: Membership, growth_class: GrowthClass, reason: str, by) -> GrowthOverride:
    reason = (reason or "").strip()
    if growth_class is GrowthClass.UNKNOWN:
        raise GrowthError(_("Velg en vekstklasse."))
    if not reason:
        raise GrowthError(_("Skriv hvorfor klassen overstyres."))
    if len(reason) > REASON_MAX_LENGTH:
        raise GrowthError(_("Begrunnelsen kan ha høyst %(max)d tegn.", max=REASON_MAX_LENGTH))
    override = db.session.scalar(select(GrowthOverride).where(GrowthOverride.membership_id == membership.id))
    if override is None:
        override = GrowthOverride(membership_id=membership.id)
        db.session.add(override)
    override.growth_class = growth_class
    override.reason = reason
    override.set_by_id = getattr(by, "id", None)
    return override


def override_for(membership: Membership) -> GrowthOverride | None:
    return db.session.scalar(select(GrowthOverride).where(GrowthOverride.membership_id == membership.id))


def clear_override(membership: Membership) -> bool:
    override = override_for(membership)
    if override is None:
        return False
    db.session.delete(override)
    return True


def classify(membership: Membership, thresholds: Thresholds | None = None,
             override: GrowthOverride | None = None, load_override: bool = True) -> Classification:
    thresholds = thresholds or thresholds_for(membership.network)
    if override is None and load_override:
        override = db.session.scalar(select(GrowthOverride).where(GrowthOverride.membership_id == membership.id))
    figures = figures_for(membership.organisation)
    return Classification(figures, thresholds.classify(figures.yearly_percent), thresholds, override)


def classify_all(network: Network, memberships: Iterable[Membership]) -> dict[int, Classification]:
    """Classifications keyed by membership id, in two queries whatever the network's size.

    The memberships' organisations should already be loaded (``members`` does that).
    """
    memberships = list(memberships)
    thresholds = thresholds_for(network)
    ids = [m.id for m in memberships]
    overrides = {
        o.membership_id: o
        for o in db.session.scalars(select(GrowthOverride).where(GrowthOverride.membership_id.in_(ids)))
    } if ids else {}
    return {
        m.id: classify(m, thresholds, overrides.get(m.id), load_override=False)
        for m in memberships
    }


# --- the overview -----------------------------------------------------------------------

# The classes from the most growth to the least; unknown last.
CLASS_ORDER = (GrowthClass.STRONG_GROWTH, GrowthClass.GROWTH, GrowthClass.STABLE, GrowthClass.DECLINE,
               GrowthClass.UNKNOWN)
# For sorting: low to high growth, so that "ascending" agrees with the yearly change. Unknown has no rank.
_CLASS_RANK = {GrowthClass.DECLINE: 0, GrowthClass.STABLE: 1, GrowthClass.GROWTH: 2, GrowthClass.STRONG_GROWTH: 3}


def reset_thresholds(network: Network, by) -> GrowthSettings:
    return save_thresholds(network, Thresholds(), by)


def is_default(thresholds: Thresholds) -> bool:
    return thresholds == Thresholds()


def member_municipalities(network: Network) -> list[Membership]:
    """The network's active member municipalities (other organisations have no growth class)."""
    return [m for m in active_memberships(network) if m.organisation.is_municipality]


def classifiable_membership(network: Network, organisation_id: int) -> Membership | None:
    """The membership of an active member municipality, or None for anything else."""
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.network_id == network.id, Membership.organisation_id == organisation_id,
               Membership.status == MembershipStatus.ACTIVE)
        .options(joinedload(Membership.organisation).joinedload(Organisation.county))
    )
    if membership is None or not membership.organisation.is_municipality:
        return None
    return membership


def with_thresholds(classifications: Iterable[Classification], thresholds: Thresholds) -> list[Classification]:
    """The same municipalities and overrides under other thresholds (a preview; nothing is saved)."""
    return [Classification(c.figures, thresholds.classify(c.figures.yearly_percent), thresholds, c.override)
            for c in classifications]


def count_by_class(classifications: Iterable[Classification], computed: bool = False) -> dict[GrowthClass, int]:
    """How many municipalities have each class (the resulting one, or the computed one), in ``CLASS_ORDER``."""
    counts = dict.fromkeys(CLASS_ORDER, 0)
    for classification in classifications:
        counts[classification.computed if computed else classification.growth_class] += 1
    return counts


@dataclass(frozen=True)
class GrowthRow:
    membership: Membership
    classification: Classification

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation


@dataclass(frozen=True)
class GrowthOverview:
    rows: list[GrowthRow]
    thresholds: Thresholds

    @property
    def counts(self) -> dict[GrowthClass, int]:
        return count_by_class(row.classification for row in self.rows)

    @property
    def overridden(self) -> int:
        return sum(1 for row in self.rows if row.classification.is_overridden)


def _rank(growth_class: GrowthClass | None) -> int | None:
    return _CLASS_RANK.get(growth_class) if growth_class is not None else None


def _county_and_name(row: GrowthRow):
    county = row.organisation.county
    return (norwegian_key(county.name) if county else "~", norwegian_key(row.organisation.name))


# Each key gives None when the row has no value; those rows go last whichever the direction.
SORT_KEYS: dict[str, Callable[[GrowthRow], object]] = {
    "name": lambda row: norwegian_key(row.organisation.name),
    "county": _county_and_name,
    "population_2010": lambda row: row.classification.figures.population_start,
    "population_2020": lambda row: row.classification.figures.population_end,
    "change": lambda row: row.classification.figures.change_percent,
    "yearly": lambda row: row.classification.figures.yearly_percent,
    "centrality": lambda row: row.classification.figures.centrality_class,
    "computed": lambda row: _rank(row.classification.computed),
    "override": lambda row: _rank(row.classification.override.growth_class if row.classification.override else None),
    "class": lambda row: _rank(row.classification.growth_class),
}
DEFAULT_SORT = "county"


def sort_rows(rows: list[GrowthRow], sort: str = DEFAULT_SORT, descending: bool = False) -> list[GrowthRow]:
    """Rows by the column, ties by name; rows without a value last."""
    key = SORT_KEYS.get(sort, SORT_KEYS[DEFAULT_SORT])
    by_name = sorted(rows, key=SORT_KEYS["name"])
    present = [row for row in by_name if key(row) is not None]
    missing = [row for row in by_name if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing  # sorted() is stable, reversed too


def overview(network: Network, sort: str = DEFAULT_SORT, descending: bool = False) -> GrowthOverview:
    """Every active member municipality with its class, in a fixed number of queries whatever the network's size."""
    memberships = member_municipalities(network)
    classifications = classify_all(network, memberships)
    rows = [GrowthRow(m, classifications[m.id]) for m in memberships]
    thresholds = rows[0].classification.thresholds if rows else thresholds_for(network)
    return GrowthOverview(sort_rows(rows, sort, descending), thresholds)
