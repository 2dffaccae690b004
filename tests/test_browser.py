"""Real browser journeys: Debian's headless Chromium through Playwright, with axe-core on every page.

The bar is zero WCAG 2.1 A/AA violations (axe tags wcag2a, wcag2aa, wcag21a, wcag21aa) on every
page a journey visits, error states included. The app is served from this process by Werkzeug on a
random port, with CSRF protection on, over the demo network; everything the demo adds is deleted
again afterwards.
"""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from network.auth.models import Person
from network.demo import content
from network.demo.services import load_demo
from network.extensions import db
from network.gatherings.models import Gathering
from network.organisations.models import Organisation
from network.organisations.services import import_national_list
from tests.conftest import make_app

pytestmark = [
    pytest.mark.browser,
    # pytest-playwright's own base_url fixture trips a pytest 9 deprecation; nothing to do with these tests.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "demo1234"
COORDINATOR = "koordinator@demo.test"
PARTICIPANT = "deltaker.hamar@demo.test"
CONTACT = "kontakt.hamar@demo.test"
NETWORK_NAME = content.NETWORK["name"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT = "/tmp/front.png"


# --- browser -----------------------------------------------------------------------------


def require_chromium() -> None:
    """Skip without Debian's Chromium locally; in CI a missing browser is a failure."""
    if os.path.exists(CHROMIUM):
        return
    message = f"Chromium is missing at {CHROMIUM}. Install it with: sudo apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Norwegian browser, as the people in the networks have.
    return {**browser_context_args, "locale": "nb-NO", "viewport": {"width": 1280, "height": 900}}


# --- live server -------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Flask
    network_id: int
    hamar_id: int

    def __call__(self, path: str) -> str:
        return self.url + path


@contextmanager
def serve_demo(database_url: str, also=None) -> Iterator[LiveServer]:
    """The demo (and whatever ``also(network)`` adds to it), committed and served over HTTP on a
    daemon thread. Not the per-test ``app`` fixture: its savepoint-bound session is not safe
    across the server's threads. Afterwards the database is left as the other tests expect it:
    the national list and nothing else."""
    require_chromium()
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        network, _ = load_demo()
        if also is not None:
            also(network)
        db.session.commit()
        network_id = network.id
        hamar_id = db.session.scalar(select(Organisation.id).where(Organisation.kommunenummer == "3403"))
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, network_id, hamar_id)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            import_national_list()
            db.session.commit()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(migrated_database):
    with serve_demo(migrated_database) as server:
        yield server


# --- helpers -----------------------------------------------------------------------------


_axe = Axe()
# Only violations are reported: axe then skips building the (unread) lists of passes.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s) of WCAG 2.1 A/AA on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def check_a11y(page: Page) -> None:
    """Run axe on the page as it is now and fail with a readable list of what is wrong."""
    # A click that navigates returns once the new URL is committed, before the new document
    # exists; axe needs the document, so wait until it has loaded.
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.documentElement !== null && document.readyState === 'complete'")
    # axe-core is injected once per page load, not before every run on the same page.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe.axe_script)
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    assert violations == [], format_violations(page.url, violations)


def check_stylesheets(page: Page) -> None:
    """Designsystemet's two files and the app's own CSS are loaded and applied."""
    loaded = page.evaluate("""() => Array.from(document.styleSheets)
        .filter(sheet => sheet.href && sheet.cssRules.length > 0)
        .map(sheet => new URL(sheet.href).pathname)""")
    # The names carry a hash of their content (network/assets.py): css/app.<12 hex>.css.
    loaded = [re.sub(r"\.[0-9a-f]{12}(\.css)$", r"\1", path) for path in loaded]
    for path in ("/assets/designsystemet/theme.css", "/assets/designsystemet/components.css", "/static/css/app.css"):
        assert path in loaded, f"{path} is not loaded: {loaded}"
    # The theme's tokens resolve, so its components are styled.
    token = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--ds-color-neutral-text-default')")
    assert token.strip(), "Designsystemet's colour tokens are not defined"


def sign_in(page: Page, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    page.goto(server("/login"))
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord", exact=False).fill(password)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(server("/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Min side")
    expect(page.get_by_role("status").filter(has_text="Du er logget inn.")).to_be_visible()


def main(page: Page):
    return page.locator("main")


def open_network_from_my_page(page: Page, server: LiveServer) -> None:
    link = main(page).get_by_role("link", name=NETWORK_NAME)
    expect(link).to_have_attribute("href", f"/networks/{server.network_id}")
    link.click()
    expect(page).to_have_url(server(f"/networks/{server.network_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NETWORK_NAME)


def error_summary_is_focused(page: Page) -> bool:
    return page.evaluate("document.activeElement && document.activeElement.matches('[data-error-summary]')")


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)  # fail in seconds, not Playwright's default 30


# --- journeys ----------------------------------------------------------------------------


def test_coordinator_journey(page: Page, live_server: LiveServer):
    server = live_server
    network_path = f"/networks/{server.network_id}"

    page.goto(server("/login"))
    check_stylesheets(page)
    check_a11y(page)
    sign_in(page, server, COORDINATOR)
    expect(main(page)).to_contain_text("Koordinator")
    check_a11y(page)

    # The network's front page, found from "Min side".
    open_network_from_my_page(page, server)
    check_stylesheets(page)
    expect(page.get_by_role("heading", name="Til oppfølging")).to_be_visible()
    municipalities = page.get_by_role("region", name="Kommuner i nettverket")
    expect(municipalities.get_by_role("heading", name="Innlandet")).to_be_visible()
    expect(municipalities.get_by_role("link", name="Hamar", exact=True)).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)
    check_a11y(page)

    # Members: the table, a search, and adding Oslo.
    main(page).get_by_role("link", name="Medlemmer og oppfølging").click()
    expect(page).to_have_url(server(f"{network_path}/members"))
    members_table = page.get_by_role("table").first
    expect(members_table).to_contain_text("Hamar")
    expect(members_table.get_by_role("link", name="Oslo", exact=True)).to_have_count(0)
    check_a11y(page)

    page.get_by_label("Søk etter kommune eller organisasjon").fill("Oslo")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page.get_by_role("table").filter(has_text="Treff for «Oslo»")).to_be_visible()
    check_a11y(page)

    page.get_by_role("button", name="Legg til Oslo", exact=True).click()
    expect(page).to_have_url(server(f"{network_path}/members"))
    expect(page.get_by_role("status").filter(has_text="Oslo er lagt til i nettverket.")).to_be_visible()
    members_table = page.get_by_role("table").first
    expect(members_table.get_by_role("link", name="Oslo", exact=True)).to_be_visible()
    check_a11y(page)

    # The municipality page for Hamar.
    members_table.get_by_role("link", name="Hamar", exact=True).click()
    expect(page).to_have_url(server(f"{network_path}/municipalities/{server.hamar_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hamar")
    expect(page.get_by_role("heading", name="Laget i nettverket")).to_be_visible()
    check_a11y(page)

    # Anchoring: the executive is chosen among Hamar's people with that role; no choice gives the
    # error summary, focused, and an invalid field.
    page.get_by_role("link", name="Registrer forankring").click()
    expect(page).to_have_url(server(f"{network_path}/municipalities/{server.hamar_id}/anchoring"))
    check_a11y(page)
    executive_field = page.get_by_label("Kommunedirektør", exact=False).first
    executive_field.select_option("")
    page.get_by_role("button", name="Lagre").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Velg kommunedirektøren (rådmannen).")
    expect(summary).to_be_focused()
    assert error_summary_is_focused(page)
    expect(executive_field).to_have_attribute("aria-invalid", "true")
    expect(executive_field).to_have_attribute("aria-describedby", re.compile(r"\bexecutive_id-error\b"))
    expect(page.locator("#executive_id-error")).to_have_text("Velg kommunedirektøren (rådmannen).")
    check_a11y(page)
    # The link in the summary leads to the field.
    summary.get_by_role("link", name="Velg kommunedirektøren (rådmannen).").click()
    expect(executive_field).to_be_focused()
    executive_field.select_option(index=1)
    executive = executive_field.locator("option").nth(1).inner_text()
    page.get_by_role("button", name="Lagre").click()
    # (The browser keeps the #executive_id fragment across the redirect.)
    expect(page).to_have_url(re.compile(re.escape(server(f"{network_path}/municipalities/{server.hamar_id}")) + "(#.*)?$"))
    expect(page.get_by_role("status").filter(has_text="Forankringen er registrert.")).to_be_visible()
    expect(main(page)).to_contain_text(f"forankret hos kommunedirektør {executive}")
    check_a11y(page)

    # Invite a new person from Hamar.
    page.goto(server(f"{network_path}/people/invite"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inviter en person")
    check_a11y(page)
    page.get_by_label(re.compile(r"^Navn\b")).fill("Nina Nyansatt")
    page.get_by_label("E-postadresse").fill("nina.nyansatt@hamar.test")
    page.get_by_label("Stilling").fill("Boligrådgiver")
    page.get_by_label("Organisasjon").select_option(label="Hamar")
    page.get_by_role("group", name="Roller").get_by_label("Deltaker", exact=True).check()
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_role("status").filter(
        has_text="Nina Nyansatt er invitert. Invitasjonen er sendt til nina.nyansatt@hamar.test."
    )).to_be_visible()
    expect(page).to_have_url(server(f"{network_path}/municipalities/{server.hamar_id}"))
    # Not counted in the team until she has answered: listed apart, with the day she was invited.
    expect(page.get_by_role("table", name="Personer fra Hamar og rollene")).not_to_contain_text("Nina Nyansatt")
    expect(page.get_by_role("list", name="Invitert, ikke svart ennå")).to_contain_text("Nina Nyansatt")
    check_a11y(page)

    # The people in the network, the new person included.
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Personer").click()
    expect(page).to_have_url(server(f"{network_path}/people"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Personer i nettverket")
    expect(page.get_by_role("list", name="Invitert, ikke svart ennå").get_by_role("listitem")
           .filter(has_text="Nina Nyansatt")).to_contain_text("Hamar")
    check_a11y(page)

    # Edit the network, and save it unchanged.
    page.goto(server(network_path))
    main(page).get_by_role("link", name="Rediger nettverket").click()
    expect(page).to_have_url(server(f"{network_path}/edit"))
    expect(page.get_by_label(re.compile(r"^Navn\b"))).to_have_value(NETWORK_NAME)
    check_a11y(page)
    page.get_by_role("button", name="Lagre").click()
    expect(page).to_have_url(server(network_path))
    expect(page.get_by_role("status").filter(has_text="Nettverket er lagret.")).to_be_visible()
    check_a11y(page)

    with server.app.app_context():
        invited = db.session.scalar(select(Person).where(Person.email == "nina.nyansatt@hamar.test"))
        assert invited is not None and invited.password_hash is None
        db.session.remove()


def test_people_page_shows_roles(page: Page, live_server: LiveServer):
    """Each person's roles are in the last column (not just somewhere in the row)."""
    sign_in(page, live_server, COORDINATOR)
    page.goto(live_server(f"/networks/{live_server.network_id}/people"))

    def roles_cell(name: str):
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=name, exact=True))
        expect(row).to_have_count(1)
        return row.get_by_role("cell").last

    expect(roles_cell(content.NETWORK["ks_contact_name"])).to_have_text("Koordinator")
    expect(roles_cell("Hanne Husbanksen")).to_have_text("Observatør")
    check_a11y(page)


def test_participant_journey(page: Page, live_server: LiveServer):
    server = live_server
    network_path = f"/networks/{server.network_id}"

    sign_in(page, server, PARTICIPANT)
    expect(main(page)).to_contain_text("Deltaker")
    check_a11y(page)

    open_network_from_my_page(page, server)
    # Participants see neither the follow-up list nor the coordinator's buttons.
    expect(page.get_by_role("heading", name="Til oppfølging")).to_have_count(0)
    expect(page.get_by_role("link", name="Rediger nettverket")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Medlemmer")).to_have_count(0)
    check_a11y(page)

    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Min side").click()
    main(page).get_by_role("listitem").filter(has_text=NETWORK_NAME).get_by_role("link", name="Min kommune: Hamar").click()
    expect(page).to_have_url(server(f"{network_path}/municipalities/{server.hamar_id}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hamar")
    expect(page.get_by_role("link", name="Registrer forankring")).to_have_count(0)
    check_a11y(page)

    response = page.goto(server(f"{network_path}/members"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke tilgang til denne siden")
    check_a11y(page)


def test_contact_journey(page: Page, live_server: LiveServer):
    """The municipal contact sees the team warnings for Hamar and may invite from Hamar."""
    server = live_server
    sign_in(page, server, CONTACT)
    check_a11y(page)
    main(page).get_by_role("listitem").filter(has_text=NETWORK_NAME).get_by_role("link", name="Min kommune: Hamar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hamar")
    check_a11y(page)
    page.get_by_role("link", name="Inviter en person fra Hamar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inviter en person")
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label(re.compile(r"^Navn\b"))).to_have_attribute("aria-invalid", "true")
    check_a11y(page)


def test_anonymous_journey(page: Page, live_server: LiveServer):
    server = live_server
    page.goto(server("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lærings- og utviklingsnettverk i KS")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    check_stylesheets(page)
    check_a11y(page)

    main(page).get_by_role("link", name="Logg inn").click()
    expect(page).to_have_url(server("/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")
    check_a11y(page)

    # A wrong password: one message for both kinds of mistake, in the focused error summary.
    page.get_by_label("E-postadresse").fill(COORDINATOR)
    page.get_by_label("Passord", exact=False).fill("feil-passord")
    page.get_by_role("button", name="Logg inn").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Feil e-postadresse eller passord.")
    expect(summary).to_be_focused()
    expect(page).to_have_url(server("/login"))
    check_a11y(page)

    # An empty form: an error on each field.
    page.get_by_label("E-postadresse").fill("")
    page.get_by_role("button", name="Logg inn").click()
    expect(summary).to_contain_text("Skriv e-postadressen din.")
    expect(summary).to_contain_text("Skriv passordet ditt.")
    expect(page.get_by_label("E-postadresse")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)

    # Pages for members only send an anonymous visitor to the login page.
    page.goto(server(f"/networks/{server.network_id}"))
    expect(page).to_have_url(re.compile(re.escape(server("/login")) + r"\?next="))
    check_a11y(page)

    # CSRF protection is on: a form with a forged token is refused with a page that explains why.
    main(page).locator("input[name=csrf_token]").evaluate("input => { input.value = 'forged'; }")
    page.get_by_label("E-postadresse").fill(COORDINATOR)
    page.get_by_label("Passord", exact=False).fill(PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Logg inn").click()
    assert posted.value.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("Skjemaet er utløpt")
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_have_count(0)  # still signed out
    check_a11y(page)

    page.goto(server("/login"))
    page.get_by_role("link", name="Glemt passordet?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glemt passord")
    check_a11y(page)
    page.get_by_role("button", name="Send lenke").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    check_a11y(page)

    response = page.goto(server("/finnes-ikke"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Vi fant ikke siden")
    check_a11y(page)


def test_keyboard_skip_link(page: Page, live_server: LiveServer):
    page.goto(live_server("/login"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hopp til hovedinnholdet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    assert skip_link.bounding_box()["width"] > 1, "the skip link should be visible when focused"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab goes on from the main content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_reflow_at_320_css_pixels(page: Page, live_server: LiveServer):
    """WCAG 1.4.10: at 320 CSS pixels (1280 px at 400 % zoom) nothing but a data table scrolls sideways."""
    server = live_server
    network_path = f"/networks/{server.network_id}"
    with server.app.app_context():
        gathering_path = f"{network_path}/gatherings/" + str(db.session.scalar(
            select(Gathering.id).where(Gathering.network_id == server.network_id, Gathering.number == 3)))
        db.session.remove()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, server, COORDINATOR)
    for path in ("/me", network_path, f"{network_path}/municipalities/{server.hamar_id}",
                 f"{network_path}/members", f"{network_path}/people", f"{network_path}/people/invite",
                 f"{network_path}/edit", f"{network_path}/feedback/new", f"{network_path}/feedback",
                 f"{network_path}/evaluations", f"{network_path}/dashboard", f"{network_path}/archive",
                 gathering_path, f"{gathering_path}/evaluation/results", f"{gathering_path}/evaluation/questions"):
        page.goto(server(path))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320 CSS pixels"
        check_a11y(page)
