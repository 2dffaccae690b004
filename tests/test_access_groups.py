"""The access matrix for groupings (see tests/test_access_matrix.py): members read, coordinators change."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.groups.models import Group, GroupKind, GroupMember, Grouping
from network.networks.models import Membership, Network
from tests.conftest import built_once
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}/groups"
GROUPING = N + "/{grouping}"

NEW_FORM = {
    "name": "Bordgrupper", "gathering_id": "", "basis": "free", "challenge_id": "", "target_size": "4",
    "groups-0-key": "n0", "groups-0-group_id": "", "groups-0-name": "Bord 1", "groups-0-kind": "free",
    "groups-0-facilitator_id": "", "placements-0-membership_id": "{hamar_membership}", "placements-0-group": "n0",
    "action": "save",
}
EDIT_FORM = {
    "name": "Vekstgrupper", "gathering_id": "", "version": "1",
    "groups-0-key": "g{group}", "groups-0-group_id": "{group}", "groups-0-name": "Omdøpt", "groups-0-kind": "growth",
    "groups-0-facilitator_id": "", "groups-1-key": "g{second_group}", "groups-1-group_id": "{second_group}",
    "groups-1-name": "Vekst", "groups-1-kind": "growth", "groups-1-facilitator_id": "",
    "placements-0-membership_id": "{hamar_membership}", "placements-0-group": "g{second_group}",
    "placements-1-membership_id": "{lillehammer_membership}", "placements-1-group": "g{group}",
    "action": "save",
}


def _created(ids):
    grouping = db.session.scalar(select(Grouping).where(Grouping.name == "Bordgrupper"))
    return grouping is not None and [m.membership_id for g in grouping.groups for m in g.members] == [
        ids["hamar_membership"]]


def _edited(ids):
    group = db.session.get(Group, ids["group"])
    placed = db.session.scalar(select(GroupMember.group_id).where(GroupMember.membership_id == ids["hamar_membership"]))
    return group.name == "Omdøpt" and placed == ids["second_group"]


ROUTES = [
    Route("groupings", "groups.index", "GET", N, MEMBERS),
    Route("new_grouping_page", "groups.new", "GET", N + "/new", COORDINATORS),
    Route("new_grouping_suggestion", "groups.new", "GET",
          N + "/new?name=Bord&basis=growth&target_size=2&suggest=1", COORDINATORS),
    Route("new_grouping", "groups.new", "POST", N + "/new", COORDINATORS, data=NEW_FORM, effect=_created),
    Route("grouping", "groups.show", "GET", GROUPING, MEMBERS),
    Route("group", "groups.group", "GET", GROUPING + "/{group}", MEMBERS),
    Route("print_list", "groups.print", "GET", GROUPING + "/print", MEMBERS),
    Route("edit_grouping_page", "groups.edit", "GET", GROUPING + "/edit", COORDINATORS),
    Route("edit_grouping", "groups.edit", "POST", GROUPING + "/edit", COORDINATORS, data=EDIT_FORM, effect=_edited),
    Route("delete_grouping", "groups.delete", "POST", GROUPING + "/delete", COORDINATORS, data=CONFIRMED,
          effect=lambda ids: db.session.get(Grouping, ids["grouping"]) is None),
]


def build_with_grouping(app, factory):
    """The matrix's world, plus a growth grouping (Hamar in one group, Lillehammer in the other)
    and a grouping in the other network."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        memberships = {m.organisation_id: m.id for m in db.session.scalars(
            select(Membership).where(Membership.network_id == network.id))}
        grouping = Grouping(network_id=network.id, name="Vekstgrupper", basis=GroupKind.GROWTH, target_size=2)
        first = Group(grouping=grouping, position=0, name="Sterk vekst", kind=GroupKind.GROWTH)
        second = Group(grouping=grouping, position=1, name="Vekst", kind=GroupKind.GROWTH)
        other = Grouping(network_id=ids["other_network"], name="Annen inndeling", basis=GroupKind.FREE, target_size=4)
        other_group = Group(grouping=other, position=0, name="Annen gruppe", kind=GroupKind.FREE)
        db.session.add_all([grouping, other])
        db.session.flush()
        db.session.add_all([
            GroupMember(grouping_id=grouping.id, group=first, membership_id=memberships[ids["hamar"]]),
            GroupMember(grouping_id=grouping.id, group=second, membership_id=memberships[ids["lillehammer"]]),
            GroupMember(grouping_id=other.id, group=other_group, membership_id=ids["other_membership"]),
        ])
        db.session.commit()
        extra = {"grouping": grouping.id, "group": first.id, "second_group": second.id,
                 "hamar_membership": memberships[ids["hamar"]],
                 "lillehammer_membership": memberships[ids["lillehammer"]],
                 "other_grouping": other.id, "other_group": other_group.id}
    return {**ids, **extra}, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_grouping)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if route.endpoint in ("groups.show", "groups.index") and expected == 200:
        body = response.get_data(as_text=True)
        # Only coordinators are offered the changes.
        assert ("Endre gruppene" in body or "Ny gruppeinndeling" in body) is (role in COORDINATORS), role


WRONG_IDS = [
    ("other_networks_grouping", "GET", GROUPING.replace("{grouping}", "{other_grouping}")),
    ("other_networks_grouping_group", "GET", N + "/{other_grouping}/{other_group}"),
    ("other_groupings_group", "GET", GROUPING + "/{other_group}"),
    ("other_networks_grouping_print", "GET", N + "/{other_grouping}/print"),
    ("other_networks_grouping_edit", "GET", N + "/{other_grouping}/edit"),
    ("other_networks_grouping_edit_post", "POST", N + "/{other_grouping}/edit"),
    ("other_networks_grouping_delete", "POST", N + "/{other_grouping}/delete"),
    ("unknown_grouping", "GET", N + "/999999"),
    ("unknown_group", "GET", GROUPING + "/999999"),
    ("unknown_grouping_delete", "POST", N + "/999999/delete"),
]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
@pytest.mark.parametrize("name, method, path", WRONG_IDS, ids=[name for name, _method, _path in WRONG_IDS])
def test_wrong_ids_give_404_and_touch_nothing(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    data = {key: value.format(**ids) for key, value in EDIT_FORM.items()}
    response = http.get(url) if method == "GET" else http.post(url, data=data)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        assert db.session.get(Grouping, ids["other_grouping"]).name == "Annen inndeling"
        assert db.session.get(Group, ids["other_group"]).name == "Annen gruppe"
        assert db.session.get(Group, ids["group"]).name == "Sterk vekst"


def test_the_other_networks_coordinator_cannot_reach_this_grouping_through_their_network(app, built, login):
    ids, people = built
    http = login(people["outsider"])
    base = f"/networks/{ids['other_network']}/groups/{ids['grouping']}"
    assert http.get(base).status_code == 404
    assert http.post(base + "/delete").status_code == 404
    data = {key: value.format(**ids) for key, value in EDIT_FORM.items()}
    assert http.post(base + "/edit", data=data).status_code == 404
    with app.app_context():
        assert db.session.get(Group, ids["group"]).name == "Sterk vekst"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
