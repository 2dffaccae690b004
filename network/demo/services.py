"""Load the demo network. Every step looks for what is already there, so a second run changes nothing."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from network.auth.models import Person
from network.auth.passwords import hash_password
from network.challenges.models import Challenge
from network.demo import content
from network.extensions import db
from network.gatherings.models import Gathering
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.organisations.services import county_authority, import_national_list, municipality_by_number


def email_slug(name: str) -> str:
    folded = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return "-".join(folded.split())


def _get_or_create_org(name: str, kind: OrganisationKind) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name, Organisation.kind == kind))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
    return organisation


class DemoLoader:
    def __init__(self, password: str):
        self.password_hash = hash_password(password)
        self.people_created = 0

    def person(self, email: str, name: str, organisation: Organisation, job_title: str, **extra) -> Person:
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            person = Person(email=email, name=name, organisation=organisation, job_title=job_title,
                            password_hash=self.password_hash, **extra)
            db.session.add(person)
            self.people_created += 1
        return person

    def role(self, network: Network, person: Person, role: RoleKind) -> None:
        db.session.flush()
        exists = db.session.scalar(select(NetworkRole.id).where(
            NetworkRole.network_id == network.id, NetworkRole.person_id == person.id, NetworkRole.role == role))
        if exists is None:
            db.session.add(NetworkRole(network=network, person=person, role=role))

    def membership(self, network: Network, organisation: Organisation, joined_on: date) -> Membership:
        db.session.flush()
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == organisation.id))
        if membership is None:
            membership = Membership(network=network, organisation=organisation, joined_on=joined_on)
            db.session.add(membership)
        return membership

    def load(self) -> Network:
        import_national_list()
        network = db.session.scalar(select(Network).where(Network.name == content.NETWORK["name"]))
        if network is None:
            network = Network(status=NetworkStatus.COMPLETED, **content.NETWORK)
            db.session.add(network)
        joined = content.NETWORK["starts_on"]

        ks = _get_or_create_org("KS", OrganisationKind.KS)
        husbanken = _get_or_create_org("Husbanken", OrganisationKind.HUSBANKEN)
        for organisation in (ks, husbanken):
            self.membership(network, organisation, joined)
        coordinator = self.person("koordinator@demo.test", content.NETWORK["ks_contact_name"], ks, "Spesialrådgiver", is_admin=True)
        self.role(network, coordinator, RoleKind.COORDINATOR)
        observer = self.person("husbanken@demo.test", "Hanne Husbanksen", husbanken, "Seniorrådgiver")
        self.role(network, observer, RoleKind.OBSERVER)

        for county_name in content.COUNTY_AUTHORITIES:
            authority = county_authority(county_name)
            self.membership(network, authority, joined)
            person = self.person(f"fylke.{email_slug(county_name)}@demo.test", f"Frida Fylkesen ({county_name})", authority, "Planrådgiver")
            self.role(network, person, RoleKind.OBSERVER)

        for index, number in enumerate(content.MUNICIPALITY_NUMBERS):
            self.municipality(network, municipality_by_number(number), index, joined)

        for number, title, theme, day, venue in content.GATHERINGS:
            exists = db.session.scalar(select(Gathering.id).where(Gathering.network_id == network.id, Gathering.number == number)) if network.id else None
            if exists is None:
                db.session.add(Gathering(network=network, number=number, title=title, theme=theme, starts_on=day, ends_on=day, venue=venue))

        db.session.flush()
        titles = set(db.session.scalars(select(Challenge.title).where(Challenge.network_id == network.id)))
        for position, title in enumerate(content.CHALLENGES, start=1):
            if title not in titles:
                db.session.add(Challenge(network=network, position=position, title=title))
        db.session.flush()
        return network

    def municipality(self, network: Network, organisation: Organisation, index: int, joined: date) -> None:
        membership = self.membership(network, organisation, joined)
        slug = email_slug(organisation.name)
        first = content.FIRST_NAMES
        surname = content.SURNAMES[index % len(content.SURNAMES)]
        people = [
            (f"kontakt.{slug}@demo.test", f"{first[(3 * index) % len(first)]} {surname}", "Boligkoordinator", RoleKind.CONTACT),
            (f"radmann.{slug}@demo.test", f"{first[(3 * index + 1) % len(first)]} {surname}", "Kommunedirektør", RoleKind.EXECUTIVE),
        ]
        if organisation.kommunenummer not in content.TWO_PERSON_TEAMS:
            people.append((f"deltaker.{slug}@demo.test", f"{first[(3 * index + 2) % len(first)]} {surname}", "Arealplanlegger", RoleKind.PARTICIPANT))
        for email, name, title, role in people:
            self.role(network, self.person(email, name, organisation, title), role)
        if membership.executive_name is None and organisation.kommunenummer not in content.NOT_ANCHORED:
            membership.executive_name = people[1][1]
            membership.anchoring_decided_on = date(2019, 3, 1 + index)
            membership.anchoring_note = "Deltakelsen er besluttet i kommunedirektørens ledergruppe."
        if organisation.kommunenummer in content.NOTES and membership.anchoring_note is None:
            membership.anchoring_note = content.NOTES[organisation.kommunenummer]


def load_demo() -> tuple[Network, int]:
    loader = DemoLoader(current_app.config["DEMO_PASSWORD"])
    network = loader.load()
    return network, loader.people_created
