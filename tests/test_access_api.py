"""The access matrix for the read-only API (network/api): every API route, for every role's token,
and for a revoked, an expired and a wrong-network token (see tests/test_access_matrix.py).

The API decides with the same access rules as the web UI (the token's owner is current_user), so
a role sees through the API exactly what it sees on the pages. Without a token (``anonymous``),
and with a revoked or expired one, every route is 401; a token limited to another network gets
403 on every route under /networks/<id>. All errors are problem+json.

Adding a route: a row in ROUTES (``api_row``), the ids it needs in ``build_api`` (your area's
section), and strings that must never appear in ``NEVER_SHOWN`` (checked on every route, not only
the area's own).
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from network.api import framework
from tests.api_helpers import make_token, revoke_token
from tests.conftest import built_once
from tests.test_access_matrix import (  # noqa: F401  (COORDINATORS, MEMBERS: for the areas' rows)
    COORDINATORS, FUZZ_PAYLOADS, MEMBERS, NETWORK_SECRETS, QUERY_TEXT_MAX, ROLES, SIGNED_IN, Route, build,
)

# Tokens that are not a role: each is the coordinator's.
TOKEN_KINDS = ("revoked", "expired", "wrong_network")
COLUMNS = ROLES + TOKEN_KINDS


def api_row(name: str, endpoint: str, path: str, allowed: frozenset, refused: int = 403,
            wrong_network: int | None = None, **statuses) -> Route:
    """A GET row: 200 for ``allowed`` roles, ``refused`` (403 or 404) for the others, 401 without a
    usable token. ``wrong_network``: the status for the coordinator's token limited to another
    network (403 under /networks/<id>, else 200 by default). ``statuses`` overrides single columns."""
    if wrong_network is None:
        wrong_network = 403 if path.startswith(N) else 200
    expected = {role: (200 if role in allowed else refused) for role in SIGNED_IN}
    expected.update({"anonymous": 401, "revoked": 401, "expired": 401, "wrong_network": wrong_network, **statuses})
    return Route(name, endpoint, "GET", API + path, None, login_required=False, statuses=expected)


API = "/api/v1"
N = "/networks/{network}"
EVERYONE = SIGNED_IN
ROUTES = [
    # foundation (network/api/resources/meta.py); the description is open to everyone, token or not
    api_row("me", "api.me", "/me", EVERYONE),
    api_row("openapi", "api.openapi_json", "/openapi.json", EVERYONE, anonymous=200, revoked=200, expired=200),
    api_row("docs", "api.docs", "/docs", EVERYONE, anonymous=200, revoked=200, expired=200),
    # R1: networks, members, gatherings, programme, registrations, attendance
    # The outsider lists their own network (not this one); the wrong-network token lists none.
    api_row("api_networks", "api.networks_list", "/networks", EVERYONE),
    api_row("api_network", "api.network_show", N, MEMBERS),
    api_row("api_members", "api.network_members", N + "/members?county=34", MEMBERS),
    api_row("api_gatherings", "api.gatherings_list", N + "/gatherings", MEMBERS),
    api_row("api_gathering", "api.gathering_show", N + "/gatherings/{api_gathering}", MEMBERS),
    api_row("api_programme", "api.gathering_programme", N + "/gatherings/{api_gathering}/programme", MEMBERS),
    # Coordinators, and each municipality's contact for their own people (see test_r1_contacts_...).
    api_row("api_registrations", "api.gathering_registrations", N + "/gatherings/{api_gathering}/registrations",
            COORDINATORS | {"contact", "other_contact"}),
    api_row("api_registrations_other", "api.gathering_registrations",
            N + "/gatherings/{api_gathering}/registrations?organisation_id={lillehammer}&status=waiting",
            COORDINATORS | {"contact", "other_contact"}),

    # R2: costs, invoice basis, challenges, planning profiles, self-assessments
    # As the cost page: coordinators every organisation, a contact their municipality, others their own
    # registrations; the invoice basis for coordinators and contacts (their own lines): test_r2_*.
    api_row("api_costs", "api.costs_show", N + "/costs", MEMBERS),
    api_row("api_invoice_basis", "api.invoice_basis_list", N + "/invoice-basis",
            COORDINATORS | {"contact", "other_contact"}),
    api_row("api_invoice_basis_gathering", "api.invoice_basis_list",
            N + "/invoice-basis?gathering={api_r2_gathering}&organisation={lillehammer}",
            COORDINATORS | {"contact", "other_contact"}),
    api_row("api_invoice_basis_elsewhere", "api.invoice_basis_list", N + "/invoice-basis?gathering={api_r2_elsewhere}",
            frozenset(), coordinator=404, admin=404, contact=404, other_contact=404),
    api_row("api_challenges", "api.challenges_list", N + "/challenges", MEMBERS),
    api_row("api_challenge", "api.challenge_show", N + "/challenges/{api_r2_challenge}", MEMBERS),
    api_row("api_challenge_elsewhere", "api.challenge_show", N + "/challenges/{api_r2_other_challenge}",
            frozenset(), refused=404, outsider=403),
    # Every member reads the planning statuses; a self-assessment only its own people, coordinators
    # and observers (test_r2_each_role_reads_only_...).
    api_row("api_planning", "api.planning_show", N + "/planning", MEMBERS),
    api_row("api_planning_lillehammer", "api.planning_show", N + "/planning?municipality={lillehammer}", MEMBERS),

    # R3: assignments, submission grid, evaluation results, dashboard totals
    api_row("api_assignments", "api.list_assignments", N + "/assignments", MEMBERS),
    api_row("api_assignment", "api.get_assignment", N + "/assignments/{api_assignment}", MEMBERS),
    # Every member gets the grid, filtered by the web's rules (tests/test_api_work.py checks the rows).
    api_row("api_assignment_status", "api.assignment_status", N + "/assignments/{api_assignment}/status", MEMBERS),
    api_row("api_evaluations", "api.list_evaluations", N + "/evaluations", COORDINATORS | {"observer"}),
    api_row("api_dashboard", "api.get_dashboard", N + "/dashboard", COORDINATORS),

]

# Text no token may ever read through the API, whoever owns it (route name → strings).
NEVER_SHOWN: dict[str, tuple[str, ...]] = {}


def build_api(app, factory):
    """The matrix's world (tests/test_access_matrix.py's ``build``), each area's additions, and a
    token per role and per kind. ids["token"][column] is the plaintext."""
    ids, people = build(app, factory)
    # --- R1 additions ---
    ids = {**ids, **build_r1(app, ids, people)}
    # --- R2 additions ---
    ids = {**ids, **build_r2(app, ids, people)}
    # --- R3 additions ---
    ids = {**ids, **build_work(app, ids)}
    secrets = {role: make_token(app, people[role])[1] for role in SIGNED_IN}
    coordinator = people["coordinator"]
    revoked_id, secrets["revoked"] = make_token(app, coordinator)
    revoke_token(app, revoked_id)
    secrets["expired"] = make_token(app, coordinator, expires_in=timedelta(seconds=-1))[1]
    secrets["wrong_network"] = make_token(app, coordinator, network=ids["other_network"])[1]
    return {**ids, "token": secrets}, people


# R3: a draft's text, free-text evaluation answers and a feedback sender are never in any response.
R3_DRAFT, R3_DELIVERED, R3_FREE_TEXT, R3_SENDER, R3_SENDER_EMAIL = (
    "Utkast-hemmelighet R3", "Levert-tekst R3", "Fritekstsvar R3", "Frida Feedbackgiver", "frida@example.test")
R3_SECRETS = (R3_DRAFT, R3_DELIVERED, R3_FREE_TEXT, R3_SENDER, R3_SENDER_EMAIL)
for _name in ("api_assignments", "api_assignment", "api_assignment_status", "api_evaluations", "api_dashboard"):
    NEVER_SHOWN[_name] = NEVER_SHOWN.get(_name, ()) + R3_SECRETS


def build_work(app, ids) -> dict:
    """An assignment with Hamar's draft and Lillehammer's delivered submission, a held gathering
    with three anonymous answers (free texts included), and feedback: one anonymous, one named."""
    from datetime import date, time

    from sqlalchemy import select

    from network.assignments.models import Assignment, AssignmentMethod, Submission, SubmissionStatus
    from network.evaluations.models import EvaluationResponse
    from network.extensions import db
    from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic
    from network.gatherings.models import Gathering, GatheringDay, GatheringStatus
    from network.models_base import utcnow
    from network.networks.models import Membership

    with app.app_context():
        memberships = {m.organisation_id: m for m in db.session.scalars(
            select(Membership).where(Membership.network_id == ids["network"]))}
        assignment = Assignment(network_id=ids["network"], title="Oppgave R3", method=AssignmentMethod.C,
                                due_on=date(2019, 8, 30))
        db.session.add(assignment)
        db.session.add(Submission(assignment=assignment, membership=memberships[ids["hamar"]],
                                  status=SubmissionStatus.DRAFT, text=R3_DRAFT))
        db.session.add(Submission(assignment=assignment, membership=memberships[ids["lillehammer"]],
                                  status=SubmissionStatus.SUBMITTED, text=R3_DELIVERED, submitted_at=utcnow()))
        held = Gathering(network_id=ids["network"], number=41, title="Evaluert R3", status=GatheringStatus.HELD,
                         days=[GatheringDay(day=date(2019, 5, 2), starts_at=time(10), ends_at=time(16))])
        db.session.add(held)
        responses = [EvaluationResponse(gathering=held, relevance=n, usefulness=n, organisation=n, best=R3_FREE_TEXT,
                                        improve=R3_FREE_TEXT) for n in (3, 4, 5)]
        db.session.add_all(responses)
        feedback = [
            # An anonymous sender is kept nowhere (a check constraint); its row's id must not appear either.
            Feedback(network_id=ids["network"], topic=FeedbackTopic.OTHER, works="Bra", anonymous=True,
                     status=FeedbackStatus.NEW),
            Feedback(network_id=ids["network"], topic=FeedbackTopic.OTHER, works="Bra", anonymous=False,
                     status=FeedbackStatus.READ, sender_name=R3_SENDER, sender_email=R3_SENDER_EMAIL)]
        db.session.add_all(feedback)
        db.session.commit()
        # A response's random id would tie an answer to its row: it must not appear either.
        for row in responses + feedback:
            NEVER_SHOWN["api_evaluations"] += (row.id,)
            NEVER_SHOWN["api_dashboard"] += (row.id,)
        return {"api_assignment": assignment.id, "api_held": held.id}


built = built_once(build_api)


# R1: what registrants told the hosts (diet, allergies, accessibility, comment) is never in the API.
R1_SECRETS = ("Kost-hemmelighet R1", "Allergi-hemmelighet R1", "Tilrettelegging-hemmelighet R1",
              "Kommentar-hemmelighet R1")
for _name in ("api_networks", "api_network", "api_members", "api_gatherings", "api_gathering", "api_programme",
              "api_registrations", "api_registrations_other"):
    NEVER_SHOWN[_name] = NEVER_SHOWN.get(_name, ()) + R1_SECRETS


def build_r1(app, ids, people) -> dict:
    """A gathering with a programme item, Hamar's participant registered (with every private
    detail filled in) and Lillehammer's contact on the waiting list."""
    from datetime import date, time

    from network.extensions import db
    from network.gatherings.models import (
        Gathering, GatheringDay, GatheringStatus, ProgrammeItem, Registration, RegistrationStatus,
    )
    from network.models_base import utcnow

    diet, allergies, accessibility, comment = R1_SECRETS
    with app.app_context():
        gathering = Gathering(network_id=ids["network"], number=31, title="Samling R1", status=GatheringStatus.OPEN,
                              capacity=1, days=[GatheringDay(day=date(2031, 5, 6), starts_at=time(10), ends_at=time(16))])
        db.session.add(gathering)
        db.session.flush()
        db.session.add(ProgrammeItem(gathering_id=gathering.id, day_id=gathering.days[0].id, title="Velkommen R1"))
        db.session.add_all([
            Registration(gathering_id=gathering.id, person_id=people["participant"].id, days=list(gathering.days),
                         status=RegistrationStatus.CONFIRMED, diet=diet, allergies=allergies,
                         accessibility=accessibility, comment=comment),
            Registration(gathering_id=gathering.id, person_id=people["other_contact"].id, days=list(gathering.days),
                         status=RegistrationStatus.WAITING, waiting_since=utcnow(), diet=diet, allergies=allergies),
        ])
        db.session.commit()
        return {"api_gathering": gathering.id}


def never_shown() -> set[str]:
    """What one route must never show, no route shows: a draft's text on the costs is as much a
    leak as on the grid."""
    return {secret for secrets in NEVER_SHOWN.values() for secret in secrets}


def headers_for(column, ids) -> dict:
    return {} if column == "anonymous" else {"Authorization": f"Bearer {ids['token'][column]}"}


def check_api_access(app, route: Route, column: str, ids) -> tuple[int, dict | None]:
    """Request the route with the column's token; check the status, the problem format of a
    refusal, and that nothing of the network or of NEVER_SHOWN leaks. Returns (status, JSON)."""
    path = route.path.format(**ids)
    response = app.test_client().get(path, headers=headers_for(column, ids))
    expected = route.expected(column)
    assert response.status_code == expected, (path, column, response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_data(as_text=True)
    if expected >= 400:
        assert response.mimetype == "application/problem+json"
        assert json.loads(body)["status"] == expected
    elif route.endpoint != "api.docs":
        assert response.mimetype == "application/json"
        assert response.headers["Cache-Control"].startswith("private")
    describes = route.endpoint in ("api.docs", "api.openapi_json")  # the same for all: its examples are made up
    if (column in ("anonymous", "outsider", "revoked", "expired") or expected >= 400) and not describes:
        for secret in NETWORK_SECRETS:
            assert secret not in body, f"{secret!r} shown to {column} on {path}"
    for secret in never_shown():
        assert secret not in body, f"{secret!r} shown to {column} on {path}"
    return response.status_code, (json.loads(body) if body and response.is_json or expected >= 400 else None)


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, route, column):
    ids, _people = built
    check_api_access(app, route, column, ids)


# --- fuzzing: bad query parameters never give a server error, and are refused as problem+json ---


def _query_names(route: Route) -> set[str]:
    registered = next((item for item in framework.ROUTES if item.endpoint == route.endpoint), None)
    names = set(registered.query.model_fields) if registered and registered.query is not None else set()
    return names | {"page", "size"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_query_never_gives_a_server_error(app, built, db_connection, route):
    ids, _people = built
    column = next((role for role in ("coordinator", "admin", *SIGNED_IN) if route.expected(role) == 200), "admin")
    path = route.path.format(**ids).split("?")[0]
    client = app.test_client()
    errors = []
    for payload in FUZZ_PAYLOADS:
        for name in sorted(_query_names(route)):
            savepoint = db_connection.begin_nested()
            try:
                response = client.get(path, query_string={name: payload[:QUERY_TEXT_MAX]},
                                      headers=headers_for(column, ids))
            finally:
                savepoint.rollback()
            if response.status_code >= 500:
                errors.append(f"{path} {name}={payload[:30]!r}: {response.status_code}")
            elif response.status_code >= 400:
                assert response.mimetype == "application/problem+json", (path, name)
    assert not errors, "\n".join(errors)


def test_every_api_route_has_a_row():
    """Every route the API registers is in this matrix (test_access_matrix checks the whole app too)."""
    rows = {route.endpoint for route in ROUTES}
    assert {route.endpoint for route in framework.ROUTES} | {"api.openapi_json", "api.docs"} <= rows


# --- R1: a contact never reads another municipality's registrations ----------------------------


@pytest.mark.parametrize("column, own, other", [("contact", "Dag Deltaker", "Lise Lillehammer"),
                                                ("other_contact", "Lise Lillehammer", "Dag Deltaker")])
@pytest.mark.parametrize("query", ["", "?organisation_id={hamar}", "?organisation_id={lillehammer}", "?status=waiting"])
def test_r1_contacts_see_only_their_own_municipalitys_registrations(app, built, column, own, other, query):
    ids, _people = built
    route = next(route for route in ROUTES if route.name == "api_registrations")
    route = Route(route.name, route.endpoint, "GET", route.path + query, None, login_required=False,
                  statuses=route.statuses)
    _status, body = check_api_access(app, route, column, ids)
    names = {item["person_name"] for item in body["items"]}
    assert other not in json.dumps(body) and names <= {own}
    assert body["total"] == len(body["items"])
    if not query:
        assert names == {own}


def test_r1_coordinators_see_every_municipalitys_registrations(app, built):
    ids, _people = built
    route = next(route for route in ROUTES if route.name == "api_registrations")
    _status, body = check_api_access(app, route, "coordinator", ids)
    assert {item["person_name"] for item in body["items"]} == {"Dag Deltaker", "Lise Lillehammer"}


# --- R2: costs, the invoice basis, challenges and planning ------------------------------------

R2_HAMAR_ASSESSMENT, R2_LILLEHAMMER_ASSESSMENT = "Egenvurdering Hamar R2", "Egenvurdering Lillehammer R2"
# Rita (Hamar's executive) 2 days and Lars (Lillehammer's participant) 3 days, à 1111.11 kr (the price
# itself is no secret: the gatherings list it).
R2_HAMAR_AMOUNT, R2_LILLEHAMMER_AMOUNT = "2222.22", "3333.33"
R2_LEAKS = (R2_HAMAR_ASSESSMENT, R2_LILLEHAMMER_ASSESSMENT, R2_HAMAR_AMOUNT, R2_LILLEHAMMER_AMOUNT, "Rita Rådmann",
            "Lars Lillehammer")


def build_r2(app, ids, people) -> dict:
    """A gathering with Hamar's executive (2 days) and Lillehammer's participant (3 days) registered,
    a challenge Hamar and Lillehammer share, one in the other network, and both municipalities'
    self-assessments with a comment each."""
    from datetime import date, time
    from decimal import Decimal

    from sqlalchemy import select

    from network.auth.models import Person
    from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
    from network.extensions import db
    from network.gatherings.models import Gathering, GatheringDay, Registration, RegistrationStatus
    from network.networks.models import Membership
    from network.planning.models import AdviceAssessment, StrategicAdvice

    with app.app_context():
        memberships = {m.organisation_id: m.id for m in db.session.scalars(
            select(Membership).where(Membership.network_id == ids["network"]))}
        lars = db.session.scalar(select(Person).where(Person.name == "Lars Lillehammer"))
        days = [GatheringDay(day=date(2019, 6, 3 + n), starts_at=time(10), ends_at=time(16)) for n in range(3)]
        gathering = Gathering(network_id=ids["network"], number=51, title="Samling R2", days=days,
                              price_per_day=Decimal("1111.11"))
        elsewhere = Gathering(network_id=ids["other_network"], number=52, title="Annen samling R2",
                              days=[GatheringDay(day=date(2019, 6, 3), starts_at=time(10), ends_at=time(16))])
        challenge = Challenge(network_id=ids["network"], title="Utfordring R2", position=1)
        other_challenge = Challenge(network_id=ids["other_network"], title="Annen utfordring R2", position=1)
        db.session.add_all([gathering, elsewhere, challenge, other_challenge])
        db.session.flush()
        db.session.add_all([
            Registration(gathering_id=gathering.id, person_id=people["executive"].id, days=list(gathering.days)[:2],
                         status=RegistrationStatus.CONFIRMED),
            Registration(gathering_id=gathering.id, person_id=lars.id, days=list(gathering.days),
                         status=RegistrationStatus.ATTENDED),
            MunicipalityChallenge(challenge_id=challenge.id, membership_id=memberships[ids["hamar"]],
                                  priority=ChallengePriority.HIGH),
            MunicipalityChallenge(challenge_id=challenge.id, membership_id=memberships[ids["lillehammer"]],
                                  priority=ChallengePriority.LOW),
            AdviceAssessment(membership_id=memberships[ids["hamar"]], advice=StrategicAdvice.PROPERTY_ACTOR, score=3,
                             comment=R2_HAMAR_ASSESSMENT),
            AdviceAssessment(membership_id=memberships[ids["lillehammer"]], advice=StrategicAdvice.PROPERTY_ACTOR,
                             score=1, comment=R2_LILLEHAMMER_ASSESSMENT),
        ])
        db.session.commit()
        return {"api_r2_gathering": gathering.id, "api_r2_elsewhere": elsewhere.id, "api_r2_challenge": challenge.id,
                "api_r2_other_challenge": other_challenge.id}


# What each column may read of R2_LEAKS on the costs, invoice basis and planning routes (all else never).
R2_VISIBLE = {
    "api_costs": {
        # Coordinators see each organisation's total (no names); a contact their municipality's; the
        # executive their own registration; the participants in the matrix's world registered for nothing here.
        **{role: {R2_HAMAR_AMOUNT, R2_LILLEHAMMER_AMOUNT} for role in COORDINATORS},
        "contact": {R2_HAMAR_AMOUNT}, "executive": {R2_HAMAR_AMOUNT}, "other_contact": {R2_LILLEHAMMER_AMOUNT},
    },
    "api_invoice_basis": {
        **{role: {R2_HAMAR_AMOUNT, R2_LILLEHAMMER_AMOUNT, "Rita Rådmann", "Lars Lillehammer"} for role in COORDINATORS},
        "contact": {R2_HAMAR_AMOUNT, "Rita Rådmann"}, "other_contact": {R2_LILLEHAMMER_AMOUNT, "Lars Lillehammer"},
    },
    "api_planning": {
        **{role: {R2_HAMAR_ASSESSMENT, R2_LILLEHAMMER_ASSESSMENT} for role in COORDINATORS | {"observer"}},
        **{role: {R2_HAMAR_ASSESSMENT} for role in ("participant", "contact", "executive")},
        "other_contact": {R2_LILLEHAMMER_ASSESSMENT},
    },
    "api_planning_lillehammer": {
        **{role: {R2_LILLEHAMMER_ASSESSMENT} for role in COORDINATORS | {"observer", "other_contact"}},
    },
}


@pytest.mark.parametrize("column", sorted(SIGNED_IN))
@pytest.mark.parametrize("name", sorted(R2_VISIBLE))
def test_r2_each_role_reads_only_its_own_costs_lines_and_self_assessments(app, built, name, column):
    """A contact never sees another municipality's lines or amounts, a participant only their own
    costs, and a municipality's self-assessment is for its own people, coordinators and observers."""
    ids, _people = built
    route = next(route for route in ROUTES if route.name == name)
    status, body = check_api_access(app, route, column, ids)
    text = json.dumps(body, ensure_ascii=False)
    visible = R2_VISIBLE[name].get(column, set()) if status == 200 else set()
    assert {leak for leak in R2_LEAKS if leak in text} == visible, (name, column)


def test_r2_the_costs_add_up_to_the_invoice_basis(app, built):
    """The coordinators' totals on /costs equal the sum of the invoice basis's lines, to the øre."""
    from decimal import Decimal

    ids, _people = built
    costs_route = next(route for route in ROUTES if route.name == "api_costs")
    lines_route = next(route for route in ROUTES if route.name == "api_invoice_basis")
    _status, costs = check_api_access(app, costs_route, "coordinator", ids)
    _status, lines = check_api_access(app, lines_route, "coordinator", ids)
    assert lines["total"] == len(lines["items"])
    assert Decimal(costs["total"]) == sum(Decimal(line["amount"]) for line in lines["items"])
    for row in costs["organisations"]:
        own = [Decimal(line["amount"]) for line in lines["items"] if line["organisation_id"] == row["organisation_id"]]
        assert Decimal(row["total"]) == sum(own, Decimal("0")), row["name"]
