"""Factories for test data. Each call commits (into the test's savepoint) and returns
the object detached, with its columns loaded; use ids to look things up again."""
from __future__ import annotations

import functools
import itertools
from datetime import date, time, timedelta

from sqlalchemy import select

from network.auth.models import Person
from network.auth.passwords import hash_password
from network.extensions import db
from network.gatherings.models import Gathering, GatheringDay
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind

PASSWORD = "riktig-passord"
_counter = itertools.count(1)


@functools.cache
def _password_hash(profile: str) -> str:
    # Hashed once per parameter set (the app's PASSWORD_HASH_PROFILE), not once per person.
    return hash_password(PASSWORD)


class Factory:
    def __init__(self, app):
        self.app = app

    def _save(self, *objects):
        with self.app.app_context():
            session = db.session()
            session.expire_on_commit = False
            session.add_all(objects)
            session.commit()
            for obj in objects:
                session.refresh(obj)
            session.expunge_all()
        return objects[0] if len(objects) == 1 else objects

    def municipality(self, kommunenummer: str) -> Organisation:
        with self.app.app_context():
            organisation = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == kommunenummer))
            db.session.expunge(organisation)
            return organisation

    def organisation(self, name: str | None = None, kind: OrganisationKind = OrganisationKind.OTHER) -> Organisation:
        return self._save(Organisation(name=name or f"Organisasjon {next(_counter)}", kind=kind))

    def network(self, name: str | None = None, **fields) -> Network:
        defaults = dict(
            topic="Boligpolitikk", description="Et nettverk for tester.", framing="",
            starts_on=date(2019, 4, 10), ends_on=date(2020, 10, 14), ks_contact_name="Kari Koordinator",
            ks_contact_email="kontakt@ks.test", feedback_email="tilbakemelding@ks.test",
            status=NetworkStatus.ACTIVE,
        )
        defaults.update(fields)
        return self._save(Network(name=name or f"Nettverk {next(_counter)}", **defaults))

    def member(self, network: Network, organisation: Organisation, **fields) -> Membership:
        return self._save(Membership(network_id=network.id, organisation_id=organisation.id, joined_on=date(2019, 4, 10), **fields))

    def person(self, name: str | None = None, email: str | None = None, organisation: Organisation | None = None,
               password: str | None = PASSWORD, is_admin: bool = False, **fields) -> Person:
        n = next(_counter)
        with self.app.app_context():
            if password == PASSWORD:
                password_hash = _password_hash(self.app.config["PASSWORD_HASH_PROFILE"])
            else:
                password_hash = hash_password(password) if password else None
        person = Person(
            name=name or f"Person {n}", email=email or f"person{n}@example.test",
            organisation_id=organisation.id if organisation else None,
            password_hash=password_hash,
            is_admin=is_admin, **fields,
        )
        return self._save(person)

    def role(self, network: Network, person: Person, role: RoleKind) -> NetworkRole:
        return self._save(NetworkRole(network_id=network.id, person_id=person.id, role=role))

    def member_with_role(self, network: Network, role: RoleKind, organisation: Organisation | None = None, **fields) -> Person:
        person = self.person(organisation=organisation, **fields)
        self.role(network, person, role)
        return person

    def gathering(self, network: Network, number: int, day: date, title: str = "Samling", days: int = 1, **fields) -> Gathering:
        gathering = Gathering(
            network_id=network.id, number=number, title=f"{title} {number}",
            days=[GatheringDay(day=day + timedelta(days=n), starts_at=time(10), ends_at=time(16)) for n in range(days)],
            **fields,
        )
        return self._save(gathering)


def world(factory: Factory):
    """A network with Hamar as a member and one person in each role, plus an outsider.

    Built in one session and one commit: most tests start here, so it must be cheap."""
    app = factory.app
    with app.app_context():
        session = db.session()
        session.expire_on_commit = False
        hamar, lillehammer = (session.scalar(select(Organisation).where(Organisation.kommunenummer == number))
                              for number in ("3403", "3405"))
        defaults = dict(
            topic="Boligpolitikk", description="Et nettverk for tester.", framing="",
            starts_on=date(2019, 4, 10), ends_on=date(2020, 10, 14), ks_contact_name="Kari Koordinator",
            ks_contact_email="kontakt@ks.test", feedback_email="tilbakemelding@ks.test",
            status=NetworkStatus.ACTIVE,
        )
        network = Network(name="Bolignettverket", **defaults)
        other_network = Network(name="Et annet nettverk", **defaults)
        ks = Organisation(name="KS", kind=OrganisationKind.KS)
        password_hash = _password_hash(app.config["PASSWORD_HASH_PROFILE"])

        def person(name, organisation=None, role=None, is_admin=False):
            n = next(_counter)
            new = Person(name=name, email=f"person{n}@example.test", organisation=organisation,
                         password_hash=password_hash, is_admin=is_admin)
            if role is not None:
                session.add(NetworkRole(network=network, person=new, role=role))
            return new

        people = {
            "participant": person("Dag Deltaker", hamar, RoleKind.PARTICIPANT),
            "contact": person("Kari Kontakt", hamar, RoleKind.CONTACT),
            "executive": person("Rita Rådmann", hamar, RoleKind.EXECUTIVE),
            "other_contact": person("Lise Lillehammer", lillehammer, RoleKind.CONTACT),
            "observer": person("Olav Observatør", None, RoleKind.OBSERVER),
            "coordinator": person("Kristin Koordinator", ks, RoleKind.COORDINATOR),
            "admin": person("Ada Admin", is_admin=True),
            "outsider": person("Ulla Utenfor"),
        }
        session.add_all([network, other_network, ks, *people.values(),
                         Membership(network=network, organisation=hamar, joined_on=date(2019, 4, 10)),
                         Membership(network=network, organisation=lillehammer, joined_on=date(2019, 4, 10)),
                         NetworkRole(network=other_network, person=people["outsider"], role=RoleKind.COORDINATOR)])
        session.commit()
        session.expunge_all()
    return network, hamar, lillehammer, people
