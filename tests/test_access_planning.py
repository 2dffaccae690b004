"""The access matrix for planning-status profiles and the network comparison (see tests/test_access_matrix.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.networks.models import Membership
from network.planning.models import AdviceAssessment, PlanningStatus, PlanningStep
from tests.conftest import built_once
from tests.test_access_matrix import COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build)

N = "/networks/{network}"
HAMAR_TEAM = frozenset({"participant", "contact", "executive"})
LILLEHAMMER_TEAM = frozenset({"other_contact"})
FOLLOWERS = COORDINATORS | {"observer"}

PROFILE = {"status_planning_strategy": "adopted", "year_planning_strategy": "2019",
           "url_planning_strategy": "https://kommune.test/planstrategi",
           "score_property_actor": "3", "comment_property_actor": "Tomteselskap"}


def _profile_saved(org_key):
    def check(ids):
        membership_id = db.session.scalar(select(Membership.id).where(
            Membership.network_id == ids["network"], Membership.organisation_id == ids[org_key]))
        status = db.session.scalar(select(PlanningStatus).where(
            PlanningStatus.membership_id == membership_id, PlanningStatus.step == PlanningStep.PLANNING_STRATEGY))
        assessment = db.session.scalar(select(AdviceAssessment).where(AdviceAssessment.membership_id == membership_id))
        return status is not None and status.year == 2019 and assessment is not None and assessment.score == 3
    return check


ROUTES = [
    Route("planning_edit_hamar", "planning.edit", "GET", N + "/municipalities/{hamar}/planning", HAMAR_TEAM),
    Route("planning_edit_hamar", "planning.edit", "POST", N + "/municipalities/{hamar}/planning", HAMAR_TEAM,
          data=PROFILE, effect=_profile_saved("hamar")),
    Route("planning_edit_lillehammer", "planning.edit", "GET", N + "/municipalities/{lillehammer}/planning",
          LILLEHAMMER_TEAM),
    Route("planning_edit_lillehammer", "planning.edit", "POST", N + "/municipalities/{lillehammer}/planning",
          LILLEHAMMER_TEAM, data=PROFILE, effect=_profile_saved("lillehammer")),
    Route("planning_comparison", "planning.comparison", "GET", N + "/planning", MEMBERS),
    Route("planning_comparison_chosen", "planning.comparison", "GET",
          N + "/planning?municipality={lillehammer}&sort=adopted&dir=desc", MEMBERS),
    Route("planning_comparison_csv", "planning.comparison_csv", "GET", N + "/planning.csv", FOLLOWERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


WRONG_IDS = [
    ("unknown_network", "GET", "/networks/999999/planning"),
    ("unknown_network_csv", "GET", "/networks/999999/planning.csv"),
    ("unknown_organisation", "GET", N + "/municipalities/999999/planning"),
    ("non_member_organisation", "GET", N + "/municipalities/{ringsaker}/planning"),
    ("non_member_organisation_post", "POST", N + "/municipalities/{ringsaker}/planning"),
    # Hamar is a member of the other network too, but Gjøvik is not.
    ("member_of_this_network_only", "POST", "/networks/{other_network}/municipalities/{gjovik}/planning"),
]


@pytest.mark.parametrize("role", ["admin"])
@pytest.mark.parametrize("name, method, path", WRONG_IDS, ids=[name for name, *_ in WRONG_IDS])
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    response = http.get(url) if method == "GET" else http.post(url, data=PROFILE)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        assert db.session.scalar(select(PlanningStatus.id)) is None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
