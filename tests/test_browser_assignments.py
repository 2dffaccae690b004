"""Issue 5 in a real browser, with axe-core on every page: a coordinator gives an assignment,
a participant drafts and submits method A for Hamar, a participant from another municipality
comments, and the coordinator sees it all in the grid."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.assignments.models import Assignment, Comment, Submission, SubmissionStatus
from network.extensions import db
from tests.test_browser import (  # noqa: F401  (fixtures)
    COORDINATOR, PARTICIPANT, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server,
    main, sign_in,
)
from tests.test_browser_gatherings import follow_up_id, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

OTHER_PARTICIPANT = "deltaker.lillehammer@demo.test"
TITLE = "Slik bruker vi lysarkene hjemme"
ANSWER = "Vi har vist lysarkene for **formannskapet** og skal bruke dem i kommunestyret i mai."


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)


def option_starting(page: Page, label: str, start: str) -> str:
    return [text for text in page.get_by_label(label).locator("option").all_inner_texts() if text.startswith(start)][0]


def test_assignment_from_draft_to_comment_to_grid(page: Page, live_server: LiveServer):
    server = live_server
    network_id = follow_up_id(server)

    # 0. The coordinator gives method A after the first gathering. A due date after the
    #    presenting gathering is refused on the form.
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{network_id}/assignments"))
    check_a11y(page)
    main(page).get_by_role("link", name="Ny oppgave").click()
    page.get_by_label("Tittel").fill(TITLE)
    page.get_by_role("radio", name="A: boligpolitiske mål og innhold").check()
    page.get_by_label("Beskrivelse").fill("Fortell kort hvordan kommunen har brukt lysarkene.")
    page.get_by_label("Gis på samling").select_option(label=option_starting(page, "Gis på samling", "Samling 1:"))
    page.get_by_label("Legges fram på samling").select_option(label=option_starting(page, "Legges fram på samling", "Samling 2:"))
    page.get_by_label("Frist").fill("2027-12-01")
    page.get_by_role("radio", name="Hele nettverket").check()
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.get_by_label("Tittel")).to_have_value(TITLE)
    check_a11y(page)
    page.get_by_label("Frist").fill("2027-09-30")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_a11y(page)
    sign_out(page)

    # 1. Hamar's participant saves a draft, then submits it.
    sign_in(page, server, PARTICIPANT)
    page.goto(server(f"/networks/{network_id}/assignments"))
    main(page).get_by_role("link", name=TITLE, exact=True).click()
    main(page).get_by_role("link", name="Start besvarelsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Besvarelse fra Hamar")
    check_a11y(page)
    page.get_by_label("Besvarelsen", exact=True).fill(ANSWER)
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_label("Besvarelsen", exact=True)).to_have_value(ANSWER)
    check_a11y(page)
    page.get_by_role("button", name="Lever").click()
    # Delivering is for good: a confirmation page first, which works without JavaScript.
    expect(page.get_by_role("heading", level=1)).to_have_text("Levere besvarelsen?")
    check_a11y(page)
    page.get_by_role("button", name="Ja, lever besvarelsen").click()
    expect(main(page).locator("#text-heading + *")).to_contain_text("formannskapet")
    expect(main(page).locator("strong").filter(has_text="formannskapet")).to_be_visible()  # Markdown rendered
    check_a11y(page)
    sign_out(page)

    # 2. Lillehammer's participant reads it and comments.
    sign_in(page, server, OTHER_PARTICIPANT)
    page.goto(server(f"/networks/{network_id}/assignments"))
    main(page).get_by_role("link", name=TITLE, exact=True).click()
    main(page).get_by_role("link", name="Hamar").click()
    check_a11y(page)
    page.get_by_label("Kommentar", exact=True).fill("Fint! Hvordan tok kommunestyret imot de seks rådene?")
    page.get_by_role("button", name="Publiser kommentaren").click()
    expect(page.locator("#comments")).to_contain_text("Hvordan tok kommunestyret imot")
    check_a11y(page)
    sign_out(page)

    # 3. The coordinator sees Hamar submitted, with one comment, and the others missing.
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{network_id}/assignments/grid"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversikt over besvarelser")
    hamar_row = main(page).get_by_role("row").filter(has=page.get_by_role("link", name="Hamar", exact=True))
    expect(hamar_row).to_contain_text("Levert")
    expect(hamar_row).to_contain_text("1")
    check_a11y(page)

    with server.app.app_context():
        assignment = db.session.scalar(select(Assignment).where(Assignment.title == TITLE))
        submission = db.session.scalar(select(Submission).where(Submission.assignment_id == assignment.id))
        assert submission.status is SubmissionStatus.SUBMITTED and not submission.is_late
        assert submission.text == ANSWER
        assert db.session.scalar(select(Comment.body).where(Comment.submission_id == submission.id)).startswith("Fint!")
        db.session.remove()
