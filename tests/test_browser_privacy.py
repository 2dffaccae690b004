"""Browser journey for privacy (headless Chromium, axe-core on every page): the privacy page from
the footer, "Mine data" from Min side with its download, asking for deletion (the confirmation and
its error state), and a KS administrator's requests page and export log."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.test_browser import (  # noqa: F401  (fixtures)
    COORDINATOR, PARTICIPANT, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server,
    main, sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def test_privacy_page_my_data_and_deletion_request(page: Page, live_server: LiveServer):
    server = live_server
    page.set_default_timeout(10_000)

    # The privacy page, public, from the footer of any page.
    page.goto(server("/login"))
    page.get_by_role("contentinfo").get_by_role("link", name="Personvern").click()
    expect(page).to_have_url(server("/personvern"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Personvern i KS nettverk")
    expect(main(page).get_by_role("table")).to_contain_text("dager etter samlingens siste dag")
    check_a11y(page)

    # "Mine data" from Min side.
    sign_in(page, server, PARTICIPANT)
    main(page).get_by_role("region", name="Mine data og personvern").get_by_role("link", name="Mine data").click()
    expect(page).to_have_url(server("/me/data"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine data")
    expect(main(page).get_by_role("region", name="Konto", exact=True)).to_contain_text(PARTICIPANT)
    check_a11y(page)
    download = page.request.get(server("/me/data.json"))
    assert download.status == 200 and json.loads(download.body())["account"][0]["email"] == PARTICIPANT

    # Asking for deletion: the confirmation step, first without the tick.
    main(page).get_by_role("link", name="Be om å få kontoen slettet").click()
    expect(page).to_have_url(server("/me/delete"))
    check_a11y(page)
    main(page).get_by_role("button", name="Be om sletting").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Kryss av")
    expect(page.locator("[data-error-summary]")).to_be_focused()  # app.js moves focus there once loaded
    expect(main(page).get_by_role("checkbox")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)
    main(page).get_by_role("checkbox").check()
    main(page).get_by_role("button", name="Be om sletting").click()
    expect(page).to_have_url(server("/me/data#deletion"))
    expect(page.get_by_role("status").filter(has_text="Vi har mottatt forespørselen din")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Logg ut").click()

    # A KS administrator sees the request, tries to decline without a reason, and reads the export log.
    sign_in(page, server, COORDINATOR)
    main(page).get_by_role("link", name="Forespørsler om sletting").click()
    expect(page).to_have_url(server("/admin/deletion-requests"))
    expect(main(page)).to_contain_text(PARTICIPANT)
    check_a11y(page)
    main(page).get_by_text("Avslå med begrunnelse").click()
    main(page).get_by_role("button", name="Avslå forespørselen").click()
    expect(main(page).locator(".ds-validation-message")).to_contain_text("Skriv hvorfor")
    check_a11y(page)
    main(page).get_by_role("button", name="Slett kontoen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slette kontoen?")
    check_a11y(page)
    main(page).get_by_role("button", name="Ja, slett kontoen").click()
    expect(page.get_by_role("status").filter(has_text="Kontoen er slettet")).to_be_visible()
    check_a11y(page)

    page.goto(server("/me"))
    main(page).get_by_role("link", name="Logg over nedlastinger av personopplysninger").click()
    expect(main(page).get_by_role("table")).to_contain_text("Mine data")
    check_a11y(page)
    main(page).get_by_label("Hva").select_option("my_data")
    main(page).get_by_role("button", name="Vis").click()
    expect(main(page).get_by_role("table")).to_contain_text("/me/data.json")
    check_a11y(page)


def test_privacy_pages_fit_a_phone(browser: Browser, live_server: LiveServer):
    """At 375 px the retention table's sentences wrap inside it instead of scrolling sideways, and the
    deletion requests' filters are a row of links without bullets, the shown one marked."""
    server = live_server
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(server("/personvern"))
        region = main(page).locator("[role=region]", has=page.get_by_role("table"))
        overflow = region.evaluate("box => box.scrollWidth - box.clientWidth")
        assert overflow <= 0, f"the retention table needs {overflow}px more than a phone gives it"

        sign_in(page, server, COORDINATOR)
        page.goto(server("/admin/deletion-requests?status=all"))
        filters = page.get_by_role("navigation", name="Vis forespørsler").get_by_role("listitem")
        assert filters.evaluate_all("items => items.map(item => getComputedStyle(item).listStyleType)") == ["none"] * 5
        expect(filters.get_by_role("link", name="Alle")).to_have_attribute("aria-current", "page")
        check_a11y(page)
    finally:
        context.close()
