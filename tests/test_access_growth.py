"""The access matrix for growth classes (see tests/test_access_matrix.py)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from network.extensions import db
from network.growth.models import GrowthClass, GrowthOverride, GrowthSettings
from network.networks.models import Membership, MembershipStatus
from network.organisations.models import Organisation, OrganisationKind
from tests.conftest import built_once
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}"
EXPORTERS = COORDINATORS | {"observer"}
THRESHOLDS_FORM = {"strong_growth_min": "1,5", "growth_min": "0.75", "stable_min": "0", "action": "save"}
OVERRIDE_FORM = {"growth_class": "stable", "reason": "Stor nedbygging av arbeidsplasser etter 2020."}
# Custom thresholds in place before each request, so that "reset" has something to undo.
CUSTOM = (Decimal("2.00"), Decimal("1.00"), Decimal("0.10"))


def _thresholds(ids):
    settings = db.session.get(GrowthSettings, ids["network"])
    return (settings.strong_growth_min, settings.growth_min, settings.stable_min)


def _override(ids, org_key):
    return db.session.scalar(select(GrowthOverride).join(Membership).where(
        Membership.network_id == ids["network"], Membership.organisation_id == ids[org_key]))


def _overridden_to_stable(ids):
    override = _override(ids, "hamar")
    return override is not None and override.growth_class is GrowthClass.STABLE and override.reason == OVERRIDE_FORM["reason"]


ROUTES = [
    Route("growth_overview", "growth.overview", "GET", N + "/growth", MEMBERS),
    Route("growth_overview_sorted", "growth.overview", "GET", N + "/growth?sort=yearly&dir=desc", MEMBERS),
    Route("growth_csv", "growth.overview_csv", "GET", N + "/growth.csv", EXPORTERS),
    Route("growth_settings", "growth.settings", "GET", N + "/growth/settings", COORDINATORS),
    Route("growth_settings", "growth.settings", "POST", N + "/growth/settings", COORDINATORS, data=THRESHOLDS_FORM,
          effect=lambda ids: _thresholds(ids) == (Decimal("1.50"), Decimal("0.75"), Decimal("0.00"))),
    Route("growth_reset_settings", "growth.reset_settings", "POST", N + "/growth/settings/reset", COORDINATORS,
          data=CONFIRMED,
          effect=lambda ids: _thresholds(ids) == (Decimal("1.00"), Decimal("0.50"), Decimal("0.00"))),
    Route("growth_override_hamar", "growth.override", "GET", N + "/municipalities/{hamar}/growth", COORDINATORS),
    Route("growth_override_hamar", "growth.override", "POST", N + "/municipalities/{hamar}/growth", COORDINATORS,
          data=OVERRIDE_FORM, effect=_overridden_to_stable),
    Route("growth_clear_override_lillehammer", "growth.clear_override", "POST",
          N + "/municipalities/{lillehammer}/growth/clear", COORDINATORS, data=CONFIRMED,
          effect=lambda ids: _override(ids, "lillehammer") is None),
]


def build_with_growth(app, factory):
    """The matrix's world, plus custom thresholds, an override for Lillehammer, and members that
    have no growth class: Husbanken (not a municipality) and a withdrawn municipality."""
    ids, people = build(app, factory)
    with app.app_context():
        session = db.session
        session.add(GrowthSettings(network_id=ids["network"], strong_growth_min=CUSTOM[0], growth_min=CUSTOM[1],
                                   stable_min=CUSTOM[2]))
        lillehammer = session.scalar(select(Membership).where(
            Membership.network_id == ids["network"], Membership.organisation_id == ids["lillehammer"]))
        session.add(GrowthOverride(membership=lillehammer, growth_class=GrowthClass.STRONG_GROWTH,
                                   reason="Ny campus gir vekst."))
        husbanken = Organisation(name="Husbanken Øst", kind=OrganisationKind.HUSBANKEN)
        stange = session.scalar(select(Organisation).where(Organisation.kommunenummer == "3413"))
        session.add_all([husbanken,
                         Membership(network_id=ids["network"], organisation=husbanken),
                         Membership(network_id=ids["network"], organisation=stange, status=MembershipStatus.WITHDRAWN)])
        session.commit()
        ids = {**ids, "husbanken": husbanken.id, "stange": stange.id}
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_growth)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)
    with app.app_context():
        if route.endpoint == "growth.settings" and route.method == "POST" and role not in COORDINATORS:
            assert _thresholds(ids) == CUSTOM
        if route.endpoint == "growth.override" and route.method == "POST" and role not in COORDINATORS:
            assert _override(ids, "hamar") is None


WRONG_IDS = [
    ("unknown_network", "GET", "/networks/999999/growth"),
    ("unknown_network_csv", "GET", "/networks/999999/growth.csv"),
    ("unknown_network_settings", "POST", "/networks/999999/growth/settings"),
    ("unknown_organisation", "GET", N + "/municipalities/999999/growth"),
    ("non_member_organisation", "GET", N + "/municipalities/{ringsaker}/growth"),
    ("non_member_organisation_post", "POST", N + "/municipalities/{ringsaker}/growth"),
    ("non_member_organisation_clear", "POST", N + "/municipalities/{ringsaker}/growth/clear"),
    ("member_that_is_no_municipality", "GET", N + "/municipalities/{husbanken}/growth"),
    ("member_that_is_no_municipality_post", "POST", N + "/municipalities/{husbanken}/growth"),
    ("withdrawn_member", "GET", N + "/municipalities/{stange}/growth"),
    ("withdrawn_member_post", "POST", N + "/municipalities/{stange}/growth"),
    # The other network's coordinator, through their own network's URL: Lillehammer is no member there.
    ("through_other_network", "POST", "/networks/{other_network}/municipalities/{lillehammer}/growth/clear"),
]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
@pytest.mark.parametrize("name, method, path", WRONG_IDS, ids=[name for name, *_rest in WRONG_IDS])
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    if name == "through_other_network" and role == "coordinator":
        role = "outsider"  # the outsider coordinates the other network
    http = login(people[role])
    url = path.format(**ids)
    response = http.get(url) if method == "GET" else http.post(url, data=OVERRIDE_FORM)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        assert db.session.scalar(select(GrowthOverride.id).join(Membership).where(
            Membership.organisation_id.in_([ids["ringsaker"], ids["husbanken"], ids["stange"]]))) is None
        assert _override(ids, "lillehammer") is not None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
