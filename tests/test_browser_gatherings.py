"""The registration journey in a real browser, with axe-core on every page: a participant
registers and downloads the .ics, the contact sees the cost, the coordinator exports the
invoice basis and the XLSX holds the right totals."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.demo import content
from network.extensions import db
from network.networks.models import Network
from tests.test_browser import (  # noqa: F401  (fixtures)
    CONTACT, PARTICIPANT, COORDINATOR, LiveServer, browser_context_args, browser_type_launch_args, check_a11y,
    live_server, main, sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

FOLLOW_UP = content.FOLLOW_UP["name"]
OPEN_GATHERING = content.FOLLOW_UP_GATHERINGS[0][1]


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)


def follow_up_id(server: LiveServer) -> int:
    with server.app.app_context():
        network_id = db.session.scalar(select(Network.id).where(Network.name == FOLLOW_UP))
        db.session.remove()
    return network_id


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Logg ut").click()
    expect(page.get_by_role("status").filter(has_text="Du er logget ut.")).to_be_visible()


def test_register_download_cost_and_invoice_basis(page: Page, live_server: LiveServer):
    server = live_server
    network_id = follow_up_id(server)

    # 1. The participant registers for the open gathering.
    sign_in(page, server, PARTICIPANT)
    main(page).get_by_role("link", name=FOLLOW_UP).click()
    check_a11y(page)
    page.get_by_role("link", name=f"1. {OPEN_GATHERING}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPEN_GATHERING)
    expect(main(page)).to_contain_text(content.FOLLOW_UP_PROGRAMME[1][2])  # the programme is shown
    check_a11y(page)
    page.get_by_role("link", name="Meld meg på").click()
    check_a11y(page)
    # Both days are ticked already; untick both to see the error, then choose them again.
    for box in page.get_by_role("group", name="Dager du deltar").get_by_role("checkbox").all():
        box.uncheck()
    page.get_by_role("button", name="Meld på").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Velg minst én dag.")
    check_a11y(page)
    for box in page.get_by_role("group", name="Dager du deltar").get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Allergier").fill("Nøtter")
    page.get_by_role("button", name="Meld på").click()
    expect(page.get_by_role("status").filter(has_text="er påmeldt")).to_be_visible()
    expect(page.locator("#mine-heading + p")).to_contain_text("Påmeldt")
    check_a11y(page)

    # 2. They download the gathering's calendar file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Legg samlingen i kalenderen (.ics)").click()
    calendar = Calendar.from_ical(open(download_info.value.path(), "rb").read())
    events = [c for c in calendar.walk("VEVENT")]
    assert events and any(OPEN_GATHERING in str(event.get("SUMMARY")) for event in events)
    sign_out(page)

    # 3. Hamar's contact sees the cost: two day packages at 900 kr.
    sign_in(page, server, CONTACT)
    main(page).get_by_role("link", name=FOLLOW_UP).click()
    page.get_by_role("link", name="Hamar", exact=True).first.click()
    costs = page.get_by_role("table", name="Kostnad for Hamar per samling og totalt")
    expect(costs).to_contain_text("1\u00a0800")
    check_a11y(page)
    sign_out(page)

    # 4. The coordinator exports the invoice basis; the XLSX holds the right totals.
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{network_id}"))
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Kostnader").click()
    check_a11y(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Last ned fakturagrunnlag (Excel)").click()
    workbook = load_workbook(BytesIO(open(download_info.value.path(), "rb").read()), data_only=True)
    # One row per line on the first sheet; the sums (formulas with their values cached) on their own.
    lines = list(workbook["Fakturagrunnlag"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], Decimal(str(row[7]))) for row in lines] == [("Hamar", Decimal("1800"))]
    sums = {row[0]: Decimal(str(row[4])) for row in workbook["Sum per organisasjon"].iter_rows(min_row=2, values_only=True)
            if row[0]}
    assert sums["Hamar"] == sums["Totalt"] == Decimal("1800"), sums
