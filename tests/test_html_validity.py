"""Every page of the demo, as each demo role reaches it by following links, is valid HTML by the
W3C Nu HTML Checker (vnu.jar, installed by scripts/setup from the npm package ``vnu-jar``).

The pages are fetched through the test client, written to a temporary folder and checked by one
run of the checker (one JVM start for all of them). A page is any same-origin GET link in the app;
sign-out, downloads and files are left out, and so are more than a few variants of one address
(the same page for another id or query string), which keeps the crawl to a few hundred pages."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections import defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from tests.conftest import built_once, signed_in_client

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

ROLES = {
    "signed out": None,
    "coordinator and KS administrator": "koordinator@demo.test",
    "observer": "husbanken@demo.test",
    "contact": "kontakt.hamar@demo.test",
    "participant": "deltaker.hamar@demo.test",
    "chief executive": "radmann.hamar@demo.test",
}
START = ("/", "/me", "/login", "/forgot-password")
MAX_PAGES_PER_ROLE = 400
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
# More pages of one shape (the same route for another id or query) seldom show anything new.
MAX_PER_SHAPE = 4
SKIPPED_PATHS = re.compile(r"^/(logout|static/)|/(logout|download)(/|$)")
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".zip", ".ics", ".json", ".pdf", ".docx", ".pptx", ".png", ".jpg", ".txt")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])


def _links(base: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        url = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        path = parts.path
        if SKIPPED_PATHS.search(path) or path.lower().endswith(SKIPPED_SUFFIXES):
            continue
        found.append(path + (f"?{parts.query}" if parts.query else ""))
    return found


def _shape(url: str) -> str:
    path, _, query = url.partition("?")
    return re.sub(r"/\d+", "/#", path) + ("?" + "&".join(sorted(re.sub(r"=.*", "", q) for q in query.split("&"))) if query else "")


def client_for(app, email: str | None):
    """A test client as the demo person with this address (signed out for None)."""
    if email is None:
        return app.test_client()
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
    return signed_in_client(app, person)


def crawl(client) -> tuple[dict[str, str], list[str]]:
    """The HTML of every page reached from the start pages, and the links that gave a server error."""
    pages: dict[str, str] = {}
    broken: list[str] = []
    seen: set[str] = set()
    shapes: dict[str, int] = defaultdict(int)
    queue = deque(START)
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if shapes[shape] >= MAX_PER_SHAPE:
            continue
        shapes[shape] += 1
        response = client.get(url)
        if response.status_code >= 500:
            broken.append(f"{url}: {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            location = urlsplit(urljoin("http://localhost" + url, response.location))
            if location.netloc in ("", "localhost"):
                queue.append(location.path + (f"?{location.query}" if location.query else ""))
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        queue.extend(_links("http://localhost" + url, html))
    return pages, broken


@pytest.fixture
def app_config():
    # CSRF on, as in production: each form's hidden csrf_token is then on the page, and several
    # forms on one page must not each give theirs the same id.
    return {"WTF_CSRF_ENABLED": True}


def csrf_token(client, url: str) -> str:
    match = CSRF_FIELD.search(client.get(url).get_data(as_text=True))
    assert match, f"no csrf_token on {url}"
    return match.group(1) or match.group(2)


def archive_import_pages(app, client) -> dict[str, str]:
    """The archive import's pages, which no link reaches with an upload: the demo's own archive
    uploaded (refused, since the installation has networks, with what it holds shown) and kept."""
    from io import BytesIO

    from network.archive.export import write_archive
    from network.archive.web_import import keep_pending
    from network.networks.models import Network

    with app.app_context():
        data = BytesIO()
        write_archive(db.session.scalar(select(Network).order_by(Network.id)), data)
        admin = db.session.scalar(select(Person).where(Person.email == ROLES["coordinator and KS administrator"]))
        upload_id = keep_pending(data.getvalue(), "demo.zip", admin).id
        db.session.commit()
    refused = client.post("/archive/import", data={"archive": (BytesIO(data.getvalue()), "demo.zip"),
                                                   "csrf_token": csrf_token(client, "/archive/import")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    summary = client.get(f"/archive/import/{upload_id}")
    assert summary.status_code == 200
    return {"/archive/import (refused upload)": refused.get_data(as_text=True),
            f"/archive/import/{upload_id}": summary.get_data(as_text=True)}


def _load_demo(app, _factory):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output


demo = built_once(_load_demo)


def run_vnu(files: list[Path]) -> tuple[list[dict], float]:
    started = time.perf_counter()
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    # vnu writes its JSON report to stderr; exit status 1 means "errors found".
    report = json.loads(result.stderr or result.stdout)
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")], elapsed


def _require_checker() -> None:
    if shutil.which("java") is None:
        message = "Java is missing, so the W3C Nu HTML Checker can't run. Install it with: sudo apt-get install -y default-jre-headless"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: run scripts/setup (npm installs vnu-jar)"


def test_every_page_each_demo_role_reaches_is_valid_html(demo, app, tmp_path):
    _require_checker()
    files: dict[str, tuple[str, str]] = {}  # file → (role, url)
    broken: list[str] = []
    counts: dict[str, int] = {}
    for role, email in ROLES.items():
        client = client_for(app, email)
        pages, role_broken = crawl(client)
        if email == ROLES["coordinator and KS administrator"]:
            pages.update(archive_import_pages(app, client))
        counts[role] = len(pages)
        broken += [f"{role}: {line}" for line in role_broken]
        for index, (url, html) in enumerate(pages.items()):
            file = tmp_path / f"{len(files):04d}.html"
            file.write_text(html, encoding="utf-8")
            files[file.as_uri().replace("file:///", "file:/")] = (role, url)
    assert counts["coordinator and KS administrator"] > 50, counts

    errors, elapsed = run_vnu([Path(urlsplit(name).path) for name in files])
    print(f"\nW3C Nu HTML Checker: {sum(counts.values())} pages in {elapsed:.1f} s; pages per role: {counts}")
    lines = []
    for message in errors:
        role, url = files.get(message.get("url", ""), ("?", message.get("url", "")))
        lines.append(f"{role} {url}:{message.get('lastLine', '?')}: {message['message']}"
                     f"  [{(message.get('extract') or '').strip()[:120]}]")
    problems = []
    if lines:
        problems.append(f"{len(lines)} error(s) from the W3C Nu HTML Checker:\n" + "\n".join(sorted(lines)))
    if broken:
        problems.append("Pages that gave a server error:\n" + "\n".join(broken))
    assert not problems, "\n".join(problems)
