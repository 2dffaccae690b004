"""Issue 4 in a real browser, with axe-core on every page: a coordinator makes table groups for a
gathering from the app's suggestion and moves a municipality, and a participant marks a challenge
and finds the municipalities that share it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.demo import content
from network.extensions import db
from network.groups.models import Grouping
from tests.test_browser import (  # noqa: F401  (fixtures)
    COORDINATOR, PARTICIPANT, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server,
    main, sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

GROUPING_NAME = "Gruppearbeid på samling 4"
PRICES_CHALLENGE = content.CHALLENGES[0]
HUB_CHALLENGE = content.CHALLENGES[6]


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name=name, exact=True).click()


def test_coordinator_makes_groups_from_a_suggestion(page: Page, live_server: LiveServer):
    server = live_server
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{server.network_id}"))
    nav(page, "Grupper")
    expect(page.get_by_role("heading", level=1)).to_have_text("Grupper")
    expect(main(page)).to_contain_text(content.TABLE_GROUPS_NAME)  # the demo's groups for gathering 3
    check_a11y(page)

    # Step 1: the basis. An empty name is refused on the form, with what was typed kept.
    main(page).get_by_role("link", name="Ny gruppeinndeling").click()
    gathering = page.get_by_label("Samling")
    fourth = [text for text in gathering.locator("option").all_inner_texts() if text.startswith("Samling 4:")][0]
    gathering.select_option(label=fourth)
    page.get_by_label("Ønsket antall kommuner per gruppe").fill("4")
    page.get_by_role("button", name="Lag forslag").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Navn på gruppeinndelingen").fill(GROUPING_NAME)
    page.get_by_role("radio", name="Blandet").check()
    page.get_by_role("button", name="Lag forslag").click()

    # Step 2: the proposal, one select per municipality. Move Hamar into the last group.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny gruppeinndeling")
    check_a11y(page)
    hamar = page.get_by_label("Gruppe for Hamar")
    options = hamar.locator("option").all_inner_texts()
    target = [text for text in options if text.strip()][-1]
    hamar.select_option(label=target)
    # The script moves the row on screen and tells screen readers where it went.
    expect(page.locator("[data-group-announcer]")).to_contain_text("Hamar")
    expect(page.locator("[data-group-announcer]")).to_contain_text(target)
    page.get_by_role("button", name="Lagre").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(GROUPING_NAME)
    expect(main(page).locator("section").filter(has=page.get_by_role("heading", name=target))).to_contain_text("Hamar")
    check_a11y(page)
    with server.app.app_context():
        grouping = db.session.scalar(select(Grouping).where(Grouping.name == GROUPING_NAME))
        placed = {m.membership.organisation.name: group.name for group in grouping.groups for m in group.members}
        assert grouping.gathering.number == 4
        assert placed["Hamar"] == target
        assert len(placed) == 17
        db.session.remove()

    # The group page and the list for the gathering room.
    main(page).get_by_role("link", name=target, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target)
    expect(main(page)).to_contain_text("Hamar")
    check_a11y(page)
    page.go_back()
    main(page).get_by_role("link", name=re.compile("Utskrift|skriv ut", re.I)).first.click()
    expect(main(page)).to_contain_text("Hamar")
    check_a11y(page)


def test_participant_marks_a_challenge_and_finds_who_shares_it(page: Page, live_server: LiveServer):
    server = live_server
    sign_in(page, server, PARTICIPANT)
    page.goto(server(f"/networks/{server.network_id}"))
    nav(page, "Utfordringer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Utfordringer i boligpolitikken")
    check_a11y(page)

    # Who shares high prices: Hamar itself and the other municipalities with strong growth.
    main(page).get_by_role("link", name=PRICES_CHALLENGE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRICES_CHALLENGE)
    for name in ("Nittedal", "Lier", "Kristiansand", "Hamar"):
        expect(main(page).get_by_role("table")).to_contain_text(name)
    expect(main(page).get_by_role("table")).to_contain_text("Sterk vekst")
    check_a11y(page)

    # Hamar adds the hub-policy challenge. A description without a tick is refused, then fixed.
    main(page).get_by_role("link", name="Rediger utfordringene for Hamar").click()
    choice = page.get_by_role("group", name=re.compile("^7\\. "))
    choice.get_by_label("Slik ser det ut hos oss").fill("Knutepunktet ved stasjonen løfter prisene i sentrum.")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    check_a11y(page)
    choice = page.get_by_role("group", name=re.compile("^7\\. "))
    expect(choice.get_by_label("Slik ser det ut hos oss")).to_have_value("Knutepunktet ved stasjonen løfter prisene i sentrum.")
    choice.get_by_label("Gjelder oss").check()
    choice.get_by_label("Prioritet").select_option(label="Middels")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("status").first).to_be_visible()

    # Now Hamar sits beside Lillehammer under that challenge.
    page.goto(server(f"/networks/{server.network_id}/challenges"))
    main(page).get_by_role("link", name=HUB_CHALLENGE).click()
    table = main(page).get_by_role("table")
    expect(table).to_contain_text("Lillehammer")
    expect(table).to_contain_text("Hamar")
    expect(table).to_contain_text("Knutepunktet ved stasjonen")
    check_a11y(page)
