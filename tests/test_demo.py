from sqlalchemy import func, select

from network.auth.models import Person
from network.challenges.models import Challenge, MunicipalityChallenge
from network.groups.models import Grouping
from network.growth.models import GrowthClass
from network.growth.services import classify_all
from network.planning.models import AdviceAssessment, PlanningStatus
from network.extensions import db
from network.gatherings.models import Gathering
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import OrganisationKind
from network.validators import is_org_number
from tests.conftest import built_once

NETWORK_NAME = "Lærings- og utviklingsnettverk – helhetlig kommunal boligpolitikk"
MUNICIPALITIES = {
    "Nittedal", "Lunner", "Lier", "Stavanger", "Karmøy", "Sør-Varanger", "Saltdal", "Øksnes", "Vestre Toten",
    "Hamar", "Lillehammer", "Nærøysund", "Iveland", "Arendal", "Kristiansand", "Lindesnes", "Horten",
}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _load_demo(app, _factory):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output


# The demo, loaded once for the tests that only read it. The first test loads it itself, into an
# installation without networks (it runs before anything asks for this fixture).
demo = built_once(_load_demo)


def test_demo_loads_the_2019_2020_network_and_is_idempotent(app, runner):
    with app.app_context():
        assert _count(Network) == 0, "this test must start from an installation without networks"
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "is ready" in first.output
    with app.app_context():
        counts = {model.__name__: _count(model) for model in (Network, Membership, Person, NetworkRole, Gathering, Challenge,
                                                                   MunicipalityChallenge, PlanningStatus, AdviceAssessment, Grouping)}
    second = runner.invoke(args=["demo"])
    assert "(0 new accounts)" in second.output
    with app.app_context():
        assert {model.__name__: _count(model) for model in (Network, Membership, Person, NetworkRole, Gathering, Challenge,
                                                                   MunicipalityChallenge, PlanningStatus, AdviceAssessment, Grouping)} == counts

        network = db.session.scalar(select(Network).where(Network.name == NETWORK_NAME))
        assert network.status is NetworkStatus.COMPLETED
        members = [m.organisation for m in network.memberships]
        municipalities = {o.name: o for o in members if o.kind is OrganisationKind.MUNICIPALITY}
        assert set(municipalities) == MUNICIPALITIES
        assert municipalities["Hamar"].county.name == "Innlandet"
        assert municipalities["Sør-Varanger"].county.name == "Troms og Finnmark"
        assert municipalities["Lindesnes"].kommunenummer == "4205"
        assert sum(o.kind is OrganisationKind.COUNTY_AUTHORITY for o in members) == 4
        assert {o.kind for o in members} >= {OrganisationKind.HUSBANKEN, OrganisationKind.KS}

        gatherings = network.gatherings
        assert [g.number for g in gatherings] == [1, 2, 3, 4, 5]
        assert gatherings[0].starts_on.isoformat() == "2019-04-10"
        assert gatherings[0].venue == "Gardermoen"
        span = (gatherings[-1].starts_on - gatherings[0].starts_on).days
        assert 365 < span < 600  # about 1.5 years
        catalogue = [c for c in network.challenges if c.added_by_organisation_id is None]
        assert len(catalogue) == 7
        assert [c.added_by_organisation.name for c in network.challenges if c.added_by_organisation_id] == ["Sør-Varanger"]


def test_each_municipality_has_two_or_three_people_one_of_them_the_executive(demo, app):
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == NETWORK_NAME))
        for membership in network.memberships:
            organisation = membership.organisation
            if organisation.kind is not OrganisationKind.MUNICIPALITY:
                continue
            roles = db.session.scalars(
                select(NetworkRole.role).join(Person).where(NetworkRole.network_id == network.id, Person.organisation_id == organisation.id)
            ).all()
            assert 2 <= len(roles) <= 3, organisation.name
            assert roles.count(RoleKind.EXECUTIVE) == 1, organisation.name


def test_demo_accounts_sign_in_with_the_demo_password(demo, app, client):
    expected = {
        "koordinator@demo.test": RoleKind.COORDINATOR,
        "husbanken@demo.test": RoleKind.OBSERVER,
        "kontakt.hamar@demo.test": RoleKind.CONTACT,
        "deltaker.hamar@demo.test": RoleKind.PARTICIPANT,
        "radmann.hamar@demo.test": RoleKind.EXECUTIVE,
    }
    with app.app_context():
        network_id = db.session.scalar(select(Network.id).where(Network.name == NETWORK_NAME))
        for email, role in expected.items():
            person = db.session.scalar(select(Person).where(Person.email == email))
            assert [r.role for r in person.roles if r.network_id == network_id] == [role], email
    for email in expected:
        response = client.post("/login", data={"email": email, "password": "demo1234"})
        assert response.location == "/me", email
        client.post("/logout")


def test_demo_shows_warnings_for_short_teams_and_missing_anchoring(demo, app, client):
    client.post("/login", data={"email": "koordinator@demo.test", "password": "demo1234"})
    with app.app_context():
        network_id = db.session.scalar(select(Network.id).where(Network.name == NETWORK_NAME))
    body = client.get(f"/networks/{network_id}").get_data(as_text=True)
    assert "Til oppfølging" in body
    assert "Iveland" in body and "Bare 1 deltaker" in body
    assert "Forankringen hos kommunedirektøren" in body


def test_demo_municipalities_fall_into_every_growth_class_from_real_figures(demo, app):
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == NETWORK_NAME))
        memberships = [m for m in network.memberships if m.organisation.kind is OrganisationKind.MUNICIPALITY]
        results = classify_all(network, memberships)
        classes = {m.organisation.name: results[m.id].growth_class for m in memberships}
        assert {name for name, value in classes.items() if value is GrowthClass.STRONG_GROWTH} == {
            "Nittedal", "Lier", "Hamar", "Kristiansand"}
        assert {name for name, value in classes.items() if value is GrowthClass.STABLE} == {"Sør-Varanger"}
        assert {name for name, value in classes.items() if value is GrowthClass.DECLINE} == {"Saltdal", "Øksnes"}
        assert sum(value is GrowthClass.GROWTH for value in classes.values()) == 10


def test_demo_has_challenges_and_planning_profiles_to_compare(demo, app):
    with app.app_context():
        assert _count(MunicipalityChallenge) == 29 + 1  # 29 marks of catalogue challenges, and Sør-Varanger's own
        assert _count(PlanningStatus) == 12 * 6
        assert _count(AdviceAssessment) == 12 * 6
        grouping = db.session.scalar(select(Grouping).where(Grouping.name == "Bordgrupper på samling 3"))
        assert grouping.gathering.number == 3
        sizes = {group.name: len(group.members) for group in grouping.groups}
        # 4 strong growth, 10 growth (in 3 groups of 4, 3, 3), Sør-Varanger alone, 2 in decline.
        assert sizes == {"Sterk vekst": 4, "Vekst 1": 4, "Vekst 2": 3, "Vekst 3": 3, "Stabil": 1, "Nedgang": 2}


def test_every_municipality_and_county_authority_in_the_demo_has_a_valid_organisation_number(app, demo):
    """The invoice basis needs them (issue 13): loaded with the national list, mod-11 checked."""
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == NETWORK_NAME))
        invoiced = [m.organisation for m in network.memberships
                    if m.organisation.kind in (OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY_AUTHORITY)]
        assert len(invoiced) == 17 + 4
        assert [(o.name, o.org_number) for o in invoiced if not is_org_number(o.org_number)] == []
        hamar = next(o for o in invoiced if o.name == "Hamar")
        assert hamar.org_number == "970540008"
