"""Safe actions (issue 12, items 4 and 5): every destructive or irreversible POST asks first, in a
way that works without JavaScript; some can be undone for a while; every creating POST redirects.

The inventory below classifies every POST route of the app. ``test_every_post_route_is_classified``
fails when a route is added without a line here, so a new destructive route can't slip in unasked.

Creating (26) — make something new; answered with a redirect (tested below):
    assignments.create, challenges.add_own, challenges.new, comments.create, evaluations.answer,
    evaluations.questions, feedback.add_note, feedback.new (on to a receipt page), feedback.reply,
    gatherings.create, gatherings.register, gatherings.register_team, groups.new, library.new,
    networks.add_member, networks.create, networks.create_organisation, networks.invite,
    privacy.request_deletion (it can be withdrawn), profile.tokens, programme.new_item,
    programme.new_material, resources.adapt_slide_set, resources.new_environment, resources.new_report,
    resources.new_slide_set.

Destructive or irreversible (28) — a confirmation page first (network/main/confirm.py):
    networks.revoke_role (Angre for 10 minutes; a warning when it is one's own role),
    networks.withdraw_member, gatherings.cancel_registration (Angre for 10 minutes),
    gatherings.remove_day, gatherings.change_status (to held: the evaluation goes out),
    gatherings.edit (a new venue or address is mailed to everyone registered; asked only then),
    gatherings.add_day (mailed to everyone registered; asked only then), assignments.submission
    (delivering; saving a draft is not asked), assignments.delete, assignments.remove_attachment,
    challenges.delete, comments.delete, evaluations.delete_question, groups.delete,
    growth.reset_settings, growth.clear_override, programme.delete_item, programme.delete_material,
    resources.delete_slide_set, resources.delete_report, resources.delete_environment,
    calendar.renew_token (the old link stops working; the first link is not asked), privacy.confirm
    (deletes an account), privacy.decline (mails the reason), gatherings.cancel_gathering (mails
    everyone registered), gatherings.delete (a draft with no registrations), networks.close,
    profile.revoke_token (an API token stops working at once).

Updating (39) — change what can be changed back: the edit forms, moves, settings and overrides,
    attendance, feedback statuses, reopening a submission, publishing and moderating examples (a
    coordinator sends one back with a comment from a page of its own), profile, password, e-mail,
    notification preferences, withdrawing one's own deletion request, marking everyone attended,
    reopening a network, organisation numbers, the language.

Other (11) — signing in and out, setting a password from a mailed link, confirming a new e-mail
    address, sending an invitation again, the two undo routes, and the two steps of the archive import.

The destructive and creating tests run on the access matrices' own rows and worlds
(tests/test_access_*.py): each matrix row of a destructive route carries ``confirmed=1``, and
here it is posted without it first. Each matrix world is built once for this module (the
``worlds`` fixture, the way ``built_once`` does it), and each test runs in a savepoint on top.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from network.assignments.models import Visibility
from network.extensions import db
from network.feedback.models import Feedback
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.groups.models import Grouping
from network.networks.models import Network, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from tests.comment_helpers import make_assignment
from tests.conftest import _read_only, bound_session
from tests.factories import Factory
from tests.gathering_helpers import register
from tests.html import main
from tests.test_access_matrix import ROLES, Route, _format
from tests.test_escaping import _builder


class Kind(Enum):
    CREATE = "creating"
    UPDATE = "updating"
    DESTRUCTIVE = "destructive or irreversible"
    OTHER = "other"


C, U, D, O = Kind.CREATE, Kind.UPDATE, Kind.DESTRUCTIVE, Kind.OTHER
INVENTORY: dict[str, Kind] = {
    # networks
    "networks.create": C, "networks.edit": U, "networks.add_member": C, "networks.create_organisation": C,
    "networks.withdraw_member": D, "networks.anchoring": U, "networks.invite": C,
    "networks.resend_invitation": O, "networks.revoke_role": D, "networks.undo_revoke": O,
    "networks.close": D, "networks.reopen": U,  # closing makes the network read-only (asked first)
    # gatherings and registration
    "gatherings.create": C, "gatherings.edit": D, "gatherings.change_status": D, "gatherings.add_day": D,
    "gatherings.remove_day": D, "gatherings.register": C, "gatherings.register_team": C,
    "gatherings.edit_registration": U, "gatherings.cancel_registration": D, "gatherings.undo_cancel": O,
    "gatherings.attendance": U,
    "gatherings.cancel_gathering": D, "gatherings.delete": D,  # cancelling mails everyone registered
    "gatherings.mark_all_attended": U,  # undone person by person on the same page
    # programme and materials
    "programme.new_item": C, "programme.edit_item": U, "programme.delete_item": D, "programme.move_item": U,
    "programme.new_material": C, "programme.delete_material": D,
    # assignments and comments
    "assignments.create": C, "assignments.edit": U, "assignments.delete": D, "assignments.submission": D,
    "assignments.reopen": U, "assignments.remove_attachment": D,
    "comments.create": C, "comments.delete": D, "comments.preferences": U,
    # challenges, groups, growth, planning
    "challenges.new": C, "challenges.edit": U, "challenges.delete": D, "challenges.move": U,
    "challenges.municipality": U, "challenges.add_own": C,
    "groups.new": C, "groups.edit": U, "groups.delete": D,
    "growth.settings": U, "growth.reset_settings": D, "growth.override": U, "growth.clear_override": D,
    "planning.edit": U,
    # organisation numbers (a coordinator's correction; the import changes numbers only, all or nothing)
    "organisations.edit_org_number": U, "organisations.import_org_numbers": U,
    # library (its moderation sends an example back with a comment, from a page of its own)
    "library.new": C, "library.edit": U, "library.publish": U, "library.unpublish": U, "library.set_public": U,
    "library.set_featured": U, "library.set_hidden": U, "library.approve": U, "library.send_back": U,
    # resources
    "resources.new_slide_set": C, "resources.edit_slide_set": U, "resources.delete_slide_set": D,
    "resources.adapt_slide_set": C, "resources.new_report": C, "resources.edit_report": U,
    "resources.delete_report": D, "resources.new_environment": C, "resources.edit_environment": U,
    "resources.delete_environment": D,
    # feedback and evaluations
    "feedback.new": C, "feedback.set_status": U, "feedback.add_note": C, "feedback.reply": C,
    "evaluations.answer": C, "evaluations.questions": C, "evaluations.edit_question": U,
    "evaluations.delete_question": D, "evaluations.move_question": U,
    # people's own things
    "calendar.renew_token": D, "privacy.request_deletion": C, "privacy.withdraw_deletion": U,
    "privacy.confirm": D, "privacy.decline": D,
    "profile.edit": U, "profile.password": U, "profile.email": U, "profile.confirm_email": O,
    "profile.tokens": C, "profile.revoke_token": D,  # API tokens: revoking one stops it at once
    # archive import: the upload shows what would be imported, and «Importer» on that page is the confirmation
    "archive.import_upload": O, "archive.import_confirm": O,
    # signing in
    "auth.login": O, "auth.logout": O, "auth.accept_invitation": O, "auth.reset_password": O,
    "auth.forgot_password": O,
    # the language switcher in every footer: a preference, chosen again with one click
    "main.choose_language": U,
}


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def test_every_post_route_is_classified(app):
    endpoints = post_endpoints(app)
    assert not endpoints - set(INVENTORY), "POST routes missing from the inventory: " + ", ".join(
        sorted(endpoints - set(INVENTORY)))
    assert not set(INVENTORY) - endpoints, "inventory lines for routes that are gone"
    counts = {kind: sum(1 for k in INVENTORY.values() if k is kind) for kind in Kind}
    assert counts == {C: 26, U: 39, D: 28, O: 11}, counts


# --- the matrices' rows and worlds -----------------------------------------------------------

ACCESS_MODULES = sorted(path.stem for path in Path(__file__).parent.glob("test_access_*.py"))


@dataclass(frozen=True)
class Case:
    module: str
    route: Route

    def __str__(self) -> str:
        return f"{self.route.endpoint}:{self.route.name}"


def _cases(wanted) -> list[Case]:
    cases = []
    for module_name in ACCESS_MODULES:
        for route in importlib.import_module(f"tests.{module_name}").ROUTES:
            if route.method == "POST" and wanted(route):
                cases.append(Case(module_name, route))
    return cases


def _confirmed(route: Route) -> bool:
    return (route.data or {}).get("confirmed") == "1"


def actor(route: Route) -> str | None:
    """A signed-in role the matrix lets do it (a coordinator or an admin where they may)."""
    candidates = ["coordinator", "admin", *(role for role in ROLES if role != "anonymous")]
    return next((role for role in candidates if route.expected(role) == 302), None)


def _acts(route: Route) -> bool:
    return actor(route) is not None


DESTRUCTIVE = _cases(lambda r: INVENTORY.get(r.endpoint) is D and _confirmed(r) and _acts(r))
CREATING = _cases(lambda r: INVENTORY.get(r.endpoint) is C and _acts(r))


def test_every_destructive_route_has_a_confirmed_row_in_a_matrix():
    covered = {case.route.endpoint for case in DESTRUCTIVE}
    missing = {endpoint for endpoint, kind in INVENTORY.items() if kind is D} - covered
    assert not missing, "destructive routes without a matrix row that confirms: " + ", ".join(sorted(missing))


def test_every_creating_route_has_a_row_in_a_matrix():
    missing = {endpoint for endpoint, kind in INVENTORY.items() if kind is C} - {c.route.endpoint for c in CREATING}
    assert not missing, "creating routes without a matrix row that creates: " + ", ".join(sorted(missing))


class Worlds:
    """One access matrix's world at a time, built in a savepoint of the module's transaction and
    kept while the tests that use it run (they are ordered by module), then rolled back."""

    def __init__(self, app_for, db_connection):
        self.app_for, self.connection = app_for, db_connection
        self.current, self.value, self.savepoint = None, None, None

    def enter(self, module_name: str):
        if module_name != self.current:
            self.leave()
            self.savepoint = self.connection.begin_nested()
            base = self.app_for({})
            with bound_session(self.connection, base):
                module = importlib.import_module(f"tests.{module_name}")
                self.value = _read_only(_builder(module)(base, Factory(base)))
            self.current = module_name
        return self.value

    def leave(self):
        if self.savepoint is not None and self.savepoint.is_active:
            self.savepoint.rollback()
        self.current, self.value, self.savepoint = None, None, None


@pytest.fixture(scope="module")
def worlds(app_for, db_connection):
    keeper = Worlds(app_for, db_connection)
    yield keeper
    keeper.leave()


@pytest.fixture
def world(request, worlds):
    """The world of the test's ``case``, or of its ``world_module``. Requested before ``app``, so the
    test's savepoint is begun on top of it."""
    params = request.node.callspec.params
    return worlds.enter(params["case"].module if "case" in params else params["world_module"])


def in_world(module_name: str):
    """For a test of its own: which matrix world it runs in."""
    return pytest.mark.parametrize("world_module", [module_name], ids=[module_name.removeprefix("test_access_")])


def _prepare(app, case: Case, ids) -> None:
    """What a row needs beyond its module's world (as that module's own test_access does)."""
    module = importlib.import_module(f"tests.{case.module}")
    if hasattr(module, "prepare"):
        module.prepare(app, case.route, ids)


def _data(route: Route, ids) -> dict:
    return {_format(key, ids): _format(value, ids) for key, value in (route.data or {}).items()}


def snapshot() -> dict[str, set]:
    return {table.name: {tuple(row) for row in db.session.execute(select(table))}
            for table in db.metadata.sorted_tables}


# Tables an unconfirmed POST may still write, and why.
MAY_CHANGE = {
    # "Lever": what was typed and attached is saved as a draft before asking, so "Avbryt" loses nothing.
    "assignments.submission": {"submission", "submission_event", "submission_attachment", "stored_file"},
}


class _ConfirmForm(HTMLParser):
    """The confirmation page's form: where it posts and what it sends."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self.inside = None, [], False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("method") == "post" and self.action is None:
            self.action, self.inside = attributes.get("action"), True
        elif tag == "input" and self.inside and attributes.get("type") == "hidden":
            self.fields.append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def confirmation_form(html: str) -> tuple[str, dict[str, list[str]]]:
    page = html.split('data-confirm-page', 1)[1]
    parser = _ConfirmForm()
    parser.feed(page)
    fields: dict[str, list[str]] = {}
    for name, value in parser.fields:
        fields.setdefault(name, []).append(value)
    return parser.action, fields


@pytest.mark.parametrize("case", DESTRUCTIVE, ids=str)
def test_a_destructive_route_asks_first_and_acts_once_confirmed(case, world, app, login):
    ids, people = world
    route = case.route
    _prepare(app, case, ids)
    http = login(people[actor(route)])
    path = route.path.format(**ids)
    data = {key: value for key, value in _data(route, ids).items() if key != "confirmed"}
    with app.app_context():
        before = snapshot()

    asked = http.post(path, data=data)
    assert asked.status_code == 200, (path, asked.status_code)
    html = asked.get_data(as_text=True)
    assert "data-confirm-page" in html and 'name="confirmed" value="1"' in html
    # The page names the action: a question as its heading, what happens, and a "Ja, …" button.
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()
    message = re.search(r'id="confirm-message"><strong>(.*?)</strong>', html, re.S).group(1)
    # … and what it acts on: a title in «», or a name (a capitalised word after the verb), as in
    # "Fjern rollen deltaker for Hege Hjelper i Hamar." or "Slett oppgaven «Slettes»."
    assert heading.endswith("?") and re.search(r"«[^»]+»|\s[A-ZÆØÅ]\w+", unescape(message)), (heading, message)
    assert re.search(r"<button[^>]*>Ja, [^<]+</button>", html) and ">Avbryt</a>" in html
    with app.app_context():
        after = snapshot()
        changed = {name for name in after if after[name] != before[name]} - {"login_session"}
        assert changed <= MAY_CHANGE.get(route.endpoint, set()), (path, changed)
        if route.effect is not None:
            assert not route.effect(ids), f"{path} acted without confirmation"

    # "Ja, …" posts what the page carries: the same fields, a fresh token, confirmed=1.
    action, fields = confirmation_form(html)
    assert unescape(action) == path and fields["confirmed"] == ["1"] and "csrf_token" in fields
    for key, value in data.items():
        if route.endpoint != "assignments.submission" or key not in ("version", "text"):  # the draft moved on
            assert fields.get(key) == (value if isinstance(value, list) else [value]), key
    done = http.post(unescape(action), data=fields)
    assert done.status_code in (302, 303), (path, done.status_code)
    if route.effect is not None:
        with app.app_context():
            assert route.effect(ids), f"{path} did not act once confirmed"


@pytest.mark.parametrize("case", CREATING, ids=str)
def test_a_creating_route_answers_with_a_redirect(case, world, app, login):
    ids, people = world
    route = case.route
    _prepare(app, case, ids)
    role = actor(route)
    http = login(people[role])
    response = http.post(route.path.format(**ids), data=_data(route, ids))
    assert response.status_code in (302, 303), (route.path, role, response.status_code)
    assert urlsplit(response.location).path != "/login"
    if route.effect is not None:
        with app.app_context():
            assert route.effect(ids)


# --- undo: a cancelled registration ------------------------------------------------------------

GATHERINGS = "test_access_gatherings"


def _cancel_url(ids, registration_key="reg_hamar") -> str:
    return f"/networks/{ids['network']}/gatherings/{ids['gathering']}/registrations/{ids[registration_key]}/cancel"


def _status(registration_id) -> RegistrationStatus:
    return db.session.get(Registration, registration_id).status


def _undo_form(html: str) -> tuple[str, str]:
    """The "Angre" form under the flashed messages: its address and its button."""
    box = html.split('class="ds-alert undo-offer"', 1)[1].split("</form>", 1)[0]
    return unescape(re.search(r'action="([^"]+)"', box).group(1)), re.search(r"<button[^>]*>([^<]+)</button>", box).group(1)


@in_world(GATHERINGS)
def test_cancelling_asks_then_offers_undo_that_restores_the_seat(world_module, world, app, login):
    ids, people = world
    http = login(people["participant"])
    asked = http.post(_cancel_url(ids))
    page = main(asked)
    assert "Melde deg av?" in page and "Meld deg av «" in page and "Du kan angre i 10 minutter" in page
    with app.app_context():
        assert _status(ids["reg_hamar"]) is RegistrationStatus.CONFIRMED

    cancelled = http.post(_cancel_url(ids), data={"confirmed": "1"}, follow_redirects=True)
    with app.app_context():
        assert _status(ids["reg_hamar"]) is RegistrationStatus.CANCELLED
    text = main(cancelled)
    assert "Du er meldt av." in text and "Du kan angre til kl." in text  # spoken to the person themselves
    url, button = _undo_form(cancelled.get_data(as_text=True))
    assert button == "Angre avmeldingen" and url.endswith(f"/registrations/{ids['reg_hamar']}/undo-cancel")
    assert "undo-offer" not in http.get(f"/networks/{ids['network']}/gatherings/{ids['gathering']}").get_data(
        as_text=True), "the offer is shown once"

    undone = http.post(url, follow_redirects=True)
    assert "Avmeldingen er angret. Dag Deltaker er påmeldt igjen." in main(undone)
    with app.app_context():
        row = db.session.get(Registration, ids["reg_hamar"])
        assert row.status is RegistrationStatus.CONFIRMED and row.cancelled_at is None and not row.late_cancellation
        title = db.session.get(Gathering, ids["gathering"]).title
        subjects = db.session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient == people["participant"].email).order_by(OutboxMessage.id)).all()
        assert subjects[-2:] == [f"Avmeldt: {title}", f"Påmeldt: {title}"]


@in_world(GATHERINGS)
def test_undo_after_the_window_is_refused_with_a_clear_message(world_module, world, app, login):
    ids, people = world
    http = login(people["participant"])
    http.post(_cancel_url(ids), data={"confirmed": "1"})
    with app.app_context():
        cancelled_at = db.session.get(Registration, ids["reg_hamar"]).cancelled_at
    app.config["CLOCK_NOW"] = cancelled_at + timedelta(minutes=10, seconds=1)
    refused = http.post(_cancel_url(ids).replace("/cancel", "/undo-cancel"), follow_redirects=True)
    assert "Avmeldingen kan ikke angres lenger. Meld på på nytt hvis det fortsatt er plass." in main(refused)
    with app.app_context():
        assert _status(ids["reg_hamar"]) is RegistrationStatus.CANCELLED


@in_world(GATHERINGS)
def test_undo_when_the_seat_has_gone_puts_them_on_the_waiting_list(world_module, world, app, login):
    ids, people = world
    with app.app_context():
        db.session.get(Gathering, ids["gathering"]).capacity = 2  # the participant and Lillehammer's contact
        db.session.commit()
    waiting = register(app, ids["gathering"], ids["hamar_helper"])
    http = login(people["participant"])
    http.post(_cancel_url(ids), data={"confirmed": "1"})
    with app.app_context():
        assert _status(waiting) is RegistrationStatus.CONFIRMED  # the freed seat went on
    undone = http.post(_cancel_url(ids).replace("/cancel", "/undo-cancel"), follow_redirects=True)
    assert "plassen er gått til en annen. Dag Deltaker står nå på ventelisten" in main(undone)
    with app.app_context():
        assert _status(ids["reg_hamar"]) is RegistrationStatus.WAITING and _status(waiting) is RegistrationStatus.CONFIRMED


@in_world(GATHERINGS)
def test_someone_who_may_not_change_the_registration_may_not_undo_it(world_module, world, app, login):
    ids, people = world
    login(people["participant"]).post(_cancel_url(ids), data={"confirmed": "1"})
    url = _cancel_url(ids).replace("/cancel", "/undo-cancel")
    assert login(people["other_contact"]).post(url).status_code == 403
    with app.app_context():
        assert _status(ids["reg_hamar"]) is RegistrationStatus.CANCELLED


@in_world(GATHERINGS)
def test_the_confirmation_carries_a_working_csrf_token(world_module, world, app, login):
    ids, people = world
    app.config["WTF_CSRF_ENABLED"] = True
    http = login(people["participant"])
    gathering_page = http.get(f"/networks/{ids['network']}/gatherings/{ids['gathering']}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', gathering_page).group(1)
    assert http.post(_cancel_url(ids)).status_code == 400  # no token, no page
    asked = http.post(_cancel_url(ids), data={"csrf_token": token})
    action, fields = confirmation_form(asked.get_data(as_text=True))
    assert http.post(action, data=fields).status_code == 302
    with app.app_context():
        assert _status(ids["reg_hamar"]) is RegistrationStatus.CANCELLED


# --- a grouping that decides who reads an assignment's answers ---------------------------------


@in_world("test_access_groups")
def test_a_grouping_that_decides_who_reads_answers_is_not_deleted(world_module, world, app, login):
    ids, people = world
    with app.app_context():
        network = db.session.get(Network, ids["network"])
    make_assignment(app, network, title="Lokale planer", visibility=Visibility.GROUP, grouping_id=ids["grouping"])
    refused = login(people["coordinator"]).post(f"/networks/{ids['network']}/groups/{ids['grouping']}/delete",
                                                data={"confirmed": "1"}, follow_redirects=True)
    assert refused.status_code == 200
    assert "kan ikke slettes, fordi oppgaven «Lokale planer» bruker gruppene" in main(refused)
    with app.app_context():
        assert db.session.get(Grouping, ids["grouping"]) is not None


# --- undo: a removed role ------------------------------------------------------------------------

MATRIX = "test_access_matrix"


def _role(ids, person_id, role: RoleKind):
    return db.session.scalar(select(NetworkRole.id).where(
        NetworkRole.network_id == ids["network"], NetworkRole.person_id == person_id, NetworkRole.role == role))


@in_world(MATRIX)
def test_removing_a_role_names_it_and_can_be_undone_within_the_window(world_module, world, app, login):
    ids, people = world
    http = login(people["contact"])
    url = f"/networks/{ids['network']}/roles/{ids['hamar_helper_role']}/revoke"
    back = f"/networks/{ids['network']}/municipalities/{ids['hamar']}"
    page = main(http.post(url, data={"back": back}))
    assert "Fjern rollen deltaker for Hege Hjelper i Hamar." in page and "mister tilgangen" not in page
    with app.app_context():
        helper_id = db.session.get(NetworkRole, ids["hamar_helper_role"]).person_id
    removed = http.post(url, data={"back": back, "confirmed": "1"})
    assert removed.status_code == 302 and removed.location == back
    with app.app_context():
        assert _role(ids, helper_id, RoleKind.PARTICIPANT) is None
    shown = http.get(back).get_data(as_text=True)
    assert "Hege Hjelper har ikke lenger rollen deltaker." in shown
    undo_url, button = _undo_form(shown)
    assert button == "Angre" and undo_url == f"/networks/{ids['network']}/roles/undo"

    # Someone else's session holds no removal to undo.
    other = login(people["coordinator"]).post(undo_url, follow_redirects=True)
    assert "Det er ingen fjernet rolle å angre." in main(other)
    restored = http.post(undo_url, follow_redirects=True)
    assert "Hege Hjelper har rollen deltaker igjen." in main(restored)
    with app.app_context():
        assert _role(ids, helper_id, RoleKind.PARTICIPANT) is not None
    assert "Det er ingen fjernet rolle å angre." in main(http.post(undo_url, follow_redirects=True)), "undone once"


@in_world(MATRIX)
def test_undoing_a_removed_role_after_the_window_is_refused(world_module, world, app, login):
    ids, people = world
    http = login(people["coordinator"])
    http.post(f"/networks/{ids['network']}/roles/{ids['observer_role']}/revoke", data={"confirmed": "1"})
    app.config["CLOCK_NOW"] = _now(app) + timedelta(minutes=11)
    refused = http.post(f"/networks/{ids['network']}/roles/undo", follow_redirects=True)
    assert "Det er mer enn 10 minutter siden rollen ble fjernet, så det kan ikke angres lenger." in main(refused)
    with app.app_context():
        assert _role(ids, people["observer"].id, RoleKind.OBSERVER) is None


@in_world(MATRIX)
def test_a_contact_removing_their_own_contact_role_is_warned_and_can_undo(world_module, world, app, login):
    ids, people = world
    contact = people["contact"]
    with app.app_context():
        own_role = _role(ids, contact.id, RoleKind.CONTACT)
    http = login(contact)
    url = f"/networks/{ids['network']}/roles/{own_role}/revoke"
    page = main(http.post(url))
    assert "Fjern rollen kontaktperson for Kari Kontakt i Hamar." in page
    assert "Dette er din egen rolle som kontaktperson. Uten den mister du tilgangen" in page
    removed = http.post(url, data={"confirmed": "1"})
    # With no other role in the network, the network's pages are closed to them: on to "Min side".
    assert removed.status_code == 302 and removed.location == "/me"
    undo_url, _button = _undo_form(http.get("/me").get_data(as_text=True))
    assert http.get(f"/networks/{ids['network']}").status_code == 403
    http.post(undo_url)
    with app.app_context():
        assert _role(ids, contact.id, RoleKind.CONTACT) is not None
    assert http.get(f"/networks/{ids['network']}").status_code == 200


def _now(app):
    from network.main import clock

    with app.app_context():
        return clock.utc_now()


# --- feedback: reloading the thank-you page sends nothing again ------------------------------

FEEDBACK = "test_access_feedback"


def _feedback_count(ids) -> int:
    return len(db.session.scalars(select(Feedback.id).where(Feedback.network_id == ids["network"])).all())


@in_world(FEEDBACK)
def test_reloading_the_receipt_sends_nothing_again(world_module, world, app, login):
    ids, people = world
    http = login(people["participant"])
    with app.app_context():
        before = _feedback_count(ids)
    sent = http.post(f"/networks/{ids['network']}/feedback/new", data={"topic": "network", "works": "Nyttige samlinger."})
    assert sent.status_code == 302 and urlsplit(sent.location).path == f"/networks/{ids['network']}/feedback/sent"
    first = http.get(sent.location)
    assert "Takk for tilbakemeldingen!" in main(first) and "Nyttige samlinger." in main(first)
    for _reload in range(2):
        again = http.get(sent.location)
        assert again.status_code == 200 and "Takk for tilbakemeldingen!" in main(again)
        # The text is shown once, right after sending; a reload (or the next person at this browser) doesn't see it.
        assert "Nyttige samlinger." not in main(again)
    with app.app_context():
        assert _feedback_count(ids) == before + 1


@in_world(FEEDBACK)
def test_the_receipt_of_anonymous_feedback_shows_nothing_of_it(world_module, world, app, login):
    ids, people = world
    http = login(people["participant"])
    sent = http.post(f"/networks/{ids['network']}/feedback/new",
                     data={"topic": "network", "works": "Et anonymt innspill.", "anonymous": "y"})
    with http.session_transaction() as session:
        assert session["feedback_receipt"] == {"network": ids["network"], "anonymous": True, "feedback": None}
    page = main(http.get(sent.location))
    assert "KS vet ikke hvem den kommer fra" in page and "Et anonymt innspill." not in page
    assert people["participant"].name not in page
    # Opening the receipt without having sent anything goes to the form.
    assert urlsplit(login(people["contact"]).get(sent.location).location).path.endswith("/feedback/new")
