"""No two landmarks or regions on a page share an accessible name (WCAG 2.1 AA best practice:
a screen-reader user who lists a page's regions tells them apart by name).

Every page each demo role reaches is crawled once (the crawler of tests/test_html_validity.py) and
its landmarks read with ``tests.html.landmarks``: main, navigation, banner, contentinfo,
complementary, search, and forms and regions that have a name. Two of one role with the same name,
or a region with no name at all, fail."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.html import landmarks
# app_config as in the validity test (CSRF on, so the archive import can be posted); demo is a fixture too.
from tests.test_html_validity import (  # noqa: F401
    ROLES, app_config, archive_import_pages, client_for, crawl, demo,
)


def problems_on(page: str) -> list[str]:
    found = landmarks(page)
    problems = []
    for (role, name), count in Counter(found).items():
        if count > 1:
            problems.append(f"{count} × {role} {name!r}")
    problems += [f"{role} without a name" for role, name in found if role == "region" and not name]
    return problems


def test_the_check_sees_duplicates_and_missing_names():
    page = """<main><div role="region" aria-label="Tabell">x</div><div role="region" aria-label="Tabell">y</div>
      <div role="region">z</div><nav aria-label="Sider"></nav><nav aria-labelledby="h"></nav><h2 id="h">Sider</h2></main>"""
    assert problems_on(page) == ["2 × region 'Tabell'", "2 × navigation 'Sider'", "region without a name"]
    assert problems_on('<div role="region" aria-label="A"></div><div role="region" aria-label="B"></div>') == []


def attendance_search(client, pages: dict[str, str]) -> dict[str, str]:
    """An attendance page with search results, which no link reaches: two tables on one page."""
    url = next(url for url in pages if url.endswith("/attendance"))
    response = client.get(f"{url}?q=hamar")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="found"' in html
    return {f"{url}?q=hamar": html}


@pytest.mark.parametrize("role", ROLES)
def test_no_two_landmarks_on_a_page_share_a_name(demo, app, role):
    email = ROLES[role]
    client = client_for(app, email)
    pages, _broken = crawl(client)
    if email == ROLES["coordinator and KS administrator"]:
        pages.update(archive_import_pages(app, client))
        pages.update(attendance_search(client, pages))
        assert len(pages) > 50, len(pages)
    assert len(pages) > 3, pages.keys()
    problems = [f"{url}: {problem}" for url, html in pages.items() for problem in problems_on(html)]
    assert not problems, f"{len(problems)} page(s) with landmarks that share a name:\n" + "\n".join(problems)
