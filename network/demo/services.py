"""Load the demo network. Every step looks for what is already there, so a second run changes nothing."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from network.assignments.models import Assignment, AssignmentMethod, Visibility
from network.auth.models import Person
from network.auth.passwords import hash_password
from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
from network.demo import content
from network.extensions import db
from network.main.clock import oslo_today
from network.gatherings.models import (
    Gathering, GatheringDay, GatheringStatus, ProgrammeItem, Registration, RegistrationStatus, WorkingMethod,
)
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.assignments.demo import load_demo as load_assignments_demo
from network.comments.demo import load_demo as load_comments_demo
from network.groups import services as group_services
from network.evaluations.demo import load_demo as load_evaluations_demo
from network.feedback.demo import load_demo as load_feedback_demo
from network.library.demo import load_demo as load_library_demo
from network.groups.models import Group, GroupKind, GroupMember, Grouping
from network.resources.demo import load_demo as load_resources_demo
from network.planning.models import (
    AdviceAssessment, PlanningStatus, PlanningStep, PlanStatus, StrategicAdvice,
)
from network.organisations.services import county_authority, import_national_list, municipality_by_number


OSLO = ZoneInfo("Europe/Oslo")


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

        db.session.flush()
        last = len(content.GATHERINGS)
        for number, title, theme, day, venue in content.GATHERINGS:
            exists = db.session.scalar(select(Gathering.id).where(Gathering.network_id == network.id, Gathering.number == number))
            if exists is None:
                gathering = Gathering(
                    network=network, number=number, title=title, theme=theme, venue=venue,
                    address=content.VENUE_ADDRESSES.get(venue, ""), capacity=content.GATHERING_CAPACITY,
                    status=GatheringStatus.HELD,
                    days=[GatheringDay(day=day, starts_at=time(10, 0), ends_at=time(16, 0))],
                )
                db.session.add(gathering)
                self.attendance(network, gathering, first_or_last=number in (1, last))

        db.session.flush()
        titles = set(db.session.scalars(select(Challenge.title).where(Challenge.network_id == network.id)))
        for position, title in enumerate(content.CHALLENGES, start=1):
            if title not in titles:
                db.session.add(Challenge(network=network, position=position, title=title))
        db.session.flush()
        self.municipality_challenges(network)
        self.planning_profiles(network)
        self.table_groups(network, coordinator)
        db.session.flush()
        # Each capability writes its own demo content; the order matters where one builds on another.
        load_assignments_demo(network, coordinator)
        db.session.flush()
        load_comments_demo(network, coordinator)
        load_resources_demo(network, coordinator)
        load_library_demo(network, coordinator)
        load_feedback_demo(network, coordinator)  # after resources: some of it is about KS's slide set
        load_evaluations_demo(network, coordinator)
        self.follow_up(coordinator)
        db.session.flush()
        return network

    def municipality_challenges(self, network: Network) -> None:
        """The challenges each municipality marked, and one it added itself. Skipped where any exist."""
        catalogue = list(db.session.scalars(
            select(Challenge).where(Challenge.network_id == network.id).order_by(Challenge.position)))
        memberships = self._municipal_memberships(network)
        marked = set(db.session.scalars(
            select(MunicipalityChallenge.membership_id).join(MunicipalityChallenge.challenge)
            .where(Challenge.network_id == network.id)))
        for number, rows in content.MUNICIPALITY_CHALLENGES.items():
            membership = memberships[number]
            if membership.id in marked:
                continue
            for challenge_number, priority, description in rows:
                db.session.add(MunicipalityChallenge(
                    challenge=catalogue[challenge_number - 1], membership=membership,
                    priority=ChallengePriority(priority), description=description,
                    updated_by=self._contact(membership)))
        for number, title, description, priority in content.OWN_CHALLENGES:
            membership = memberships[number]
            if membership.id in marked:
                continue
            contact = self._contact(membership)  # looked up before the new rows exist, so autoflush leaves them be
            own = Challenge(network=network, position=len(catalogue) + 1, title=title, description=description,
                            added_by_organisation_id=membership.organisation_id)
            db.session.add(MunicipalityChallenge(challenge=own, membership=membership,
                                                 priority=ChallengePriority(priority), description=description,
                                                 updated_by=contact))

    def planning_profiles(self, network: Network) -> None:
        memberships = self._municipal_memberships(network)
        recorded = set(db.session.scalars(
            select(PlanningStatus.membership_id).join(PlanningStatus.membership)
            .where(Membership.network_id == network.id)))
        for number, (steps, scores) in content.PLANNING_PROFILES.items():
            membership = memberships[number]
            if membership.id in recorded:
                continue
            contact = self._contact(membership)
            for step, (status, year) in zip(PlanningStep, steps):
                db.session.add(PlanningStatus(membership=membership, step=step, status=PlanStatus(status), year=year,
                                              updated_by=contact))
            for advice, score in zip(StrategicAdvice, scores):
                db.session.add(AdviceAssessment(membership=membership, advice=advice, score=score, updated_by=contact))

    def table_groups(self, network: Network, coordinator: Person) -> None:
        """Gathering 3 worked in groups by growth pressure (seed 002): the app's own suggestion, saved."""
        exists = db.session.scalar(select(Grouping.id).where(
            Grouping.network_id == network.id, Grouping.name == content.TABLE_GROUPS_NAME))
        if exists is not None:
            return
        gathering = db.session.scalar(select(Gathering).where(Gathering.network_id == network.id, Gathering.number == 3))
        proposals = group_services.suggest_for(network, group_services.member_infos(network), GroupKind.GROWTH,
                                               content.TABLE_GROUP_SIZE, None)
        grouping = Grouping(network=network, gathering=gathering, name=content.TABLE_GROUPS_NAME, basis=GroupKind.GROWTH,
                            target_size=content.TABLE_GROUP_SIZE, updated_by=coordinator)
        for position, proposal in enumerate(proposals):
            group = Group(position=position, name=proposal.name, kind=proposal.kind, facilitator=coordinator)
            grouping.groups.append(group)
        db.session.add(grouping)
        db.session.flush()  # group_member repeats the grouping's id, which the flush assigns
        for group, proposal in zip(grouping.groups, proposals):
            group.members = [GroupMember(grouping_id=grouping.id, membership_id=membership_id)
                             for membership_id in proposal.membership_ids]

    @staticmethod
    def _contact(membership: Membership) -> Person | None:
        slug = email_slug(membership.organisation.name)
        return db.session.scalar(select(Person).where(Person.email == f"kontakt.{slug}@demo.test"))

    @staticmethod
    def _municipal_memberships(network: Network) -> dict[str, Membership]:
        rows = db.session.scalars(
            select(Membership).join(Membership.organisation).where(
                Membership.network_id == network.id, Organisation.kind == OrganisationKind.MUNICIPALITY))
        return {membership.organisation.kommunenummer: membership for membership in rows}

    def attendance(self, network: Network, gathering: Gathering, first_or_last: bool) -> None:
        """Who came to a held gathering: the teams, and most executives at the first and last."""
        db.session.flush()
        for role in db.session.scalars(select(NetworkRole).where(NetworkRole.network_id == network.id)):
            person = role.person
            if person.organisation is None or not person.organisation.is_municipality:
                continue
            if role.role is RoleKind.EXECUTIVE and (not first_or_last or person.organisation.kommunenummer in content.NOT_ANCHORED):
                continue
            db.session.add(Registration(gathering=gathering, person=person, days=list(gathering.days),
                                        status=RegistrationStatus.ATTENDED, registered_by=person))

    def follow_up(self, coordinator: Person) -> Network:
        days = follow_up_days(oslo_today())
        network = db.session.scalar(select(Network).where(Network.name == content.FOLLOW_UP["name"]))
        if network is None:
            network = Network(
                status=NetworkStatus.ACTIVE, **content.FOLLOW_UP,
                starts_on=days[0] - timedelta(days=content.FOLLOW_UP_STARTS_DAYS_BEFORE),
                ends_on=days[-1] + timedelta(days=content.FOLLOW_UP_ENDS_DAYS_AFTER),
            )
            db.session.add(network)
        self.role(network, coordinator, RoleKind.COORDINATOR)
        for number in content.FOLLOW_UP_MUNICIPALITIES:
            organisation = municipality_by_number(number)
            self.membership(network, organisation, network.starts_on)
            slug = email_slug(organisation.name)
            for prefix, role in (("kontakt", RoleKind.CONTACT), ("deltaker", RoleKind.PARTICIPANT), ("radmann", RoleKind.EXECUTIVE)):
                person = db.session.scalar(select(Person).where(Person.email == f"{prefix}.{slug}@demo.test"))
                if person is not None:
                    self.role(network, person, role)
        for number, prefix, name, job_title in content.FOLLOW_UP_ELECTED:
            organisation = municipality_by_number(number)
            person = self.person(f"{prefix}.{email_slug(organisation.name)}@demo.test", name, organisation, job_title)
            self.role(network, person, RoleKind.PARTICIPANT)
        db.session.flush()
        for (number, title, theme, _weeks, length, venue, status), day in zip(content.FOLLOW_UP_GATHERINGS, days):
            exists = db.session.scalar(select(Gathering.id).where(Gathering.network_id == network.id, Gathering.number == number))
            if exists is None:
                gathering = Gathering(
                    network=network, number=number, title=title, theme=theme, venue=venue,
                    address=content.VENUE_ADDRESSES.get(venue, ""), capacity=content.FOLLOW_UP_CAPACITY,
                    status=GatheringStatus(status),
                    cancellation_deadline=datetime.combine(day - timedelta(days=7), time(12), tzinfo=timezone.utc),
                    registration_closes_at=datetime.combine(
                        day - timedelta(days=content.FOLLOW_UP_REGISTRATION_CLOSES_DAYS_BEFORE), time(12), tzinfo=OSLO)
                    if status == "open" else None,
                    days=[GatheringDay(day=day + timedelta(days=n), starts_at=time(10, 0), ends_at=time(16, 0))
                          for n in range(length)],
                )
                db.session.add(gathering)
                if number == 1:
                    gathering.programme = [
                        ProgrammeItem(day=gathering.days[day_index], position=position, starts_at=time(*clock),
                                      title=item_title, presenter=presenter, method=WorkingMethod(method),
                                      description=description)
                        for position, (day_index, clock, item_title, presenter, method, description)
                        in enumerate(content.FOLLOW_UP_PROGRAMME)
                    ]
        self.follow_up_assignment(network, coordinator)
        return network

    @staticmethod
    def follow_up_assignment(network: Network, coordinator: Person) -> None:
        title, description, method, given, presented, days_before = content.FOLLOW_UP_ASSIGNMENT
        db.session.flush()
        if db.session.scalar(select(Assignment.id).where(Assignment.network_id == network.id, Assignment.title == title)):
            return
        gatherings = {g.number: g for g in db.session.scalars(select(Gathering).where(Gathering.network_id == network.id))}
        presented_at = gatherings[presented]
        db.session.add(Assignment(
            network=network, title=title, description=description, method=AssignmentMethod(method),
            given_after=gatherings[given], presented_at=presented_at,
            due_on=presented_at.starts_on - timedelta(days=days_before), visibility=Visibility.NETWORK,
            created_by_id=coordinator.id))

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
        persons = [self.person(email, name, organisation, title) for email, name, title, _role in people]
        for person, (_email, _name, _title, role) in zip(persons, people):
            self.role(network, person, role)
        if membership.executive_name is None and organisation.kommunenummer not in content.NOT_ANCHORED:
            membership.executive_name = people[1][1]
            membership.executive = persons[1]
            membership.anchoring_decided_on = date(2019, 3, 1 + index)
            membership.anchoring_note = "Deltakelsen er besluttet i kommunedirektørens ledergruppe."
        if organisation.kommunenummer in content.NOTES and membership.anchoring_note is None:
            membership.anchoring_note = content.NOTES[organisation.kommunenummer]


def load_demo() -> tuple[Network, int]:
    loader = DemoLoader(current_app.config["DEMO_PASSWORD"])
    network = loader.load()
    return network, loader.people_created


def follow_up_days(today: date) -> list[date]:
    """The first day of each of the follow-up's gatherings: the Wednesday on or after the given
    number of weeks from ``today``, so a demo loaded on any day has a gathering open for registration."""
    days = []
    for _number, _title, _theme, weeks, *_rest in content.FOLLOW_UP_GATHERINGS:
        day = today + timedelta(weeks=weeks)
        days.append(day + timedelta(days=(2 - day.weekday()) % 7))
    return days
