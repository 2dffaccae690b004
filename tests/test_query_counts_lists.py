"""The list pages of issue 16 run the same number of queries for a demo-sized network (17
municipalities) and a national one (340, twenty times the data), for every role that opens them.

Both networks are built once for the module (tests/scaled_network.py, bulk inserts). A page's
count is every statement it sends except the test's own savepoints, so the export log the
registrations list writes counts too. Every page stays within ten; the dashboard's comment says
what it spends its queries on.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import built_once
from tests.query_counter import count_queries
from tests.scaled_network import build_scaled

small = built_once(lambda app, factory: build_scaled(app, scale=1))
large = built_once(lambda app, factory: build_scaled(app, scale=20))

EVERYONE = ("coordinator", "observer", "contact", "participant", "executive")
# page → (address from the built world, roles that may open it, most statements allowed)
PAGES = {
    # 2 for any network page (the signed-in person; the network with the viewer's roles), then members,
    # gatherings, seats per organisation and gathering, costs, and the other capabilities' own totals
    # asked through their services: the executives with their seats at the first and last gathering
    # (gatherings.followup), assignments with their submissions counted (the grid's rule), evaluation
    # invitations, answers and sums (evaluations), and in one query new and unanswered feedback with
    # the examples waiting for review (library).
    "dashboard": ("/networks/{n}/dashboard", ("coordinator",), 10),
    "costs": ("/networks/{n}/costs", EVERYONE, 10),
    "planning": ("/networks/{n}/planning", EVERYONE, 10),
    "members": ("/networks/{n}/members", ("coordinator",), 10),
    # For coordinators: the follow-up (members, gatherings, counts, executives) and the export log too.
    "registrations": ("/networks/{n}/gatherings/{open}/registrations", ("coordinator", "contact"), 10),
    "library": ("/networks/{n}/library", EVERYONE, 10),
    # The assignments' status grid: one row per member municipality, one column per assignment.
    "grid": ("/networks/{n}/assignments/grid", ("coordinator",), 10),
}
CASES = [(page, role) for page, (_, roles, _) in PAGES.items() for role in roles]


def statements_for(app, login, world, page: str, role: str) -> tuple[int, str]:
    path = PAGES[page][0].format(n=world["network_id"], open=world["gatherings"]["open"])
    client = login(SimpleNamespace(id=world[role]["id"]))
    with count_queries(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code} for the {role}"
    own = [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN"))]
    return len(own), response.get_data(as_text=True)


@pytest.mark.parametrize(("page", "role"), CASES)
def test_a_list_page_runs_the_same_queries_at_twenty_times_the_size(app, login, small, large, page, role):
    few, few_html = statements_for(app, login, small, page, role)
    many, many_html = statements_for(app, login, large, page, role)
    assert few == many, f"{page} for the {role}: {few} statements for 17 municipalities, {many} for 340"
    assert many <= PAGES[page][2], f"{page} for the {role}: {many} statements"
    assert few_html != many_html  # two different networks were really shown


def test_the_national_dashboard_counts_every_municipality_but_lists_a_page(app, login, large):
    _, html = statements_for(app, login, large, "dashboard", "coordinator")
    assert "340 kommuner og 5 samlinger." in html
    assert "Viser 1–25 av 340." in html
    assert 'href="?participation_page=2#participation-table"' in html
    # Each follow-up group names 25 municipalities and links to the whole list.
    network_id, gathering_id = large["network_id"], large["gatherings"]["open"]
    assert f'href="/networks/{network_id}/gatherings/{gathering_id}/registrations#checks-heading">og ' in html


def test_the_national_costs_page_lists_fifty_and_sums_all(app, login, large):
    _, html = statements_for(app, login, large, "costs", "coordinator")
    assert "Viser 1–50 av 340." in html
    first, second = (login(SimpleNamespace(id=large["coordinator"]["id"])).get(
        f"/networks/{large['network_id']}/costs?sort=total&dir=desc&page={n}").get_data(as_text=True) for n in (1, 2))
    assert "Viser 51–100 av 340." in second and first != second


def test_the_national_assignment_grid_lists_fifty_and_sums_all(app, login, large):
    _, html = statements_for(app, login, large, "grid", "coordinator")
    assert "340 kommuner og 10 oppgaver." in html
    assert "Viser 1–50 av 340." in html
    client = login(SimpleNamespace(id=large["coordinator"]["id"]))
    second = client.get(f"/networks/{large['network_id']}/assignments/grid?sort=county&page=2").get_data(as_text=True)
    assert "Viser 51–100 av 340." in second
    assert 'href="?sort=county&amp;page=3"' in second  # the other pages keep the sort order
    # The sums under the table count every municipality, not only the page shown.
    first_sums = html[html.index("<tfoot>"):html.index("</tfoot>")]
    assert first_sums == second[second.index("<tfoot>"):second.index("</tfoot>")]
