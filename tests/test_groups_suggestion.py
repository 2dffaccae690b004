"""The suggested groupings (network/groups/services.suggest), as properties over generated networks.

Pure functions on plain data: no database, no app.
"""
from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network.groups.models import GroupKind
from network.groups.services import GROWTH_ORDER, Candidate, deal, group_count, suggest
from network.growth.models import GrowthClass

COUNTIES = ["Innlandet", "Nordland", "Viken", "Agder", "Rogaland", "Trøndelag", "Østfold", "Ålesund-fylket"]
PLACING_BASES = [GroupKind.GROWTH, GroupKind.CHALLENGE, GroupKind.MIXED]


@st.composite
def networks(draw, max_size=40):
    ids = draw(st.lists(st.integers(min_value=1, max_value=10_000), unique=True, max_size=max_size))
    return [
        Candidate(
            membership_id=membership_id,
            name=draw(st.sampled_from(["Hamar", "Lier", "Øksnes", "Saltdal", "Ås", "Aurskog", "Ål", "Lier"])),
            county=draw(st.sampled_from(COUNTIES[: draw(st.integers(1, len(COUNTIES)))])),
            centrality_class=draw(st.one_of(st.none(), st.integers(1, 6))),
            growth_class=draw(st.sampled_from(list(GrowthClass))),
            has_challenge=draw(st.booleans()),
        )
        for membership_id in ids
    ]


sizes = st.integers(min_value=2, max_value=12)
bases = st.sampled_from(list(GroupKind))


def partitions(candidates, basis, proposals):
    """The proposals grouped by the partition they were dealt from, with that partition's candidates."""
    by_id = {c.membership_id: c for c in candidates}
    if basis is GroupKind.GROWTH:
        key = lambda c: c.growth_class  # noqa: E731
    elif basis is GroupKind.CHALLENGE:
        key = lambda c: c.has_challenge  # noqa: E731
    else:
        key = lambda c: None  # noqa: E731
    result = {}
    for proposal in proposals:
        part = {key(by_id[m]) for m in proposal.membership_ids}
        assert len(part) == 1, "a group mixes partitions"
        result.setdefault(part.pop(), []).append(proposal)
    return {part: (groups, [c for c in candidates if key(c) == part]) for part, groups in result.items()}


@settings(max_examples=200, deadline=None)
@given(networks(), st.sampled_from(PLACING_BASES), sizes)
def test_every_candidate_is_placed_exactly_once(candidates, basis, target):
    proposals = suggest(candidates, basis, target, "Høye boligpriser")
    placed = [m for p in proposals for m in p.membership_ids]
    assert sorted(placed) == sorted(c.membership_id for c in candidates)
    assert all(p.membership_ids for p in proposals), "no empty group is suggested"


@settings(max_examples=200, deadline=None)
@given(networks(), st.sampled_from(PLACING_BASES), sizes)
def test_groups_in_a_partition_differ_by_at_most_one_and_their_number_follows_the_rule(candidates, basis, target):
    proposals = suggest(candidates, basis, target, "Høye boligpriser")
    for groups, members in partitions(candidates, basis, proposals).values():
        lengths = [len(g.membership_ids) for g in groups]
        assert max(lengths) - min(lengths) <= 1
        assert len(groups) == max(1, math.floor(len(members) / target + 0.5))


@settings(max_examples=200, deadline=None)
@given(networks(), st.sampled_from(PLACING_BASES), sizes)
def test_each_county_is_spread_over_the_groups_of_its_partition(candidates, basis, target):
    by_id = {c.membership_id: c for c in candidates}
    proposals = suggest(candidates, basis, target, "Høye boligpriser")
    for groups, members in partitions(candidates, basis, proposals).values():
        k = len(groups)
        in_partition = Counter(c.county for c in members)
        for group in groups:
            in_group = Counter(by_id[m].county for m in group.membership_ids)
            for county, count in in_group.items():
                assert count <= math.ceil(in_partition[county] / k), (county, count, in_partition[county], k)


@settings(max_examples=150, deadline=None)
@given(networks(), bases, sizes, st.randoms(use_true_random=False))
def test_the_same_network_in_any_order_gives_the_same_groups(candidates, basis, target, random):
    shuffled = list(candidates)
    random.shuffle(shuffled)
    assert suggest(shuffled, basis, target, "Tittel") == suggest(candidates, basis, target, "Tittel")
    assert suggest(candidates, basis, target, "Tittel") == suggest(list(candidates), basis, target, "Tittel")


@settings(max_examples=200, deadline=None)
@given(networks(), sizes)
def test_growth_groups_never_mix_classes_and_come_in_class_order(candidates, target):
    by_id = {c.membership_id: c for c in candidates}
    proposals = suggest(candidates, GroupKind.GROWTH, target)
    order = []
    for proposal in proposals:
        classes = {by_id[m].growth_class for m in proposal.membership_ids}
        assert len(classes) == 1
        growth_class = classes.pop()
        assert proposal.name.startswith(growth_class.label)
        assert proposal.kind is GroupKind.GROWTH
        order.append(GROWTH_ORDER.index(growth_class))
    assert order == sorted(order)


@settings(max_examples=150, deadline=None)
@given(networks(), sizes)
def test_challenge_groups_hold_exactly_those_with_the_challenge(candidates, target):
    by_id = {c.membership_id: c for c in candidates}
    for proposal in suggest(candidates, GroupKind.CHALLENGE, target, "Boliger for eldre"):
        sharing = {by_id[m].has_challenge for m in proposal.membership_ids}
        if proposal.kind is GroupKind.CHALLENGE:
            assert sharing == {True}
            assert proposal.name.startswith("Utfordring: Boliger for eldre")
        else:
            assert sharing == {False}
            assert proposal.name.startswith("Øvrige kommuner")


@settings(max_examples=150, deadline=None)
@given(networks(), bases, sizes)
def test_group_names_are_unique_and_fit(candidates, basis, target):
    proposals = suggest(candidates, basis, target, "x" * 300)
    names = [p.name for p in proposals]
    assert len(set(names)) == len(names)
    assert all(len(name) <= 120 for name in names)


@settings(max_examples=100, deadline=None)
@given(networks(), sizes)
def test_free_gives_empty_groups_to_fill(candidates, target):
    proposals = suggest(candidates, GroupKind.FREE, target)
    assert len(proposals) == max(1, math.floor(len(candidates) / target + 0.5))
    assert all(p.membership_ids == () and p.kind is GroupKind.FREE for p in proposals)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(GrowthClass)), min_size=1, max_size=30), st.integers(1, 6))
def test_mixed_groups_in_one_county_spread_the_growth_classes(classes, k):
    """Within one county the deal balances growth classes exactly: no group gets two of a class
    before every group has one."""
    members = sorted((Candidate(i, f"K{i:02d}", "Innlandet", None, growth_class) for i, growth_class in enumerate(classes)),
                     key=lambda c: c.key)
    groups = deal(members, k, lambda c: GROWTH_ORDER.index(c.growth_class))
    total = Counter(classes)
    for group in groups:
        for growth_class, count in Counter(c.growth_class for c in group).items():
            assert count <= math.ceil(total[growth_class] / k)


@pytest.mark.parametrize("n, target, expected", [
    (0, 4, 1), (1, 4, 1), (5, 4, 1), (6, 4, 2),  # 1.5 rounds up
    (10, 4, 3),  # 2.5 rounds up: groups of 3–4 sit nearer 4 than groups of 5
    (9, 2, 5), (14, 4, 4), (17, 4, 4), (18, 4, 5), (17, 50, 1),
])
def test_number_of_groups_rounds_halves_up(n, target, expected):
    assert group_count(n, target) == expected


@pytest.mark.parametrize("target", [1, 0, 51, -3])
def test_target_size_outside_the_range_is_refused(target):
    with pytest.raises(ValueError):
        suggest([Candidate(1, "Hamar", "Innlandet")], GroupKind.MIXED, target)


def test_one_group_per_class_has_no_number_and_several_are_numbered():
    candidates = [Candidate(i, f"K{i}", "Viken", None, GrowthClass.GROWTH) for i in range(8)]
    candidates.append(Candidate(99, "Saltdal", "Nordland", None, GrowthClass.DECLINE))
    names = [p.name for p in suggest(candidates, GroupKind.GROWTH, 4)]
    assert names == ["Vekst 1", "Vekst 2", "Nedgang"]
