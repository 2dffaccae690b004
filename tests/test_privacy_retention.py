"""Retention (`flask privacy purge`): diet, allergies and accessibility erased a set number of days
after each gathering, old mail and its attachments removed, expired invitations cleaned up, old
export log entries dropped. Each job is safe to run again at once."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Registration
from network.main import clock
from network.networks.models import NetworkRole, RoleKind
from network.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from network.privacy import services
from network.privacy.models import ExportKind, ExportLog
from tests.factories import world
from tests.gathering_helpers import open_gathering, register
from tests.html import main

NEEDS = dict(diet="Vegetar", allergies="Skalldyr", accessibility="Teleslynge", comment="Kommer med tog")


def _details(app, registration_id):
    with app.app_context():
        row = db.session.get(Registration, registration_id)
        return row.diet, row.allergies, row.accessibility, row.comment, row.status, len(row.days)


def _purge(runner, *extra):
    result = runner.invoke(args=["privacy", "purge", *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("app_config", [{"PRIVACY_DIET_RETENTION_DAYS": 14}])
def test_diet_details_are_erased_a_set_number_of_days_after_the_last_day(app, factory, runner, app_config):
    network, _, _, people = world(factory)
    today = clock.oslo_today()
    long_ago = open_gathering(factory, network, number=1, day=today - timedelta(days=20), days=2)
    # Ends 14 days ago: the last day counts, and the period is not over yet.
    just_over = open_gathering(factory, network, number=2, day=today - timedelta(days=15), days=2)
    coming = open_gathering(factory, network, number=3, day=today + timedelta(days=5), days=1)
    old = register(app, long_ago.id, people["participant"].id, **NEEDS)
    recent = register(app, just_over.id, people["participant"].id, **NEEDS)
    future = register(app, coming.id, people["participant"].id, **NEEDS)

    output = _purge(runner)
    assert "Erased diet details on 1 registration(s)" in output
    diet, allergies, accessibility, comment, status, days = _details(app, old)
    assert (diet, allergies, accessibility) == ("", "", "")
    assert comment == "Kommer med tog" and status.value == "confirmed" and days == 2  # the rest stays
    assert _details(app, recent)[:3] == ("Vegetar", "Skalldyr", "Teleslynge")
    assert _details(app, future)[:3] == ("Vegetar", "Skalldyr", "Teleslynge")

    # Again at once: nothing left to do. A day later the second gathering's period is over too.
    assert "Erased diet details on 0 registration(s)" in _purge(runner)
    assert "Erased diet details on 1 registration(s)" in _purge(runner, "--today",
                                                                (today + timedelta(days=1)).isoformat())
    assert _details(app, recent)[:3] == ("", "", "")


@pytest.mark.parametrize("app_config", [{"PRIVACY_DIET_RETENTION_DAYS": 9}])
def test_catering_list_says_when_the_needs_are_erased(app, factory, login, app_config):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, number=1, day=date(2031, 3, 12))
    page = main(login(people["coordinator"]).get(f"/networks/{network.id}/gatherings/{gathering.id}/catering"))
    assert "slettes automatisk 9 dager etter samlingens siste dag" in page


def _message(session, status, age_days, attachment=False, recipient="noen@example.test"):
    now = datetime.now(timezone.utc)
    message = OutboxMessage(recipient=recipient, subject=f"{status.value} {age_days}", body_text="Hei",
                            status=status, created_at=now - timedelta(days=age_days),
                            sent_at=now - timedelta(days=age_days) if status is OutboxStatus.SENT else None,
                            next_attempt_at=now + timedelta(days=1))
    if attachment:
        message.attachments.append(OutboxAttachment(filename="samling.ics", content_type="text/calendar",
                                                    data=b"BEGIN:VCALENDAR"))
    session.add(message)
    return message


@pytest.mark.parametrize("app_config", [{"PRIVACY_OUTBOX_RETENTION_DAYS": 30}])
def test_sent_and_failed_mail_is_removed_after_the_retention_period(app, runner, app_config):
    with app.app_context():
        old_sent = _message(db.session, OutboxStatus.SENT, 31, attachment=True)
        old_failed = _message(db.session, OutboxStatus.FAILED, 40)
        new_sent = _message(db.session, OutboxStatus.SENT, 29, attachment=True)
        old_pending = _message(db.session, OutboxStatus.PENDING, 60)
        db.session.commit()
        ids = {name: m.id for name, m in (("old_sent", old_sent), ("old_failed", old_failed),
                                           ("new_sent", new_sent), ("old_pending", old_pending))}
    assert "removed 2 mail(s)" in _purge(runner)
    with app.app_context():
        left = set(db.session.scalars(select(OutboxMessage.id)))
        assert ids["old_sent"] not in left and ids["old_failed"] not in left
        assert {ids["new_sent"], ids["old_pending"]} <= left
        assert db.session.scalar(select(func.count()).select_from(OutboxAttachment).where(
            OutboxAttachment.message_id == ids["old_sent"])) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxAttachment).where(
            OutboxAttachment.message_id == ids["new_sent"])) == 1
    assert "removed 0 mail(s)" in _purge(runner)


def _invitee(app, factory, network, name, *, days_ago, password=None, role_days_ago=None):
    person = factory.person(name=name, password=password)
    role = factory.role(network, person, RoleKind.PARTICIPANT)
    now = datetime.now(timezone.utc)
    with app.app_context():
        db.session.get(Person, person.id).created_at = now - timedelta(days=days_ago)
        db.session.get(NetworkRole, role.id).created_at = now - timedelta(days=role_days_ago or days_ago)
        db.session.add(OutboxMessage(recipient=person.email, subject="Invitasjon", body_text=f"Hei {name}",
                                     status=OutboxStatus.SENT, sent_at=now - timedelta(days=days_ago)))
        db.session.commit()
    return person


@pytest.mark.parametrize("app_config", [{"PRIVACY_INVITATION_MARGIN_DAYS": 30}])
def test_expired_invitations_of_people_with_no_other_data_are_cleaned_up(app, factory, runner, app_config):
    network, _, _, people = world(factory)
    # The link works 7 days; the margin is 30: after 37 days an unused invitation goes.
    gone = _invitee(app, factory, network, "Gunn Gammel", days_ago=38)
    fresh = _invitee(app, factory, network, "Frida Fersk", days_ago=36)
    with_password = _invitee(app, factory, network, "Per Passord", days_ago=100, password="et-passord-1234")
    registered = _invitee(app, factory, network, "Rolf Registrert", days_ago=100)
    invited_again = _invitee(app, factory, network, "Ingrid Igjen", days_ago=100, role_days_ago=3)
    gathering = open_gathering(factory, network, number=1, day=date(2031, 3, 12))
    register(app, gathering.id, registered.id, by_id=people["contact"].id)

    assert "1 expired invitation(s)" in _purge(runner)
    with app.app_context():
        left = set(db.session.scalars(select(Person.id)))
        assert gone.id not in left
        assert {fresh.id, with_password.id, registered.id, invited_again.id, people["participant"].id} <= left
        assert db.session.scalar(select(func.count()).select_from(NetworkRole).where(
            NetworkRole.person_id == gone.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == gone.email)) == 0
    assert "0 expired invitation(s)" in _purge(runner)


@pytest.mark.parametrize("app_config", [{"PRIVACY_EXPORT_LOG_RETENTION_DAYS": 365}])
def test_old_export_log_entries_are_dropped(app, factory, runner, app_config):
    _, _, _, people = world(factory)
    now = datetime.now(timezone.utc)
    with app.app_context():
        db.session.add_all([
            ExportLog(kind=ExportKind.MY_DATA, person_id=people["participant"].id, path="/gammel",
                      at=now - timedelta(days=366)),
            ExportLog(kind=ExportKind.MY_DATA, person_id=people["participant"].id, path="/ny",
                      at=now - timedelta(days=364)),
        ])
        db.session.commit()
    assert "1 old export log entry(ies)" in _purge(runner)
    with app.app_context():
        assert db.session.scalars(select(ExportLog.path)).all() == ["/ny"]


def test_the_privacy_page_and_the_jobs_read_the_same_settings(app, client):
    app.config.update(PRIVACY_DIET_RETENTION_DAYS=3, PRIVACY_OUTBOX_RETENTION_DAYS=4,
                      PRIVACY_INVITATION_MARGIN_DAYS=5, PRIVACY_EXPORT_LOG_RETENTION_DAYS=6)
    with app.app_context():
        settings = services.retention()
    assert (settings.diet_days, settings.outbox_days, settings.invitation_total_days, settings.export_log_days) == (
        3, 4, 7 + 5, 6)
    page = main(client.get("/personvern"))
    assert "3 dager etter samlingens siste dag" in page and "4 dager etter at den ble sendt" in page
    assert "slettes 12 dager etter invitasjonen" in page and "6 dager" in page
