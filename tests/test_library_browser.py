"""The experience library in a real browser, with axe-core (WCAG 2.1 A/AA) on every page: a
coordinator searches, filters, writes an example for a municipality outside the network (with an
error on the way), publishes it and opens it to everyone; then anyone reads it without signing in.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.library.demo import load_demo as load_library_demo
from tests.test_browser import (  # noqa: F401  (the two fixtures point Playwright at Debian's Chromium)
    COORDINATOR, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, main, serve_demo, sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]
SCREENSHOTS = "/tmp/library-{name}.png"


def _with_library_examples(network) -> None:
    coordinator = db.session.scalar(select(Person).where(Person.email == COORDINATOR))
    load_library_demo(network, coordinator)


@pytest.fixture(scope="module")
def library_server(migrated_database):
    """The demo with the library's examples, served as in tests/test_browser.py."""
    with serve_demo(migrated_database, also=_with_library_examples) as server:
        yield server


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)


def test_write_publish_and_read_an_example(page: Page, library_server: LiveServer):
    server = library_server
    library = f"/networks/{server.network_id}/library"
    sign_in(page, server, COORDINATOR)

    page.goto(server(library))
    expect(page.get_by_role("heading", level=1)).to_have_text("Erfaringsbiblioteket")
    expect(main(page).locator(".example-card").first).to_contain_text("Tromsø")  # featured first
    check_a11y(page)
    page.screenshot(path=SCREENSHOTS.format(name="index"), full_page=True)

    # Search and filter with the form, no JavaScript needed.
    page.get_by_label("Søk", exact=True).fill("tilvisningsavtaler")
    page.get_by_role("button", name="Vis eksempler").click()
    expect(main(page).locator(".example-card")).to_have_count(1)
    expect(main(page).locator(".example-card")).to_contain_text("Ringsaker")
    page.get_by_label("Søk", exact=True).fill("")
    page.get_by_label("Steg i planprosessen").select_option("housing_plan")
    page.get_by_label("Fylke").select_option(label="Innlandet")
    page.get_by_role("button", name="Vis eksempler").click()
    expect(page).to_have_url(re.compile(r"step=housing_plan"))
    expect(main(page).locator(".example-card")).to_have_count(2)  # Ringsaker and Gjøvik
    expect(page.get_by_label("Steg i planprosessen")).to_have_value("housing_plan")
    check_a11y(page)

    main(page).get_by_role("link", name="Leie før eie i Gjøvik").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leie før eie i Gjøvik")
    check_a11y(page)

    # A new example for Ringsaker, which is not a member; the first try lacks a title.
    page.goto(server(library))
    page.get_by_role("link", name="Skriv et nytt eksempel").click()
    page.get_by_label("Kommune", exact=False).first.select_option(label="Ringsaker")
    page.get_by_label("Sammendrag").fill("Kommunen pusset opp eldre bygg i sentrum og leier dem ut.")
    page.get_by_role("button", name="Lagre som utkast").click()
    expect(page.get_by_role("region", name="Rett opp dette før du går videre:")).to_be_visible()
    expect(page.get_by_label("Sammendrag")).to_have_value("Kommunen pusset opp eldre bygg i sentrum og leier dem ut.")
    check_a11y(page)
    page.screenshot(path=SCREENSHOTS.format(name="form-error"), full_page=True)
    page.get_by_label("Tittel", exact=False).first.fill("Opprusting av sentrumsgårder i Brumunddal")
    page.get_by_label("4. Temaplan for boligpolitikk").check()
    page.get_by_label("4. Vær en strategisk eiendomsaktør").check()
    page.get_by_role("button", name="Lagre som utkast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opprusting av sentrumsgårder i Brumunddal")
    expect(main(page)).to_contain_text("Utkast")

    page.get_by_role("button", name="Publiser").click()
    expect(page.get_by_role("status").filter(has_text="publisert")).to_be_visible()
    page.get_by_role("button", name="Gjør det åpent for alle").click()
    expect(main(page)).to_contain_text("Åpen adresse:")
    check_a11y(page)
    page.screenshot(path=SCREENSHOTS.format(name="show"), full_page=True)
    public_path = main(page).locator(".example-manage a[href^='/examples/']").get_attribute("href")

    # Anyone reads it, without signing in.
    page.context.clear_cookies()
    page.goto(server("/examples"))
    expect(main(page)).to_contain_text("Opprusting av sentrumsgårder i Brumunddal")
    expect(main(page)).not_to_contain_text("Bodøs helhetlige")  # members only
    check_a11y(page)
    page.goto(server(public_path))
    expect(page.get_by_role("heading", level=1)).to_have_text("Opprusting av sentrumsgårder i Brumunddal")
    expect(main(page)).not_to_contain_text("Sist endret")
    check_a11y(page)
    page.screenshot(path=SCREENSHOTS.format(name="public"), full_page=True)
