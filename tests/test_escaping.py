"""User text is text on every page and in every mail (issue 17, item 4).

Each access matrix's world (tests/test_access_*.py) is built, then every text column of every table
that a person can write is filled with a marker of its own, ``<i data-xss=N>``. Every page of that
matrix is opened as a coordinator (as an admin where only admins may), every action in it is posted (and the page it
leads to opened, with its flash message), and the cron commands that write mail are run; and every
page of the demo that a link leads to is opened as its coordinator (who is an admin too). No HTML
page and no queued mail's HTML part may hold a raw marker. ``&lt;i data-xss`` is what escaping
makes of it, and is fine. The text parts of mail, CSV and .ics are not HTML, so a ``<`` there is
the person's own text.
"""
from __future__ import annotations

import importlib
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from network.auth.models import Person
from network.extensions import db
from network.networks.models import Network
from network.outbox.models import OutboxMessage
from tests import test_access_matrix
from tests.gathering_helpers import FUTURE
from tests.test_access_matrix import _format, _fuzz_role

RAW = "<i data-xss"
ACCESS_MODULES = sorted(path.stem for path in Path(__file__).parent.glob("test_access_*.py"))

# Text columns that are not a person's free text, and why they keep their values. Enum columns,
# primary and foreign keys (random ids made by the server) are left out as a rule.
NOT_USER_TEXT = {
    "email": "an e-mail address, refused by the form unless it is one (EmailAddress)",
    "recipient": "an e-mail address, refused by the form unless it is one",
    "password_hash": "made by argon2, never shown",
    "calendar_token": "a random secret made by the server",
    "token_hash": "a hash made by the server, never shown",
    "sha256": "a hash of the file's bytes, made by the server",
    "content_type": "found by the server from the file's bytes (network/files), never what was sent",
    "number": "the county's official two-digit number, from the national list",
    "org_number": "a nine-digit organisation number, refused by the form unless it is one",
    "kommunenummer": "the official four-digit municipality number, from the national list",
    "kommunenummer_2024": "official municipality numbers, from the national list",
    "language": "a language code (nb, nn, en) the switcher stores, never shown; anything else is ignored",
}
NOT_USER_TABLES = {
    "outbox_message": "the rendered mail itself: its HTML part is what this test checks",
    "outbox_attachment": "files the server made (.ics)",
}


def _builder(module):
    """The function the module's ``built`` fixture is made from: its own ``build…``, or the shared one."""
    own = [value for name, value in vars(module).items()
           if name.startswith("build") and callable(value) and getattr(value, "__module__", None) == module.__name__]
    return own[0] if own else test_access_matrix.build


def user_text_columns() -> list[sa.Column]:
    columns = []
    for table in db.metadata.sorted_tables:
        if table.name in NOT_USER_TABLES:
            continue
        for column in table.columns:
            if (isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)
                    and not column.primary_key and not column.foreign_keys
                    and column.name not in NOT_USER_TEXT and "email" not in column.name):
                columns.append(column)
    return columns


def mark_every_text_column() -> dict[str, str]:
    """Fill each column with ``<i data-xss=N>`` and the row's key (unique columns stay unique).
    Returns marker number → "table.column"."""
    names = {}
    for number, column in enumerate(user_text_columns(), start=1):
        table = column.table
        value = sa.literal(f"{RAW}={number}>")
        for key in table.primary_key.columns:
            value = value + sa.cast(key, sa.String) + "-"
        try:
            with db.session.begin_nested():
                db.session.execute(table.update().values({column.name: value}))
        except sa.exc.IntegrityError:  # a check that the column stays empty in some rows (anonymous feedback)
            db.session.execute(table.update().where(column.is_not(None), column != "").values({column.name: value}))
        names[str(number)] = f"{table.name}.{column.name}"
    db.session.commit()
    return names


def _raw_markers(html: str, names: dict) -> list[str]:
    found = set()
    start = html.find(RAW)
    while start != -1:
        number = html[start + len(RAW) + 1:].split(">", 1)[0]
        found.add(names.get(number, number))
        start = html.find(RAW, start + 1)
    return sorted(found)


def _new_mail_html(since: int) -> list[tuple[str, str]]:
    rows = db.session.execute(select(OutboxMessage.subject, OutboxMessage.body_html)
                              .where(OutboxMessage.id > since)).all()
    return [(subject, html or "") for subject, html in rows]


def _last_mail_id() -> int:
    return db.session.scalar(select(sa.func.max(OutboxMessage.id))) or 0


CRON = [
    ["gatherings", "send-reminders", "--today", (FUTURE - timedelta(days=2)).isoformat()],
    ["assignments", "send-reminders"],
    ["comments", "send-digest"],
    ["feedback", "send-anonymous-notices"],
]


@pytest.mark.parametrize("module_name", ACCESS_MODULES)
def test_user_text_is_escaped_on_every_page_and_in_every_mail(app, factory, login, runner, db_connection,
                                                               module_name):
    module = importlib.import_module(f"tests.{module_name}")
    with app.app_context():
        mail_before = _last_mail_id()
    ids, people = _builder(module)(app, factory)
    with app.app_context():
        names = mark_every_text_column()
    problems = []

    def check(what, response):
        if response.mimetype == "text/html":
            for name in _raw_markers(response.get_data(as_text=True), names):
                problems.append(f"{what}: {name}")

    def check_mail(what, since):
        with app.app_context():
            for subject, html in _new_mail_html(since):
                for name in _raw_markers(html, names):
                    problems.append(f"{what}, mail {subject!r}: {name}")

    check_mail("building the world", mail_before)
    clients = {role: login(people[role]) for role in ("coordinator", "admin")}
    for route in module.ROUTES:
        path = route.path.format(**ids)
        if route.method == "GET":
            # An admin sees what a coordinator sees, and more only where a coordinator may not go.
            role = "coordinator" if route.expected("coordinator") == 200 else "admin"
            check(f"GET {path} as {role}", clients[role].get(path))
            continue
        role = _fuzz_role(route)
        http = app.test_client() if role == "anonymous" else login(people[role])
        data = {_format(key, ids): _format(value, ids) for key, value in (route.data or {}).items()}
        for what, posted in ((f"POST {path} as {role}", data),
                             (f"POST {path} as {role}, typed text shown again",
                              {key: f"{RAW}=typed>" if isinstance(value, str) else value for key, value in data.items()})):
            savepoint = db_connection.begin_nested()
            try:
                with app.app_context():
                    since = _last_mail_id()
                check(what, http.post(path, data=posted, follow_redirects=True))
                check_mail(what, since)
            finally:
                savepoint.rollback()
    for command in CRON:
        savepoint = db_connection.begin_nested()
        try:
            with app.app_context():
                since = _last_mail_id()
            result = runner.invoke(args=command)
            assert result.exit_code == 0, (command, result.output)
            check_mail(" ".join(command), since)
        finally:
            savepoint.rollback()
    problems = [problem.replace(f"{RAW}=typed", "typed") for problem in problems]
    assert not problems, "unescaped user text:\n" + "\n".join(sorted(set(problems)))


# --- the demo, every page reachable by a link ------------------------------------------------
# Pages that show one capability's text inside another's (a gathering's title on the grouping
# page, a feedback's topic on the dashboard) need a world with one of everything: the demo.

CRAWL_PER_ENDPOINT = 3  # addresses per endpoint: enough for the variants (sort orders, filters)
NOT_CRAWLED = {"static", "main.designsystem", "auth.logout"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def crawl(app, http, start: list[str], check) -> int:
    """Open every same-site page reachable from ``start`` (a few per endpoint); returns how many."""
    adapter = app.url_map.bind("localhost")
    seen, per_endpoint, queue, opened = set(start), {}, list(start), 0
    while queue:
        address = queue.pop(0)
        response = http.get(address)
        opened += 1
        check(f"GET {address}", response)
        if response.mimetype != "text/html":
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            link = urljoin(address, href)
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            try:
                endpoint, _args = adapter.match(parts.path, method="GET")
            except HTTPException:
                continue
            if link in seen or endpoint in NOT_CRAWLED or per_endpoint.get(endpoint, 0) >= CRAWL_PER_ENDPOINT:
                continue
            seen.add(link)
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
            queue.append(link)
    return opened


def test_user_text_is_escaped_on_every_page_of_the_demo(app, runner, login):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = mark_every_text_column()
        coordinator = db.session.scalar(select(Person).where(Person.email == "koordinator@demo.test"))
        assert coordinator.is_admin  # KS's coordinator in the demo is an administrator too
        networks = db.session.scalars(select(Network.id)).all()
    problems = []

    def check(what, response):
        assert response.status_code < 500, what
        if response.mimetype == "text/html":
            problems.extend(f"{what}: {name}" for name in _raw_markers(response.get_data(as_text=True), names))

    start = ["/me", "/networks/", *(f"/networks/{network}" for network in networks),
             *(f"/networks/{network}/dashboard" for network in networks)]
    opened = crawl(app, login(coordinator), start, check)
    assert opened > 100, opened
    assert not problems, "unescaped user text:\n" + "\n".join(sorted(set(problems)))
