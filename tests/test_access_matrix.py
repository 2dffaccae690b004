"""Who may open or post to every route of the app: one test per (route, method, role).

A new route without a row in ``ROUTES`` makes ``test_every_route_is_in_the_matrix`` fail.
The rules are in ``network/networks/access.py``.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from network.auth import tokens
from network.auth.models import Person
from network.extensions import db
from network.networks.models import Membership, MembershipStatus, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation
from tests.conftest import built_once
from tests.factories import PASSWORD, world

# --- roles ------------------------------------------------------------------------------

ROLES = ("anonymous", "participant", "contact", "executive", "other_contact",
         "observer", "coordinator", "admin", "outsider")
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
MEMBERS = SIGNED_IN - {"outsider"}
COORDINATORS = frozenset({"coordinator", "admin"})
HAMAR_MANAGERS = COORDINATORS | {"contact"}
LILLEHAMMER_MANAGERS = COORDINATORS | {"other_contact"}
ADMINS = frozenset({"admin"})

# Text that only the network's members may read.
NETWORK_SECRETS = ("Bolignettverket", "Dag Deltaker")

# Endpoints the matrix leaves out: assets, the health check, and the developer mailbox
# (tests/test_mail.py checks that it is 404 outside debug).
NOT_IN_MATRIX = {"static", "main.designsystem", "main.health", "outbox.dev_mailbox"}

NETWORK_FORM = {
    "name": "Bolignettverket (endret)", "topic": "Boligpolitikk", "description": "Ny beskrivelse.",
    "framing": "", "starts_on": "2019-04-10", "ends_on": "2020-10-14", "ks_contact_name": "Kari Koordinator",
    "ks_contact_email": "kontakt@ks.test", "feedback_email": "tilbakemelding@ks.test", "status": "active",
}
NEW_NETWORK_FORM = {**NETWORK_FORM, "name": "Nytt nettverk 2025", "status": "planned"}
# Destructive actions ask first (network/main/confirm.py); the matrix sends the confirmation.
CONFIRMED = {"confirmed": "1"}
# Hamar's executive is chosen among its people with that role; Lillehammer has none, so a name is typed.
ANCHORING_FORM = {"executive_id": "{hamar_executive}", "executive_name": "Rune Rådmann", "decided_on": "2019-03-01",
                  "note": "Sak 12/19", "document_url": "https://example.test/sak-12-19"}


def _invite_form(org_key: str, email: str, role: str = "participant") -> dict:
    return {"name": "Nina Nyansatt", "email": email, "organisation_id": "{%s}" % org_key, "roles": [role]}


# --- effects: did an allowed POST do its work, and did a refused one leave things alone? --


def _network_renamed(ids):
    return db.session.get(Network, ids["network"]).name == NETWORK_FORM["name"]


def _network_created(ids):
    return db.session.scalar(select(Network.id).where(Network.name == NEW_NETWORK_FORM["name"])) is not None


def _active(ids, org_key):
    membership = db.session.scalar(select(Membership).where(
        Membership.network_id == ids["network"], Membership.organisation_id == ids[org_key]))
    return membership is not None and membership.status is MembershipStatus.ACTIVE


def _org_created(ids):
    org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == "Boligstiftelsen i Innlandet"))
    return org_id is not None and _active({**ids, "new": org_id}, "new")


def _anchored(org_key):
    def check(ids):
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == ids["network"], Membership.organisation_id == ids[org_key]))
        return membership.is_anchored and membership.anchoring_note == ANCHORING_FORM["note"]
    return check


def _has_role(email, role):
    def check(ids):
        person = db.session.scalar(select(Person).where(Person.email == email))
        return person is not None and db.session.scalar(select(NetworkRole.id).where(
            NetworkRole.person_id == person.id, NetworkRole.network_id == ids["network"],
            NetworkRole.role == role)) is not None
    return check


def _role_gone(role_key):
    return lambda ids: db.session.get(NetworkRole, ids[role_key]) is None


def _invitation_resent(ids):
    """The invitee's invitation went out again (the matrix's world sent none before)."""
    from network.outbox.models import OutboxMessage

    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.recipient == ids["invitee_email"])) is not None


# --- the matrix -------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str                   # the test id
    endpoint: str
    method: str
    path: str                   # formatted with the ids of the world
    allowed: frozenset | None   # signed-in roles that may; None: see ``statuses``
    data: dict | None = None
    login_required: bool = True
    statuses: dict = field(default_factory=dict)  # explicit status per role, for public pages
    effect: Callable | None = None  # true once the POST has done its work

    def expected(self, role: str) -> int:
        if role in self.statuses:
            return self.statuses[role]
        if role == "anonymous" and self.login_required:
            return 302
        if self.allowed is not None and role in self.allowed:
            return 200 if self.method == "GET" else 302
        return 403


def public(ok: int, signed_in: int | None = None) -> dict:
    """Status for pages anyone may open; ``signed_in`` when signed-in people are sent on."""
    return {role: (ok if role == "anonymous" or signed_in is None else signed_in) for role in ROLES}


N = "/networks/{network}"
ROUTES = [
    # main
    Route("index", "main.index", "GET", "/", None, login_required=False, statuses=public(200, signed_in=302)),
    Route("my_page", "main.my_page", "GET", "/me", SIGNED_IN),
    # Anyone may choose a language (kept in the session, and on the person when signed in).
    Route("choose_language", "main.choose_language", "POST", "/language", None, login_required=False,
          statuses=public(302), data={"language": "nn", "next": "/login"}),
    # auth
    Route("login", "auth.login", "GET", "/login", None, login_required=False, statuses=public(200, signed_in=302)),
    Route("login", "auth.login", "POST", "/login", None, login_required=False, statuses=public(302),
          data={"email": "{participant_email}", "password": PASSWORD}),
    Route("logout", "auth.logout", "POST", "/logout", SIGNED_IN),
    Route("accept_invitation", "auth.accept_invitation", "GET", "/invitation/{invitation_token}", None,
          login_required=False, statuses=public(200)),
    Route("accept_invitation", "auth.accept_invitation", "POST", "/invitation/{invitation_token}", None,
          login_required=False, statuses=public(302), data={"password": "nytt-passord-1", "confirm": "nytt-passord-1"}),
    Route("reset_password", "auth.reset_password", "GET", "/reset-password/{reset_token}", None,
          login_required=False, statuses=public(200)),
    Route("reset_password", "auth.reset_password", "POST", "/reset-password/{reset_token}", None,
          login_required=False, statuses=public(302), data={"password": "nytt-passord-1", "confirm": "nytt-passord-1"}),
    Route("forgot_password", "auth.forgot_password", "GET", "/forgot-password", None,
          login_required=False, statuses=public(200)),
    Route("forgot_password", "auth.forgot_password", "POST", "/forgot-password", None,
          login_required=False, statuses=public(302), data={"email": "{participant_email}"}),
    # networks
    Route("networks_index", "networks.index", "GET", "/networks/", SIGNED_IN),
    Route("create", "networks.create", "GET", "/networks/new", ADMINS),
    Route("create", "networks.create", "POST", "/networks/new", ADMINS, data=NEW_NETWORK_FORM, effect=_network_created),
    Route("edit", "networks.edit", "GET", N + "/edit", COORDINATORS),
    Route("edit", "networks.edit", "POST", N + "/edit", COORDINATORS, data=NETWORK_FORM, effect=_network_renamed),
    # Closing makes the network read-only (asked first); reopening is for KS administrators too.
    Route("close", "networks.close", "POST", N + "/close", ADMINS, data=CONFIRMED,
          effect=lambda ids: db.session.get(Network, ids["network"]).closed_at is not None),
    Route("reopen", "networks.reopen", "POST", N + "/reopen", ADMINS),
    Route("front_page", "networks.front_page", "GET", N, MEMBERS),
    Route("members", "networks.members", "GET", N + "/members", COORDINATORS),
    Route("members_search", "networks.members", "GET", N + "/members?q=3403", COORDINATORS),
    Route("members_csv", "networks.members_csv", "GET", N + "/members.csv", COORDINATORS),
    Route("add_member", "networks.add_member", "POST", N + "/members", COORDINATORS,
          data={"organisation_id": "{ringsaker}"}, effect=lambda ids: _active(ids, "ringsaker")),
    Route("create_organisation", "networks.create_organisation", "POST", N + "/organisations", COORDINATORS,
          data={"name": "Boligstiftelsen i Innlandet", "kind": "other", "county_id": "", "org_number": "987654325"},
          effect=_org_created),
    Route("withdraw_member", "networks.withdraw_member", "POST", N + "/members/{gjovik_membership}/withdraw",
          COORDINATORS, data=CONFIRMED, effect=lambda ids: not _active(ids, "gjovik")),
    Route("municipality_hamar", "networks.municipality", "GET", N + "/municipalities/{hamar}", MEMBERS),
    Route("municipality_lillehammer", "networks.municipality", "GET", N + "/municipalities/{lillehammer}", MEMBERS),
    Route("anchoring_hamar", "networks.anchoring", "GET", N + "/municipalities/{hamar}/anchoring", HAMAR_MANAGERS),
    Route("anchoring_hamar", "networks.anchoring", "POST", N + "/municipalities/{hamar}/anchoring", HAMAR_MANAGERS,
          data=ANCHORING_FORM, effect=_anchored("hamar")),
    Route("anchoring_lillehammer", "networks.anchoring", "GET", N + "/municipalities/{lillehammer}/anchoring",
          LILLEHAMMER_MANAGERS),
    Route("anchoring_lillehammer", "networks.anchoring", "POST", N + "/municipalities/{lillehammer}/anchoring",
          LILLEHAMMER_MANAGERS, data=ANCHORING_FORM, effect=_anchored("lillehammer")),
    Route("people", "networks.people", "GET", N + "/people", MEMBERS),
    Route("invite", "networks.invite", "GET", N + "/people/invite", COORDINATORS | {"contact", "other_contact"}),
    Route("invite_hamar", "networks.invite", "GET", N + "/people/invite?organisation_id={hamar}",
          COORDINATORS | {"contact", "other_contact"}),
    Route("invite_hamar_participant", "networks.invite", "POST", N + "/people/invite", HAMAR_MANAGERS,
          data=_invite_form("hamar", "nina@hamar.test"), effect=_has_role("nina@hamar.test", RoleKind.PARTICIPANT)),
    Route("invite_hamar_executive", "networks.invite", "POST", N + "/people/invite", HAMAR_MANAGERS,
          data=_invite_form("hamar", "nina@hamar.test", "executive"),
          effect=_has_role("nina@hamar.test", RoleKind.EXECUTIVE)),
    Route("invite_hamar_coordinator", "networks.invite", "POST", N + "/people/invite", COORDINATORS,
          data=_invite_form("hamar", "nina@hamar.test", "coordinator"),
          effect=_has_role("nina@hamar.test", RoleKind.COORDINATOR)),
    Route("invite_hamar_observer", "networks.invite", "POST", N + "/people/invite", COORDINATORS,
          data=_invite_form("hamar", "nina@hamar.test", "observer"),
          effect=_has_role("nina@hamar.test", RoleKind.OBSERVER)),
    Route("invite_lillehammer_contact", "networks.invite", "POST", N + "/people/invite", LILLEHAMMER_MANAGERS,
          data=_invite_form("lillehammer", "nils@lillehammer.test", "contact"),
          effect=_has_role("nils@lillehammer.test", RoleKind.CONTACT)),
    Route("revoke_hamar_role", "networks.revoke_role", "POST", N + "/roles/{hamar_helper_role}/revoke", HAMAR_MANAGERS,
          data=CONFIRMED, effect=_role_gone("hamar_helper_role")),
    Route("revoke_lillehammer_role", "networks.revoke_role", "POST", N + "/roles/{lillehammer_helper_role}/revoke",
          LILLEHAMMER_MANAGERS, data=CONFIRMED, effect=_role_gone("lillehammer_helper_role")),
    Route("revoke_observer_role", "networks.revoke_role", "POST", N + "/roles/{observer_role}/revoke", COORDINATORS,
          data=CONFIRMED, effect=_role_gone("observer_role")),
    Route("revoke_hamar_coordinator_role", "networks.revoke_role", "POST", N + "/roles/{hamar_coordinator_role}/revoke",
          COORDINATORS, data=CONFIRMED, effect=_role_gone("hamar_coordinator_role")),
    # "Angre" after removing a role: only with the record the removal left in the signer's own session
    # (tests/test_safe_actions.py); without it, anyone signed in is told there is nothing to undo.
    Route("undo_revoke", "networks.undo_revoke", "POST", N + "/roles/undo", SIGNED_IN),
    # Ivar Invitert (Hamar) has not answered: Hamar's contact and the coordinators may send it again.
    Route("resend_invitation_hamar", "networks.resend_invitation", "POST", N + "/people/{hamar_invitee}/resend-invitation",
          HAMAR_MANAGERS, effect=_invitation_resent),
]


# --- the world --------------------------------------------------------------------------


def build(app, factory) -> tuple[dict, dict]:
    """``world`` plus the things the routes act on, added in one transaction. Returns (ids, people)."""
    network, hamar, lillehammer, people = world(factory)
    with app.app_context():
        session = db.session

        def municipality(number):
            return session.scalar(select(Organisation).where(Organisation.kommunenummer == number))

        def person(name, organisation=None, role=None, target=network):
            new = Person(name=name, email=f"{name.lower().replace(' ', '.')}@example.test", organisation=organisation)
            session.add(new)
            if role is not None:
                session.add(NetworkRole(network_id=target.id, person=new, role=role))
            return new

        other_network = session.scalar(select(Network).where(Network.name == "Et annet nettverk"))
        hamar_org, lillehammer_org, gjovik, ringsaker = (municipality(n) for n in ("3403", "3405", "3407", "3411"))
        gjovik_membership = Membership(network_id=network.id, organisation=gjovik)
        other_membership = Membership(network_id=other_network.id, organisation=hamar_org)
        helper = person("Hege Hjelper", hamar_org, RoleKind.PARTICIPANT)
        lille_helper = person("Lars Lillehammer", lillehammer_org, RoleKind.PARTICIPANT)
        hamar_coordinator = person("Hans Hamarkoordinator", hamar_org, RoleKind.COORDINATOR)
        invitee = person("Ivar Invitert", hamar_org, RoleKind.PARTICIPANT)  # no password yet
        resetter = person("Randi Reset")
        resetter.password_hash = "a-hash"
        session.add_all([gjovik_membership, other_membership])
        session.commit()

        def role_id(someone, target=network):
            return session.scalar(select(NetworkRole.id).where(
                NetworkRole.person_id == someone.id, NetworkRole.network_id == target.id))

        ids = {
            "network": network.id, "other_network": other_network.id, "hamar": hamar.id, "lillehammer": lillehammer.id,
            "gjovik": gjovik.id, "gjovik_membership": gjovik_membership.id, "ringsaker": ringsaker.id,
            "hamar_helper_role": role_id(helper), "lillehammer_helper_role": role_id(lille_helper),
            "observer_role": role_id(people["observer"]), "hamar_coordinator_role": role_id(hamar_coordinator),
            "other_membership": other_membership.id, "other_role": role_id(people["outsider"], other_network),
            "participant_email": people["participant"].email,
            "invitation_token": tokens.make_token(invitee, tokens.INVITATION),
            "hamar_invitee": invitee.id, "invitee_email": invitee.email,
            "reset_token": tokens.make_token(resetter, tokens.PASSWORD_RESET), "resetter": resetter.id,
            "hamar_executive": people["executive"].id,
        }
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build)


def client_for(role, people, client, login):
    return client if role == "anonymous" else login(people[role])


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def request(route: Route, role, ids, people, client, login):
    path = route.path.format(**ids)
    data = {key: fill(value, ids) for key, value in (route.data or {}).items()}
    http = client_for(role, people, client, login)
    if route.method == "GET":
        return path, http.get(path)
    return path, http.post(path, data=data)


# --- tests ------------------------------------------------------------------------------


def all_matrix_rows() -> list:
    """This module's ROUTES and those of every other ``tests/test_access_*.py`` (one per capability)."""
    rows = list(ROUTES)
    for path in sorted(Path(__file__).parent.glob("test_access_*.py")):
        if path.stem != Path(__file__).stem:
            rows.extend(importlib.import_module(f"tests.{path.stem}").ROUTES)
    return rows


def test_every_route_is_in_the_matrix(app):
    """A new route, or a new method on a route, needs a row in a matrix."""
    in_matrix = {(route.endpoint, route.method) for route in all_matrix_rows()}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_IN_MATRIX:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in in_matrix:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "Routes without a row in the access matrix: " + ", ".join(missing)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not {route.endpoint for route in all_matrix_rows()} - endpoints, "rows for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


def check_access(app, route: Route, role, ids, people, client, login, secrets=NETWORK_SECRETS):
    """Request the route as the role and check the outcome: the status, where a redirect goes,
    the 403 page, that outsiders see no network data, and whether a POST did its work.
    Shared by every ``tests/test_access_*.py``; returns (expected status, response)."""
    path, response = request(route, role, ids, people, client, login)
    expected = route.expected(role)
    assert response.status_code == expected, (route.method, path, role, response.status_code)
    body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""  # not XLSX

    if role == "anonymous" and route.login_required:
        location = urlsplit(response.location)
        assert location.path == "/login"
        assert parse_qs(location.query)["next"] == [path]
    elif expected == 302 and route.login_required:
        assert not urlsplit(response.location).path.startswith("/login")
    if expected == 403:
        assert "Du har ikke tilgang til denne siden" in body

    if role in ("anonymous", "outsider"):
        for secret in secrets:
            assert secret not in body, f"{secret!r} shown to {role} on {route.method} {path}"

    if route.effect is not None:
        with app.app_context():
            done = route.effect(ids)
        assert done is (expected == 302 and role != "anonymous"), f"effect of {route.method} {path} as {role}"
    return expected, response


THIS_NETWORK = ("coordinator", "admin")
OTHER_NETWORK = ("outsider", "admin")  # the outsider coordinates the other network
WRONG_IDS = [
    ("unknown_network", "GET", "/networks/999999", ROLES[1:]),
    ("unknown_network_edit", "GET", "/networks/999999/edit", THIS_NETWORK + ("participant",)),
    ("unknown_network_members", "GET", "/networks/999999/members", THIS_NETWORK),
    ("unknown_network_people", "GET", "/networks/999999/people", THIS_NETWORK),
    ("unknown_network_add", "POST", "/networks/999999/members", THIS_NETWORK),
    ("unknown_organisation", "GET", N + "/municipalities/999999", THIS_NETWORK + ("participant",)),
    ("non_member_organisation", "GET", N + "/municipalities/{ringsaker}", THIS_NETWORK + ("participant",)),
    ("non_member_anchoring", "GET", N + "/municipalities/{ringsaker}/anchoring", THIS_NETWORK),
    ("non_member_anchoring_post", "POST", N + "/municipalities/{ringsaker}/anchoring", THIS_NETWORK),
    ("add_unknown_organisation", "POST", N + "/members", THIS_NETWORK),
    ("role_from_other_network", "POST", N + "/roles/{other_role}/revoke", THIS_NETWORK),
    ("unknown_role", "POST", N + "/roles/999999/revoke", THIS_NETWORK),
    ("unknown_invitee", "POST", N + "/people/999999/resend-invitation", THIS_NETWORK),
    ("invitee_without_role_here", "POST", N + "/people/{resetter}/resend-invitation", THIS_NETWORK),
    ("membership_from_other_network", "POST", N + "/members/{other_membership}/withdraw", THIS_NETWORK),
    ("unknown_membership", "POST", N + "/members/999999/withdraw", THIS_NETWORK),
    # The other network's coordinator reaching into this network through their own network's URLs.
    ("role_through_other_network", "POST", "/networks/{other_network}/roles/{hamar_helper_role}/revoke", OTHER_NETWORK),
    ("membership_through_other_network", "POST", "/networks/{other_network}/members/{gjovik_membership}/withdraw",
     OTHER_NETWORK),
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
    data = {"organisation_id": "999999"} if name == "add_unknown_organisation" else ANCHORING_FORM
    response = http.get(url) if method == "GET" else http.post(url, data=data)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        # Nothing in the other network or this one was touched.
        assert db.session.get(NetworkRole, ids["other_role"]) is not None
        assert db.session.get(NetworkRole, ids["hamar_helper_role"]) is not None
        assert _active(ids, "gjovik")
        assert db.session.get(Membership, ids["other_membership"]).status is MembershipStatus.ACTIVE


# --- fuzzing: bad input to every form and query never gives a server error -----------------
# (issue 17, item 7). Each tests/test_access_*.py runs ``fuzz`` over its own ROUTES and world.

FUZZ_PAYLOADS = (
    "tekst\x00med NUL\x1b og\r\nlinjeskift\n",  # control characters and line breaks
    str(2 ** 63),                                  # past SQLite's integers
    str(-(2 ** 63)),                               # past PostgreSQL's
    "x" * 100_000,
)
# Servers refuse addresses past a few kilobytes, so a query's long text is 10,000 characters.
QUERY_TEXT_MAX = 10_000
# Query parameters the views read by name; those of search and filter forms are found on the pages.
QUERY_NAMES = frozenset(re.findall(
    r'request\.args\.get(?:list)?\(\s*"(\w+)"',
    "\n".join(path.read_text() for path in (Path(__file__).parents[1] / "network").rglob("*.py"))))


class _FormFields(HTMLParser):
    """The names each form on a page sends, by method and the path it goes to."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: dict[tuple[str, str], dict[str, str]] = {}  # name: "textarea" or the input's kind
        self.current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            action = urlsplit(attributes.get("action") or self.page_path).path
            self.current = self.forms.setdefault(((attributes.get("method") or "get").lower(), action), {})
        elif tag in ("input", "select", "textarea", "button") and self.current is not None:
            name = attributes.get("name")
            kind = tag if tag in ("textarea", "select") else (attributes.get("type") or "text").lower()
            if name and name != "csrf_token" and kind not in ("reset", "image"):
                # One row of a repeated sub-form (groups-3-name) stands for them all.
                self.current[re.sub(r"-\d+-", "-0-", name)] = kind

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def _fuzz_role(route: Route) -> str:
    """A role the route lets through: a coordinator or an admin where they may."""
    wanted = 200 if route.method == "GET" else 302
    candidates = ["coordinator", "admin", *ROLES]
    return next((role for role in candidates if route.expected(role) == wanted),
                next((role for role in candidates if route.expected(role) < 400), "admin"))


def _format(value, ids):
    try:
        return fill(value, ids)
    except (KeyError, IndexError):
        return value


_PAGE_FORMS: dict = {}
# (ROUTES, endpoint, field) already fuzzed in this module: the variants of one form (invite as a
# participant, as an observer …) don't each need every field again, only the fields of their own.
_FUZZED: set = set()


def _forms_of(routes, ids, people, login) -> dict[tuple[str, str], dict[str, str]]:
    """The fields of every form on the module's pages, read once per module as a coordinator
    (and as an admin for the pages only admins may open)."""
    key = (id(routes), id(ids))
    if key not in _PAGE_FORMS or _PAGE_FORMS[key][0] is not ids:
        found: dict[tuple[str, str], dict[str, str]] = {}
        clients = {role: login(people[role]) for role in ("coordinator", "admin")}
        for route in routes:
            role = next((role for role in clients if route.expected(role) == 200), None)
            if route.method != "GET" or role is None:
                continue
            page = route.path.format(**ids)
            response = clients[role].get(page)
            if response.status_code == 200 and response.mimetype == "text/html":
                parser = _FormFields(urlsplit(page).path)
                parser.feed(response.get_data(as_text=True))
                for form, names in parser.forms.items():
                    found.setdefault(form, {}).update(names)
        _PAGE_FORMS[key] = (ids, found)  # ids kept, so its id() is never another world's
    return _PAGE_FORMS[key][1]


def fuzz(app, routes, route: Route, ids, people, login, db_connection):
    """Send the route bad input as a role that may use it, and fail on any 5xx: each field of a
    form in turn (the matrix's fields and those of the form on the module's pages) with each of
    ``FUZZ_PAYLOADS``, the others as in the matrix; for a page, every query parameter it reads,
    all at once. Each request runs in a savepoint of its own, so none changes what the next sees."""
    role = _fuzz_role(route)
    http = app.test_client() if role == "anonymous" else login(people[role])
    path = route.path.format(**ids)
    split = urlsplit(path)
    forms = _forms_of(routes, ids, people, login)
    if route.method == "GET":
        names = set(parse_qs(split.query)) | QUERY_NAMES | set(forms.get(("get", split.path), {}))
        cases = [(",".join(sorted(names)), {name: payload[:QUERY_TEXT_MAX] for name in names})
                 for payload in FUZZ_PAYLOADS]
    else:
        base = {_format(key, ids): _format(value, ids) for key, value in (route.data or {}).items()}
        kinds = forms.get(("post", split.path), {})
        names = set(base) | set(kinds)
        names = {name for name in names if (id(routes), route.endpoint, name) not in _FUZZED} or set(sorted(names)[:1])
        _FUZZED.update((id(routes), route.endpoint, name) for name in names)
        # Nothing reads a number out of a text area, so text areas get the text payloads only.
        cases = [(name, {**base, name: payload}) for name in sorted(names) for payload in FUZZ_PAYLOADS
                 if not (kinds.get(name) == "textarea" and payload.lstrip("-").isdigit())]
    errors = []
    for field_names, data in cases:
        savepoint = db_connection.begin_nested()
        try:
            response = http.get(split.path, query_string=data) if route.method == "GET" else http.post(path, data=data)
        finally:
            savepoint.rollback()
        if response.status_code >= 500:
            payload = next(iter(data.values())) if route.method == "GET" else data[field_names]
            errors.append(f"{route.method} {path} {field_names}={payload[:30]!r}: {response.status_code}")
    assert not errors, f"{len(errors)} server errors as {role}:\n" + "\n".join(errors)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)


def test_every_access_matrix_is_fuzzed():
    """Every capability's matrix runs the fuzz test too, so a new module's forms are not left out."""
    unfuzzed = [path.name for path in sorted(Path(__file__).parent.glob("test_access_*.py"))
                if not any(name.startswith("test_fuzzed_") for name in vars(importlib.import_module(f"tests.{path.stem}")))]
    assert unfuzzed == []
