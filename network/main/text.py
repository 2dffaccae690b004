"""User text written in Markdown, made safe to show: Markdown to HTML, then nh3 keeps only a small
set of tags and http(s)/mailto links. Raw HTML typed by the user never reaches the page."""
from __future__ import annotations

import re
import threading

import markdown as markdown_lib
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _shift_headings(html: str) -> str:
    """Headings in user text start at h3, under the page's own h1 and h2, and skip no level
    (HTML checkers and screen-reader users expect h3, h4, … in turn): the levels the text uses
    are renumbered in order, so "### A" alone becomes h3 and "# A" then "### B" become h3 and h4."""
    levels = sorted({int(level) for _end, level in _HEADING.findall(html)})
    new = {level: min(3 + rank, 6) for rank, level in enumerate(levels)}
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{new[int(m.group(2))]}>", html)


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    # Every "<" the user typed becomes text, so their own HTML is shown, never parsed.
    html = markdown_lib.markdown(text.replace("<", "&lt;"), extensions=["sane_lists", "tables"], output_format="html")
    html = _shift_headings(html)
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


# Building a Markdown converter costs about a millisecond, which adds up on a list of excerpts.
# One per thread, since a converter keeps state while it works.
_local = threading.local()


def _excerpt_converter() -> markdown_lib.Markdown:
    if not hasattr(_local, "converter"):
        _local.converter = markdown_lib.Markdown()
    return _local.converter.reset()


def plain_excerpt(text: str | None, length: int = 200) -> str:
    """The first words of a text, for lists: no markup at all."""
    html = _excerpt_converter().convert(text or "")
    flat = " ".join(nh3.clean(html, tags=set()).split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"


def register(app) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["excerpt"] = plain_excerpt
