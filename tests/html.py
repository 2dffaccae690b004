"""Reading rendered pages in HTTP tests: text, the main region, error summaries, fields' errors and values,
landmarks and regions."""
from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def main(response) -> str:
    return text(response).split("<main")[1].split("</main>")[0]


def error_summary(response) -> str:
    match = re.search(r'<div class="ds-error-summary".*?</ul>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<div class="ds-validation-message" data-field="validation" id="{field_id}-error">(.*?)</div>',
                      response.get_data(as_text=True), re.S)
    return unescape(match.group(1)).strip() if match else None


def input_value(response, field_id: str) -> str | None:
    """The value of an input, or the text of a textarea, with that id."""
    html = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', html)
    if tag is None:
        textarea = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>(.*?)</textarea>', html, re.S)
        return unescape(textarea.group(1)).strip() if textarea else None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None


# --- landmarks and regions -----------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_LANDMARK_ROLES = {"banner", "complementary", "contentinfo", "form", "main", "navigation", "region", "search"}
_IMPLICIT_ROLES = {"main": "main", "nav": "navigation", "aside": "complementary", "section": "region", "form": "form",
                   "header": "banner", "footer": "contentinfo"}
# header and footer are the page's banner and contentinfo only outside these (HTML-AAM).
_SECTIONING = {"article", "aside", "main", "nav", "section"}


class _Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "_Element | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = _Element("#document", {}, None)
        self.by_id: dict[str, _Element] = {}
        self.elements: list[_Element] = []

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        self.elements.append(element)
        self.by_id.setdefault(element.attrs.get("id", ""), element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        element = self.current
        while element.parent is not None and element.tag != tag:
            element = element.parent
        if element.parent is not None:  # a stray end tag closes nothing
            self.current = element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def landmarks(page) -> list[tuple[str, str]]:
    """(role, accessible name) of every landmark and region on a page (a response or its HTML), in order.
    Names come from aria-labelledby (the referenced elements' text) or aria-label, as a screen reader
    lists them. A <section> or <form> is a landmark only with a name; header and footer only at the top."""
    tree = _Tree()
    tree.feed(page if isinstance(page, str) else page.get_data(as_text=True))
    found = []
    for element in tree.elements:
        role = element.attrs.get("role", "").split()[0] if element.attrs.get("role", "").strip() else None
        if role is None:
            role = _IMPLICIT_ROLES.get(element.tag)
            if element.tag in ("header", "footer"):
                ancestor = element.parent
                while ancestor is not None and ancestor.tag not in _SECTIONING:
                    ancestor = ancestor.parent
                role = None if ancestor is not None else role
        if role not in _LANDMARK_ROLES:
            continue
        if "aria-labelledby" in element.attrs:
            parts = (tree.by_id.get(ref) for ref in element.attrs["aria-labelledby"].split())
            name = " ".join(part.text() for part in parts if part is not None)
        else:
            name = element.attrs.get("aria-label", "")
        name = " ".join(name.split())
        if role in ("region", "form") and not name and element.attrs.get("role") is None:
            continue
        found.append((role, name))
    return found
