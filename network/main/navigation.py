"""The site menu and the breadcrumb trail, as data: base.html only renders them.

The menu is grouped by what people do. Each item names the page it opens, who may see it (the same
rule as that page's own access check, so nobody is offered a link that answers 403), and which
endpoints lie "inside" it, so the current item and the breadcrumb trail come from one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

Rule = Callable[[Any, Any], bool]  # (person, network) -> may see


def _member(person, network) -> bool:
    from network.networks import access

    return access.can_view_network(person, network)


def _coordinator(person, network) -> bool:
    from network.networks import access

    return access.can_manage_members(person, network)


def _member_not_coordinator(person, network) -> bool:
    """Members who see only their own (or their municipality's) costs on the costs page."""
    return _member(person, network) and not _coordinator(person, network)


def _evaluation_reader(person, network) -> bool:
    from network.evaluations import access

    return access.can_view_results(person, network)


@dataclass(frozen=True)
class Item:
    key: str
    label: Any
    endpoint: str
    # Endpoints inside this item: "blueprint." covers a whole blueprint; an exact endpoint wins over it.
    inside: tuple[str, ...] = ()
    visible: Rule = _member


@dataclass(frozen=True)
class Group:
    key: str
    label: Any
    items: tuple[Item, ...]


# Outside the groups: the person's own start page and the list of networks.
PERSONAL = (
    Item("my_page", _l("Min side"), "main.my_page",
         ("main.my_page", "profile.", "privacy.my_data", "privacy.request_deletion", "comments.preferences"),
         visible=lambda person, network: True),
    Item("networks", _l("Nettverk"), "networks.index", ("networks.index",), visible=lambda person, network: True),
)

# Inside a network, next to those: the network's front page.
FRONT_PAGE = Item("front_page", _l("Forside"), "networks.front_page", ("networks.front_page", "networks.edit"))

NETWORK_GROUPS = (
    Group("gatherings", _l("Samlinger"), (
        Item("gatherings", _l("Samlinger"), "gatherings.index",
             ("gatherings.", "programme.", "calendar.", "evaluations.answer", "evaluations.thanks",
              "evaluations.questions", "evaluations.edit_question", "evaluations.delete_question")),
        # The costs page shows a participant their own costs and a contact the municipality's.
        Item("own_costs", _l("Kostnader"), "costs.overview", ("costs.overview",), visible=_member_not_coordinator),
    )),
    Group("municipalities", _l("Kommunene"), (
        Item("people", _l("Personer"), "networks.people", ("networks.people", "networks.invite", "networks.revoke_role")),
        Item("challenges", _l("Utfordringer"), "challenges.index", ("challenges.",)),
        Item("growth", _l("Vekstklasser"), "growth.overview", ("growth.",)),
        Item("planning", _l("Planstatus"), "planning.comparison", ("planning.",)),
        Item("groups", _l("Grupper"), "groups.index", ("groups.",)),
    )),
    Group("work", _l("Arbeid mellom samlingene"), (
        Item("assignments", _l("Oppgaver"), "assignments.index", ("assignments.", "comments.")),
        Item("library", _l("Erfaringer"), "library.index", ("library.",)),
    )),
    Group("resources", _l("Ressurser"), (
        Item("resources", _l("Ressurser"), "resources.index", ("resources.",)),
        Item("evaluations", _l("Evalueringer"), "evaluations.compare", ("evaluations.",), visible=_evaluation_reader),
    )),
    Group("admin", _l("Administrasjon"), (
        Item("members", _l("Medlemmer"), "networks.members", ("networks.members", "networks.withdraw_member"), visible=_coordinator),
        Item("costs", _l("Kostnader"), "costs.overview", ("costs.",), visible=_coordinator),
        Item("feedback", _l("Tilbakemeldinger"), "feedback.inbox", ("feedback.inbox", "feedback.show"), visible=_coordinator),
        Item("dashboard", _l("Oversikt"), "dashboard.show", ("dashboard.",), visible=_coordinator),
        Item("archive", _l("Arkiv"), "archive.index", ("archive.",), visible=_coordinator),
    )),
)


def _match(item: Item, endpoint: str) -> int:
    """How well the item claims the endpoint: 2 exactly, 1 by its blueprint, 0 not at all."""
    best = 0
    for pattern in item.inside:
        if pattern == endpoint:
            return 2
        if pattern.endswith(".") and endpoint.startswith(pattern):
            best = 1
    return best


def section_for(endpoint: str | None, items) -> Item | None:
    """The item the endpoint lies inside (the most exact claim wins), among the given items."""
    if not endpoint:
        return None
    scored = [(score, item) for item in items if (score := _match(item, endpoint))]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


@dataclass
class Link:
    label: Any
    url: str
    # "page" on the link to this very page, "true" on its section when the page lies below it.
    current: str | None = None


@dataclass
class MenuGroup:
    key: str
    label: Any
    links: list[Link] = field(default_factory=list)


def _network_args(network) -> dict:
    return {"network_id": network.id}


def _url(endpoint: str, args: dict) -> str:
    """``url_for`` for a menu link, remembered per app (and script root): every signed-in page's
    menu links up to twenty pages, whose addresses depend only on the network's id."""
    urls = current_app.extensions.setdefault("menu_urls", {})
    key = (request.script_root, endpoint, args.get("network_id"))
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for(endpoint, **args)
    return url


def _viewer():
    return current_user._get_current_object()  # once, rather than through the proxy for every rule


def _visible_network_items(person, network) -> list[Item]:
    """The network's menu items this person may open, worked out once per request (menu and trail)."""
    if "_network_items" not in g:
        g._network_items = [item for group in NETWORK_GROUPS for item in group.items if item.visible(person, network)]
    return g._network_items


def menu() -> list[MenuGroup]:
    """The signed-in person's menu for this request: the groups with at least one link they may open."""
    if "site_menu" in g:
        return g.site_menu
    person, network, endpoint = _viewer(), g.get("network"), request.endpoint
    groups = [MenuGroup("personal", None)]
    candidates: list[tuple[MenuGroup, Item, dict]] = [(groups[0], item, {}) for item in PERSONAL]
    if network is not None and _member(person, network):
        candidates.append((groups[0], FRONT_PAGE, _network_args(network)))
        allowed = set(map(id, _visible_network_items(person, network)))
        for group in NETWORK_GROUPS:
            menu_group = MenuGroup(group.key, group.label)
            groups.append(menu_group)
            candidates += [(menu_group, item, _network_args(network)) for item in group.items if id(item) in allowed]
    visible = [(menu_group, item, args) for menu_group, item, args in candidates
               if menu_group is not groups[0] or item.visible(person, network)]
    section = section_for(endpoint, [item for _group, item, _args in visible])
    for menu_group, item, args in visible:
        current = None
        if item is section:
            current = "page" if endpoint == item.endpoint else "true"
        menu_group.links.append(Link(item.label, _url(item.endpoint, args), current))
    g.site_menu = [group for group in groups if group.links]
    return g.site_menu


# --- breadcrumbs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Parent:
    """An object a page lies below, found in the template's context (``gathering``, ``assignment``…)."""
    names: tuple[str, ...]  # context variables holding it, the first one present wins
    endpoint: str  # its own page
    below: tuple[str, ...]  # the endpoints (or "blueprint.") of the pages below it
    label: Callable[[Any], Any]
    args: Callable[[Any], dict]


def _organisation(obj):
    return getattr(obj, "organisation", obj)


PARENTS = (
    Parent(("gathering",), "gatherings.show",
           ("gatherings.", "programme.", "calendar.", "evaluations.answer", "evaluations.thanks", "evaluations.questions",
            "evaluations.edit_question", "evaluations.results", "costs.catering"),
           lambda gathering: f"{gathering.number}. {gathering.title}",
           lambda gathering: {"gathering_id": gathering.id}),
    Parent(("assignment",), "assignments.show", ("assignments.", "comments."),
           lambda assignment: assignment.title, lambda assignment: {"assignment_id": assignment.id}),
    Parent(("grouping",), "groups.show", ("groups.",),
           lambda grouping: grouping.name, lambda grouping: {"grouping_id": grouping.id}),
    Parent(("membership", "organisation"), "networks.municipality",
           ("networks.anchoring", "challenges.municipality", "challenges.add_own", "growth.override", "planning.edit"),
           lambda obj: _organisation(obj).name, lambda obj: {"organisation_id": _organisation(obj).id}),
    Parent(("challenge",), "challenges.show", ("challenges.edit",),
           lambda challenge: challenge.title, lambda challenge: {"challenge_id": challenge.id}),
    Parent(("example",), "library.show", ("library.edit",),
           lambda example: example.title, lambda example: {"example_id": example.id}),
    Parent(("slide_set",), "resources.slide_set", ("resources.edit_slide_set", "resources.adapt_slide_set"),
           lambda slide_set: slide_set.title, lambda slide_set: {"slide_set_id": slide_set.id}),
)

# Names a page's <title> ends with (" – Hamar"), left out of its last crumb.
TITLE_SUFFIXES = (("network", "name"), ("gathering", "title"), ("organisation", "name"),
                  ("membership", "organisation.name"), ("grouping", "name"))
TITLE_SEPARATOR = " – "


def _claims(patterns: tuple[str, ...], endpoint: str) -> bool:
    return any(endpoint == p or (p.endswith(".") and endpoint.startswith(p)) for p in patterns)


def _present(context, name):
    value = context.get(name)
    return value if value is not None and not _undefined(value) else None


def _undefined(value) -> bool:
    from jinja2 import Undefined

    return isinstance(value, Undefined)


def page_label(context, title) -> Markup:
    """The last crumb from the page's <title>: "Påmelding – Samling 3" gives "Påmelding"."""
    label = Markup(title).strip()
    for name, attribute in TITLE_SUFFIXES:
        value = _present(context, name)
        for step in attribute.split("."):
            value = getattr(value, step, None)
        if value:
            suffix = Markup(TITLE_SEPARATOR) + value
            if label.endswith(suffix) and len(label) > len(suffix):
                label = label[: -len(suffix)]
    return label


def trail(context, last) -> list[Link]:
    """Nettverk › <network> › <section> › <objects the page lies below> › <this page>.

    Empty outside a network, and for anyone who may not see the network (a visitor giving feedback)."""
    network, endpoint, person = g.get("network"), request.endpoint or "", _viewer()
    if network is None or not _member(person, network):
        return []
    links = [Link(_l("Nettverk"), _url("networks.index", {}))]
    front = Link(network.name, _url("networks.front_page", _network_args(network)))
    links.append(front)
    if endpoint == "networks.front_page":
        front.current = "page"
        return links
    # A confirmation page (network/main/confirm.py) lies below the objects its view handed it, whatever
    # address it was posted to, and is never one of their own pages.
    confirming = _present(context, "confirmation") is not None
    section = section_for(endpoint, _visible_network_items(person, network))
    if section is not None:
        links.append(Link(section.label, _url(section.endpoint, _network_args(network))))
        if endpoint == section.endpoint and not confirming:
            links[-1].current = "page"
            return links
    for parent in PARENTS:
        obj = next((found for name in parent.names if (found := _present(context, name)) is not None), None)
        if obj is None or not (confirming or _claims(parent.below, endpoint)):
            continue
        link = Link(parent.label(obj), url_for(parent.endpoint, network_id=network.id, **parent.args(obj)))
        if endpoint == parent.endpoint and not confirming:
            link.current = "page"
            links.append(link)
            return links
        links.append(link)
    label = page_label(context, last)
    if label:
        links.append(Link(label, request.path, "page"))
    return links


@pass_context
def breadcrumbs(context, last="") -> list[Link]:
    return trail(context, last)


def register(app) -> None:
    app.jinja_env.globals.update(site_menu=menu, breadcrumbs=breadcrumbs)
