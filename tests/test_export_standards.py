"""Downloads and mail as the standards say: one charset parameter on every CSV (and every other
export), Message-IDs on the site's own domain, ``Auto-Submitted: auto-generated`` (RFC 3834) on
mail the system writes by itself but not on a reply a coordinator wrote, and the network archive's
ZIP entries dated in Oslo time and named with the uploaded files' own names."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from network.archive import export
from network.extensions import db
from network.feedback.models import FeedbackTopic
from network.files.models import StoredFile
from network.gatherings.models import Gathering, Material
from network.models_base import utcnow
from network.networks.models import Network, RoleKind
from network.outbox.models import OutboxMessage, OutboxStatus
from tests.factories import world
from tests.gathering_helpers import open_gathering, register
from tests.smtp_server import SMTP_PORT, free_port, smtp  # noqa: F401  (fixture: a real SMTP server)
from tests.test_anonymity_exports import build
from tests.test_feedback import make_feedback

OSLO = ZoneInfo("Europe/Oslo")
SITE = "https://nettverk.ks.test"


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": SMTP_PORT, "MAIL_TIMEOUT_SECONDS": 5, "SITE_URL": SITE}


# --- one charset ------------------------------------------------------------------------------


def test_every_export_says_its_charset_once(app, factory, login):
    """Every download in the export test's list (tests/test_anonymity_exports.py EXPORTS, which
    fails when an export route is missing from it)."""
    exports = build(app, factory, login)
    coordinator = login(exports.coordinator)
    urls = exports.urls(app)
    csv_urls = [url for url in urls if url.split("?")[0].endswith(".csv")]
    assert len(csv_urls) >= 10
    for url in urls:
        response = coordinator.get(url)
        assert response.status_code == 200, url
        content_type = response.headers["Content-Type"]
        assert content_type.lower().count("charset") <= 1, (url, content_type)
        if url in csv_urls:
            assert content_type == "text/csv; charset=utf-8", url


# --- mail headers -------------------------------------------------------------------------------


def parsed(smtp) -> list:
    """The messages as received, read with the standard library's modern parser."""
    return [message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            for envelope in smtp.handler.envelopes]


def check_headers(mail, automatic: bool) -> None:
    assert mail["Message-ID"].startswith("<outbox.") and mail["Message-ID"].endswith("@nettverk.ks.test>")
    assert "localhost" not in mail["Message-ID"]
    assert mail.get_all("Auto-Submitted") == (["auto-generated"] if automatic else None)
    for part in mail.walk():
        if not part.is_multipart():
            assert str(part["Content-Type"]).lower().count("charset") <= 1, part["Content-Type"]


@pytest.fixture
def mail_world(factory, smtp):
    smtp.handler.envelopes.clear()
    return world(factory)


def test_invitation_is_automatic_on_the_sites_domain(app, mail_world, login, smtp):
    network, hamar, _, people = mail_world
    coordinator = login(people["coordinator"])
    response = coordinator.post(f"/networks/{network.id}/people/invite", data={
        "name": "Ny Person", "email": "ny.person@example.test", "organisation_id": str(hamar.id),
        "roles": [RoleKind.PARTICIPANT.value]})
    assert response.status_code == 302
    [invitation] = parsed(smtp)
    check_headers(invitation, automatic=True)


def test_registration_mail_is_automatic_with_one_charset_per_part(app, factory, mail_world, login, smtp):
    network, _, _, people = mail_world
    gathering = open_gathering(factory, network)
    with app.app_context():
        day_ids = [day.id for day in db.session.get(Gathering, gathering.id).days]
    response = login(people["participant"]).post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                                                 data={"days": [str(day_ids[0])]})
    assert response.status_code == 302
    [confirmation] = parsed(smtp)
    check_headers(confirmation, automatic=True)
    calendar = next(part for part in confirmation.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST" and calendar.get_content_charset() == "utf-8"


def test_reply_a_coordinator_wrote_is_not_marked_automatic(app, mail_world, login, smtp):
    network, _, _, people = mail_world
    feedback_id = make_feedback(app, network.id, sender=people["participant"], topic=FeedbackTopic.NETWORK,
                                works="Samlingene er nyttige.")
    smtp.handler.envelopes.clear()
    response = login(people["coordinator"]).post(f"/networks/{network.id}/feedback/{feedback_id}/reply",
                                                 data={"reply-body": "Takk for det!"})
    assert response.status_code == 302
    [reply] = parsed(smtp)
    assert reply["To"] == people["participant"].email
    check_headers(reply, automatic=False)


def test_a_reply_sent_again_by_cron_is_still_not_automatic(app, factory, mail_world, login, runner, smtp,
                                                           monkeypatch):
    """Whether a person wrote the mail is stored on it: a retry from ``flask mail send-pending``
    sends the reply without Auto-Submitted, and the system's confirmation beside it with it."""
    network, _, _, people = mail_world
    feedback_id = make_feedback(app, network.id, sender=people["participant"], topic=FeedbackTopic.NETWORK,
                                works="Samlingene er nyttige.")
    gathering = open_gathering(factory, network)
    with app.app_context():
        day_ids = [day.id for day in db.session.get(Gathering, gathering.id).days]
    smtp.handler.envelopes.clear()
    mail = app.extensions["mail"]  # Flask-Mail's settings, read from the config when the app was made
    monkeypatch.setattr(mail, "port", free_port())  # no server there: both wait in the outbox
    response = login(people["coordinator"]).post(f"/networks/{network.id}/feedback/{feedback_id}/reply",
                                                 data={"reply-body": "Takk for det!"})
    assert response.status_code == 302
    response = login(people["participant"]).post(f"/networks/{network.id}/gatherings/{gathering.id}/register",
                                                 data={"days": [str(day_ids[0])]})
    assert response.status_code == 302
    assert parsed(smtp) == []
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                                     .order_by(OutboxMessage.id)).all()
        assert [(row.attempts, row.written_by_person) for row in waiting] == [(1, True), (1, False)]
        for row in waiting:
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    monkeypatch.setattr(mail, "port", SMTP_PORT)
    assert "Sent 2, failed 0." in runner.invoke(args=["mail", "send-pending"]).output
    reply, confirmation = parsed(smtp)
    assert str(reply["Subject"]) == "Svar fra KS på tilbakemeldingen din"
    check_headers(reply, automatic=False)
    assert str(confirmation["Subject"]).startswith("Påmeldt")
    check_headers(confirmation, automatic=True)


def test_reminders_from_cron_are_automatic(app, factory, mail_world, runner, smtp):
    network, _, _, people = mail_world
    gathering = open_gathering(factory, network)
    register(app, gathering.id, people["participant"].id)
    smtp.handler.envelopes.clear()
    result = runner.invoke(args=["gatherings", "send-reminders", "--today", "2031-03-05"])
    assert "Queued 1 reminder(s)." in result.output
    sent = parsed(smtp)  # the confirmation waiting in the outbox, and the reminder
    assert sorted(str(mail["Subject"]).split(":")[0] for mail in sent) == ["Påmeldt", "Påminnelse"]
    for mail in sent:
        check_headers(mail, automatic=True)


# --- the archive's ZIP ---------------------------------------------------------------------------


def _with_files(app, factory):
    """A gathering with two uploads of the same name and one with characters a ZIP must not have."""
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network)
    with app.app_context():
        row = db.session.get(Gathering, gathering.id)
        for name, data in (("Program.pdf", b"%PDF-1.4 first"), ("program.pdf", b"%PDF-1.4 second"),
                           ("../Plan: bolig*økonomi?.pdf", b"%PDF-1.4 third")):
            stored = StoredFile(filename=name, content_type="application/pdf", size=len(data),
                                sha256=hashlib.sha256(data).hexdigest(), data=data)
            db.session.add(Material(gathering=row, title=name, file=stored, added_by_id=people["coordinator"].id))
        db.session.commit()
    return network, people


def test_archive_entries_are_in_oslo_time_and_named_as_uploaded(app, factory, login):
    network, people = _with_files(app, factory)
    response = login(people["coordinator"]).get(f"/networks/{network.id}/archive.zip")
    assert response.status_code == 200
    exported = datetime.now(timezone.utc).astimezone(OSLO).replace(tzinfo=None)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    for info in archive.infolist():
        assert abs(datetime(*info.date_time) - exported) < timedelta(minutes=1), info.filename
    names = archive.namelist()
    # Unique within the folder also where case does not count; no folder from the uploaded name.
    uploads = sorted(name for name in names if name.startswith("files/uploads/"))
    assert uploads == ["files/uploads/Plan_ bolig_økonomi_.pdf", "files/uploads/Program.pdf",
                       "files/uploads/program (2).pdf"]
    assert archive.getinfo("files/uploads/program (2).pdf").flag_bits & 0x800 == 0  # ASCII name
    assert archive.getinfo("files/uploads/Plan_ bolig_økonomi_.pdf").flag_bits & 0x800  # UTF-8 name flag
    # The manifest still lists each file with its sha256, and each record names its file.
    manifest = json.loads(archive.read("manifest.json"))
    files = json.loads(archive.read("files.json"))["files"]
    for record in files:
        assert manifest["files"][record["file"]] == record["sha256"]
        assert hashlib.sha256(archive.read(record["file"])).hexdigest() == record["sha256"]


def test_zip_time_is_oslo_time_in_summer_and_winter(app, factory):
    network, _ = _with_files(app, factory)
    for moment, local in ((datetime(2031, 6, 11, 10, 30, tzinfo=timezone.utc), (2031, 6, 11, 12, 30, 0)),
                          (datetime(2031, 1, 15, 23, 30, tzinfo=timezone.utc), (2031, 1, 16, 0, 30, 0))):
        target = io.BytesIO()
        with app.test_request_context():
            export.write_archive(db.session.get(Network, network.id), target, now=moment)
        assert {info.date_time for info in zipfile.ZipFile(target).infolist()} == {local}


@pytest.mark.parametrize("name, safe", [
    ("Program.pdf", "Program.pdf"), ("C:\\Users\\kari\\Plan æøå.docx", "Plan æøå.docx"),
    (".skjult", "skjult"), ("rapport<1>:?.xlsx", "rapport_1_.xlsx"), ("", "fil"),
    ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
])
def test_safe_filename(name, safe):
    assert export.safe_filename(name) == safe
