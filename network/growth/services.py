"""The growth rules: figures from SSB, a network's thresholds, and coordinators' overrides.

A municipality is classed by its average yearly population change 2010–2020 (compound rate),
rounded to two decimals, so the class always agrees with the figure shown beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Iterable

from sqlalchemy import select

from network.extensions import db
from network.growth.models import (
    DEFAULT_GROWTH_MIN, DEFAULT_STABLE_MIN, DEFAULT_STRONG_GROWTH_MIN, GrowthClass, GrowthOverride, GrowthSettings,
)
from network.networks.models import Membership, Network
from network.organisations.models import Organisation

PERIOD_START, PERIOD_END = 2010, 2020  # the years the SSB data in network/data/ holds
PERIOD_YEARS = PERIOD_END - PERIOD_START
THRESHOLD_LIMIT = Decimal("20.00")  # no municipality changes by 20 % a year; beyond it is a typo
HUNDREDTH = Decimal("0.01")


class GrowthError(ValueError):
    """A rule was broken; the message is for the user."""


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
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


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


def validate_thresholds(thresholds: Thresholds) -> None:
    values = (thresholds.strong_growth_min, thresholds.growth_min, thresholds.stable_min)
    if any(value is None for value in values):
        raise GrowthError("Alle tre grensene må fylles ut.")
    if any(abs(value) > THRESHOLD_LIMIT for value in values):
        raise GrowthError("Grensene må ligge mellom -20 og 20 prosent per år.")
    if not thresholds.strong_growth_min > thresholds.growth_min > thresholds.stable_min:
        raise GrowthError(
            "Grensene må være i stigende rekkefølge: nedgang under stabil, stabil under vekst, "
            "vekst under sterk vekst, så klassene ikke overlapper."
        )


def settings_for(network: Network) -> GrowthSettings | None:
    return db.session.get(GrowthSettings, network.id)


def thresholds_for(network: Network) -> Thresholds:
    settings = settings_for(network)
    if settings is None:
        return Thresholds()
    return Thresholds(settings.strong_growth_min, settings.growth_min, settings.stable_min)


def save_thresholds(network: Network, thresholds: Thresholds, by) -> GrowthSettings:
    validate_thresholds(thresholds)
    settings = settings_for(network) or GrowthSettings(network_id=network.id)
    settings.strong_growth_min = _round(thresholds.strong_growth_min)
    settings.growth_min = _round(thresholds.growth_min)
    settings.stable_min = _round(thresholds.stable_min)
    settings.updated_by_id = getattr(by, "id", None)
    db.session.add(settings)
    return settings


def set_override(membership: Membership, growth_class: GrowthClass, reason: str, by) -> GrowthOverride:
    reason = (reason or "").strip()
    if growth_class is GrowthClass.UNKNOWN:
        raise GrowthError("Velg en vekstklasse.")
    if not reason:
        raise GrowthError("Skriv hvorfor klassen overstyres.")
    override = db.session.scalar(select(GrowthOverride).where(GrowthOverride.membership_id == membership.id))
    if override is None:
        override = GrowthOverride(membership_id=membership.id)
        db.session.add(override)
    override.growth_class = growth_class
    override.reason = reason
    override.set_by_id = getattr(by, "id", None)
    return override


def clear_override(membership: Membership) -> bool:
    override = db.session.scalar(select(GrowthOverride).where(GrowthOverride.membership_id == membership.id))
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
