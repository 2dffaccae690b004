"""Invitations through the HTTP client and the real database: inviting someone who has not answered
sends nothing again unless asked, the resend button on the team lists, and team checks that count
only people who have answered (chosen a password), with the invited listed apart."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.auth.models import Person
from network.extensions import db
from network.models_base import utcnow
from network.networks.models import NetworkInvitation, NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from tests.conftest import built_once
from tests.factories import world
from tests.html import field_error, input_value, main, text

NEW_PASSWORD = "sommerfugl i vinterdvale"
BELOW_MINIMUM = "Bare 1 deltaker er registrert. Hver kommune skal ha minst 2, helst 3."


def build(app, factory):
    """Lillehammer's team is its contact (who has joined) and nobody else yet."""
    network, hamar, lillehammer, people = world(factory)
    return {"network": network.id, "hamar": hamar.id, "lillehammer": lillehammer.id}, people


built = built_once(build)


def invite(client, ids, email, name="Nils Ny", org="lillehammer", roles=("participant",), **extra):
    data = {"name": name, "email": email, "job_title": "Boligkonsulent", "phone": "",
            "organisation_id": str(ids[org]), "roles": list(roles), **extra}
    return client.post(f"/networks/{ids['network']}/people/invite", data=data)


def mail_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                   .order_by(OutboxMessage.id)))


def person_id(email: str) -> int:
    return db.session.scalar(select(Person.id).where(Person.email == email))


def invitation_link(email: str) -> str:
    body = mail_to(email)[-1].body_text
    return urlsplit(re.search(r"https?://\S*/invitation/\S+", body).group(0)).path


def municipality_page(client, ids, org="lillehammer"):
    return client.get(f"/networks/{ids['network']}/municipalities/{ids[org]}")


# --- inviting again ----------------------------------------------------------------------------


def test_inviting_again_sends_nothing_until_asked(app, built, login):
    ids, people = built
    client = login(people["other_contact"])
    assert invite(client, ids, "nils@lillehammer.test").status_code == 302

    again = invite(client, ids, "nils@lillehammer.test", name="Nils Nyere", roles=("participant", "executive"))
    assert again.status_code == 409
    page = main(again)
    assert "Allerede invitert" in page and "nils@lillehammer.test ble invitert" in page
    assert "har ikke svart ennå" in page and "Ingen ny e-post er sendt." in page
    assert re.search(r'<button[^>]*name="resend" value="y"[^>]*>Send invitasjonen på nytt</button>', page)
    assert input_value(again, "name") == "Nils Nyere"  # what was typed stays
    with app.app_context():
        assert len(mail_to("nils@lillehammer.test")) == 1
        nils = person_id("nils@lillehammer.test")
        assert set(db.session.scalars(select(NetworkRole.role).where(NetworkRole.person_id == nils))) == {
            RoleKind.PARTICIPANT}

    # "Send invitasjonen på nytt": the second mail, the new role, and the date recorded.
    resent = invite(client, ids, "nils@lillehammer.test", roles=("participant", "executive"), resend="y")
    assert resent.status_code == 302
    assert resent.location == f"/networks/{ids['network']}/municipalities/{ids['lillehammer']}"
    assert "Invitasjonen til Nils Ny er sendt på nytt til nils@lillehammer.test." in text(client.get(resent.location))
    with app.app_context():
        mails = mail_to("nils@lillehammer.test")
        assert len(mails) == 2 and all("/invitation/" in mail.body_text for mail in mails)
        row = db.session.scalar(select(NetworkInvitation).where(NetworkInvitation.person_id == nils))
        assert row.times_sent == 2 and row.sent_at >= row.invited_at
        assert db.session.scalar(select(func.count()).select_from(NetworkRole).where(
            NetworkRole.person_id == nils)) == 2


def test_someone_who_has_joined_just_gets_the_new_role(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    response = invite(client, ids, people["contact"].email, name="Kari Kontakt", org="hamar", roles=("executive",))
    assert response.status_code == 302
    with app.app_context():
        [mail] = mail_to(people["contact"].email)
        assert mail.subject == "Du har fått en ny rolle i Bolignettverket" and "/invitation/" not in mail.body_text


def test_an_invitation_from_another_network_is_no_reason_to_wait(app, built, login, factory):
    """Invited elsewhere and not answered: this network's first invitation goes out at once."""
    ids, people = built
    with app.app_context():
        elsewhere = factory.network("Et tredje nettverk")
        stranger = factory.person(name="Siri Andre", email="siri@lillehammer.test", password=None)
        factory.role(elsewhere, stranger, RoleKind.PARTICIPANT)
    response = invite(login(people["other_contact"]), ids, "siri@lillehammer.test", name="Siri Andre")
    assert response.status_code == 302
    with app.app_context():
        assert len(mail_to("siri@lillehammer.test")) == 1


def test_a_bad_phone_number_on_the_invite_form_is_refused(app, built, login):
    ids, people = built
    response = invite(login(people["other_contact"]), ids, "nils@lillehammer.test", phone="123")
    assert response.status_code == 422
    assert field_error(response, "phone").startswith("Skriv et gyldig telefonnummer")
    assert input_value(response, "phone") == "123" and input_value(response, "email") == "nils@lillehammer.test"
    with app.app_context():
        assert person_id("nils@lillehammer.test") is None


# --- team checks count who has answered ----------------------------------------------------------


def test_the_team_warning_stays_until_two_have_accepted(app, built, login, client):
    ids, people = built
    contact = login(people["other_contact"])
    for email, name in (("nils@lillehammer.test", "Nils Ny"), ("nora@lillehammer.test", "Nora Ny")):
        assert invite(contact, ids, email, name=name).status_code == 302

    page = main(municipality_page(contact, ids))
    assert BELOW_MINIMUM in page
    assert "2 inviterte har ikke svart ennå" in page
    team, invited = page.split('id="team-heading"')[1].split("Invitert, ikke svart ennå")
    assert "Lise Lillehammer" in team and "Nils Ny" not in team and "Nora Ny" not in team
    assert "Nils Ny" in invited and "Nora Ny" in invited
    assert invited.count("Send invitasjonen på nytt til") == 2
    members = main(login(people["coordinator"]).get(f"/networks/{ids['network']}/members"))
    assert "(+2 invitert)" in members

    # Nils opens the link in the mail and chooses a password: now two have joined.
    with app.app_context():
        link = invitation_link("nils@lillehammer.test")
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    page = main(municipality_page(contact, ids))
    assert BELOW_MINIMUM not in page
    assert "2 deltakere er registrert. Helst 3" in page
    assert "1 invitert har ikke svart ennå" in page
    team, invited = page.split('id="team-heading"')[1].split("Invitert, ikke svart ennå")
    assert "Nils Ny" in team and "Nora Ny" in invited and "Nils Ny" not in invited


def test_the_people_page_lists_the_invited_apart(app, built, login):
    ids, people = built
    invite(login(people["other_contact"]), ids, "nils@lillehammer.test")
    coordinator_page = main(login(people["coordinator"]).get(f"/networks/{ids['network']}/people"))
    listed, invited = coordinator_page.split("<h1")[1].split("Invitert, ikke svart ennå")
    assert "Nils Ny" not in listed and "Nils Ny" in invited and "Lillehammer" in invited
    assert "Send invitasjonen på nytt til Nils Ny" in invited
    # A participant sees who is invited, but has no button to send it again.
    participant_page = main(login(people["participant"]).get(f"/networks/{ids['network']}/people"))
    assert "Nils Ny" in participant_page and "Send invitasjonen på nytt" not in participant_page
    # Hamar's contact may not send Lillehammer's invitations.
    assert "Send invitasjonen på nytt" not in main(login(people["contact"]).get(f"/networks/{ids['network']}/people"))


# --- sending again from the team list ------------------------------------------------------------


def test_the_contact_sends_the_invitation_again_from_the_team_list(app, built, login):
    ids, people = built
    contact = login(people["other_contact"])
    invite(contact, ids, "nils@lillehammer.test")
    with app.app_context():
        nils = person_id("nils@lillehammer.test")
    back = f"/networks/{ids['network']}/municipalities/{ids['lillehammer']}"
    response = contact.post(f"/networks/{ids['network']}/people/{nils}/resend-invitation", data={"back": back})
    assert response.status_code == 302 and response.location == back
    page = main(contact.get(back))
    assert "Invitasjonen til Nils Ny er sendt på nytt til nils@lillehammer.test." in page
    assert "sendt på nytt" in page.split("Invitert, ikke svart ennå")[1]
    with app.app_context():
        assert len(mail_to("nils@lillehammer.test")) == 2
    # Nobody but the coordinators and Lillehammer's contact may.
    for role in ("participant", "contact", "observer"):
        refused = login(people[role]).post(f"/networks/{ids['network']}/people/{nils}/resend-invitation")
        assert refused.status_code == 403, role
    with app.app_context():
        assert len(mail_to("nils@lillehammer.test")) == 2


def test_someone_who_has_answered_gets_no_new_invitation(app, built, login):
    ids, people = built
    response = login(people["coordinator"]).post(
        f"/networks/{ids['network']}/people/{people['other_contact'].id}/resend-invitation")
    assert response.status_code == 302
    with app.app_context():
        assert mail_to(people["other_contact"].email) == []


def test_an_expired_invitation_says_so(app, built, login):
    ids, people = built
    contact = login(people["other_contact"])
    invite(contact, ids, "nils@lillehammer.test")
    with app.app_context():
        row = db.session.scalar(select(NetworkInvitation))
        row.sent_at = row.invited_at = utcnow() - timedelta(days=8)
        db.session.commit()
    assert "lenken er utløpt" in main(municipality_page(contact, ids))
    again = invite(contact, ids, "nils@lillehammer.test")
    assert again.status_code == 409 and "Lenken i invitasjonen er utløpt." in main(again)


@pytest.mark.parametrize("app_config", [{"PRIVACY_INVITATION_MARGIN_DAYS": 30}])
def test_an_invitation_sent_again_is_not_purged_as_expired(app, built, login, runner, app_config):
    """The retention job deletes people whose invitation ran out long ago; sending it again starts
    the clock again, as a new role does."""
    ids, people = built
    invite(login(people["other_contact"]), ids, "nils@lillehammer.test")
    with app.app_context():
        nils = db.session.get(Person, person_id("nils@lillehammer.test"))
        long_ago = utcnow() - timedelta(days=100)
        nils.created_at = long_ago
        for role in db.session.scalars(select(NetworkRole).where(NetworkRole.person_id == nils.id)):
            role.created_at = long_ago
        row = db.session.scalar(select(NetworkInvitation).where(NetworkInvitation.person_id == nils.id))
        row.invited_at, row.sent_at = long_ago, utcnow() - timedelta(days=3)
        db.session.commit()
    assert "0 expired invitation(s)" in runner.invoke(args=["privacy", "purge"]).output
    with app.app_context():
        db.session.scalar(select(NetworkInvitation)).sent_at = utcnow() - timedelta(days=40)
        db.session.commit()
    assert "1 expired invitation(s)" in runner.invoke(args=["privacy", "purge"]).output
    with app.app_context():
        assert person_id("nils@lillehammer.test") is None
