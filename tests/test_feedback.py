"""Feedback to KS through the HTTP client and a real database: the form for members and visitors,
bad input, attachments, anonymity (inspected in every table), spam limits, and the coordinators'
inbox with filters, sorting, CSV, status, notes and replies. Mail delivery: tests/test_feedback_mail.py."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from network.extensions import db, limiter
from network.feedback.demo import load_demo
from network.feedback.models import (
    FEEDBACK_TEXT_MAX,
    Feedback,
    FeedbackAttachment,
    FeedbackNote,
    FeedbackReply,
    FeedbackStatus,
    FeedbackTopic,
)
from network.files.models import StoredFile
from network.files.services import detect_kind
from network.main import clock
from network.networks.models import Network
from network.outbox.models import OutboxMessage
from network.resources.models import SlideSet
from tests.factories import world
from tests.html import error_summary, field_error, input_value, main
from tests.query_counter import count_queries

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def pptx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<presentation/>")
    return buffer.getvalue()


# --- helpers (also used by tests/test_access_feedback.py and tests/test_feedback_mail.py) -------


def make_feedback(app, network_id: int, *, sender=None, topic: FeedbackTopic = FeedbackTopic.OTHER, works: str = "",
                  does_not_work: str = "", suggestion: str = "", status: FeedbackStatus = FeedbackStatus.NEW,
                  received_on: date | None = None, attachment: tuple[str, bytes] | None = None,
                  visitor: tuple[str, str] | None = None, gathering_id: int | None = None) -> str:
    """One item straight into the database; anonymous unless a sender or a visitor's (name, address) is given."""
    with app.app_context():
        feedback = Feedback(
            network_id=network_id, topic=topic, works=works, does_not_work=does_not_work, suggestion=suggestion,
            status=status, anonymous=sender is None and visitor is None, gathering_id=gathering_id,
            received_on=received_on or date(2019, 9, 20),
        )
        if sender is not None:
            feedback.sender_id, feedback.sender_name, feedback.sender_email = sender.id, sender.name, sender.email
        elif visitor is not None:
            feedback.sender_name, feedback.sender_email = visitor
        if attachment is not None:
            name, data = attachment
            feedback.attachments.append(FeedbackAttachment(
                filename=name, content_type=detect_kind(data).content_type, size=len(data), data=data))
        db.session.add(feedback)
        db.session.commit()
        return feedback.id


def all_feedback(app, network_id: int | None = None) -> list[Feedback]:
    with app.app_context():
        query = select(Feedback)
        if network_id is not None:
            query = query.where(Feedback.network_id == network_id)
        rows = list(db.session.scalars(query))
        for row in rows:
            row.attachments, row.replies, row.notes, row.sender  # noqa: B018 (loaded before the session closes)
        db.session.expunge_all()
        return rows


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def s(app, factory):
    """The world, a gathering and KS's slide set in it, and a network open to visitors."""
    network, hamar, lillehammer, people = world(factory)
    gathering = factory.gathering(network, 1, date(2019, 4, 10), title="Oppstart")
    open_network = factory.network("Åpent nettverk", feedback_from_visitors=True)
    with app.app_context():
        slide_set = SlideSet(network_id=network.id, title="KS-settet om boligpolitikk")
        foreign_set = SlideSet(network_id=open_network.id, title="Et annet sett")
        db.session.add_all([slide_set, foreign_set])
        db.session.commit()
        ids = {"slide_set": slide_set.id, "foreign_set": foreign_set.id}
    other_gathering = factory.gathering(open_network, 1, date(2019, 5, 1), title="Annen")
    return {"network": network, "people": people, "gathering": gathering.id, "open": open_network,
            "other_gathering": other_gathering.id, **ids}


def new_url(network) -> str:
    return f"/networks/{network.id}/feedback/new"


# --- sending as a member --------------------------------------------------------------------


def test_form_tells_a_member_their_name_goes_with_it_and_what_anonymous_means(s, login):
    response = login(s["people"]["participant"]).get(new_url(s["network"]))
    assert response.status_code == 200
    page = main(response)
    assert "Dag Deltaker" in page and "Send anonymt" in page
    for promise in ("uten navn, bruker, e-postadresse, IP-adresse og klokkeslett", "Bare datoen lagres",
                    "brukes IP-adressen din en kort stund", "forfatter"):
        assert promise in page
    assert "Samling 1: Oppstart 1" in page and "KS-settet om boligpolitikk" in page
    assert 'id="name"' not in page  # signed in: no name or address to type


@pytest.mark.parametrize("role", ["participant", "executive", "observer", "coordinator"])
def test_member_sends_named_feedback(app, s, login, role):
    person = s["people"][role]
    response = login(person).post(new_url(s["network"]), data={
        "topic": "gathering", "gathering_id": str(s["gathering"]), "slide_set_id": str(s["slide_set"]),
        "works": "  Gruppearbeidet.\r\nOg lunsjen. ", "does_not_work": "", "suggestion": "Mer tid i grupper.",
    }, follow_redirects=True)
    assert response.status_code == 200 and response.request.path.endswith("/feedback/sent")
    page = main(response)
    assert "Takk for tilbakemeldingen" in page and "Gruppearbeidet." in page
    assert f"KS kan svare deg på {person.email}" in page
    [feedback] = all_feedback(app, s["network"].id)
    assert (feedback.sender_id, feedback.sender_name, feedback.sender_email) == (person.id, person.name, person.email)
    assert not feedback.anonymous and feedback.status is FeedbackStatus.NEW
    assert feedback.works == "Gruppearbeidet.\nOg lunsjen." and feedback.suggestion == "Mer tid i grupper."
    # The gathering belongs to the topic; the slide set, chosen too, does not.
    assert feedback.topic is FeedbackTopic.GATHERING
    assert (feedback.gathering_id, feedback.slide_set_id) == (s["gathering"], None)
    assert feedback.received_on == clock.oslo_today()
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMessage)).all()
        assert mail.recipient == "tilbakemelding@ks.test"


def test_slide_feedback_keeps_the_slide_set_only(app, s, login):
    login(s["people"]["participant"]).post(new_url(s["network"]), data={
        "topic": "slides", "gathering_id": str(s["gathering"]), "slide_set_id": str(s["slide_set"]),
        "suggestion": "Færre ord per lysark."})
    [feedback] = all_feedback(app, s["network"].id)
    assert (feedback.topic, feedback.gathering_id, feedback.slide_set_id) == (FeedbackTopic.SLIDES, None, s["slide_set"])


def test_member_sends_their_own_slides(app, s, login):
    before = count(app, StoredFile)
    response = login(s["people"]["contact"]).post(new_url(s["network"]), data={
        "topic": "slides", "works": "Vår versjon fungerte i formannskapet.",
        "attachment": (io.BytesIO(pptx_bytes()), "Våre lysark.pptx"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "Våre lysark.pptx" in main(response)
    [feedback] = all_feedback(app, s["network"].id)
    [attachment] = feedback.attachments
    assert attachment.filename == "Våre lysark.pptx" and len(attachment.id) == 32
    assert attachment.content_type.endswith("presentationml.presentation")
    assert count(app, StoredFile) == before  # kept apart from the numbered stored files


# --- visitors -------------------------------------------------------------------------------


def test_visitor_form_asks_for_name_and_address_and_shows_no_member_lists(s, client):
    response = client.get(new_url(s["open"]))
    assert response.status_code == 200
    page = main(response)
    assert 'id="name"' in page and 'id="email"' in page
    assert 'id="gathering_id"' not in page and 'id="slide_set_id"' not in page


def test_visitor_sends_named_feedback(app, s, client):
    response = client.post(new_url(s["open"]), data={
        "topic": "platform", "works": "Lett å finne fram.", "name": " Vera Besøkende ", "email": "vera@example.test"})
    assert response.status_code == 302
    [feedback] = all_feedback(app, s["open"].id)
    assert (feedback.sender_id, feedback.sender_name, feedback.sender_email) == (None, "Vera Besøkende", "vera@example.test")
    assert feedback.reply_address == "vera@example.test"


def test_anonymous_visitor_leaves_no_name_even_when_typed(app, s, client):
    response = client.post(new_url(s["open"]), data={
        "topic": "other", "does_not_work": "Noe.", "anonymous": "y", "name": "Vera", "email": "vera@example.test"},
        follow_redirects=True)
    assert response.status_code == 200
    assert "kan derfor ikke svare deg" in main(response)
    [feedback] = all_feedback(app, s["open"].id)
    assert feedback.anonymous and (feedback.sender_id, feedback.sender_name, feedback.sender_email) == (None, "", "")


def test_visitor_is_sent_to_sign_in_where_visitors_are_not_allowed(app, s, client):
    response = client.post(new_url(s["network"]), data={"topic": "other", "works": "Hei", "anonymous": "y"})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert all_feedback(app) == []


def test_signed_in_outsider_is_treated_as_a_visitor(app, s, login):
    outsider = s["people"]["outsider"]
    http = login(outsider)
    assert http.get(new_url(s["network"])).status_code == 403
    page = main(http.get(new_url(s["open"])))
    assert "Ulla Utenfor" in page and 'id="gathering_id"' not in page
    assert http.post(new_url(s["open"]), data={"topic": "other", "works": "Fint."}).status_code == 302
    [feedback] = all_feedback(app, s["open"].id)
    assert feedback.sender_id == outsider.id


# --- bad input ------------------------------------------------------------------------------

TYPED = {"works": "Dette vil jeg beholde.", "suggestion": "Og dette forslaget."}
BAD_INPUT = [
    ("member", {"topic": "gathering", "works": "", "suggestion": ""}, "works"),
    ("member", {**TYPED, "topic": ""}, "topic"),
    ("member", {**TYPED, "topic": "weather"}, "topic"),
    ("member", {**TYPED, "topic": "network", "does_not_work": "x" * (FEEDBACK_TEXT_MAX + 1)}, "does_not_work"),
    ("member", {**TYPED, "topic": "gathering", "gathering_id": "{other_gathering}"}, "gathering_id"),
    ("member", {**TYPED, "topic": "gathering", "gathering_id": "999999"}, "gathering_id"),
    ("member", {**TYPED, "topic": "slides", "slide_set_id": "{foreign_set}"}, "slide_set_id"),
    ("member", {**TYPED, "topic": "slides", "slide_set_id": "abc"}, "slide_set_id"),
    ("visitor", {**TYPED, "topic": "other", "email": "vera@example.test"}, "name"),
    ("visitor", {**TYPED, "topic": "other", "name": "Vera"}, "email"),
    ("visitor", {**TYPED, "topic": "other", "name": "Vera", "email": "ikke-en-adresse"}, "email"),
    ("visitor", {**TYPED, "topic": "other", "name": "V" * 121, "email": "vera@example.test"}, "name"),
]


@pytest.mark.parametrize("who, data, field", BAD_INPUT, ids=[f"{row[0]}-{row[2]}-{i}" for i, row in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_and_kept(app, s, client, login, who, data, field):
    data = {key: value.format(**s) for key, value in data.items()}
    if who == "member":
        response = login(s["people"]["participant"]).post(new_url(s["network"]), data=data)
    else:
        response = client.post(new_url(s["open"]), data=data)
    assert response.status_code == 422
    assert error_summary(response)
    assert field_error(response, field), field
    for name in ("works", "suggestion"):
        if data.get(name):
            assert input_value(response, name) == data[name]
    if who == "visitor" and data.get("name"):
        assert input_value(response, "name") == data["name"]
    assert all_feedback(app) == [] and count(app, OutboxMessage) == 0


REFUSED_FILES = [
    ("notes.pdf", b"Bare tekst, ikke en PDF."),
    ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
    ("tom.pdf", b""),
    ("stor.pdf", PDF + b"0" * 4096),
]


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_BYTES": 2048}])
@pytest.mark.parametrize("filename, data", REFUSED_FILES, ids=[row[0] for row in REFUSED_FILES])
def test_refused_attachment_keeps_the_text(app, s, login, app_config, filename, data):
    before = count(app, StoredFile)
    response = login(s["people"]["participant"]).post(new_url(s["network"]), data={
        "topic": "slides", **TYPED, "attachment": (io.BytesIO(data), filename),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "attachment")
    assert "Velg filen på nytt" in main(response)
    assert input_value(response, "works") == TYPED["works"]
    assert all_feedback(app) == [] and count(app, OutboxMessage) == 0 and count(app, StoredFile) == before


# --- anonymity ------------------------------------------------------------------------------

CLIENT_IP = "203.0.113.77"


def snapshot() -> dict[str, dict]:
    """Every row of every table, by primary key."""
    tables = {}
    for table in db.metadata.sorted_tables:
        key = [column.name for column in table.primary_key.columns]
        rows = db.session.execute(select(table)).mappings().all()
        tables[table.name] = {tuple(row[k] for k in key): dict(row) for row in rows}
    return tables


def _person_columns(table) -> list[str]:
    return [column.name for column in table.columns
            if any(fk.column.table.name == "person" for fk in column.foreign_keys)]


def test_anonymous_feedback_leaves_no_trace_of_the_sender(app, s, login):
    """Inspect the whole database before and after a signed-in participant sends anonymously."""
    person = s["people"]["participant"]
    http = login(person)
    with app.app_context():
        before = snapshot()
    response = http.post(new_url(s["network"]), data={
        "topic": "slides", "slide_set_id": str(s["slide_set"]), "does_not_work": "Lysarkene har for mye tekst.",
        "anonymous": "y", "attachment": (io.BytesIO(pptx_bytes()), "kortversjon.pptx"),
    }, content_type="multipart/form-data", environ_base={"REMOTE_ADDR": CLIENT_IP})
    assert response.status_code == 302
    with app.app_context():
        after = snapshot()
        tables = {table.name: table for table in db.metadata.sorted_tables}

    new_rows = {name: [row for key, row in rows.items() if key not in before[name]] for name, rows in after.items()}
    changed = {name: [row for key, row in rows.items() if key in before[name] and before[name][key] != row]
               for name, rows in after.items()}
    # No mail at the time of sending: KS hears of anonymous feedback in a daily count.
    assert {name for name, rows in new_rows.items() if rows} == {"feedback", "feedback_attachment"}
    assert {name for name, rows in changed.items() if rows} == set()
    assert after["person"][(person.id,)] == before["person"][(person.id,)]
    assert not [name for name, rows in after.items() if set(rows) < set(before[name])]  # nothing deleted

    personal = {person.name, person.email, CLIENT_IP}
    for name, rows in new_rows.items():
        for row in rows:
            for column in _person_columns(tables[name]):
                assert row[column] != person.id, (name, column)
            for column, value in row.items():
                shown = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                assert not any(p in shown for p in personal), (name, column)
    [feedback] = new_rows["feedback"]
    assert feedback["anonymous"] and feedback["sender_id"] is None and feedback["sender_name"] == feedback["sender_email"] == ""
    # A date, never a time of day, on the feedback and its attachment.
    for name in ("feedback", "feedback_attachment"):
        for row in new_rows[name]:
            assert not [c for c, v in row.items() if isinstance(v, datetime)], name
    assert feedback["received_on"] == clock.oslo_today() and not isinstance(feedback["received_on"], datetime)
    assert feedback["notice_pending"]


def test_the_receipt_reminds_that_anonymous_feedback_cannot_be_answered(s, login):
    response = login(s["people"]["participant"]).post(new_url(s["network"]), data={
        "topic": "network", "works": "Godt nettverk.", "anonymous": "y"}, follow_redirects=True)
    page = main(response)
    assert "KS vet ikke hvem den kommer fra" in page and "Anonym" in page
    assert "Dag Deltaker" not in page and "@example.test" not in page


# --- spam -----------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_honeypot_looks_sent_but_stores_nothing(app, s, client, login, signed_in):
    http = login(s["people"]["participant"]) if signed_in else client
    network = s["network"] if signed_in else s["open"]
    response = http.post(new_url(network), data={
        "topic": "other", "works": "Billige klokker!", "name": "Spam", "email": "spam@example.test",
        "website": "https://spam.example"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Takk for tilbakemeldingen" in main(response)
    assert all_feedback(app) == [] and count(app, OutboxMessage) == 0


def test_honeypot_is_hidden_from_people(s, client):
    html = client.get(new_url(s["open"])).get_data(as_text=True)
    trap = html.split('class="feedback-honeypot"')[1].split("</div>")[0]
    assert 'aria-hidden="true"' in trap and "La dette feltet stå tomt" in trap
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "FEEDBACK_RATE_LIMIT": "2 per minute"}])
def test_visitors_are_rate_limited_and_members_are_not(app, s, client, login, app_config):
    limiter.reset()
    try:
        visitor = {"topic": "other", "works": "Fra en besøkende.", "anonymous": "y"}
        statuses = [client.post(new_url(s["open"]), data=visitor).status_code for _ in range(3)]
        assert statuses == [302, 302, 429]
        assert len(all_feedback(app, s["open"].id)) == 2
        assert client.get(new_url(s["open"])).status_code == 200  # reading the form is not limited
        member = login(s["people"]["participant"])
        statuses = [member.post(new_url(s["open"]), data={"topic": "other", "works": f"Nr. {n}"}).status_code
                    for n in range(4)]
        assert statuses == [302] * 4
    finally:
        limiter.reset()


# --- the inbox ------------------------------------------------------------------------------


def inbox_url(network, query: str = "") -> str:
    return f"/networks/{network.id}/feedback{query}"


@pytest.fixture
def items(app, s):
    people, network = s["people"], s["network"].id
    return {
        "named": make_feedback(app, network, sender=people["participant"], topic=FeedbackTopic.SLIDES,
                               works="Manusene gjør lysarkene lette å bruke.", received_on=date(2019, 9, 1),
                               attachment=("egne.pdf", PDF)),
        "anonymous": make_feedback(app, network, topic=FeedbackTopic.GATHERING, does_not_work="For lite tid i grupper.",
                                   received_on=date(2019, 10, 1), status=FeedbackStatus.READ,
                                   gathering_id=s["gathering"]),
        "visitor": make_feedback(app, network, visitor=("Anna Aas", "anna@example.test"), topic=FeedbackTopic.PLATFORM,
                                 suggestion="Større skrift.", received_on=date(2019, 8, 1),
                                 status=FeedbackStatus.ARCHIVED),
    }


def test_inbox_lists_the_feedback(s, items, login):
    response = login(s["people"]["coordinator"]).get(inbox_url(s["network"]))
    assert response.status_code == 200
    page = main(response)
    for expected in ("Manusene gjør lysarkene lette å bruke.", "For lite tid i grupper.", "Anonym", "Dag Deltaker",
                     "Anna Aas", "01.09.2019", "Lysarkene", "Oppstart 1", "Arkivert"):
        assert expected in page, expected
    assert f"/feedback/{items['named']}" in page


def _order(response, items) -> list[str]:
    html = response.get_data(as_text=True)
    return sorted(items, key=lambda key: html.index(f"/feedback/{items[key]}\""))


@pytest.mark.parametrize("query, expected", [
    ("", ["anonymous", "named", "visitor"]),
    ("?sort=received&dir=asc", ["visitor", "named", "anonymous"]),
    ("?sort=topic", ["named", "anonymous", "visitor"]),
    ("?sort=status", ["named", "anonymous", "visitor"]),
    ("?sort=status&dir=desc", ["visitor", "anonymous", "named"]),
    ("?sort=sender", ["visitor", "named", "anonymous"]),
    ("?sort=sender&dir=desc", ["named", "visitor", "anonymous"]),
    ("?sort=nonsense&dir=sideways", ["visitor", "named", "anonymous"]),
])
def test_inbox_sorts(s, items, login, query, expected):
    response = login(s["people"]["coordinator"]).get(inbox_url(s["network"], query))
    assert _order(response, items) == expected


@pytest.mark.parametrize("query, shown", [
    ("?topic=slides", {"named"}),
    ("?status=read", {"anonymous"}),
    ("?topic=platform&status=archived", {"visitor"}),
    ("?topic=platform&status=new", set()),
    ("?topic=bogus&status=", {"named", "anonymous", "visitor"}),
])
def test_inbox_filters_and_csv_follows(s, items, login, query, shown):
    http = login(s["people"]["coordinator"])
    page = http.get(inbox_url(s["network"], query)).get_data(as_text=True)
    assert {key for key, id_ in items.items() if f"/feedback/{id_}" in page} == shown
    csv = http.get(f"/networks/{s['network'].id}/feedback.csv{query}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Mottatt;Emne;Samling")
    assert len(lines) - 1 == len(shown)


def test_csv_names_no_one_for_anonymous_feedback(s, items, login):
    body = login(s["people"]["coordinator"]).get(f"/networks/{s['network'].id}/feedback.csv").get_data(as_text=True)
    anonymous = next(line for line in body.splitlines() if "For lite tid i grupper." in line)
    assert ";Anonym;;" in anonymous and "2019-10-01" in anonymous and "Oppstart 1" in anonymous
    assert "dag" not in anonymous.lower()


XSS = "<script>alert('x')</script> [klikk](javascript:alert(1)) <img src=x onerror=alert(2)>"


def test_user_text_is_escaped_everywhere(app, s, login, client):
    client.post(new_url(s["open"]), data={"topic": "other", "works": XSS, "suggestion": "=HYPERLINK(\"http://x\")",
                                            "name": "<b>Vera</b>", "email": "vera@example.test"})
    response = login(s["people"]["participant"]).post(new_url(s["network"]), data={
        "topic": "other", "works": XSS, "does_not_work": "=1+2", "suggestion": "@SUM(A1)"})
    assert "<script>alert" not in response.get_data(as_text=True)
    visitor = make_feedback(app, s["network"].id, visitor=("<b>Vera</b>", "vera@example.test"), works=XSS,
                            suggestion="-2+3")
    http = login(s["people"]["coordinator"])
    for url in (inbox_url(s["network"]), inbox_url(s["network"], f"/{visitor}")):
        html = http.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "javascript:" not in html and "<img src=x" not in html
        assert "<b>Vera</b>" not in html
    detail = http.get(inbox_url(s["network"], f"/{visitor}"))
    assert "&lt;b&gt;Vera&lt;/b&gt;" in detail.get_data(as_text=True)
    csv = http.get(f"/networks/{s['network'].id}/feedback.csv").get_data(as_text=True)
    for formula in ("=1+2", "@SUM(A1)", "-2+3"):
        assert f"'{formula}" in csv and f";{formula}" not in csv


def test_inbox_query_count_is_flat(app, s, login):
    http = login(s["people"]["coordinator"])
    network = s["network"].id

    def add(n):
        for i in range(n):
            make_feedback(app, network, sender=s["people"]["participant"] if i % 2 else None,
                          topic=list(FeedbackTopic)[i % 5], works=f"Innspill {i}", gathering_id=s["gathering"],
                          attachment=("vedlegg.pdf", PDF) if i % 3 == 0 else None)

    def queries():
        with count_queries(app) as statements:
            assert http.get(inbox_url(s["network"])).status_code == 200
        return len(statements)

    add(2)
    few = queries()
    add(12)
    assert queries() == few


# --- one item -------------------------------------------------------------------------------


def status_of(app, feedback_id) -> FeedbackStatus:
    with app.app_context():
        return db.session.get(Feedback, feedback_id).status


def test_opening_new_feedback_marks_it_read(app, s, items, login):
    http = login(s["people"]["coordinator"])
    response = http.get(inbox_url(s["network"], f"/{items['named']}"))
    assert response.status_code == 200
    page = main(response)
    assert "Manusene gjør lysarkene lette å bruke." in page and "egne.pdf" in page and "Dag Deltaker" in page
    assert status_of(app, items["named"]) is FeedbackStatus.READ
    http.get(inbox_url(s["network"], f"/{items['visitor']}"))
    assert status_of(app, items["visitor"]) is FeedbackStatus.ARCHIVED  # only new items change


def test_coordinator_downloads_an_attachment(app, s, items, login):
    with app.app_context():
        attachment = db.session.get(Feedback, items["named"]).attachments[0].id
    response = login(s["people"]["coordinator"]).get(inbox_url(s["network"], f"/{items['named']}/attachments/{attachment}"))
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"] and "egne.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("value, status", [("answered", 302), ("archived", 302), ("deleted", 422), ("", 422)])
def test_status_change(app, s, items, login, value, status):
    response = login(s["people"]["coordinator"]).post(inbox_url(s["network"], f"/{items['named']}/status"),
                                                      data={"status-status": value})
    assert response.status_code == status
    expected = FeedbackStatus(value) if status == 302 else FeedbackStatus.NEW
    assert status_of(app, items["named"]) is expected


def test_notes_are_internal(app, s, items, login):
    http = login(s["people"]["coordinator"])
    url = inbox_url(s["network"], f"/{items['anonymous']}/notes")
    assert http.post(url, data={"note-body": "   "}).status_code == 422
    assert http.post(url, data={"note-body": "x" * 5001}).status_code == 422
    response = http.post(url, data={"note-body": "Ta opp med **programkomiteen**."})
    assert response.status_code == 302
    page = main(http.get(response.location))
    assert "Kristin Koordinator" in page and "<strong>programkomiteen</strong>" in page
    with app.app_context():
        [note] = db.session.scalars(select(FeedbackNote)).all()
        assert note.author_id == s["people"]["coordinator"].id and note.feedback_id == items["anonymous"]


def test_reply_to_named_feedback(app, s, items, login):
    http = login(s["people"]["coordinator"])
    page = main(http.get(inbox_url(s["network"], f"/{items['named']}")))
    assert "Sendes på e-post til " + s["people"]["participant"].email in page
    url = inbox_url(s["network"], f"/{items['named']}/reply")
    empty = http.post(url, data={"reply-body": " "})
    assert empty.status_code == 422 and field_error(empty, "reply-body")
    response = http.post(url, data={"reply-body": "Takk! Vi lager en kortversjon."})
    assert response.status_code == 302
    assert status_of(app, items["named"]) is FeedbackStatus.ANSWERED
    with app.app_context():
        [reply] = db.session.scalars(select(FeedbackReply)).all()
        assert reply.recipient == s["people"]["participant"].email and reply.author_id == s["people"]["coordinator"].id
        [mail] = db.session.scalars(select(OutboxMessage)).all()
        assert mail.recipient == reply.recipient and "Takk! Vi lager en kortversjon." in mail.body_text
    assert "Takk! Vi lager en kortversjon." in main(http.get(response.location))


def test_anonymous_feedback_has_no_reply_form(app, s, items, login):
    http = login(s["people"]["coordinator"])
    page = main(http.get(inbox_url(s["network"], f"/{items['anonymous']}")))
    assert "kan ikke besvares" in page and "reply-body" not in page
    response = http.post(inbox_url(s["network"], f"/{items['anonymous']}/reply"), data={"reply-body": "Hei"})
    assert response.status_code == 422 and "kan ikke besvares" in error_summary(response)
    assert count(app, FeedbackReply) == 0 and count(app, OutboxMessage) == 0


# --- the link, the network setting and the demo ---------------------------------------------


def test_link_partial_points_to_the_form(app, s):
    with app.test_request_context():
        html = render_template_string('{% include "feedback/_link.html" %}', network=s["network"])
    assert f'href="/networks/{s["network"].id}/feedback/new"' in html and "Gi tilbakemelding til KS" in html
    assert "/feedback\"" not in html  # the inbox link is for coordinators only


@pytest.mark.parametrize("checked", [True, False])
def test_coordinator_lets_visitors_send_feedback(app, s, login, checked):
    from tests.test_access_matrix import NETWORK_FORM

    http = login(s["people"]["coordinator"])
    assert "Besøkende som ikke er logget inn, kan sende tilbakemelding" in main(http.get(f"/networks/{s['network'].id}/edit"))
    data = {**NETWORK_FORM, **({"feedback_from_visitors": "y"} if checked else {})}
    assert http.post(f"/networks/{s['network'].id}/edit", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Network, s["network"].id).feedback_from_visitors is checked


def test_demo_feedback(app, s, factory):
    network_id = s["network"].id
    for number in (2, 3, 4):
        factory.gathering(s["network"], number, date(2019, 9, number))
    with app.app_context():
        network = db.session.get(Network, network_id)
        coordinator = db.session.get(type(s["people"]["coordinator"]), s["people"]["coordinator"].id)
        db.session.get(SlideSet, s["slide_set"]).title = "Helhetlig kommunal boligpolitikk"
        assert load_demo(network, coordinator) == 6
        assert load_demo(network, coordinator) == 0
        db.session.commit()
    rows = all_feedback(app, network_id)
    assert len(rows) == 6 and {r.anonymous for r in rows} == {True, False}
    assert {r.status for r in rows} == set(FeedbackStatus)
    assert len({r.topic for r in rows}) >= 4
    assert all(date(2019, 1, 1) <= r.received_on <= date(2020, 12, 31) for r in rows)
    assert [r for r in rows if r.replies and r.status is FeedbackStatus.ANSWERED and not r.anonymous]
    assert [r for r in rows if r.notes] and [r for r in rows if r.attachments]
    assert all(r.sender_id is None and r.sender_name == "" for r in rows if r.anonymous)
    assert {r.sender_id for r in rows if not r.anonymous} == {s["people"]["participant"].id}


def test_my_page_lists_my_named_feedback_with_the_answer_but_never_anonymous_feedback(app, s, login):
    participant, coordinator = s["people"]["participant"], s["people"]["coordinator"]
    http = login(participant)
    http.post(new_url(s["network"]), data={"topic": "network", "works": "Gode samlinger.", "anonymous": "y"})
    http.post(new_url(s["network"]), data={"topic": "platform", "suggestion": "Mørk modus, takk."})
    assert "Tilbakemeldinger du har sendt til KS" not in main(login(coordinator).get("/me"))
    page = main(login(participant).get("/me"))
    assert "Tilbakemeldinger du har sendt til KS" in page and "Mørk modus, takk." in page and "Ny" in page
    assert "Gode samlinger." not in page

    with app.app_context():
        feedback_id = db.session.scalar(select(Feedback.id).where(Feedback.suggestion == "Mørk modus, takk."))
    response = login(coordinator).post(f"{inbox_url(s['network'])}/{feedback_id}/reply",
                                       data={"reply-body": "Vi ser på det <script>x</script>."})
    assert response.status_code == 302
    page = main(login(participant).get("/me"))
    assert "Svar fra KS" in page and "Vi ser på det" in page and "Besvart" in page
    assert "<script>x" not in login(participant).get("/me").get_data(as_text=True)
