"""A phone's first screen, in a real browser: at 375 × 812 CSS pixels every kind of page shows its first
heading without scrolling and nothing scrolls sideways (wide tables scroll inside their own marked
regions); a coordinator reaches the dashboard through the menu with JavaScript switched off; axe-core
finds nothing on the pages the menu and breadcrumbs changed, menu open and closed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from network.assignments.models import Assignment
from network.challenges.models import Challenge
from network.extensions import db
from network.gatherings.models import Gathering
from network.groups.models import Grouping
from network.resources.models import SlideSet
from tests.test_browser import (  # noqa: F401  (fixtures)
    COORDINATOR, NETWORK_NAME, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server,
    main, sign_in,
)
from tests.test_browser_gatherings import follow_up_id

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PHONE = {"width": 375, "height": 812}


@contextmanager
def phone_page(browser: Browser, **options) -> Iterator[Page]:
    """A page in a fresh 375 × 812 browser context (bokmål), closed afterwards."""
    context = browser.new_context(viewport=PHONE, locale="nb-NO", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def _first(model, network_id, *where):
    return db.session.scalar(select(model.id).where(model.network_id == network_id, *where).order_by(model.id))


def first_gathering_path(server: LiveServer, network_id: int) -> str:
    """The address of the network's gathering number 1 (its id read in the app's context)."""
    with server.app.app_context():
        gathering = _first(Gathering, network_id, Gathering.number == 1)
        db.session.remove()
    return f"/networks/{network_id}/gatherings/{gathering}"


def phone_pages(server: LiveServer) -> tuple[list[str], list[str]]:
    """(pages for anyone, pages for a signed-in coordinator): one or more of every kind of page."""
    n = f"/networks/{server.network_id}"
    with server.app.app_context():
        held = _first(Gathering, server.network_id, Gathering.number == 1)
        grouped = _first(Gathering, server.network_id, Gathering.number == 3)
        grouping = _first(Grouping, server.network_id)
        challenge = _first(Challenge, server.network_id)
        assignment = _first(Assignment, server.network_id)
        slide_set = _first(SlideSet, server.network_id)
        db.session.remove()
    g = f"{n}/gatherings/{held}"
    public = ["/", "/login", "/forgot-password", "/personvern", "/examples"]
    signed_in = [
        "/me", "/networks/", n,                                                             # start pages
        f"{n}/gatherings/", f"{n}/people", f"{n}/challenges", f"{n}/library", f"{n}/resources",  # lists
        f"{n}/assignments",
        g, f"{n}/challenges/{challenge}", f"{n}/assignments/{assignment}",                  # details
        f"{n}/municipalities/{server.hamar_id}", f"{n}/groups/{grouping}", f"{n}/resources/slides/{slide_set}",
        f"{g}/register", f"{n}/people/invite", f"{n}/challenges/new", f"{n}/feedback/new",   # forms
        f"{n}/edit", f"{n}/groups/{grouping}/edit", f"{n}/growth/settings",
        f"{n}/challenges/matrix", f"{n}/members", f"{n}/costs", f"{n}/assignments/grid",    # tables
        f"{n}/planning", f"{n}/growth", f"{g}/registrations", f"{g}/attendance?q=hamar",
        f"{n}/gatherings/{grouped}/programme",
        f"{n}/dashboard", f"{g}/evaluation/results", f"{n}/evaluations",                    # dashboards
        "/finnes-ikke", f"{n}/gatherings/999999",                                           # errors
    ]
    return public, signed_in


def check_first_screen(page: Page, path: str) -> None:
    # Only the first heading on the page counts: it must be the h1, and start within 812 px.
    first = page.evaluate("""() => {
        const heading = document.querySelector('h1, h2, h3, h4, h5, h6');
        return heading && {level: heading.tagName, top: heading.getBoundingClientRect().top};
    }""")
    assert first is not None and first["level"] == "H1", f"{path}: the first heading is {first}"
    assert 0 <= first["top"] < PHONE["height"], f"{path}: the h1 starts {first['top']:.0f}px down, below the first screen"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path}: the page scrolls sideways by {overflow}px at 375 px"


def test_every_kind_of_page_starts_on_the_first_screen_of_a_phone(browser: Browser, live_server: LiveServer):
    server = live_server
    public, signed_in = phone_pages(server)
    with phone_page(browser) as page:
        for path in public:
            page.goto(server(path))
            check_first_screen(page, path)
        sign_in(page, server, COORDINATOR)
        for path in signed_in:
            page.goto(server(path))
            check_first_screen(page, path)
            # The menu is closed on a phone: its links wait behind "Meny".
            expect(page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Min side")).to_be_hidden()


def test_coordinator_reaches_the_dashboard_on_a_phone_without_javascript(browser: Browser, live_server: LiveServer):
    server = live_server
    network_path = f"/networks/{server.network_id}"
    with phone_page(browser, java_script_enabled=False) as page:
        sign_in(page, server, COORDINATOR)
        page.goto(server(network_path))
        expect(page.get_by_role("heading", level=1)).to_have_text(NETWORK_NAME)
        menu = page.get_by_role("navigation", name="Hovedmeny")
        dashboard = menu.get_by_role("link", name="Oversikt", exact=True)
        expect(dashboard).to_be_hidden()

        # The keyboard opens the menu: Tab to "Meny", Enter.
        toggle = menu.get_by_text("Meny", exact=True)
        toggle.focus()
        expect(toggle).to_be_focused()
        page.keyboard.press("Enter")
        expect(dashboard).to_be_visible()
        expect(menu.get_by_role("link", name="Forside")).to_have_attribute("aria-current", "page")
        page.keyboard.press("Enter")  # and closes it again
        expect(dashboard).to_be_hidden()

        toggle.click()
        dashboard.click()
        expect(page).to_have_url(server(f"{network_path}/dashboard"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Oversikt for koordinatorer")
        check_first_screen(page, f"{network_path}/dashboard")
        # The way back: on a phone one link to the level above.
        back = page.get_by_role("navigation", name="Brødsmulesti").get_by_role("link", name=f"Tilbake til {NETWORK_NAME}")
        expect(back).to_be_visible()
        page.get_by_role("navigation", name="Hovedmeny").get_by_text("Meny", exact=True).click()
        expect(menu.get_by_role("link", name="Oversikt", exact=True)).to_have_attribute("aria-current", "page")
        back.click()
        expect(page).to_have_url(server(network_path))


def test_menu_and_breadcrumbs_pass_axe_on_a_phone(browser: Browser, live_server: LiveServer):
    """axe needs JavaScript, so the same pages in a phone-sized context with it on: menu closed and open."""
    server = live_server
    network_path = f"/networks/{server.network_id}"
    with phone_page(browser) as page:
        sign_in(page, server, COORDINATOR)
        for path in (network_path, f"{network_path}/dashboard", f"{network_path}/challenges/matrix"):
            page.goto(server(path))
            check_a11y(page)
            page.get_by_role("navigation", name="Hovedmeny").get_by_text("Meny", exact=True).click()
            expect(page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Oversikt", exact=True)).to_be_visible()
            check_a11y(page)


def test_wide_screens_show_the_whole_menu_and_the_trail(page: Page, live_server: LiveServer):
    """At 1280 px the menu is open without a click, the current item is marked, and the matrix keeps its
    first column and header row in view while it scrolls."""
    server = live_server
    network_path = f"/networks/{server.network_id}"
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"{network_path}/challenges/matrix"))
    menu = page.get_by_role("navigation", name="Hovedmeny")
    expect(menu.get_by_text("Meny", exact=True)).to_be_hidden()
    expect(menu.get_by_role("link", name="Utfordringer")).to_have_attribute("aria-current", "true")
    expect(menu.get_by_role("link", name="Oversikt", exact=True)).to_be_visible()
    trail = page.get_by_role("navigation", name="Brødsmulesti").get_by_role("listitem")
    expect(trail).to_have_text(["Nettverk", NETWORK_NAME, "Utfordringer", "Utfordringer per kommune"])

    # Every municipality's column is within the table's box at 1280 px: none is cut off.
    region = page.get_by_role("region", name="Utfordringer (rader) for hver kommune (kolonner)")
    overflow = region.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 0, f"the matrix needs {overflow}px more than 1280 px gives it"
    # Scrolled down inside its box (past the caption), the header row stays at the box's top edge.
    first_header = region.locator("thead th").first
    region.evaluate("box => { box.scrollTop = 200; }")
    assert region.evaluate("box => box.scrollTop") > 100, "the matrix does not scroll inside its box"
    assert abs(first_header.bounding_box()["y"] - region.bounding_box()["y"]) < 2, "the header row scrolled away"
    check_a11y(page)

    page.set_viewport_size(PHONE)
    page.goto(server(f"{network_path}/challenges/matrix"))
    row_header = region.locator("tbody th").first
    left_before = row_header.bounding_box()["x"]
    region.evaluate("box => { box.scrollLeft = 300; }")
    assert region.evaluate("box => box.scrollLeft") > 0, "the matrix does not scroll sideways on a phone"
    assert abs(row_header.bounding_box()["x"] - left_before) < 2, "the challenge column scrolled away"


def test_a_programme_on_a_phone_gives_its_text_the_width(browser: Browser, live_server: LiveServer):
    """The programme's first column holds only a time: on a phone it keeps its own width instead of the
    40 % a column of names gets, so the items beside it are readable; the page itself never scrolls sideways."""
    server = live_server
    path = first_gathering_path(server, follow_up_id(server))
    with phone_page(browser) as page:
        sign_in(page, server, COORDINATOR)
        page.goto(server(path))
        check_first_screen(page, path)
        expect(page.locator("main").get_by_role("link", name="Meld på laget")).to_be_visible()
        programme = page.get_by_role("table", name=re.compile(r"^Programmet for samling 1, dag 1:"))
        time_column = programme.get_by_role("columnheader", name="Tid").bounding_box()["width"]
        item_column = programme.get_by_role("columnheader", name="Programpunkt").bounding_box()["width"]
        assert time_column < 0.25 * PHONE["width"], f"the time column takes {time_column:.0f}px of 375"
        assert item_column > 2 * time_column, f"the items get {item_column:.0f}px beside {time_column:.0f}px of time"


def test_a_checkbox_beside_a_long_label_keeps_its_size_on_a_phone(browser: Browser, live_server: LiveServer):
    """On the team's form a name with its role wraps at 375 px; its box stays as large as the others."""
    server = live_server
    path = first_gathering_path(server, follow_up_id(server)) + f"/register-team?organisation_id={server.hamar_id}"
    with phone_page(browser) as page:
        sign_in(page, server, COORDINATOR)
        page.goto(server(path))
        check_first_screen(page, path)
        boxes = page.get_by_role("group", name="Hvem skal være med?").get_by_role("checkbox")
        expect(boxes.first).to_be_visible()
        sizes = [(round(box.bounding_box()["width"]), round(box.bounding_box()["height"])) for box in boxes.all()]
        assert len(sizes) > 1 and len(set(sizes)) == 1, sizes
        labels = page.get_by_role("group", name="Hvem skal være med?").locator("label")
        assert any(label.bounding_box()["height"] > 40 for label in labels.all()), "no label wraps: nothing is tested"


def test_a_municipalitys_costs_show_their_amounts_on_a_phone(browser: Browser, live_server: LiveServer):
    """The amount follows the gathering (the column that stays), so at 375 px every row's amount is in view
    without scrolling the table; the names scroll."""
    server = live_server
    path = f"/networks/{server.network_id}/municipalities/{server.hamar_id}"
    with phone_page(browser) as page:
        sign_in(page, server, COORDINATOR)
        page.goto(server(path))
        costs = page.get_by_role("table", name="Kostnad for Hamar per samling og totalt")
        expect(costs).to_be_visible()
        # Each row's cell under "Beløp" (the header row's, the gatherings' and the total's) ends within the screen.
        rights = costs.evaluate("""table => {
            const column = [...table.tHead.rows[0].cells].findIndex(cell => cell.textContent.trim() === 'Beløp');
            return [...table.rows].map(row => [row.cells[column].textContent.trim(),
                                               row.cells[column].getBoundingClientRect().right]);
        }""")
        assert len(rights) > 3
        for text, right in rights:
            assert right <= PHONE["width"], f"{text!r} ends at {right:.0f}px, cut off at 375 px"
        check_a11y(page)


def test_the_grouping_editor_fits_a_few_screens_on_a_wide_screen(page: Page, live_server: LiveServer):
    """Issue 12 found the demo's grouping editor 5,000 px tall at 1280 px (one group under another); its
    groups now sit side by side as cards, so the whole editor is a few screens."""
    server = live_server
    with server.app.app_context():
        grouping = _first(Grouping, server.network_id)
        db.session.remove()
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{server.network_id}/groups/{grouping}/edit"))
    expect(page.get_by_role("button", name="Lagre")).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the grouping editor is {height}px tall at 1280 px"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_language_switcher_wraps_cleanly_on_a_phone(browser: Browser, live_server: LiveServer):
    """The footer's switcher at 375 px (issue 14) does not fit one line: "Språk:" takes a line of its own,
    and every row of buttons below it starts with its text where the label's text starts."""
    server = live_server
    with phone_page(browser) as page:
        page.goto(server("/login"))
        switcher = page.get_by_role("group", name="Språk")
        expect(switcher.get_by_role("button")).to_have_count(3)
        label = switcher.locator("#language-choice-label").bounding_box()
        # Each button's box, and where its text starts (after its padding).
        buttons = switcher.get_by_role("button").evaluate_all("""buttons => buttons.map(button => {
            const box = button.getBoundingClientRect();
            return {name: button.textContent.trim(), top: box.top, left: box.left, right: box.right,
                    text: box.left + parseFloat(getComputedStyle(button).paddingLeft)};
        })""")
        for button in buttons:
            assert button["top"] >= label["y"] + label["height"] - 1, f"{button['name']} shares the label's line"
            assert button["right"] <= PHONE["width"], f"{button['name']} ends at {button['right']:.0f}px"
        row_starts = [button for i, button in enumerate(buttons) if i == 0 or button["top"] > buttons[i - 1]["top"] + 1]
        for button in row_starts:
            assert abs(button["text"] - label["x"]) < 2, (
                f"{button['name']}'s text starts at {button['text']:.0f}px, the label's at {label['x']:.0f}px")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        check_a11y(page)


def test_attendance_search_shows_every_button_on_a_phone(browser: Browser, live_server: LiveServer):
    """At 375 px the search results (name and organisation, attendance, the button that changes it)
    fit the screen: "Møtte" and "Ikke møtt" are in view without scrolling the table sideways (the
    names kept 40 % of the width, and "Møtte" was half hidden)."""
    server = live_server
    path = first_gathering_path(server, server.network_id) + "/attendance?q=hamar"
    with phone_page(browser) as page:
        sign_in(page, server, COORDINATOR)
        page.goto(server(path))
        found = page.locator("#found")
        # One of them marked as not attended, so the results show both buttons.
        found.get_by_role("button", name=re.compile("^Ikke møtt")).first.click()
        expect(found.get_by_role("button", name=re.compile("^Møtte"))).to_have_count(1)
        check_first_screen(page, path)
        for table in (found, page.locator("#no-show")):  # the results, and the list of who did not come
            region = page.locator(".table-scroll").filter(has=table)  # the box that would scroll it
            overflow = region.evaluate("region => region.scrollWidth - region.clientWidth")
            assert overflow <= 0, f"#{table.get_attribute('id')} scrolls sideways by {overflow}px at 375 px"
        buttons = found.get_by_role("button")
        assert buttons.count() > 1
        for button in buttons.all():
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
                f"{button.inner_text()!r} spans {box['x']:.0f}–{box['x'] + box['width']:.0f}px of 375")
        check_a11y(page)
        found.get_by_role("button", name=re.compile("^Møtte")).click()  # as it was, for the tests after this one
        expect(found.get_by_role("button", name=re.compile("^Møtte"))).to_have_count(0)


def test_api_tokens_can_be_made_and_revoked_on_a_phone(browser: Browser, live_server: LiveServer):
    """Issue 15: on the token page at 375 px every token's facts and its "Trekk tilbake" button are in view
    without scrolling sideways, in the page or in a box of its own; a token is made and revoked there."""
    server = live_server
    path = "/me/profile/tokens"
    with phone_page(browser) as page:
        sign_in(page, server, COORDINATOR)
        page.goto(server("/me/profile"))
        main(page).get_by_role("link", name="Lag, se eller trekk tilbake tilgangsnøkler").click()
        expect(page).to_have_url(server(path))
        for name in ("Power BI for fylket og kommunene i Innlandet", "Excel"):
            main(page).get_by_label("Navn på nøkkelen").fill(name)
            main(page).get_by_role("button", name="Lag nøkkel").click()
            expect(page.get_by_role("status").filter(has_text=f"Tilgangsnøkkelen «{name}» er laget.")).to_be_visible()
        check_first_screen(page, path)
        check_a11y(page)
        tokens = main(page).get_by_role("region", name="Nøklene dine", exact=True)
        revoke = tokens.get_by_role("button", name="Trekk tilbake")
        expect(revoke).to_have_count(2)
        # Everything about a token ends within the screen: nothing hides in a box that scrolls sideways.
        for element in tokens.locator("*").all():
            box = element.bounding_box()
            if box is not None and box["width"] > 0:
                assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, (
                    f"{element.evaluate('e => e.outerHTML.slice(0, 80)')} ends at {box['x'] + box['width']:.0f}px")
        assert tokens.evaluate("""section => [...section.querySelectorAll('*')].every(
            e => e.scrollWidth <= e.clientWidth || getComputedStyle(e).overflowX === 'visible')"""), \
            "a box on the token page scrolls sideways"

        revoke.first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Trekke tilbake tilgangsnøkkelen?")
        check_first_screen(page, page.url)
        page.get_by_role("button", name="Ja, trekk tilbake nøkkelen").click()
        expect(page).to_have_url(server(path))
        expect(revoke).to_have_count(1)
        expect(tokens).to_contain_text("Trukket tilbake")
        check_first_screen(page, path)
