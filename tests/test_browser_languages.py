"""Issue 14 in a real browser: nynorsk and English pages pass axe as bokmål does, the footer's
language switcher works with the keyboard and returns to the same page, a first visit follows the
browser's Accept-Language, and a signed-in person's choice follows them to another browser.

Expected texts come from the catalogues (``translated``, as in tests/test_languages.py), so these
journeys fail when a page is in the wrong language, not when a translator changes a word.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from network.auth.models import Person
from network.demo import content
from network.extensions import db
from tests.test_browser import (  # noqa: F401  (fixtures)
    COORDINATOR, PARTICIPANT, PASSWORD, LiveServer, browser_context_args, browser_type_launch_args, check_a11y,
    live_server, main,
)
from tests.test_browser_gatherings import follow_up_id
from tests.test_languages import translated

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

OPEN_GATHERING = content.FOLLOW_UP_GATHERINGS[0][1]
# The switcher names each language in itself (network/main/language.NAMES).
NYNORSK, ENGLISH = "Norsk nynorsk", "English"


@pytest.fixture
def another_browser(browser: Browser, browser_context_args):  # noqa: F811
    """Another browser (its own cookies), with the given locale and so its own Accept-Language."""
    contexts: list[BrowserContext] = []

    def open_page(locale: str = "nb-NO") -> Page:
        context = browser.new_context(**{**browser_context_args, "locale": locale})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def expect_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The switcher marks the language the page is in.
    current = page.locator("form.language-choice [aria-current=true]")
    expect(current).to_have_attribute("value", language)


def footer_switcher(page: Page, language: str):
    return page.get_by_role("group", name=translated(language, "Språk"))


def sign_in(page: Page, server: LiveServer, email: str, page_language: str, then_language: str) -> None:
    """Sign in on a login page in ``page_language``; "Min side" is then in ``then_language``."""
    page.goto(server("/login"))
    expect_language(page, page_language)
    page.get_by_label(translated(page_language, "E-postadresse")).fill(email)
    page.get_by_label(translated(page_language, "Passord"), exact=False).fill(PASSWORD)
    page.get_by_role("button", name=translated(page_language, "Logg inn")).click()
    expect(page).to_have_url(server("/me"))
    expect_language(page, then_language)
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(then_language, "Min side"))


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']} px"


def person_language(server: LiveServer, email: str) -> str | None:
    with server.app.app_context():
        found = db.session.scalar(select(Person.language).where(Person.email == email))
        db.session.remove()
    return found



# --- journeys ----------------------------------------------------------------------------


def test_a_nynorsk_browser_gets_nynorsk_and_the_switcher_gives_english_on_the_same_page(
        another_browser, live_server: LiveServer):
    server = live_server
    page = another_browser("nn-NO")

    page.goto(server("/login"))
    expect_language(page, "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("nn", "Logg inn"))
    expect(main(page).get_by_role("link", name=translated("nn", "Glemt passordet?"))).to_be_visible()
    assert translated("nn", "Glemt passordet?") != "Glemt passordet?"  # really nynorsk, not the bokmål source
    check_a11y(page)

    footer_switcher(page, "nn").get_by_role("button", name=ENGLISH).click()
    expect(page).to_have_url(server("/login"))
    expect_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("en", "Logg inn"))
    expect(main(page).get_by_role("link", name=translated("en", "Glemt passordet?"))).to_be_visible()
    check_a11y(page)

    # The choice is kept for the visit (the session), over the browser's nynorsk.
    page.goto(server("/personvern"))
    expect_language(page, "en")


def test_participant_chooses_nynorsk_with_the_keyboard_registers_and_keeps_it_in_another_browser(
        page: Page, another_browser, live_server: LiveServer):
    server = live_server
    page.set_default_timeout(10_000)  # fail in seconds, not Playwright's default 30
    follow_up = follow_up_id(server)

    # 1. Signed in in bokmål (a Norwegian browser), then nynorsk from the footer with the keyboard:
    #    Tab from "Norsk bokmål" to "Norsk nynorsk", Enter. Back on "Min side", now in nynorsk.
    sign_in(page, server, PARTICIPANT, "nb", "nb")
    switcher = footer_switcher(page, "nb")
    switcher.get_by_role("button", name="Norsk bokmål").focus()
    page.keyboard.press("Tab")
    expect(switcher.get_by_role("button", name=NYNORSK)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(server("/me"))
    expect_language(page, "nn")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("nn", "Min side"))
    assert translated("nn", "Min side") != "Min side"
    assert person_language(server, PARTICIPANT) == "nn"
    check_a11y(page)

    # 2. The next gathering, from "Min side", and the registration, all in nynorsk.
    mine = page.get_by_role("region", name=translated("nn", "Mine neste samlinger"))
    mine.get_by_role("link", name=translated("nn", "Samling %(n)s: %(title)s", n=1, title=OPEN_GATHERING)).click()
    expect(page).to_have_url(re.compile(rf"/networks/{follow_up}/gatherings/\d+$"))
    expect_language(page, "nn")
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPEN_GATHERING)
    check_a11y(page)

    # At a phone's width the page reflows in nynorsk too (its longer words included).
    page.set_viewport_size({"width": 375, "height": 800})
    no_sideways_scroll(page)
    check_a11y(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    main(page).get_by_role("link", name=translated("nn", "Meld meg på")).click()
    expect(page).to_have_url(re.compile(r"/register$"))
    expect_language(page, "nn")
    check_a11y(page)
    page.get_by_role("button", name=translated("nn", "Meld på"), exact=True).click()
    expect(page.get_by_role("status").filter(has_text=translated(
        "nn", "Du er påmeldt. En bekreftelse er sendt på e-post."))).to_be_visible()
    expect_language(page, "nn")
    check_a11y(page)

    # "Min side" at 375 px, now with the registration on it.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(server("/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("nn", "Min side"))
    no_sideways_scroll(page)
    check_a11y(page)

    # 3. Another browser, bokmål by its Accept-Language: the login page is bokmål, and once signed
    #    in the person's own choice, nynorsk, wins.
    other = another_browser("nb-NO")
    sign_in(other, server, PARTICIPANT, "nb", "nn")
    expect(other.get_by_role("status").filter(has_text=translated("nn", "Du er logget inn."))).to_be_visible()
    check_a11y(other)


def test_coordinator_pages_in_english(another_browser, live_server: LiveServer):
    """An English browser, no choice made: the coordinator's dashboard and gatherings in English."""
    server = live_server
    page = another_browser("en-GB")
    sign_in(page, server, COORDINATOR, "en", "en")
    check_a11y(page)

    page.goto(server(f"/networks/{server.network_id}/dashboard"))
    expect_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("en", "Oversikt for koordinatorer"))
    check_a11y(page)

    page.goto(server(f"/networks/{server.network_id}/gatherings/"))
    expect_language(page, "en")
    expect(page.get_by_role("navigation", name=translated("en", "Hovedmeny"))).to_be_visible()
    check_a11y(page)
    assert person_language(server, COORDINATOR) is None  # the browser decided; nothing was stored
