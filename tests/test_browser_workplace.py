"""Issue 12's journeys in a real browser, with axe-core on every page: a participant finds the next
gathering from "Min side", registers, sees the cost and the free-cancellation deadline there, and
cancels after the confirmation step; Hamar's contact registers three colleagues in one step and
sees what the team costs."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.auth.models import Person
from network.demo import content
from network.extensions import db
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.main.formatting import date_range, date_time
from network.outbox.models import OutboxMessage
from tests.test_browser import (  # noqa: F401  (fixtures)
    CONTACT, PARTICIPANT, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server, main,
    sign_in,
)
from tests.test_browser_gatherings import follow_up_id

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

OPEN_GATHERING = content.FOLLOW_UP_GATHERINGS[0][1]
NBSP = "\u00a0"
# Hamar's executive and its two elected members in the follow-up network: the colleagues the
# contact registers (Hamar's participant is left to the other journey).
COLLEAGUES = ["radmann.hamar@demo.test", *(f"{prefix}.hamar@demo.test" for _n, prefix, _name, _title
                                           in content.FOLLOW_UP_ELECTED)]


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)


def names(server: LiveServer, emails: list[str]) -> list[str]:
    with server.app.app_context():
        found = [db.session.scalar(select(Person.name).where(Person.email == email)) for email in emails]
        db.session.remove()
    return found


def open_gathering_dates(server: LiveServer) -> tuple[str, str]:
    """The open gathering's days and free-cancellation deadline as pages write them (the demo
    counts its dates from the day it is loaded)."""
    with server.app.test_request_context():
        gathering = db.session.scalar(select(Gathering).where(Gathering.title == OPEN_GATHERING))
        shown = date_range(gathering.starts_on, gathering.ends_on), date_time(gathering.cancellation_deadline)
        db.session.remove()
    return shown


def to_my_page(page: Page, server: LiveServer) -> None:
    page.get_by_role("link", name="Min side", exact=True).first.click()
    expect(page).to_have_url(server("/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Min side")


def confirm_if_asked(page: Page) -> None:
    """Destructive actions ask first (a page of their own, without JavaScript): read it, say yes."""
    confirmation = page.locator("[data-confirm-page]")
    expect(page.locator("[data-confirm-page], main [role=status]").first).to_be_visible()  # the next page is in
    if confirmation.count():
        check_a11y(page)
        confirmation.get_by_role("button", name=re.compile(r"^Ja\b")).click()


def test_participant_registers_from_my_page_sees_cost_and_deadline_and_cancels(page: Page, live_server: LiveServer):
    server = live_server
    network_id = follow_up_id(server)

    # 1. "Min side" shows the open gathering; the participant opens it and registers for both days.
    sign_in(page, server, PARTICIPANT)
    mine = page.get_by_role("region", name="Mine neste samlinger")
    expect(mine).to_contain_text("Du er ikke påmeldt noen kommende samlinger.")
    check_a11y(page)
    mine.get_by_role("link", name=f"Samling 1: {OPEN_GATHERING}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPEN_GATHERING)
    check_a11y(page)
    main(page).get_by_role("link", name="Meld meg på").click()
    check_a11y(page)
    page.get_by_role("button", name="Meld på").click()
    expect(page.get_by_role("status").filter(has_text="er påmeldt")).to_be_visible()
    check_a11y(page)

    # 2. Back on "Min side": the days, the status, the cost and the free-cancellation deadline
    #    (the deadline is stored in UTC and shown in Oslo time).
    to_my_page(page, server)
    days, deadline = open_gathering_dates(server)
    card = page.get_by_role("region", name="Mine neste samlinger").get_by_role("listitem").filter(
        has=page.get_by_role("link", name=f"Samling 1: {OPEN_GATHERING}"))
    expect(card).to_contain_text(days)
    expect(card).to_contain_text("Påmeldt")
    expect(card).to_contain_text(f"1{NBSP}800{NBSP}kr (2 dagpakker à 900{NBSP}kr)")
    expect(card).to_contain_text(deadline)
    deadlines = page.get_by_role("region", name="Frister")
    expect(deadlines).to_contain_text("siste frist for gratis avmelding")
    check_a11y(page)

    # 3. Their own costs in the network, from the card.
    card.get_by_role("link", name=re.compile("^Mine kostnader")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine kostnader")
    expect(page.get_by_role("table")).to_contain_text(f"1{NBSP}800{NBSP}kr")
    check_a11y(page)

    # 4. They cancel from "Min side", after the confirmation step.
    to_my_page(page, server)
    page.get_by_role("region", name="Mine neste samlinger").get_by_role(
        "link", name=re.compile("^Endre eller meld av")).click()
    expect(page).to_have_url(re.compile(r"/registrations/\d+/edit$"))
    expect(main(page).get_by_role("button", name=re.compile("^Meld av"))).to_be_visible()
    check_a11y(page)
    main(page).get_by_role("button", name=re.compile("^Meld av")).click()
    confirm_if_asked(page)
    expect(page.get_by_role("status").filter(has_text="er meldt av")).to_be_visible()
    check_a11y(page)
    to_my_page(page, server)
    mine = page.get_by_role("region", name="Mine neste samlinger")
    expect(mine).to_contain_text("Du er ikke påmeldt noen kommende samlinger.")
    expect(mine.get_by_role("link", name=re.compile("^Meld meg på"))).to_be_visible()
    check_a11y(page)

    with server.app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == PARTICIPANT))
        gathering = db.session.scalar(select(Gathering).where(Gathering.network_id == network_id, Gathering.number == 1))
        registration = db.session.scalar(select(Registration).where(
            Registration.person_id == person.id, Registration.gathering_id == gathering.id))
        assert registration.status is RegistrationStatus.CANCELLED and not registration.late_cancellation
        db.session.remove()


def test_contact_registers_three_colleagues_in_one_step_and_sees_the_team_cost(page: Page, live_server: LiveServer):
    server = live_server
    colleagues = names(server, COLLEAGUES)

    # 1. "Min side" shows Hamar's team and leads to the one-step registration.
    sign_in(page, server, CONTACT)
    team = page.get_by_role("region", name="Kommunens lag: Hamar")
    expect(team).to_contain_text(content.FOLLOW_UP["name"])
    expect(team).to_contain_text("Ikke påmeldt")
    check_a11y(page)
    team.get_by_role("link", name="Meld på laget").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meld på laget fra Hamar")
    check_a11y(page)

    # 2. Nobody ticked: the error summary, focused; then three colleagues in one go.
    page.get_by_role("button", name="Meld på de valgte").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Kryss av minst én person.")
    expect(summary).to_be_focused()
    check_a11y(page)
    people = page.get_by_role("group", name="Hvem skal være med?")
    for name in colleagues:
        people.get_by_label(re.compile(f"^{re.escape(name)}")).check()
    days = page.get_by_role("group", name="Dager de deltar").get_by_role("checkbox")
    expect(days).to_have_count(2)
    for box in days.all():
        expect(box).to_be_checked()
    page.get_by_role("button", name="Meld på de valgte").click()
    status = page.get_by_role("status").filter(has_text="hver sin bekreftelse på e-post")
    expect(status).to_be_visible()
    for name in colleagues:
        expect(status).to_contain_text(name)
    registered = page.get_by_role("region", name="Allerede påmeldt fra Hamar")
    for name in colleagues:
        expect(registered).to_contain_text(f"{name}: Påmeldt")
    check_a11y(page)
    with server.app.app_context():
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.in_(COLLEAGUES))).all()
        assert sorted(m.recipient for m in mails) == sorted(COLLEAGUES)
        assert all(m.subject == f"Påmeldt: {OPEN_GATHERING}" for m in mails)
        db.session.remove()

    # 3. "Min side" shows who is registered and what it costs: three people, two days, 900 kr a day.
    to_my_page(page, server)
    team = page.get_by_role("region", name="Kommunens lag: Hamar")
    expect(team).to_contain_text("3 av laget er påmeldt.")
    for name in colleagues:
        expect(team.get_by_role("row").filter(has_text=name)).to_contain_text(f"1{NBSP}800{NBSP}kr")
    expect(team.get_by_role("row").filter(has_text="Totalt")).to_contain_text(f"5{NBSP}400{NBSP}kr")
    check_a11y(page)

    # 4. The municipality's costs, from the team section.
    team.get_by_role("link", name="Kommunens kostnader").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kostnader for Hamar")
    costs = page.get_by_role("table", name="Kostnad for Hamar per samling og totalt")
    expect(costs.get_by_role("row").filter(has_text=f"Samling 1: {OPEN_GATHERING}")).to_contain_text(
        f"5{NBSP}400{NBSP}kr")
    check_a11y(page)
