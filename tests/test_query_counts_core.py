"""The pages every role opens most run a fixed, small number of SQL queries (issue 16): the gathering
page, "Min side" and the network's front page, for a coordinator, a participant, a municipal
contact and an observer, on a demo-size network and on one twenty times larger."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tests.conftest import built_once
from tests.html import main, text
from tests.query_counter import count_queries
from tests.scaled_network import build_scaled
from tests.test_html_validity import _require_checker, run_vnu

ROLES = ("coordinator", "participant", "contact", "observer")
# Statements that manage the transaction, not queries for the page's data.
TRANSACTION = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")
PAGES = ("gathering_open", "gathering_held", "me", "front")
# The most a page may run. A contact's "Min side" also shows the municipality's team for the next
# gathering, its people and their registrations read in one query (network/main/start_page.py).
LIMIT = 10

small = built_once(lambda app, factory: build_scaled(app, scale=1))
large = built_once(lambda app, factory: build_scaled(app, scale=20))


def pages(world) -> dict[str, str]:
    base = f"/networks/{world['network_id']}"
    return {"gathering_open": f"{base}/gatherings/{world['gatherings']['open']}",
            "gathering_held": f"{base}/gatherings/{world['gatherings']['held']}",
            "me": "/me", "front": base}


def queries(app, login, world, role: str, page: str) -> int:
    client = login(SimpleNamespace(id=world[role]["id"]))
    url = pages(world)[page]
    client.get(url)  # once first: what a first request of the app loads once doesn't count
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    return len([s for s in statements if not s.lstrip().upper().startswith(TRANSACTION)])


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_query_count_does_not_grow_with_the_network(app, login, small, large, role, page):
    few = queries(app, login, small, role, page)
    many = queries(app, login, large, role, page)
    assert few == many, f"{page} as {role}: {few} queries for {small['municipalities']} municipalities, " \
                        f"{many} for {large['municipalities']}"
    assert many <= LIMIT, f"{page} as {role}: {many} queries"


def test_a_national_gathering_lists_counts_per_organisation_and_links_to_the_names(app, login, large):
    client = login(SimpleNamespace(id=large["participant"]["id"]))
    page = client.get(pages(large)["gathering_held"])
    coming = main(page).split('id="coming-heading"')[1]
    assert "Velg en organisasjon for å se hvem." in coming
    links = re.findall(r'<li><a class="ds-link" href="([^"]+/coming/\d+)">([^<]+)</a> \((\d+)\)</li>', coming)
    assert len(links) >= large["municipalities"] // 2  # one per municipality with someone coming
    href, name, count = links[0]
    names = client.get(href)
    assert names.status_code == 200
    listed = re.findall(r"<li>([^<]+)</li>", main(names))
    assert f"Hvem kommer fra {name}" in text(names) and len(listed) == int(count)


def test_a_small_gathering_lists_the_names(app, login, small):
    client = login(SimpleNamespace(id=small["participant"]["id"]))
    coming = main(client.get(pages(small)["gathering_held"])).split('id="coming-heading"')[1]
    assert "Velg en organisasjon" not in coming
    assert "/coming/" not in coming
    assert re.search(r"<li>(Executive|Contact|Participant) [^<]+</li>", coming)  # the people's names


def test_the_summary_and_an_organisations_names_are_valid_html(app, login, large, tmp_path):
    _require_checker()
    client = login(SimpleNamespace(id=large["contact"]["id"]))
    page = client.get(pages(large)["gathering_held"]).get_data(as_text=True)
    href = re.search(r'href="([^"]+/coming/\d+)"', page).group(1)
    files = [tmp_path / "gathering.html", tmp_path / "coming.html"]
    files[0].write_text(page, encoding="utf-8")
    files[1].write_text(client.get(href).get_data(as_text=True), encoding="utf-8")
    errors, _elapsed = run_vnu(files)
    assert not errors, errors


def registration_queries(app, login, world) -> int:
    """Queries of one person registering themselves for the open gathering (their earlier
    registration, if any, removed first)."""
    from sqlalchemy import select

    from network.extensions import db
    from network.gatherings.models import Gathering, Registration, RegistrationStatus

    person_id, gathering_id = world["participant"]["id"], world["gatherings"]["open"]
    with app.app_context():
        for row in db.session.scalars(select(Registration).where(Registration.gathering_id == gathering_id,
                                                                 Registration.person_id == person_id)):
            db.session.delete(row)
        days = [day.id for day in db.session.get(Gathering, gathering_id).days]
        db.session.commit()
    client = login(SimpleNamespace(id=person_id))
    url = f"{pages(world)['gathering_open']}/register"
    client.get(url)  # what a first request of the app loads once doesn't count
    with count_queries(app) as statements:
        response = client.post(url, data={"days": [str(day) for day in days]})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        status = db.session.scalar(select(Registration.status).where(Registration.gathering_id == gathering_id,
                                                                    Registration.person_id == person_id))
    assert status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)
    # Up to the commit (a savepoint released, here): the mail sent after it, as without a job
    # queue, is the outbox's work, not the registration's.
    committed = next(n for n, statement in enumerate(statements) if statement.startswith("RELEASE"))
    return len([s for s in statements[:committed] if not s.lstrip().upper().startswith(TRANSACTION)])


def test_registering_oneself_runs_the_same_few_queries_at_any_size(app, login, small, large):
    """The person's registration and the seats taken come with the gathering, in one query."""
    few, many = registration_queries(app, login, small), registration_queries(app, login, large)
    assert few == many
    # sign-in; closed network?; network, gathering, roles, own registration and seats; registration
    # and its days; the mail and its calendar file; the seat lock; the recount
    assert many <= 9, many
