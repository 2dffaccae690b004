"""Privacy through the HTTP client and the real database: the privacy page, "Mine data" (page, JSON
and ZIP), and deleting an account — after which no table may hold the person's name, address,
phone or job title, except the notice of the deletion until it has been sent."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime, timedelta, timezone
from email.utils import parseaddr

import pytest
from icalendar import Calendar
from sqlalchemy import LargeBinary, String, Text, func, or_, select

from network.assignments.models import (
    Comment, NotificationMode, NotificationPreference, PendingCommentNotice, Submission, SubmissionEvent,
    SubmissionEventKind,
)
from network.auth.models import LoginSession, PasswordResetRequest, Person
from network.costs import services as cost_services
from network.evaluations.models import EvaluationInvitation, EvaluationResponse
from network.extensions import db
from network.feedback.models import Feedback, FeedbackReply, FeedbackTopic
from network.files.models import StoredFile
from network.gatherings.models import Gathering, Material, ProgrammeItem, Registration, RegistrationStatus
from network.models_base import LabelledEnum
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from network.outbox.services import queue_mail, send_pending
from network.privacy import services
from network.privacy.models import DeletionRequest, DeletionStatus, ExportKind, ExportLog
from tests.comment_helpers import add_comment, make_assignment, make_submission, membership_id
from tests.factories import PASSWORD, world
from tests.gathering_helpers import open_gathering, register
from tests.html import field_error, landmarks, main, text

NAME = "Vilde Vikersundbakken"
EMAIL = "vilde.vikersundbakken@hamar.kommune.no"
PHONE = "+47 912 34 567"
JOB = "Spesialrådgiver for bustadsosialt arbeid"
SECRETS = (NAME, EMAIL, PHONE, JOB)


# --- the world: a person with something in nearly every table ------------------------------


def build(app, factory):
    network, hamar, _lillehammer, people = world(factory)
    other = factory.network("Nettverket for folkevalgte", topic="Folkevalgte", ks_contact_name=NAME,
                            ks_contact_email=EMAIL)
    me = factory.person(name=NAME, email=EMAIL, organisation=hamar, phone=PHONE, job_title=JOB)
    factory.role(network, me, RoleKind.CONTACT)
    factory.role(other, me, RoleKind.PARTICIPANT)
    gathering = open_gathering(factory, network, number=1, day=date(2031, 3, 12), days=2)
    registration = register(app, gathering.id, me.id, diet="Vegetar", allergies="Nøtter",
                            accessibility="Rullestol", comment="Kommer litt sent")
    # She registers a colleague too: that registration is the colleague's, with her as "registered by".
    colleague_registration = register(app, gathering.id, people["participant"].id, by_id=me.id)
    # She is the other network's KS contact, so the calendar invitation mailed to someone registering
    # there names her as its ORGANIZER, in the attachment only.
    organised_by_her = open_gathering(factory, other, number=1, day=date(2031, 4, 2), days=1)
    register(app, organised_by_her.id, people["participant"].id)
    assignment = make_assignment(app, network)
    submission = make_submission(app, assignment, membership_id(app, network, hamar), text="Hamars mål.")
    comment = add_comment(app, submission, me, "Godt skrevet, vi følger opp i neste samling.")
    other_comment = add_comment(app, submission, people["coordinator"], "Takk!", parent_id=comment, minutes=5)
    with app.test_request_context():
        session = db.session
        session.get(Person, me.id).calendar_token = "vildes-kalender"
        session.add(SubmissionEvent(submission_id=submission, kind=SubmissionEventKind.EDITED, person_id=me.id))
        session.get(Submission, submission).updated_by_id = me.id
        session.add(NotificationPreference(person_id=me.id, comment_mode=NotificationMode.DAILY))
        session.add(PendingCommentNotice(person_id=me.id, comment_id=other_comment))
        session.add(EvaluationInvitation(gathering_id=gathering.id, person_id=me.id, answered=True))
        session.add(EvaluationResponse(gathering_id=gathering.id, relevance=5, usefulness=4, organisation=5,
                                       best="Gode diskusjoner.", improve=""))
        named = Feedback(network_id=network.id, topic=FeedbackTopic.NETWORK, works="Nyttige samlinger.",
                         sender_id=me.id, sender_name=NAME, sender_email=EMAIL, received_on=date(2019, 9, 20))
        named.replies.append(FeedbackReply(author_id=people["coordinator"].id, recipient=EMAIL, body="Takk for det!"))
        as_visitor = Feedback(network_id=other.id, topic=FeedbackTopic.OTHER, suggestion="Flere samlinger.",
                              sender_name=NAME, sender_email=EMAIL.upper(), received_on=date(2019, 9, 21))
        anonymous = Feedback(network_id=network.id, topic=FeedbackTopic.OTHER, suggestion="Anonymt innspill.",
                             anonymous=True, received_on=date(2019, 9, 22))
        session.add_all([named, as_visitor, anonymous])
        membership = session.get(Membership, membership_id(app, network, hamar))
        membership.executive_name = NAME
        membership.anchoring_decided_on = date(2019, 3, 1)
        item = ProgrammeItem(gathering_id=gathering.id, title="Erfaringer fra Hamar", presenter=NAME)
        stored = StoredFile(filename="hamar.pdf", content_type="application/pdf", size=4, sha256="0" * 64,
                            data=b"%PDF", uploaded_by_id=me.id)
        session.add_all([item, stored])
        session.flush()
        session.add(Material(gathering_id=gathering.id, title="Lysark", file_id=stored.id, added_by_id=me.id))
        session.add(ExportLog(kind=ExportKind.MY_DATA, person_id=me.id, path="/me/data.json"))
        session.add(LoginSession(token_hash="a" * 64, person_id=me.id,
                                 expires_at=datetime.now(timezone.utc) + timedelta(hours=1)))
        session.add(PasswordResetRequest(email=EMAIL))
        # Mail: to her (sent and waiting), and to others about her (sent, and waiting).
        sent_to_her = queue_mail(EMAIL, "Velkommen", "privacy/email/deletion_declined", reason="x")
        waiting_for_her = queue_mail(EMAIL, "Påminnelse", "privacy/email/deletion_declined", reason="y")
        about_her_sent = queue_mail("kontakt@ks.test", f"Ny kommentar fra {NAME}", "privacy/email/deletion_declined",
                                    reason=f"{NAME} skrev en kommentar.")
        about_her_waiting = queue_mail("kontakt@ks.test", f"Påmelding: {NAME}", "privacy/email/deletion_declined",
                                       reason=f"{NAME} ({EMAIL}) er påmeldt.")
        session.flush()
        [invitation_sent] = [message for message in session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == people["participant"].email)) if any(
            EMAIL.encode() in unfolded(attachment.data) for attachment in message.attachments)]
        invitation_waiting = OutboxMessage(
            recipient=invitation_sent.recipient, subject=invitation_sent.subject, body_text=invitation_sent.body_text,
            body_html=invitation_sent.body_html, attachments=[OutboxAttachment(
                filename=a.filename, content_type=a.content_type, data=a.data) for a in invitation_sent.attachments])
        session.add(invitation_waiting)
        session.flush()
        for message in (sent_to_her, about_her_sent, invitation_sent):
            message.status, message.sent_at = OutboxStatus.SENT, datetime.now(timezone.utc)
        # Delivery after the test's requests would send the waiting mail at once; keep it waiting.
        for message in (waiting_for_her, about_her_waiting, invitation_waiting):
            message.next_attempt_at = datetime.now(timezone.utc) + timedelta(days=1)
        session.commit()
        ids = {"network": network.id, "other": other.id, "gathering": gathering.id, "registration": registration,
               "colleague_registration": colleague_registration, "submission": submission, "comment": comment,
               "named": named.id, "visitor": as_visitor.id, "anonymous": anonymous.id, "me": me.id,
               "stored": stored.id, "about_her_waiting": about_her_waiting.id, "hamar": hamar.id,
               "membership": membership.id, "item": item.id, "invitation_sent": invitation_sent.id,
               "invitation_waiting": invitation_waiting.id}
    return ids, people, me


@pytest.fixture
def s(app, factory):
    return build(app, factory)


def unfolded(data: bytes) -> bytes:
    """A file's bytes in lower case, with folded calendar lines (CRLF and a space) joined again."""
    return data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").lower()


def scan(needles=SECRETS) -> list[tuple[str, str, object]]:
    """(table, column, primary key) for every value in the database that holds one of ``needles``: text
    columns, and files (a mailed calendar invitation names its organiser)."""
    found = []
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            if isinstance(column.type, (String, Text)):
                condition = or_(*(func.lower(column).contains(needle.lower(), autoescape=True) for needle in needles))
                found.extend((table.name, column.name, tuple(row)) for row in db.session.execute(select(*key).where(condition)))
            elif isinstance(column.type, LargeBinary):
                found.extend((table.name, column.name, tuple(row[:-1])) for row in db.session.execute(select(*key, column))
                             if row[-1] and any(needle.lower().encode() in unfolded(row[-1]) for needle in needles))
    return found


def _request_and_confirm(app, s, login):
    ids, people, me = s
    response = login(me).post("/me/delete", data={"confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        request_id = db.session.scalar(select(DeletionRequest.id).where(DeletionRequest.person_id == ids["me"]))
    response = login(people["admin"]).post(f"/admin/deletion-requests/{request_id}/confirm", data={"confirmed": "1"})
    assert response.status_code == 302
    return request_id


# --- the privacy page --------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"PRIVACY_DIET_RETENTION_DAYS": 21, "PRIVACY_OUTBOX_RETENTION_DAYS": 45,
                                          "PRIVACY_INVITATION_MARGIN_DAYS": 10}])
def test_privacy_page_is_public_and_shows_the_retention_settings(client, app_config):
    response = client.get("/personvern")
    assert response.status_code == 200
    page = main(response)
    for heading in ("Hvem har ansvaret?", "Hva bruker vi opplysningene til?", "Hva gir oss lov?", "Hva lagrer vi?",
                    "Hvor lenge tar vi vare på opplysningene?", "Hvem kan se opplysningene?", "Dine rettigheter"):
        assert heading in page
    assert "21 dager etter samlingens siste dag" in page
    assert "45 dager etter at den ble sendt" in page
    assert "Kontoen slettes 17 dager etter invitasjonen" in page  # 7 days' link + 10 days' margin
    assert "Datatilsynet" in page


def test_every_page_links_the_privacy_page_in_its_footer(client, s, login):
    _ids, _people, me = s
    for http, path in ((client, "/login"), (login(me), "/me"), (client, "/personvern")):
        footer = text(http.get(path)).split("<footer")[1]
        assert 'href="/personvern"' in footer


def test_my_page_links_my_data(s, login):
    page = main(login(s[2]).get("/me"))
    assert 'href="/me/data"' in page and 'href="/personvern"' in page


# --- "Mine data" -----------------------------------------------------------------------------


def test_my_data_page_shows_everything_about_me(s, login):
    ids, _people, me = s
    response = login(me).get("/me/data")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    page = main(response)
    for expected in (NAME, EMAIL, PHONE, JOB, "Vegetar", "Nøtter", "Rullestol", "Godt skrevet", "Nyttige samlinger.",
                     "Takk for det!", "Flere samlinger.", "Kontaktperson", "Hamars mål.", "hamar.pdf"):
        assert expected in page, expected
    assert "Anonymt innspill." not in page and "Gode diskusjoner." not in page


def test_my_data_page_names_states_in_words_not_codes(s, login):
    """The page is for the person: a deletion request is "Venter på behandling", not "pending", mail
    "Sendt", not "sent"; the JSON keeps both the code and its words."""
    _ids, _people, me = s
    http = login(me)
    http.post("/me/delete", data={"confirm": "y"})
    page = main(http.get("/me/data"))
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<(?:td|dd)\b[^>]*>(.*?)</(?:td|dd)>", page, re.S)]
    codes = {member.value for kind in (*LabelledEnum.__subclasses__(), OutboxStatus) for member in kind}
    codes -= set(db.metadata.tables)  # "Annet der du er nevnt" names tables, one of them "network"
    shown_codes = [cell for cell in cells if cell in codes]
    assert shown_codes == [], shown_codes
    for words in ("Venter på behandling", "Sendt", "endret teksten"):
        assert words in cells or any(cell.endswith(words) for cell in cells), words
    data = json.loads(http.get("/me/data.json").data)
    [request] = data["deletion_requests"]
    assert (request["status"], request["status_label"]) == ("pending", "Venter på behandling")
    assert {(m["status"], m["status_label"]) for m in data["mail"]} >= {("sent", "Sendt"), ("pending", "Venter på sending")}


def test_my_data_json_is_complete_and_logged(app, s, login):
    ids, _people, me = s
    response = login(me).get("/me/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("attachment; filename=mine-data-")
    data = json.loads(response.data)
    [account] = data["account"]
    assert (account["name"], account["email"], account["phone"], account["job_title"]) == (NAME, EMAIL, PHONE, JOB)
    assert account["organisation"] == "Hamar" and account["calendar_feed"] is True
    assert sorted((r["network"], r["role"]) for r in data["roles"]) == [
        ("Bolignettverket", "contact"), ("Nettverket for folkevalgte", "participant")]
    [registration] = data["registrations"]
    assert (registration["diet"], registration["allergies"], registration["accessibility"]) == (
        "Vegetar", "Nøtter", "Rullestol")
    assert registration["days"] == "2031-03-12, 2031-03-13"
    assert [c["body"] for c in data["comments"]] == ["Godt skrevet, vi følger opp i neste samling."]
    assert [s["text"] for s in data["submissions"]] == ["Hamars mål."]
    assert sorted(f["works"] or f["suggestion"] for f in data["feedback"]) == ["Flere samlinger.", "Nyttige samlinger."]
    assert [r["body"] for f in data["feedback"] for r in f["replies"]] == ["Takk for det!"]
    assert [(i["gathering"], i["answered"]) for i in data["evaluation_invitations"]] == [(1, True)]
    assert data["notifications"] == [{"comment_mode": "daily", "comment_mode_label": "En samlet e-post om dagen",
                                      "comments_waiting_for_digest": 1}]
    assert {m["subject"] for m in data["mail"]} >= {"Velkommen", "Påminnelse", "Påmeldt: Samling 1"}
    assert [row for row in data["sign_ins"] if "expires_at" in row] and [
        row for row in data["sign_ins"] if "password_reset_requested_at" in row]
    assert {(r["table"], r["column"]) for r in data["other_records"]} >= {
        ("registration", "registered_by_id"), ("stored_file", "uploaded_by_id"), ("material", "added_by_id"),
        ("network", "ks_contact_name"), ("network", "ks_contact_email"), ("membership", "executive_name"),
        ("programme_item", "presenter")}
    # Never an anonymous answer or anonymous feedback; never a secret.
    document = response.get_data(as_text=True)
    for never in ("Gode diskusjoner.", "Anonymt innspill.", "vildes-kalender", "password_hash", "a" * 64):
        assert never not in document
    with app.app_context():
        kinds = db.session.scalars(select(ExportLog.kind).where(ExportLog.person_id == ids["me"],
                                                                ExportLog.path == "/me/data.json")).all()
    assert kinds == [ExportKind.MY_DATA, ExportKind.MY_DATA]  # the one built before, and this one


def test_my_data_zip_has_json_html_and_a_csv_per_section(s, login):
    _ids, _people, me = s
    response = login(me).get("/me/data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"mine-data.json", "mine-data.html", "csv/account.csv", "csv/registrations.csv", "csv/comments.csv",
            "csv/feedback.csv", "csv/evaluation-invitations.csv"} <= names
    html = archive.read("mine-data.html").decode()
    assert html.startswith("<!doctype html>") and '<html lang="nb">' in html and NAME in html and "Vegetar" in html
    rows = list(csv.reader(io.StringIO(archive.read("csv/registrations.csv").decode("utf-8-sig")), delimiter=";"))
    header, [row] = rows[0], rows[1:]
    assert dict(zip(header, row))["Kosthold"] == "Vegetar"
    assert json.loads(archive.read("mine-data.json"))["account"][0]["email"] == EMAIL


def test_no_privacy_page_has_two_landmarks_or_regions_with_the_same_name(s, login, client):
    """A screen reader lists landmarks and regions by name; two alike (a section and its table's scroll
    box, issue 17) are two stops that sound the same. Every privacy page, with tables to show."""
    _ids, people, me = s
    login(me).post("/me/delete", data={"confirm": "y"})  # a pending request for the admin's list
    you, admin = login(me), login(people["admin"])
    zipped = zipfile.ZipFile(io.BytesIO(you.get("/me/data.zip").data))
    pages = {
        "/personvern": client.get("/personvern"),
        "/personvern signed in": you.get("/personvern"),
        "/me/data": you.get("/me/data"),
        "/me/delete": you.get("/me/delete"),
        "mine-data.html": zipped.read("mine-data.html").decode(),
        "/admin/deletion-requests": admin.get("/admin/deletion-requests"),
        "/admin/export-log": admin.get("/admin/export-log"),
    }
    for path, page in pages.items():
        found = landmarks(page)
        named = [name for _role, name in found if name]
        assert len(set(named)) == len(named), f"{path}: {found}"
        unnamed = [role for role, name in found if not name]
        assert len(set(unnamed)) == len(unnamed), f"{path}: {found}"
    # The pages with tables in scroll boxes were checked, not only pages without any.
    assert ("region", "Hvor lenge opplysningene lagres. Slettingen skjer automatisk hver natt.") in landmarks(
        pages["/personvern"])
    assert sum(role == "region" for role, _name in landmarks(pages["/me/data"])) > 10
    assert any(role == "region" and name.startswith("Påmeldinger") for role, name in landmarks(pages["mine-data.html"]))


def test_my_data_needs_sign_in(client):
    for path in ("/me/data", "/me/data.json", "/me/data.zip", "/me/delete"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


# --- asking for deletion -----------------------------------------------------------------


def test_deletion_request_needs_the_confirmation(app, s, login):
    _ids, _people, me = s
    http = login(me)
    page = main(http.get("/me/delete"))
    assert "Be om å få kontoen slettet" in page and "Påmeldingene dine blir stående uten navn" in page
    response = http.post("/me/delete", data={})
    assert response.status_code == 422
    assert "Kryss av" in field_error(response, "confirm")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 0

    assert http.post("/me/delete", data={"confirm": "y"}).status_code == 302
    page = main(http.get("/me/data"))
    assert "KS behandler forespørselen" in page and "Trekk tilbake" in page
    # A second request while one waits changes nothing.
    assert http.post("/me/delete", data={"confirm": "y"}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 1


def test_a_request_can_be_withdrawn(app, s, login):
    _ids, _people, me = s
    http = login(me)
    http.post("/me/delete", data={"confirm": "y"})
    assert http.post("/me/delete/withdraw").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(DeletionRequest.status)).all() == [DeletionStatus.WITHDRAWN]
    assert "Be om å få kontoen slettet" in main(http.get("/me/data"))


def test_admin_sees_the_request_and_declines_it_with_a_reason(app, s, login):
    ids, people, me = s
    login(me).post("/me/delete", data={"confirm": "y"})
    admin = login(people["admin"])
    page = main(admin.get("/admin/deletion-requests"))
    assert NAME in page and EMAIL in page
    with app.app_context():
        request_id = db.session.scalar(select(DeletionRequest.id))
    response = admin.post(f"/admin/deletion-requests/{request_id}/decline", data={f"decline-{request_id}-reason": ""})
    assert response.status_code == 422
    assert field_error(response, f"decline-{request_id}-reason")
    reason = "Du er kontaktperson for Hamar; vi trenger en ny før kontoen kan slettes."
    response = admin.post(f"/admin/deletion-requests/{request_id}/decline",
                          data={f"decline-{request_id}-reason": reason, "confirmed": "1"})
    assert response.status_code == 302
    with app.app_context():
        request = db.session.get(DeletionRequest, request_id)
        assert request.status is DeletionStatus.DECLINED and request.reason == reason
        assert db.session.get(Person, ids["me"]).name == NAME
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like("Forespørselen om sletting%")))
        assert mail.recipient == EMAIL and reason in mail.body_text
    assert reason in main(login(me).get("/me/data"))


def test_only_a_pending_request_can_be_confirmed(app, s, login):
    ids, people, me = s
    request_id = _request_and_confirm(app, s, login)
    response = login(people["admin"]).post(f"/admin/deletion-requests/{request_id}/confirm", data={"confirmed": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.subject == "Kontoen din er slettet")) == 1


# --- the deletion itself ---------------------------------------------------------------------


def test_after_deletion_nothing_about_the_person_remains_but_the_notice(app, s, login):
    ids, people, me = s
    with app.app_context():
        before = scan()
    assert {table for table, _column, _key in before} >= {
        "person", "feedback", "feedback_reply", "network", "membership", "programme_item", "outbox_message"}
    request_id = _request_and_confirm(app, s, login)

    with app.app_context():
        request = db.session.get(DeletionRequest, request_id)
        assert request.status is DeletionStatus.COMPLETED and request.decided_by_id == people["admin"].id
        notice = db.session.get(OutboxMessage, request.notice_message_id)
        assert notice.recipient == EMAIL and notice.subject == "Kontoen din er slettet"
        assert NAME not in notice.body_text
        # Only the notice, which must reach her, still holds her address.
        assert scan() == [("outbox_message", "recipient", (notice.id,))]
        # The calendar invitation she organised: sent, it is gone; still to be sent, it goes, organised
        # by the address the mail comes from, as for a network without a KS contact.
        assert db.session.get(OutboxMessage, ids["invitation_sent"]) is None
        waiting = db.session.get(OutboxMessage, ids["invitation_waiting"])
        [attachment] = waiting.attachments
        assert waiting.status is OutboxStatus.PENDING and attachment.content_type.startswith("text/calendar")
        sender = parseaddr(app.config["MAIL_DEFAULT_SENDER"])[1]
        assert {str(event["ORGANIZER"]) for event in Calendar.from_ical(attachment.data).walk("VEVENT")} == {
            f"mailto:{sender}"}
        assert max(len(line) for line in attachment.data.split(b"\r\n")) <= 75

        send_pending()
        assert db.session.get(OutboxMessage, notice.id).status is OutboxStatus.SENT
        services.purge()
        assert scan() == []
        assert db.session.get(DeletionRequest, request_id).notice_message_id is None


def test_deletion_keeps_invoices_and_counts_right(app, s, login):
    ids, people, me = s
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        before = cost_services.invoice_basis(network)
    _request_and_confirm(app, s, login)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        after = cost_services.invoice_basis(network)
        assert after.total == before.total and after.days == before.days
        line = next(line for line in after.lines if line.person_id == ids["me"])
        assert line.person_name == services.DELETED_NAME and line.organisation_name == "Hamar" and line.days == 2
        registration = db.session.get(Registration, ids["registration"])
        assert registration.status is RegistrationStatus.CONFIRMED and len(registration.days) == 2
        assert (registration.diet, registration.allergies, registration.accessibility, registration.comment) == (
            "", "", "", "")
        # The colleague's registration stays, without "registered by".
        colleague = db.session.get(Registration, ids["colleague_registration"])
        assert colleague.is_active and colleague.registered_by_id is None
        # The evaluation's count of invitations and answers is unchanged.
        assert db.session.scalar(select(func.count()).select_from(EvaluationInvitation).where(
            EvaluationInvitation.gathering_id == ids["gathering"], EvaluationInvitation.answered.is_(True))) == 1
        assert db.session.get(Membership, ids["membership"]).is_anchored


def test_deleted_account_cannot_sign_in_loses_feed_and_roles_and_shows_as_deleted(app, s, login, client):
    ids, people, me = s
    assert client.get("/calendar/vildes-kalender.ics").status_code == 200
    _request_and_confirm(app, s, login)
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert "/me" not in (response.location or "")
    assert client.get("/me").status_code == 302
    assert client.get("/calendar/vildes-kalender.ics").status_code == 404
    with app.app_context():
        person = db.session.get(Person, ids["me"])
        assert not person.active and person.password_hash is None and person.calendar_token is None
        assert not person.is_admin and person.name == services.DELETED_NAME
        assert db.session.scalar(select(func.count()).select_from(NetworkRole).where(
            NetworkRole.person_id == ids["me"])) == 0
        assert db.session.get(NotificationPreference, ids["me"]) is None
        assert db.session.scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.person_id == ids["me"])) == 0
        comment = db.session.get(Comment, ids["comment"])
        assert comment.body.startswith("Godt skrevet") and comment.author_id is None
        named = db.session.get(Feedback, ids["named"])
        assert named.works == "Nyttige samlinger." and named.sender_id is None and named.sender_name == ""
        assert db.session.get(Feedback, ids["visitor"]).sender_email == ""
        assert db.session.get(StoredFile, ids["stored"]).uploaded_by_id is None
        waiting = db.session.get(OutboxMessage, ids["about_her_waiting"])
        assert waiting.status is OutboxStatus.PENDING and services.DELETED_NAME in waiting.body_text
    # The comment thread shows the comment without a name.
    coordinator = login(people["coordinator"])
    with app.app_context():
        assignment_id = db.session.get(Submission, ids["submission"]).assignment_id
    page = main(coordinator.get(f"/networks/{ids['network']}/assignments/{assignment_id}"
                                f"/municipalities/{ids['hamar']}"))
    assert "Godt skrevet" in page and NAME not in page


def test_my_page_of_an_admin_links_the_admin_pages(s, login):
    _ids, people, _me = s
    page = main(login(people["admin"]).get("/me"))
    assert 'href="/admin/deletion-requests"' in page and 'href="/admin/export-log"' in page
    assert 'href="/admin/deletion-requests"' not in main(login(people["participant"]).get("/me"))
