"""The access matrix for the challenges catalogue, a municipality's challenges, who shares them
and the matrix (see tests/test_access_matrix.py)."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
from network.extensions import db
from network.networks.models import Membership, Network
from network.organisations.models import Organisation, OrganisationKind
from tests.conftest import built_once
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}"
HAMAR_TEAM = frozenset({"participant", "contact", "executive"})
LILLEHAMMER_TEAM = frozenset({"other_contact"})
MATRIX_READERS = COORDINATORS | {"observer"}

NEW_TITLE = "Mangel på utleieboliger for unge"
OWN_TITLE = "Lange køer til kommunale boliger"


def _challenge_titled(title):
    return lambda ids: db.session.scalar(
        select(Challenge.id).where(Challenge.network_id == ids["network"], Challenge.title == title)) is not None


def _renamed(ids):
    return db.session.get(Challenge, ids["challenge"]).title == "Høye boligpriser i sentrum"


def _deleted(ids):
    return db.session.get(Challenge, ids["challenge"]) is None


def _moved_up(ids):
    return db.session.get(Challenge, ids["second"]).position < db.session.get(Challenge, ids["challenge"]).position


def _marked(membership_key, description):
    def check(ids):
        entry = db.session.scalar(select(MunicipalityChallenge).where(
            MunicipalityChallenge.membership_id == ids[membership_key],
            MunicipalityChallenge.challenge_id == ids["second"]))
        return entry is not None and entry.description == description
    return check


def _own_added(ids):
    challenge = db.session.scalar(select(Challenge).where(Challenge.title == OWN_TITLE))
    return challenge is not None and challenge.added_by_organisation_id == ids["hamar"]


def _choices(description):
    return {"c{second}-applies": "y", "c{second}-priority": "high", "c{second}-description": description}


ROUTES = [
    Route("challenges_index", "challenges.index", "GET", N + "/challenges", MEMBERS),
    Route("challenges_new", "challenges.new", "GET", N + "/challenges/new", COORDINATORS),
    Route("challenges_new", "challenges.new", "POST", N + "/challenges/new", COORDINATORS,
          data={"title": NEW_TITLE, "description": ""}, effect=_challenge_titled(NEW_TITLE)),
    Route("challenges_edit", "challenges.edit", "GET", N + "/challenges/{challenge}/edit", COORDINATORS),
    Route("challenges_edit", "challenges.edit", "POST", N + "/challenges/{challenge}/edit", COORDINATORS,
          data={"title": "Høye boligpriser i sentrum", "description": ""}, effect=_renamed),
    Route("challenges_delete", "challenges.delete", "POST", N + "/challenges/{challenge}/delete", COORDINATORS,
          data=CONFIRMED, effect=_deleted),
    Route("challenges_move", "challenges.move", "POST", N + "/challenges/{second}/move", COORDINATORS,
          data={"direction": "up"}, effect=_moved_up),
    Route("challenges_show", "challenges.show", "GET", N + "/challenges/{challenge}", MEMBERS),
    Route("challenges_show_filtered", "challenges.show", "GET", N + "/challenges/{challenge}?growth=strong_growth",
          MEMBERS),
    Route("challenges_matrix", "challenges.matrix", "GET", N + "/challenges/matrix", MATRIX_READERS),
    Route("challenges_matrix_filtered", "challenges.matrix", "GET", N + "/challenges/matrix?growth=decline",
          MATRIX_READERS),
    Route("challenges_matrix_csv", "challenges.matrix_csv", "GET", N + "/challenges/matrix.csv", MATRIX_READERS),
    # Only the municipality's own people edit its challenges: not coordinators, not the neighbours.
    Route("challenges_hamar", "challenges.municipality", "GET", N + "/municipalities/{hamar}/challenges", HAMAR_TEAM),
    Route("challenges_hamar", "challenges.municipality", "POST", N + "/municipalities/{hamar}/challenges", HAMAR_TEAM,
          data=_choices("Fra Hamar"), effect=_marked("hamar_membership", "Fra Hamar")),
    Route("challenges_lillehammer", "challenges.municipality", "GET", N + "/municipalities/{lillehammer}/challenges",
          LILLEHAMMER_TEAM),
    Route("challenges_lillehammer", "challenges.municipality", "POST", N + "/municipalities/{lillehammer}/challenges",
          LILLEHAMMER_TEAM, data=_choices("Fra Lillehammer"),
          effect=_marked("lillehammer_membership", "Fra Lillehammer")),
    Route("challenges_add_own", "challenges.add_own", "GET", N + "/municipalities/{hamar}/challenges/new", HAMAR_TEAM),
    Route("challenges_add_own", "challenges.add_own", "POST", N + "/municipalities/{hamar}/challenges/new", HAMAR_TEAM,
          data={"title": OWN_TITLE, "description": "", "priority": "medium", "local_description": "Ventetid på et år."},
          effect=_own_added),
]


def build_with_challenges(app, factory):
    """The matrix's world plus two challenges in the network, one in the other network, and a
    non-municipal member (Husbanken)."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        first = Challenge(network_id=network.id, position=1, title="Høye priser i knutepunktene")
        second = Challenge(network_id=network.id, position=2, title="For lite omsetning av eneboliger")
        elsewhere = Challenge(network_id=ids["other_network"], position=1, title="Utfordring i et annet nettverk")
        husbanken = Organisation(name="Husbanken", kind=OrganisationKind.HUSBANKEN)
        db.session.add_all([first, second, elsewhere, husbanken])
        db.session.add(Membership(network_id=network.id, organisation=husbanken))
        db.session.flush()
        memberships = {m.organisation_id: m.id for m in db.session.scalars(
            select(Membership).where(Membership.network_id == network.id))}
        db.session.add(MunicipalityChallenge(challenge_id=first.id, membership_id=memberships[ids["hamar"]],
                                             priority=ChallengePriority.HIGH, description="Dyrt i sentrum"))
        db.session.commit()
        ids.update(challenge=first.id, second=second.id, other_challenge=elsewhere.id, husbanken=husbanken.id,
                   hamar_membership=memberships[ids["hamar"]],
                   lillehammer_membership=memberships[ids["lillehammer"]])
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_challenges)


def _formatted(route: Route, ids: dict) -> Route:
    """The municipality form's field names carry the challenge's id."""
    if not route.data:
        return route
    return dataclasses.replace(route, data={key.format(**ids): value for key, value in route.data.items()})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, _formatted(route, ids), role, ids, people, client, login)


MANAGERS = ("coordinator", "admin")
READERS = ("coordinator", "admin", "participant")
# The network's access rule comes first, then the lookup inside it: those who may not act there
# get 403 before anything is looked up, so only the roles that may get as far as the lookup are here.
WRONG_IDS = [
    ("unknown_challenge", "GET", N + "/challenges/999999", READERS),
    ("unknown_challenge_edit", "GET", N + "/challenges/999999/edit", MANAGERS),
    ("other_networks_challenge", "GET", N + "/challenges/{other_challenge}", READERS),
    ("other_networks_challenge_edit", "POST", N + "/challenges/{other_challenge}/edit", MANAGERS),
    ("other_networks_challenge_delete", "POST", N + "/challenges/{other_challenge}/delete", MANAGERS),
    ("other_networks_challenge_move", "POST", N + "/challenges/{other_challenge}/move", MANAGERS),
    ("non_member_municipality", "GET", N + "/municipalities/{ringsaker}/challenges", READERS),
    ("non_member_municipality_add", "POST", N + "/municipalities/{ringsaker}/challenges/new", READERS),
    ("non_municipal_member", "GET", N + "/municipalities/{husbanken}/challenges", READERS),
    ("unknown_network_matrix", "GET", "/networks/999999/challenges/matrix", READERS),
]
WRONG_ID_CASES = [
    pytest.param(name, method, path, role, id=f"{name}-{role}")
    for name, method, path, roles in WRONG_IDS for role in roles
]


@pytest.mark.parametrize("name, method, path, role", WRONG_ID_CASES)
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    data = {"title": "Nytt navn", "direction": "up", "priority": "high"}
    response = http.get(url) if method == "GET" else http.post(url, data=data)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        other = db.session.get(Challenge, ids["other_challenge"])
        assert other is not None and other.title == "Utfordring i et annet nettverk" and other.position == 1
        assert db.session.scalar(select(Challenge.id).where(Challenge.title == "Nytt navn")) is None


def test_the_other_networks_coordinator_cannot_reach_this_networks_challenge_through_their_own(app, built, login):
    ids, people = built
    http = login(people["outsider"])
    assert http.get(f"/networks/{ids['other_network']}/challenges/{ids['challenge']}").status_code == 404
    response = http.post(f"/networks/{ids['other_network']}/challenges/{ids['challenge']}/delete")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Challenge, ids["challenge"]) is not None


def test_a_withdrawn_municipalitys_people_can_no_longer_edit_its_challenges(app, built, login):
    ids, people = built
    with app.app_context():
        from network.networks.models import MembershipStatus
        db.session.get(Membership, ids["hamar_membership"]).status = MembershipStatus.WITHDRAWN
        db.session.commit()
    http = login(people["contact"])
    assert http.get(N.format(**ids) + f"/municipalities/{ids['hamar']}/challenges").status_code == 403
    response = http.post(N.format(**ids) + f"/municipalities/{ids['hamar']}/challenges", data={})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(MunicipalityChallenge.id).where(
            MunicipalityChallenge.membership_id == ids["hamar_membership"])) is not None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
