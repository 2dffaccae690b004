"""The API's challenges (who shares each one) and planning-status profiles with self-assessments
(network/api/resources/challenges.py, planning.py): what each role gets, as on the web pages; a
municipality's self-assessment only for its own people, coordinators and observers; filters, a
deterministic order, and a fixed number of queries."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
from network.extensions import db
from network.networks.models import Membership, MembershipStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.planning.models import AdviceAssessment, PlanningStatus, PlanningStep, PlanStatus, StrategicAdvice
from tests.api_helpers import api_client
from tests.conftest import built_once
from tests.factories import world
from tests.query_counter import count_queries

HAMAR_SITUATION = "Mange eldre bor i sentrum"
HAMAR_COMMENT = "Hamars egen kommentar"
LILLEHAMMER_COMMENT = "Lillehammers hemmelige kommentar"
FIRST, SECOND = StrategicAdvice.KNOWLEDGE_AND_DIRECTION, StrategicAdvice.GOVERNANCE_AND_PLANNING


def build_world(app, factory):
    """Two challenges: "Eldre i egen bolig" (Lillehammer low, Hamar high) and "Unge i etablering"
    (Lillehammer medium), and one in another network. Hamar's planning strategy is adopted (2020)
    with self-assessments 3 and 2; Lillehammer's is in progress, self-assessed 2 on the first advice.
    Gjøvik withdrew: it has a challenge marked and a profile, and appears nowhere."""
    network, hamar, lillehammer, people = world(factory)
    other_network = factory.network("Naboens nettverk")
    gjovik = factory.municipality("3407")
    with app.app_context():
        memberships = {m.organisation_id: m for m in db.session.scalars(
            select(Membership).where(Membership.network_id == network.id))}
        hamar_m, lillehammer_m = memberships[hamar.id], memberships[lillehammer.id]
        gjovik_m = Membership(network_id=network.id, organisation_id=gjovik.id, status=MembershipStatus.WITHDRAWN)
        elderly = Challenge(network_id=network.id, title="Eldre i egen bolig", position=1)
        young = Challenge(network_id=network.id, title="Unge i etablering", position=2, description="Første bolig",
                          added_by_organisation_id=lillehammer.id)
        elsewhere = Challenge(network_id=other_network.id, title="Et annet nettverks utfordring", position=1)
        db.session.add_all([gjovik_m, elderly, young, elsewhere])
        db.session.flush()
        db.session.add_all([
            MunicipalityChallenge(challenge_id=elderly.id, membership_id=lillehammer_m.id, priority=ChallengePriority.LOW),
            MunicipalityChallenge(challenge_id=elderly.id, membership_id=hamar_m.id, priority=ChallengePriority.HIGH,
                                  description=HAMAR_SITUATION),
            MunicipalityChallenge(challenge_id=young.id, membership_id=lillehammer_m.id,
                                  priority=ChallengePriority.MEDIUM),
            MunicipalityChallenge(challenge_id=young.id, membership_id=gjovik_m.id, priority=ChallengePriority.HIGH),
            PlanningStatus(membership_id=hamar_m.id, step=PlanningStep.PLANNING_STRATEGY, status=PlanStatus.ADOPTED,
                           year=2020, document_url="https://hamar.example/planstrategi"),
            PlanningStatus(membership_id=lillehammer_m.id, step=PlanningStep.PLANNING_STRATEGY,
                           status=PlanStatus.IN_PROGRESS),
            PlanningStatus(membership_id=gjovik_m.id, step=PlanningStep.PLANNING_STRATEGY, status=PlanStatus.ADOPTED,
                           year=2019),
            AdviceAssessment(membership_id=hamar_m.id, advice=FIRST, score=3, comment=HAMAR_COMMENT),
            AdviceAssessment(membership_id=hamar_m.id, advice=SECOND, score=2),
            AdviceAssessment(membership_id=lillehammer_m.id, advice=FIRST, score=2, comment=LILLEHAMMER_COMMENT),
        ])
        db.session.commit()
        ids = {"network": network.id, "hamar": hamar.id, "lillehammer": lillehammer.id, "gjovik": gjovik.id,
               "elderly": elderly.id, "young": young.id, "elsewhere": elsewhere.id}
    return ids, people


built = built_once(build_world)


def get(app, people, role, path, ids, status=200):
    client, headers = api_client(app, people[role])
    response = client.get(("/api/v1/networks/{network}" + path).format(**ids), headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


# --- challenges -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["participant", "other_contact", "observer", "coordinator", "admin"])
def test_every_member_gets_the_catalogue_and_who_shares_each_challenge(app, built, role):
    ids, people = built
    body = get(app, people, role, "/challenges", ids)
    assert body["total"] == 2
    elderly, young = body["items"]
    assert (elderly["title"], elderly["position"], young["title"], young["position"]) == \
        ("Eldre i egen bolig", 1, "Unge i etablering", 2)
    # Highest priority first, then by name; the withdrawn Gjøvik is not among them.
    assert [(s["name"], s["priority"]) for s in elderly["sharers"]] == [("Hamar", "high"), ("Lillehammer", "low")]
    assert elderly["sharers"][0]["description"] == HAMAR_SITUATION
    assert elderly["sharers"][0]["kommunenummer"] == "3403" and elderly["sharers"][0]["county"] == "Innlandet"
    assert (elderly["sharing_count"], elderly["municipality_count"]) == (2, 2)
    assert [s["name"] for s in young["sharers"]] == ["Lillehammer"]
    assert (young["added_by"], young["added_by_organisation_id"]) == ("Lillehammer", ids["lillehammer"])
    assert "Gjøvik" not in str(body) and "Et annet nettverks utfordring" not in str(body)


def test_challenges_filter_on_growth_class_and_page(app, built):
    ids, people = built
    body = get(app, people, "coordinator", "/challenges", ids)
    hamar_class = body["items"][0]["sharers"][0]["growth_class"]
    lillehammer_class = body["items"][0]["sharers"][1]["growth_class"]
    filtered = get(app, people, "coordinator", f"/challenges?growth={hamar_class}", ids)
    elderly = filtered["items"][0]
    assert "Hamar" in [s["name"] for s in elderly["sharers"]]
    assert all(s["growth_class"] == hamar_class for s in elderly["sharers"])
    assert elderly["sharing_count"] == 2  # before the filter
    if lillehammer_class != hamar_class:
        assert filtered["items"][1]["sharers"] == []
    page = get(app, people, "coordinator", "/challenges?size=1&page=2", ids)
    assert page["total"] == 2 and [c["title"] for c in page["items"]] == ["Unge i etablering"]
    get(app, people, "coordinator", "/challenges?growth=huge", ids, status=400)


def test_one_challenge_as_on_its_page(app, built):
    ids, people = built
    body = get(app, people, "participant", "/challenges/{elderly}", ids)
    assert body["title"] == "Eldre i egen bolig"
    assert [(s["name"], s["priority"]) for s in body["sharers"]] == [("Hamar", "high"), ("Lillehammer", "low")]
    listed = get(app, people, "participant", "/challenges", ids)["items"][0]
    assert body == listed  # one challenge says what the list says about it
    for path in ("/challenges/{elsewhere}", "/challenges/999999"):
        get(app, people, "coordinator", path, ids, status=404)


def test_outsiders_get_no_challenges(app, built):
    ids, people = built
    get(app, people, "outsider", "/challenges", ids, status=403)
    get(app, people, "outsider", "/challenges/{elderly}", ids, status=403)


# --- planning ---------------------------------------------------------------------------


def planning(app, people, role, ids, query=""):
    return get(app, people, role, "/planning" + query, ids)


def by_name(body):
    return {row["name"]: row for row in body["municipalities"]}


def test_planning_statuses_for_every_member_and_the_networks_summary(app, built):
    ids, people = built
    body = planning(app, people, "executive", ids)
    assert [row["name"] for row in body["municipalities"]] == ["Hamar", "Lillehammer"]  # by name; not the withdrawn
    hamar = by_name(body)["Hamar"]
    assert hamar["steps"][0] == {"step": "planning_strategy", "number": 1, "status": "adopted", "year": 2020,
                                 "document_url": "https://hamar.example/planstrategi"}
    assert [step["step"] for step in hamar["steps"]] == [step.value for step in PlanningStep]
    assert hamar["steps"][1]["status"] is None and hamar["adopted_count"] == 1
    assert by_name(body)["Lillehammer"]["steps"][0]["status"] == "in_progress"
    strategy = body["steps"][0]
    assert (strategy["adopted"], strategy["in_progress"], strategy["not_started"], strategy["not_recorded"]) == (1, 1, 0, 0)
    first, second = body["advice"][:2]
    # (3 + 2) / 2 = 2.5; one answer of 2 on the second advice.
    assert (first["answered"], first["average"], first["distribution"]) == (2, "2.5", {"1": 0, "2": 1, "3": 1, "4": 0})
    assert (second["answered"], second["average"]) == (1, "2.0")
    assert body["advice"][2]["average"] is None and body["advice"][2]["answered"] == 0


@pytest.mark.parametrize("role, readable", [
    ("participant", {"Hamar"}), ("contact", {"Hamar"}), ("executive", {"Hamar"}),
    ("other_contact", {"Lillehammer"}), ("observer", {"Hamar", "Lillehammer"}),
    ("coordinator", {"Hamar", "Lillehammer"}), ("admin", {"Hamar", "Lillehammer"}),
])
def test_a_self_assessment_only_for_its_own_people_coordinators_and_observers(app, built, role, readable):
    ids, people = built
    body = planning(app, people, role, ids)
    rows = by_name(body)
    assert {name for name, row in rows.items() if row["assessments"] is not None} == readable
    text = str(body)
    assert (HAMAR_COMMENT in text) is ("Hamar" in readable)
    assert (LILLEHAMMER_COMMENT in text) is ("Lillehammer" in readable)
    if "Hamar" in readable:
        assessments = rows["Hamar"]["assessments"]
        assert [a["advice"] for a in assessments] == [advice.value for advice in StrategicAdvice]
        assert assessments[0] == {"advice": FIRST.value, "number": 1, "score": 3, "comment": HAMAR_COMMENT}
        assert assessments[2]["score"] is None


def test_planning_filters_on_a_municipality(app, built):
    ids, people = built
    body = planning(app, people, "coordinator", ids, "?municipality={lillehammer}")
    assert [row["name"] for row in body["municipalities"]] == ["Lillehammer"]
    assert body["steps"][0]["adopted"] == 1  # the summary stays the network's
    # The participant may not read Lillehammer's assessment by asking for it alone.
    body = planning(app, people, "participant", ids, "?municipality={lillehammer}")
    assert body["municipalities"][0]["assessments"] is None and LILLEHAMMER_COMMENT not in str(body)
    assert planning(app, people, "coordinator", ids, "?municipality={gjovik}")["municipalities"] == []
    get(app, people, "coordinator", "/planning?municipality=abc", ids, status=400)


def test_planning_pages_the_municipalities_and_keeps_the_networks_summary(app, built):
    ids, people = built
    whole = planning(app, people, "coordinator", ids)
    assert (whole["page"], whole["size"], whole["total"]) == (1, 50, 2)
    pages = [planning(app, people, "coordinator", ids, f"?size=1&page={n}") for n in (1, 2, 3)]
    assert [row["name"] for page in pages for row in page["municipalities"]] == ["Hamar", "Lillehammer"]
    assert all(page["total"] == 2 and page["steps"] == whole["steps"] and page["advice"] == whole["advice"]
               for page in pages)
    assert planning(app, people, "coordinator", ids, "?municipality={lillehammer}")["total"] == 1
    get(app, people, "coordinator", "/planning?size=201", ids, status=400)


def test_outsiders_get_no_planning(app, built):
    ids, people = built
    get(app, people, "outsider", "/planning", ids, status=403)


# --- a fixed number of queries ----------------------------------------------------------


def network_of_size(app, factory, size: int):
    """``size`` member municipalities, each with two challenges marked and a profile."""
    network = factory.network(f"Utfordringer i API {size}")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    with app.app_context():
        municipalities = db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                                            .order_by(Organisation.kommunenummer).limit(size)).all()
        challenges = [Challenge(network_id=network.id, title=f"Utfordring {n}", position=n) for n in range(1, 4)]
        db.session.add_all(challenges)
        for municipality in municipalities:
            membership = Membership(network_id=network.id, organisation=municipality)
            db.session.add(membership)
            db.session.flush()
            for challenge, priority in zip(challenges, (ChallengePriority.HIGH, ChallengePriority.LOW)):
                db.session.add(MunicipalityChallenge(challenge_id=challenge.id, membership_id=membership.id,
                                                     priority=priority))
            db.session.add_all([
                PlanningStatus(membership_id=membership.id, step=PlanningStep.HOUSING_PLAN, status=PlanStatus.IN_PROGRESS),
                AdviceAssessment(membership_id=membership.id, advice=FIRST, score=2, comment="Kommentar"),
            ])
        first = challenges[0].id
        db.session.commit()
    return network, coordinator, first


@pytest.mark.parametrize("path", ["/challenges", "/challenges/{challenge}", "/planning"])
def test_a_fixed_number_of_queries_at_4_and_40_municipalities(app, factory, path):
    counts = []
    for size in (4, 40):
        network, coordinator, challenge_id = network_of_size(app, factory, size)
        client, headers = api_client(app, coordinator)
        url = f"/api/v1/networks/{network.id}" + path.format(challenge=challenge_id)
        client.get(url, headers=headers)  # warm up: the token's last use is written once a minute
        with count_queries(app) as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        if path == "/planning":
            assert len(body["municipalities"]) == size
        else:
            first = body["items"][0] if "items" in body else body
            assert len(first["sharers"]) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 14, counts  # who_shares loads the sharers with their organisation and county
