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
from tests.test_safe_actions import ACCESS_MODULES, Case, _prepare, world, worlds  # noqa: F401  (fixtures)

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


def test_the_pages_below_a_network_are_many():
    # A guard against the selection above quietly matching nothing.
    assert len(PAGES) > 80, len(PAGES)


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_every_page_below_a_network_shows_the_trail(case, world, app, login):
    ids, people = world
    route = case.route
    _prepare(app, case, ids)
    path = route.path.format(**ids)
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
