"""User text in Markdown is shown safely: tags typed by the user are text, links are http(s)/mailto only."""
import re

import pytest

from network.main.text import plain_excerpt, render_markdown


@pytest.mark.parametrize("typed", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">lenke</a>',
    "<iframe src=https://example.test></iframe>",
    '<svg onload="alert(1)">',
])
def test_html_typed_by_the_user_is_shown_as_text(typed):
    html = str(render_markdown(typed))
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<svg" not in html
    assert "&lt;" in html


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hei", "vbscript:x"])
def test_links_with_unsafe_schemes_lose_their_target(link):
    html = str(render_markdown(f"[klikk]({link})"))
    assert "href" not in html and "klikk" in html


def test_markdown_becomes_html_with_safe_links_and_lower_headings():
    html = str(render_markdown("# Mål\n\n**Bolig for alle** og [KS](https://www.ks.no).\n\n- en\n- to\n\n> sitat"))
    assert "<h3>Mål</h3>" in html
    assert "<strong>Bolig for alle</strong>" in html
    assert '<a href="https://www.ks.no" rel="noopener noreferrer nofollow">KS</a>' in html
    assert "<li>en</li>" in html and "<blockquote>" in html


@pytest.mark.parametrize("typed, expected", [
    ("### Mål\n\ntekst", ["h3"]),
    ("# Mål\n\n### Tiltak\n\n##### Detalj", ["h3", "h4", "h5"]),
    ("#### Først\n\n## Så", ["h4", "h3"]),
])
def test_headings_in_user_text_start_at_h3_and_skip_no_level(typed, expected):
    # A page's own h2 comes before the text: a "### …" shown as h5 would skip two levels (W3C checker).
    html = str(render_markdown(typed))
    assert re.findall(r"<(h[1-6])>", html) == expected


def test_excerpt_is_plain_text_cut_at_a_word():
    text = "**Fet** tekst <script>x</script> " + "ord " * 100
    excerpt = plain_excerpt(text, 40)
    assert "<" not in excerpt and "*" not in excerpt
    assert len(excerpt) <= 40 and excerpt.endswith("…")
    assert plain_excerpt("") == ""
