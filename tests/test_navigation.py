"""The site header, the grouped menu, the current item and the breadcrumb trail, over HTTP.

The menu is built in ``network/main/navigation.py``; each role must see the links it may open
and no other, grouped by what people do, with the current page marked ``aria-current``.
"""
from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest

from network.extensions import db
from network.networks.models import Network
from tests.conftest import built_once
from tests.factories import world

NETWORK_NAME = "Bolignettverket"
EVERY_MEMBER = {
    None: ["Min side", "Nettverk", "Forside"],
    "Samlinger": ["Samlinger", "Kostnader"],
    "Kommunene": ["Personer", "Utfordringer", "Vekstklasser", "Planstatus", "Grupper"],
    "Arbeid mellom samlingene": ["Oppgaver", "Erfaringer"],
    "Ressurser": ["Ressurser"],
}
READERS = {**EVERY_MEMBER, "Ressurser": ["Ressurser", "Evalueringer"]}
COORDINATORS = {**READERS, "Samlinger": ["Samlinger"], "Administrasjon": ["Medlemmer", "Kostnader", "Tilbakemeldinger", "Oversikt", "Arkiv"]}
MENUS = {
    "participant": EVERY_MEMBER, "contact": EVERY_MEMBER, "executive": EVERY_MEMBER,
    "observer": READERS, "coordinator": COORDINATORS, "admin": COORDINATORS,
}


def build(app, factory):
    network, hamar, _lillehammer, people = world(factory)
    gathering = factory.gathering(network, 1, date(2031, 3, 4), title="Oppstart")
    return {"network": network.id, "hamar": hamar.id, "gathering": gathering.id}, people


built = built_once(build)


# --- reading the header ------------------------------------------------------------------


def _html(response) -> str:
    return response.get_data(as_text=True)


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def menu(response) -> dict:
    """{group label (None for the ungrouped links): [(text, href, aria-current)]}, in order."""
    nav = re.search(r'<nav class="site-nav" aria-label="Hovedmeny">(.*?)</nav>', _html(response), re.S)
    if nav is None:
        return {}
    groups = {}
    for block in re.split(r'<div class="site-menu__group ', nav.group(1))[1:]:
        label = re.search(r'<p class="site-menu__label"[^>]*>(.*?)</p>', block, re.S)
        links = re.findall(r'<a class="ds-link" href="([^"]+)"(?: aria-current="(\w+)")?>(.*?)</a>', block, re.S)
        groups[_text(label.group(1)) if label else None] = [(_text(text), unescape(href), current or None)
                                                             for href, current, text in links]
    return groups


def labels(groups: dict) -> dict:
    return {group: [text for text, _href, _current in links] for group, links in groups.items()}


def current(response) -> list[tuple[str, str]]:
    """Every (link text, aria-current) in the menu that is marked."""
    return [(text, mark) for links in menu(response).values() for text, _href, mark in links if mark]


def breadcrumbs(response) -> list[tuple[str, str | None, str | None]] | None:
    """[(text, href or None, aria-current)] of the trail's ordered list, or None without a trail."""
    nav = re.search(r'<nav class="ds-breadcrumbs[^"]*" aria-label="Brødsmulesti">(.*?)</nav>', _html(response), re.S)
    if nav is None:
        return None
    items = re.findall(r"<li>(.*?)</li>", nav.group(1).split("<ol>")[1], re.S)
    trail = []
    for item in items:
        href = re.search(r'href="([^"]+)"', item)
        mark = re.search(r'aria-current="(\w+)"', item)
        trail.append((_text(item), unescape(href.group(1)) if href else None, mark.group(1) if mark else None))
    return trail


def header(response) -> str:
    return _html(response).split("<header")[1].split("</header>")[0]


# --- the menu per role -------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_its_menu_grouped_and_may_open_every_link(app, built, login, role):
    ids, people = built
    http = login(people[role])
    groups = menu(http.get(f"/networks/{ids['network']}/gatherings/"))
    assert labels(groups) == MENUS[role]
    for links in groups.values():
        for text, href, _current in links:
            response = http.get(href)
            assert response.status_code == 200, f"{role} is offered «{text}» ({href}) but gets {response.status_code}"


def test_outside_a_network_the_menu_has_only_the_personal_links(app, built, login):
    _ids, people = built
    response = login(people["coordinator"]).get("/me")
    assert labels(menu(response)) == {None: ["Min side", "Nettverk"]}
    assert current(response) == [("Min side", "page")]


def test_signed_out_visitors_get_no_menu(app, built, client):
    response = client.get("/login")
    assert menu(response) == {} and 'aria-label="Hovedmeny"' not in _html(response)
    assert breadcrumbs(response) is None


def test_a_signed_in_outsider_giving_feedback_is_offered_no_network_links(app, built, login):
    """Feedback may be open to visitors; the network's pages are not, so neither menu nor trail offers them."""
    ids, people = built
    with app.app_context():
        db.session.get(Network, ids["network"]).feedback_from_visitors = True
        db.session.commit()
    response = login(people["outsider"]).get(f"/networks/{ids['network']}/feedback/new")
    assert response.status_code == 200
    assert labels(menu(response)) == {None: ["Min side", "Nettverk"]}
    assert breadcrumbs(response) is None


# --- the current item --------------------------------------------------------------------


@pytest.mark.parametrize("path, expected", [
    ("/networks/", [("Nettverk", "page")]),
    ("/networks/{network}", [("Forside", "page")]),
    ("/networks/{network}/edit", [("Forside", "true")]),
    ("/networks/{network}/gatherings/", [("Samlinger", "page")]),
    ("/networks/{network}/gatherings/{gathering}", [("Samlinger", "true")]),
    ("/networks/{network}/gatherings/{gathering}/registrations", [("Samlinger", "true")]),
    ("/networks/{network}/challenges", [("Utfordringer", "page")]),
    ("/networks/{network}/challenges/matrix", [("Utfordringer", "true")]),
    ("/networks/{network}/people/invite", [("Personer", "true")]),
    ("/networks/{network}/members", [("Medlemmer", "page")]),
    ("/networks/{network}/dashboard", [("Oversikt", "page")]),
    ("/networks/{network}/evaluations", [("Evalueringer", "page")]),
    ("/networks/{network}/municipalities/{hamar}", []),  # a municipality's page is in no menu section
])
def test_the_current_item_is_marked(app, built, login, path, expected):
    ids, people = built
    response = login(people["coordinator"]).get(path.format(**ids))
    assert response.status_code == 200
    assert current(response) == expected


# --- breadcrumbs -------------------------------------------------------------------------


def _trail(ids, *rest):
    network = f"/networks/{ids['network']}"
    return [("Nettverk", "/networks/", None), (NETWORK_NAME, network, None), *rest]


def test_breadcrumbs_on_the_front_page_end_with_the_network(app, built, login):
    ids, people = built
    trail = breadcrumbs(login(people["participant"]).get(f"/networks/{ids['network']}"))
    assert trail == [("Nettverk", "/networks/", None), (NETWORK_NAME, None, "page")]


@pytest.mark.parametrize("path, rest", [
    ("/gatherings/", [("Samlinger", None, "page")]),
    ("/gatherings/{gathering}", [("Samlinger", "/gatherings/", None), ("1. Oppstart 1", None, "page")]),
    ("/gatherings/{gathering}/registrations", [
        ("Samlinger", "/gatherings/", None), ("1. Oppstart 1", "/gatherings/{gathering}", None),
        ("Påmeldinger", None, "page")]),
    ("/gatherings/{gathering}/programme", [
        ("Samlinger", "/gatherings/", None), ("1. Oppstart 1", "/gatherings/{gathering}", None),
        ("Program og materiell", None, "page")]),
    ("/challenges/matrix", [("Utfordringer", "/challenges", None), ("Utfordringer per kommune", None, "page")]),
    ("/municipalities/{hamar}", [("Hamar", None, "page")]),
    ("/municipalities/{hamar}/anchoring", [("Hamar", "/municipalities/{hamar}", None), ("Forankring", None, "page")]),
    ("/edit", [("Rediger nettverk", None, "page")]),
    ("/costs", [("Kostnader", None, "page")]),
    ("contact:/municipalities/{hamar}/challenges", [
        ("Utfordringer", "/challenges", None), ("Hamar", "/municipalities/{hamar}", None),
        ("Utfordringer", None, "page")]),
])
def test_breadcrumbs_give_the_way_back_from_every_level(app, built, login, path, rest):
    ids, people = built
    network = f"/networks/{ids['network']}"
    role, _, path = path.rpartition(":")
    response = login(people[role or "coordinator"]).get(network + path.format(**ids))
    assert response.status_code == 200
    expected = [(text, network + href.format(**ids) if href else None, mark) for text, href, mark in rest]
    assert breadcrumbs(response) == _trail(ids, *expected)


def test_breadcrumbs_never_link_to_a_section_the_person_may_not_open(app, built, login):
    """Costs are in the coordinators' menu; a participant's trail skips the section."""
    ids, people = built
    response = login(people["participant"]).get(f"/networks/{ids['network']}/gatherings/{ids['gathering']}")
    assert [text for text, _href, _mark in breadcrumbs(response)] == [
        "Nettverk", NETWORK_NAME, "Samlinger", "1. Oppstart 1"]
    for _text_, href, _mark in breadcrumbs(response):
        if href:
            assert login(people["participant"]).get(href).status_code == 200


def test_the_narrow_screen_back_link_names_the_parent(app, built, login):
    """Below 650 px Designsystemet shows one link back instead of the list; it leads to the last crumb but one."""
    ids, people = built
    network = f"/networks/{ids['network']}"
    html = _html(login(people["coordinator"]).get(f"{network}/gatherings/{ids['gathering']}/registrations"))
    nav = html.split('aria-label="Brødsmulesti">')[1].split("<ol>")[0]
    assert f'href="{network}/gatherings/{ids["gathering"]}"' in nav
    assert 'aria-label="Tilbake til 1. Oppstart 1"' in nav


@pytest.mark.parametrize("path", ["/me", "/networks/", "/personvern"])
def test_no_breadcrumbs_outside_a_network(app, built, login, path):
    _ids, people = built
    response = login(people["coordinator"]).get(path)
    assert response.status_code == 200
    assert breadcrumbs(response) is None


def test_a_user_name_in_a_title_stays_text_in_the_trail(app, built, login):
    """The last crumb comes from the page's own (escaped) title: markup in a name is never markup."""
    ids, people = built
    with app.app_context():
        db.session.get(Network, ids["network"]).name = "<i>Nett</i> & verk"
        db.session.commit()
    html = _html(login(people["coordinator"]).get(f"/networks/{ids['network']}/people"))
    assert "<i>Nett</i>" not in html
    assert "&lt;i&gt;Nett&lt;/i&gt; &amp; verk" in html.split('aria-label="Brødsmulesti"')[1]


# --- the header --------------------------------------------------------------------------


def test_the_header_names_the_network_and_the_person(app, built, login):
    ids, people = built
    part = header(login(people["participant"]).get(f"/networks/{ids['network']}/challenges"))
    assert re.search(rf'<a class="site-header__name" href="/networks/{ids["network"]}">{NETWORK_NAME}</a>', part)
    assert "Dag Deltaker" in part and "Logg ut" in part
    # Outside a network the header names the site.
    part = header(login(people["participant"]).get("/me"))
    assert re.search(r'<a class="site-header__name" href="/">KS nettverk</a>', part)


def test_the_menu_is_a_disclosure_that_works_without_javascript(app, built, login):
    """A closed <details> with a summary: the browser opens it on click or Enter, no script needed."""
    ids, people = built
    part = header(login(people["coordinator"]).get(f"/networks/{ids['network']}"))
    assert re.search(r'<details class="site-menu" data-site-menu>\s*<summary class="site-menu__toggle">Meny</summary>', part)
    assert "<details class=\"site-menu\" data-site-menu open" not in part
