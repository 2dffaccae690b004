"""Browser journey for the private calendar feed on "Min side" (headless Chromium, axe-core)."""
from __future__ import annotations

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.test_browser import (  # noqa: F401  (fixtures)
    PARTICIPANT, LiveServer, browser_context_args, browser_type_launch_args, check_a11y, live_server, main, sign_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


def test_participant_subscribes_to_and_renews_the_calendar_feed(page: Page, live_server: LiveServer):
    page.set_default_timeout(10_000)
    sign_in(page, live_server, PARTICIPANT)
    section = main(page).get_by_role("region", name="Samlingene i kalenderen din")
    section.get_by_role("button", name="Lag kalenderlenke").click()  # a real POST, with CSRF on
    expect(page.get_by_role("status").filter(has_text="Kalenderlenken din er klar.")).to_be_visible()
    field = section.get_by_label("Kalenderlenken din")
    expect(field).to_have_attribute("readonly", "")
    check_a11y(page)

    feed_url = field.input_value()
    assert feed_url.startswith(live_server("/calendar/")) and feed_url.endswith(".ics")
    response = page.request.get(feed_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    Calendar.from_ical(response.body())

    section.get_by_role("button", name="Lag ny lenke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lage en ny kalenderlenke?")
    page.get_by_role("button", name="Ja, lag ny lenke").click()
    expect(page.get_by_role("status").filter(has_text="Den gamle lenken virker ikke lenger.")).to_be_visible()
    assert field.input_value() != feed_url
    assert page.request.get(feed_url).status == 404
    check_a11y(page)
