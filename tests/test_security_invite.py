"""Issue 17, finding 12: inviting an address that belongs to someone at another organisation must
not tell the inviter who that is or where they are registered (the old answer named the other
municipality: "… er allerede registrert hos Nittedal"). Invitations that can go ahead still do."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.networks.models import NetworkRole, RoleKind
from network.outbox.models import OutboxMessage
from tests.factories import world


def _invite(client, network, organisation, email, name="Nora Ny", roles=("participant",)):
    return client.post(f"/networks/{network.id}/people/invite", data={
        "name": name, "email": email, "organisation_id": str(organisation.id), "roles": list(roles)})


def _roles(app, network_id, person_id):
    with app.app_context():
        return set(db.session.scalars(select(NetworkRole.role).where(
            NetworkRole.network_id == network_id, NetworkRole.person_id == person_id)))


def _mail_to(app, email):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == email)).all()


@pytest.mark.parametrize("inviter", ["contact", "coordinator"])
def test_an_address_from_another_networks_organisation_is_refused_without_naming_it(app, factory, login, inviter):
    network, hamar, _, people = world(factory)
    elsewhere = factory.network("Et nettverk i Akershus")
    nittedal = factory.municipality("3031")  # Nittedal (2020 number): not in this network
    factory.member(elsewhere, nittedal)
    stranger = factory.person(name="Siri Hemmelig", email="siri@nittedal.kommune.test", organisation=nittedal)
    factory.role(elsewhere, stranger, RoleKind.CONTACT)

    response = _invite(login(people[inviter]), network, hamar, "Siri@Nittedal.kommune.test")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "kan ikke inviteres for Hamar" in body
    for secret in ("Nittedal", "Siri Hemmelig", "Et nettverk i Akershus", "registrert hos"):
        assert secret not in re.sub(r"siri@nittedal\.kommune\.test", "", body, flags=re.I), secret  # what was typed
    assert _roles(app, network.id, stranger.id) == set()
    assert _mail_to(app, stranger.email) == []
    with app.app_context():
        assert db.session.get(Person, stranger.id).organisation_id == nittedal.id


def test_an_existing_person_of_the_same_organisation_still_gets_the_role(app, factory, login):
    network, hamar, _, people = world(factory)
    colleague = factory.person(name="Hege Hamar", email="hege@hamar.kommune.test", organisation=hamar)
    response = _invite(login(people["contact"]), network, hamar, colleague.email)
    assert response.status_code == 302
    assert _roles(app, network.id, colleague.id) == {RoleKind.PARTICIPANT}
    assert _mail_to(app, colleague.email)  # told about the new role


def test_an_existing_person_without_an_organisation_joins_the_inviters(app, factory, login):
    network, hamar, _, people = world(factory)
    loose = factory.person(name="Uten Organisasjon", email="uten@example.test")
    assert _invite(login(people["contact"]), network, hamar, loose.email).status_code == 302
    assert _roles(app, network.id, loose.id) == {RoleKind.PARTICIPANT}
    with app.app_context():
        assert db.session.get(Person, loose.id).organisation_id == hamar.id
