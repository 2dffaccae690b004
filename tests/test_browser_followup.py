"""Issue 6 in a real browser, with axe-core on every page: a participant sends feedback with an
attachment, the coordinator answers it, the gathering is marked held so an evaluation goes out,
the participant answers it, and the coordinator's dashboard shows the result."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus
from network.gatherings.models import Gathering, Registration, RegistrationStatus
from network.main import clock
from network.outbox.models import OutboxMessage
from tests.test_browser import (  # noqa: F401  (fixtures)
    COORDINATOR, PARTICIPANT, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server,
    main, sign_in,
)
from tests.test_browser_gatherings import follow_up_id, sign_out
from tests.test_feedback import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PROBLEM = "Lysarkene om tomtepolitikk har for mye tekst til et politisk utvalg."
REPLY = "Takk! Vi lager en kortere versjon til neste samling."


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page):
    page.set_default_timeout(10_000)


def registered_for_first_gathering(server: LiveServer, network_id: int) -> tuple[int, str]:
    """Hamar's participant has a seat at the follow-up's first gathering, which is open."""
    with server.app.app_context():
        gathering = db.session.scalar(select(Gathering).where(Gathering.network_id == network_id,
                                                              Gathering.number == 1))
        person = db.session.scalar(select(Person).where(Person.email == PARTICIPANT))
        if db.session.scalar(select(Registration).where(Registration.gathering_id == gathering.id,
                                                        Registration.person_id == person.id)) is None:
            db.session.add(Registration(gathering=gathering, person=person, status=RegistrationStatus.CONFIRMED,
                                        registered_by=person, days=list(gathering.days)))
            db.session.commit()
        result = gathering.id, gathering.title
        db.session.remove()
    return result


def rate(page: Page, question: str, value: str) -> None:
    page.locator("fieldset", has_text=question).get_by_label(value, exact=True).check()


def test_feedback_answered_evaluation_answered_dashboard_shows_it(page: Page, live_server: LiveServer, tmp_path):
    server = live_server
    network_id = follow_up_id(server)
    gathering_id, gathering_title = registered_for_first_gathering(server, network_id)
    slides = tmp_path / "hamars-lysark.pdf"
    slides.write_bytes(PDF)

    # 1. The participant sends feedback about the slide set with their own slides attached,
    #    after an error state that keeps what was typed.
    sign_in(page, server, PARTICIPANT)
    page.goto(server(f"/networks/{network_id}"))
    main(page).get_by_role("link", name="Gi tilbakemelding til KS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilbakemelding til KS")
    check_a11y(page)
    page.get_by_label("Hva gjelder tilbakemeldingen?").select_option("slides")
    page.get_by_role("button", name="Send tilbakemeldingen").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.get_by_label("Hva gjelder tilbakemeldingen?")).to_have_value("slides")
    check_a11y(page)
    page.get_by_label("Hva fungerer ikke?").fill(PROBLEM)
    page.get_by_label("Vedlegg").set_input_files(str(slides))
    page.get_by_role("button", name="Send tilbakemeldingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Takk for tilbakemeldingen!")
    check_a11y(page)
    sign_out(page)

    # 2. The coordinator finds it in the inbox, opens the attachment link and answers by e-mail.
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{network_id}"))
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Tilbakemeldinger").click()
    check_a11y(page)
    main(page).get_by_role("link", name=re.compile("tomtepolitikk")).first.click()
    expect(main(page).get_by_role("link", name=re.compile("hamars-lysark"))).to_be_visible()
    check_a11y(page)
    page.get_by_label("Svaret ditt").fill(REPLY)
    page.get_by_role("button", name="Send svaret").click()
    expect(main(page)).to_contain_text(REPLY)
    expect(main(page)).to_contain_text("Besvart")
    check_a11y(page)
    with server.app.app_context():
        feedback = db.session.scalar(select(Feedback).where(Feedback.does_not_work == PROBLEM))
        assert feedback.status is FeedbackStatus.ANSWERED and len(feedback.attachments) == 1
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == PARTICIPANT,
                                                             OutboxMessage.body_text.contains(REPLY))) is not None
        db.session.remove()

    # 3. The gathering is over (its days moved to the past: "held" is refused before the last day),
    #    so the coordinator closes registration and marks it held: the evaluation goes out.
    with server.app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        shift = gathering.days[-1].day - (clock.oslo_today() - timedelta(days=1))
        for day in gathering.days:
            day.day -= shift
        db.session.commit()
        db.session.remove()
    page.goto(server(f"/networks/{network_id}/gatherings/{gathering_id}/edit"))
    page.get_by_label("Ny status").select_option(label="Påmeldingen er stengt")
    page.get_by_role("button", name="Endre status").click()
    page.get_by_label("Ny status").select_option(label="Gjennomført")
    page.get_by_role("button", name="Endre status").click()
    expect(main(page)).to_contain_text("nå e-post med invitasjon til å evaluere samlingen")  # asked first: it can't be taken back
    check_a11y(page)
    page.get_by_role("button", name="Ja, merk som gjennomført").click()
    expect(main(page)).to_contain_text("Nå: Gjennomført.")
    check_a11y(page)
    with server.app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.recipient == PARTICIPANT, OutboxMessage.subject.contains("valuer"))) is not None
        db.session.remove()
    sign_out(page)

    # 4. The participant finds the evaluation on their page and answers it, after forgetting a rating.
    sign_in(page, server, PARTICIPANT)
    page.goto(server("/me"))
    main(page).get_by_role("link", name=f"Evaluer samling 1: {gathering_title}").click()
    check_a11y(page)
    rate(page, "Hvor relevant var samlingen for deg?", "5 (høyest)")
    rate(page, "Hvor nyttig var samlingen for din kommune?", "4")
    page.get_by_label("Hva var det beste med samlingen?").fill("Å høre hvordan Lillehammer brukte lysarkene.")
    page.get_by_role("button", name="Send svaret").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.get_by_label("Hva var det beste med samlingen?")).to_have_value(
        "Å høre hvordan Lillehammer brukte lysarkene.")
    check_a11y(page)
    rate(page, "Hvor godt var samlingen organisert?", "3")
    page.get_by_role("button", name="Send svaret").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Takk")
    check_a11y(page)
    page.goto(server("/me"))
    expect(main(page).get_by_role("link", name=f"Evaluer samling 1: {gathering_title}")).to_have_count(0)
    sign_out(page)

    # 5. The dashboard counts the answer among the evaluation scores, readable on a phone; with one answer
    #    the averages are withheld, since they would be that one person's ratings.
    sign_in(page, server, COORDINATOR)
    page.goto(server(f"/networks/{network_id}"))
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Oversikt").click()
    row = page.locator("#evaluations-table tbody tr", has_text=gathering_title)
    expect(row).to_contain_text(re.compile(r"1 / \d+"))
    expect(row.locator("td")).to_contain_text(["1 /", "%", "1 svar; resultatene vises fra 3 svar."])
    expect(row).not_to_contain_text("5,0")
    check_a11y(page)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the dashboard scrolls sideways by {overflow}px at 320 CSS pixels"
    check_a11y(page)
