"""Input hygiene and output escaping (issue 17, items 4 and 7).

What a browser sends is cleaned once for every form and query (network/main/hygiene.py): control
characters are removed, single-line fields lose their newlines, ids and integers out of the
database's range are refused. The outputs defend themselves too: a lazy translation string is
ordinary text in a template, the .ics writer and mail subjects cope with old rows holding newlines,
and one bad message never blocks the outbox.
"""
from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from network.extensions import db
from network.gatherings.models import Gathering, Registration
from network.library.models import Example
from network.networks.models import Network
from network.outbox.models import OutboxMessage, OutboxStatus
from network.outbox.services import queue_mail, send_pending
from tests.factories import world
from tests.gathering_helpers import FUTURE, open_gathering
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)

ATTACK = '</option></select><meta http-equiv="refresh" content="0;url=https://evil.example/">'
HUGE = str(2 ** 63)


def _network_form(network, **changes):
    return {"name": network.name, "topic": network.topic, "description": "", "framing": "",
            "starts_on": "2019-04-10", "ends_on": "2020-10-14", "ks_contact_name": "Kari Koordinator",
            "ks_contact_email": "kontakt@ks.test", "feedback_email": "tilbakemelding@ks.test", "status": "active",
            **changes}


def _gathering_form(**changes):
    return {"title": "Oppstart", "price_per_day": "900", "venue": "Gardermoen", **changes}


# --- item 4: lazy translation strings are text, not markup ------------------------------


def test_a_lazy_translation_string_is_escaped_in_a_template(app):
    with app.test_request_context():
        html = render_template_string("{{ label }}", label=_l("Samling %(n)s: %(title)s", n=1, title=ATTACK))
    assert "<meta" not in html
    assert "&lt;/option&gt;&lt;/select&gt;&lt;meta" in html


def test_a_gathering_title_with_markup_is_text_on_the_grouping_page(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    open_gathering(factory, network, title=ATTACK)
    response = login(people["coordinator"]).get(f"/networks/{network.id}/groups/new")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<meta http-equiv" not in body
    assert "&lt;meta http-equiv" in body


# --- item 7: control characters, huge numbers and newlines in what is sent --------------


def test_a_nul_in_a_form_field_is_removed_before_it_reaches_the_database(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/edit",
                                                 data=_network_form(network, name="Bolig\x00nettverket\x07"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Network, network.id).name == "Bolignettverket"


def test_a_nul_in_a_search_is_harmless_without_signing_in(client):
    assert client.get("/examples?q=%00").status_code == 200
    assert client.get("/examples?q=bolig%00%1b").status_code == 200


def test_tab_and_newline_survive_in_multi_line_text(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/edit",
                                                 data=_network_form(network, description="Linje 1\r\n\tLinje 2"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Network, network.id).description.replace("\r\n", "\n") == "Linje 1\n\tLinje 2"


@pytest.mark.parametrize("path", [
    f"/networks/{HUGE}", f"/networks/{HUGE}/gatherings/1", f"/networks/{2 ** 31}/edit",
])
def test_a_huge_id_in_the_address_is_404(factory, login, path):
    _network, _hamar, _lillehammer, people = world(factory)
    assert login(people["admin"]).get(path).status_code == 404


@pytest.mark.parametrize("value", [HUGE, str(-2 ** 63), "1" * 40])
def test_a_huge_id_in_a_query_parameter_is_404(factory, login, value):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = open_gathering(factory, network)
    response = login(people["admin"]).get(
        f"/networks/{network.id}/gatherings/{gathering.id}/register?person_id={value}")
    assert response.status_code == 404


@pytest.mark.parametrize("value", [HUGE, str(-2 ** 63), str(2 ** 31)])
def test_an_integer_out_of_range_in_a_form_is_a_form_error(app, factory, login, value):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = open_gathering(factory, network)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/gatherings/{gathering.id}/edit",
                                                 data=_gathering_form(capacity=value))
    assert response.status_code == 422
    assert "Kapasiteten må være minst 1." in response.get_data(as_text=True) or \
        "Tallet er for stort eller for lite." in response.get_data(as_text=True)


def test_a_number_field_without_limits_of_its_own_gets_the_databases(app):
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import IntegerField

    class Form(FlaskForm):
        class Meta:
            csrf = False
        count = IntegerField()

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict({"count": HUGE}))
        assert not form.validate()
        assert form.count.errors == ["Tallet er for stort eller for lite."]
        assert Form(formdata=MultiDict({"count": str(2 ** 31 - 1)})).validate()


def test_newlines_in_a_single_line_field_become_spaces(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = open_gathering(factory, network)
    response = login(people["coordinator"]).post(
        f"/networks/{network.id}/gatherings/{gathering.id}/edit",
        data=_gathering_form(title="Oppstart\r\nSUMMARY:falsk", venue="Gardermoen\nLOCATION:x"))
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Gathering, gathering.id)
        assert (row.title, row.venue) == ("Oppstart SUMMARY:falsk", "Gardermoen LOCATION:x")


# --- defence in depth where the outputs are written --------------------------------------

CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^\x00-\x1f\x7f:]*)*:[^\x00-\x08\x0a-\x1f\x7f]*$")


def assert_strict_ics(data: bytes) -> None:
    """RFC 5545 section 3.1, read independently of the writer: CRLF line ends only, lines of at most
    75 octets, continuation lines begin with a space, every unfolded line is NAME[;PARAMS]:VALUE
    without control characters, and BEGIN/END pair up."""
    assert data.endswith(b"\r\n")
    raw_lines = data[:-2].split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in raw_lines), "a bare CR or LF"
    assert all(len(line) <= 75 for line in raw_lines), "a line longer than 75 octets"
    unfolded: list[str] = []
    for line in raw_lines:
        text = line.decode("utf-8")
        if text.startswith((" ", "\t")):
            assert unfolded, "a continuation line first"
            unfolded[-1] += text[1:]
        else:
            unfolded.append(text)
    stack = []
    for line in unfolded:
        assert CONTENT_LINE.match(line), f"not a content line: {line!r}"
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack and stack.pop() == value, f"END:{value} without its BEGIN"
    assert not stack and unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"


def _old_rows_with_newlines(app, network, gathering) -> None:
    """Rows written before the forms collapsed newlines (straight into the database)."""
    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.id == gathering.id).values(
            title="Oppstart\r\nATTENDEE:mailto:x@evil.example", venue="Gardermoen\n\x0bHotell", address="Vei 1\r",
            theme="Tema\nmed linjer"))
        db.session.execute(update(Network).where(Network.id == network.id).values(
            name="Bolig\nnettverket", topic="Bolig\r\npolitikk"))
        db.session.commit()


def test_the_ics_of_a_gathering_with_newlines_is_valid(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = open_gathering(factory, network)
    _old_rows_with_newlines(app, network, gathering)
    response = login(people["participant"]).get(f"/networks/{network.id}/gatherings/{gathering.id}/calendar.ics")
    assert response.status_code == 200
    assert_strict_ics(response.data)
    assert b"\r\nATTENDEE" not in response.data
    assert b"SUMMARY:Bolig politikk: Oppstart ATTENDEE:mailto:x@evil.example" in response.data.replace(b"\r\n ", b"")


def test_registration_for_a_gathering_with_newlines_works_and_mails_a_valid_ics(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    gathering = open_gathering(factory, network, days=1)
    _old_rows_with_newlines(app, network, gathering)
    with app.app_context():
        [day] = db.session.get(Gathering, gathering.id).days
        day_id = day.id
    response = login(people["participant"]).post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                                                 data={"days": [str(day_id)]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration.id).where(Registration.gathering_id == gathering.id))
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.status is OutboxStatus.SENT
        [attachment] = message.attachments
        assert_strict_ics(attachment.data)


def test_a_network_name_with_a_newline_never_reaches_a_mail_header(app, factory, login, smtp):
    network, hamar, _lillehammer, people = world(factory)
    _old_rows_with_newlines(app, network, open_gathering(factory, network))
    response = login(people["coordinator"]).post(f"/networks/{network.id}/people/invite", data={
        "name": "Nina Ny", "email": "nina@example.test", "organisation_id": str(hamar.id), "roles": ["participant"]})
    assert response.status_code == 302
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        assert message.subject == "Invitasjon til Bolig nettverket"
        assert message.status is OutboxStatus.SENT
    assert [str(mail["Subject"]) for mail in smtp.messages] == ["Invitasjon til Bolig nettverket"]


def test_one_bad_message_never_blocks_the_others(app, runner, smtp):
    with app.test_request_context():
        first = queue_mail("a@example.test", "Først", "auth/email/reset_password", person={"name": "Ada"}, link="x", hours=1)
        bad = queue_mail("b@example.test", "Ok", "auth/email/reset_password", person={"name": "Ada"}, link="x", hours=1)
        last = queue_mail("c@example.test", "Sist", "auth/email/reset_password", person={"name": "Ada"}, link="x", hours=1)
        db.session.flush()
        # An old row written before subjects were cleaned, and one with an address no SMTP client can send.
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == bad.id).values(subject="Ond\nBcc: x@evil.example"))
        first_id, bad_id, last_id = first.id, bad.id, last.id
        db.session.commit()
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 1." in result.output
    with app.app_context():
        rows = {row.id: row for row in db.session.scalars(select(OutboxMessage))}
        assert rows[first_id].status is OutboxStatus.SENT and rows[last_id].status is OutboxStatus.SENT
        assert rows[bad_id].status is OutboxStatus.FAILED
        assert rows[bad_id].last_error.startswith("BadHeaderError")
    assert sorted(mail["To"] for mail in smtp.messages) == ["a@example.test", "c@example.test"]
    # A second run has nothing left to do: the bad message is not tried again and again.
    assert "Sent 0, failed 0." in runner.invoke(args=["mail", "send-pending"]).output


def test_a_nul_in_an_example_search_on_the_network_library(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    response = login(people["participant"]).get(f"/networks/{network.id}/library?q=%00bolig%00")
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Example.id)) is None


def test_a_control_character_in_a_text_part_of_the_address_is_404(factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    http = login(people["coordinator"])
    assert http.get(f"/networks/{network.id}/feedback/abc%00def").status_code == 404
    assert http.get("/calendar/%00%1b.ics").status_code == 404


def test_integer_query_values_the_database_cannot_hold_are_absent(app):
    with app.test_request_context(f"/?a={HUGE}&a=7&b=-{HUGE}&c=12&d=%2012"):
        from flask import request

        assert request.args.get("a", type=int) is None
        assert request.args.getlist("a", type=int) == [7]
        assert request.args.get("b", 3, type=int) == 3
        assert request.args.get("c", type=int) == 12
        assert request.args.get("a") == HUGE  # as text it is left alone


def test_upload_names_lose_their_control_characters(app):
    from io import BytesIO

    with app.test_request_context(method="POST", data={"file": (BytesIO(b"%PDF-1.4"), "lys\x00ark\x1b.pdf")}):
        from flask import request

        assert request.files["file"].filename == "lysark.pdf"
