"""Breadcrumbs on every page below a network (issue 12): every GET route of the access matrices
whose address lies below /networks/<id>, opened by a member the matrix lets in, shows the trail.
It starts at "Nettverk" and the network, and marks the page itself as current. A page that loads
its network without putting it where the layout finds it (``g.network``) would lose its trail.

Runs on the matrices' own rows and worlds, the way tests/test_safe_actions.py does."""
from __future__ import annotations

import importlib
import re
from html import unescape

import pytest

from tests.test_access_matrix import ROLES
from tests.test_safe_actions import (  # noqa: F401  (world, worlds: fixtures)
    ACCESS_MODULES, DESTRUCTIVE, Case, _data, _prepare, actor, world, worlds)

BELOW_A_NETWORK = re.compile(r"^/networks/\{network\}(/|\?|$)")
# Files, not pages: the layout is not theirs to show.
NOT_PAGES = re.compile(r"\.(csv|xlsx|ics|json|zip|pdf|txt)(\?|$)|/(download|feed|export)(/|\?|$)")
TRAIL = re.compile(r'<nav class="ds-breadcrumbs site-breadcrumbs" aria-label="Brødsmulesti">(.*?)</nav>', re.S)


def reader(route) -> str | None:
    """A member the matrix lets open the page: a coordinator where they may, else the first who may."""
    candidates = ["coordinator", *(role for role in ROLES if role not in ("anonymous", "outsider", "coordinator"))]
    return next((role for role in candidates if route.expected(role) == 200), None)


def _cases() -> list[Case]:
    cases = []
    for module_name in ACCESS_MODULES:
        for route in importlib.import_module(f"tests.{module_name}").ROUTES:
            if (route.method == "GET" and BELOW_A_NETWORK.match(route.path) and not NOT_PAGES.search(route.path)
                    and reader(route)):
                cases.append(Case(module_name, route))
    return cases


PAGES = _cases()


def _opened(case: Case, world, app):
    """The world's ids and people, the case's route, and its address with the world prepared for it."""
    ids, people = world
    _prepare(app, case, ids)
    return ids, people, case.route, case.route.path.format(**ids)


def test_the_pages_below_a_network_are_many():
    # A guard against the selection above quietly matching nothing.
    assert len(PAGES) > 80, len(PAGES)


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_every_page_below_a_network_shows_the_trail(case, world, app, login):
    ids, people, route, path = _opened(case, world, app)
    response = login(people[reader(route)]).get(path)
    assert response.status_code == 200, (path, response.status_code)
    if response.mimetype != "text/html":
        return  # a file download the path did not give away
    found = TRAIL.search(response.get_data(as_text=True))
    assert found, f"{path} ({route.endpoint}) has no breadcrumbs"
    trail = unescape(found.group(1))
    network = f"/networks/{ids['network']}"
    assert '<a class="ds-link" href="/networks/">Nettverk</a>' in trail, (path, trail)
    if route.endpoint != "networks.front_page":
        assert f'href="{network}"' in trail, (path, trail)
    assert trail.count('aria-current="page"') == 1, (path, trail)


# --- confirmation pages ----------------------------------------------------------------------

CRUMB = re.compile(r'<li><(?:a class="ds-link" href="([^"]+)"|span aria-current="page")>([^<]*)</(?:a|span)></li>')
# The crumbs a confirmation page shows between the network and its question: the section, then the
# object the action is on (its own page), as (label, address); "{…}" are the world's ids.
CONFIRMATION_TRAILS = {
    "gatherings.cancel_registration:cancel_registration": [
        ("Samlinger", "/networks/{network}/gatherings/"), (None, "/networks/{network}/gatherings/{gathering}")],
    "gatherings.remove_day:remove_day": [
        ("Samlinger", "/networks/{network}/gatherings/"), (None, "/networks/{network}/gatherings/{gathering}")],
    "networks.revoke_role:revoke_hamar_role": [
        ("Personer", "/networks/{network}/people"), ("Hamar", "/networks/{network}/municipalities/{hamar}")],
    "networks.revoke_role:revoke_observer_role": [("Personer", "/networks/{network}/people")],
    "networks.withdraw_member:withdraw_member": [
        ("Medlemmer", "/networks/{network}/members"), ("Gjøvik", "/networks/{network}/municipalities/{gjovik}")],
    "groups.delete:delete_grouping": [
        ("Grupper", "/networks/{network}/groups"), (None, "/networks/{network}/groups/{grouping}")],
    "assignments.delete:delete_assignment": [
        ("Oppgaver", "/networks/{network}/assignments"), (None, "/networks/{network}/assignments/{doomed}")],
    "evaluations.delete_question:evaluation_delete_question": [
        ("Samlinger", "/networks/{network}/gatherings/"), (None, "/networks/{network}/gatherings/{planned}")],
}
CONFIRMATIONS = [case for case in DESTRUCTIVE if BELOW_A_NETWORK.match(case.route.path)]


def test_the_confirmation_trails_checked_are_there():
    assert set(CONFIRMATION_TRAILS) <= {str(case) for case in CONFIRMATIONS}


@pytest.mark.parametrize("case", CONFIRMATIONS, ids=str)
def test_a_confirmation_page_keeps_its_place_in_the_trail(case, world, app, login):
    """Asked "Melde deg av?", one still sees where: under the gathering, not just under Samlinger."""
    ids, people, route, path = _opened(case, world, app)
    data = {key: value for key, value in _data(route, ids).items() if key != "confirmed"}
    html = login(people[actor(route)]).post(path, data=data).get_data(as_text=True)
    assert "data-confirm-page" in html, path
    heading = re.search(r'<h1[^>]*id="confirm-heading">(.*?)</h1>', html, re.S).group(1).strip()
    crumbs = [(unescape(label), href) for href, label in CRUMB.findall(TRAIL.search(html).group(1))]
    network = f"/networks/{ids['network']}"
    assert crumbs[:2] == [("Nettverk", "/networks/"), (crumbs[1][0], network)], crumbs
    assert crumbs[-1] == (unescape(heading), ""), crumbs  # the question, as the current page
    expected = CONFIRMATION_TRAILS.get(str(case))
    if expected is not None:
        middle = crumbs[2:-1]
        assert [href for _label, href in middle] == [href.format(**ids) for _label, href in expected], crumbs
        assert all(label is None or label == found for (label, _), (found, _) in zip(expected, middle)), crumbs
