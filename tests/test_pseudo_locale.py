"""No text reaches a person without passing through the catalogue (issue 14).

Under a pseudo-locale every translation is its message wrapped in ⟦…⟧. The demo is crawled as
each demo role (the crawler of tests/test_html_validity.py), and a few actions that write mail are
done; on every page and in every mail, the visible text with the wrapped parts taken out must hold
no word but what people wrote (anything stored in the database: names, titles, descriptions),
the months and weekdays Babel writes in dates, and the few words left as they are on purpose (the
languages' own names in the switcher, the currency). A word that is none of these was never
marked for translation, so nynorsk and English readers would see it in bokmål.

The pseudo-locale is ``nb_SJ`` (bokmål as written on Svalbard): a real CLDR locale, so dates and
numbers are formatted as in bokmål, and one the app never chooses by itself.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel import Locale
from babel.support import NullTranslations
from sqlalchemy import String, Text, select

from network.auth.models import Person
from network.extensions import babel, db
from network.main import language
from network.outbox.models import OutboxMessage
from tests.test_html_validity import ROLES, client_for, crawl, demo  # noqa: F401  (demo: the demo, loaded once)

PSEUDO = "nb_SJ"
OPEN, CLOSE = "⟦", "⟧"
WRAPPED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
WORD = re.compile(r"[^\W\d_]{2,}")
URL = re.compile(r"https?://\S+")
# Left untranslated on purpose: each language named in itself (the switcher), and the currency
# as bokmål and nynorsk write it (network/main/formatting.kroner; English writes NOK).
AS_THEY_ARE = {"norsk", "bokmål", "nynorsk", "english", "kr", "nok",
               # "kl." in a time (network/main/formatting.DATE_TIME, chosen per language like the
               # month names), and file sizes (kB, MB) in every language
               "kl", "kb", "mb"}
# Text people read: text nodes, and the attributes that are read out or shown.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class PseudoTranslations(NullTranslations):
    """Every message wrapped, plural forms too; placeholders kept, so formatting still works."""

    def gettext(self, message):
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, singular, plural, n):
        return f"{OPEN}{singular if n == 1 else plural}{CLOSE}"

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)

    ugettext, ungettext, upgettext, unpgettext = gettext, ngettext, pgettext, npgettext


@pytest.fixture
def pseudo(monkeypatch):
    """Bokmål becomes the pseudo-locale for the test: pages, mail and anything else rendered."""
    monkeypatch.setitem(language._LOCALES, "nb", PSEUDO)
    key = (PSEUDO, babel.domain_instance.domain[0])
    babel.domain_instance.cache[key] = PseudoTranslations()
    yield
    babel.domain_instance.cache.pop(key, None)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a person reads: not scripts or styles, and not what the page marks
    ``translate="no"`` (the HTML standard's mark for code, names and the like)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, skipped) of the elements we are in

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self._open)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = tag in ("script", "style") or attributes.get("translate") == "no"
        if not (skipped or self._skipping()):
            self.parts += [attributes[name] for name in READ_ATTRIBUTES if attributes.get(name)]
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.parts.append(attributes["value"])
        if tag not in VOID:
            self._open.append((tag, skipped))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def unwrapped(text: str) -> str:
    """The text with every wrapped part (nested ones too) taken out."""
    while True:
        shorter = WRAPPED.sub(" ", text)
        if shorter == text:
            return shorter
        text = shorter


def stray_words(html: str, allowed: set[str]) -> list[str]:
    """The words left, each with a little of the text around it, for the failure message."""
    parser = _Text()
    parser.feed(html)
    left = URL.sub(" ", unwrapped("\n".join(parser.parts)))
    found = {}
    for match in WORD.finditer(left):
        word = match.group().lower()
        # A title shortened with "…" ends in part of a word people wrote.
        cut = left[match.end():match.end() + 1] == "…" and any(known.startswith(word) for known in allowed)
        if word not in allowed and not cut:
            around = left[max(0, match.start() - 25):match.end() + 25].replace("\n", " ").strip()
            found.setdefault(match.group(), f"{match.group()} «{around}»")
    return sorted(found.values())


def written_by_people() -> set[str]:
    """Every word stored in a text column of any table: what people (and the demo) wrote."""
    words: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                for value in db.session.scalars(select(column).where(column.is_not(None)).distinct()):
                    if isinstance(value, str):
                        words.update(word.lower() for word in WORD.findall(value))
    return words


def dates_words() -> set[str]:
    """The month and weekday names (and their abbreviations) Babel writes in bokmål dates."""
    locale = Locale.parse(PSEUDO)
    words: set[str] = set()
    for names in (locale.months, locale.days):
        for context in names.values():
            for width in context.values():
                for name in width.values():
                    words.update(word.lower() for word in WORD.findall(name))
    return words


@pytest.fixture
def allowed(app, demo) -> set[str]:
    with app.app_context():
        return written_by_people() | dates_words() | AS_THEY_ARE


# The API's documentation page shows the OpenAPI document, whose descriptions are written once, in
# bokmål, in the models that also validate the answers (issue 15); its own headings are translated.
NOT_CHECKED = ("/api/v1/docs",)


def test_every_page_of_every_role_shows_only_translated_text(demo, app, pseudo, allowed):
    problems, counts = [], {}
    for role, email in ROLES.items():
        pages, _broken = crawl(client_for(app, email))
        counts[role] = len(pages)
        for url, html in pages.items():
            if url.startswith(NOT_CHECKED):
                continue
            assert OPEN in html, f"{url}: the pseudo-locale is not in use"
            words = stray_words(html, allowed)
            if words:
                problems.append(f"{role} {url}: {', '.join(words[:12])}")
    assert counts["coordinator and KS administrator"] > 50, counts
    assert not problems, f"{len(problems)} pages show text that is not in the catalogue:\n" + "\n".join(problems)


def test_mail_written_by_actions_shows_only_translated_text(demo, app, pseudo, allowed):
    """A registration's confirmation (with its .ics), a password reset, an invitation, named
    feedback to KS, the gathering's and the assignment's reminders from cron, and the
    cancellation (with its .ics): subject, text and HTML of each."""
    from datetime import timedelta

    from network.gatherings.models import Gathering, GatheringStatus, Registration

    with app.app_context():
        first_id = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc())) or 0
        gathering = db.session.scalars(select(Gathering).where(Gathering.status == GatheringStatus.OPEN)).first()
        gathering_path = f"/networks/{gathering.network_id}/gatherings/{gathering.id}"
        days = [day.id for day in gathering.days]
        network_id = gathering.network_id
        municipality_id = db.session.scalar(select(Person.organisation_id).where(
            Person.email == ROLES["participant"]))
    participant = client_for(app, ROLES["participant"])
    assert participant.post(f"{gathering_path}/register", data={"days": days}).status_code == 302
    # /forgot-password leaves the mail to a job (the same time for every address); queue it as that job does.
    from network.auth.services import queue_password_reset

    with app.test_request_context():
        assert queue_password_reset(ROLES["contact"]) is not None
        db.session.commit()
    coordinator = client_for(app, ROLES["coordinator and KS administrator"])
    invited = coordinator.post(f"/networks/{network_id}/people/invite", data={
        "name": "Nina Nyansatt", "email": "nina.nyansatt@example.test", "organisation_id": str(municipality_id),
        "roles": ["participant"]})
    assert invited.status_code == 302
    # Named feedback, announced to KS at once.
    sent = participant.post(f"/networks/{network_id}/feedback/new", data={"topic": "platform", "works": "Hamar."})  # a word people wrote already
    assert sent.status_code == 302
    # Cron: the gathering's reminder and the assignment's, on the days they are due.
    with app.app_context():
        first_day = min(day.day for day in db.session.get(Gathering, gathering.id).days)
        before = db.session.get(Gathering, gathering.id).network.reminder_days_before
        from network.assignments.models import Assignment

        due = db.session.scalar(select(Assignment.due_on).where(Assignment.network_id == network_id)
                                .order_by(Assignment.due_on))
    runner = app.test_cli_runner()
    for command, day in (("gatherings", first_day - timedelta(days=before)), ("assignments", due - timedelta(days=before))):
        result = runner.invoke(args=[command, "send-reminders", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output
    # Cancelling the registration, confirmed.
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id).join(Person, Person.id == Registration.person_id)
                                            .where(Registration.gathering_id == gathering.id,
                                                   Person.email == ROLES["participant"]))
    cancelled = participant.post(f"{gathering_path}/registrations/{registration_id}/cancel", data={"confirmed": "1"})
    assert cancelled.status_code == 302
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > first_id)).all()
        subjects = sorted(mail.subject for mail in mails)
        # confirmation, reset, invitation, feedback, cancellation, and the two reminders
        assert len({subject.split(":")[0] for subject in subjects}) >= 6, subjects
        assert sum(subject.startswith("⟦Påminnelse") for subject in subjects) >= 2, subjects
        problems = []
        for mail in mails:
            for part, text in (("subject", mail.subject), ("text", mail.body_text), ("html", mail.body_html),
                               *((a.filename, a.data.decode()) for a in mail.attachments
                                 if a.filename.endswith(".ics"))):
                if part == "html":
                    words = stray_words(text, allowed)
                else:
                    # An .ics folds its lines and escapes commas; URLs and headers are not prose.
                    plain = re.sub(r"\r?\n[ \t]", "", text).replace("\\,", ",").replace("\\n", "\n")
                    plain = re.sub(r"https?://\S+|^[A-Z-]+(;[^:]*)?:(?=.)", " ", plain, flags=re.M) if part.endswith(".ics") \
                        else re.sub(r"https?://\S+", " ", plain)
                    if part.endswith(".ics"):
                        plain = "\n".join(line.split(":", 1)[-1] for line in plain.splitlines()
                                          if line.startswith(("SUMMARY", "DESCRIPTION", "LOCATION", "NAME")))
                    words = sorted({w for w in WORD.findall(unwrapped(plain)) if w.lower() not in allowed})
                if words:
                    problems.append(f"{mail.subject[:40]} ({part}): {', '.join(words[:12])}")
    assert not problems, "\n".join(problems)


def test_unwrapping_takes_out_nested_and_split_messages():
    assert unwrapped("⟦Samling ⟦3⟧: Bolig⟧ Oslo") == "  Oslo"
    assert stray_words("<p>⟦Les <a href='#'>mer</a> her⟧ Ikke</p>", {"oslo"}) == ["Ikke «Ikke»"]
    assert stray_words('<button aria-label="Lukk">⟦X⟧</button>', set()) == ["Lukk «Lukk»"]
