"""A network of every municipality in Norway, bulk inserted, for the benchmarks (bench/dashboard.py,
bench/national.py).

``build_network`` makes it: 356 member municipalities with three people each (the first the
executive), five gatherings (two held with attendance and evaluations, one open, one closed, one
planned) with most people registered, ten assignments with submissions from most municipalities,
2,000 pieces of feedback, and optionally comments on the submissions and library examples. Call it
inside an app context; it commits. A network of the same name is deleted first.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, insert, select

from network.assignments.models import Assignment, AssignmentMethod, Comment, Submission, SubmissionStatus, Visibility
from network.auth.models import Person
from network.challenges.models import Challenge
from network.evaluations.models import EvaluationInvitation, EvaluationResponse
from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic, random_id
from network.gatherings.models import (
    Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus, registration_day,
)
from network.library.models import (
    Example, ExampleAdvice, ExampleReview, ExampleStatus, ExampleStep, MunicipalitySize, example_challenge,
)
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.organisations.services import import_national_list
from network.planning.models import PlanningStep, StrategicAdvice

ASSIGNMENTS = 10
FEEDBACK = 2_000
REGISTERING_SHARE = 0.8  # of the people, per gathering
SUBMITTING_SHARE = 0.85  # of the municipalities, per assignment
STATUSES = (GatheringStatus.HELD, GatheringStatus.HELD, GatheringStatus.OPEN, GatheringStatus.CLOSED,
            GatheringStatus.PLANNED)
# n = 0, 1, 2 in each municipality; bench/dashboard.py keeps its two participants.
ROLES = (RoleKind.EXECUTIVE, RoleKind.CONTACT, RoleKind.PARTICIPANT)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=timezone.utc)


def build_network(name: str, people_prefix: str, coordinator_email: str, first_days: list[date], *,
                  roles: tuple[RoleKind, ...] = ROLES, comments: int = 0, examples: int = 0,
                  seed: int = 2019) -> tuple[int, int, dict]:
    """The network and its data, committed; returns (network id, coordinator id, counts). People's
    e-mails are ``<people_prefix>-<organisation id>-<n>@bench.test``; ``first_days`` gives each of
    the five gatherings' first day (registration closes two weeks before it)."""
    rng = random.Random(seed)
    import_national_list()
    db.session.execute(delete(Network).where(Network.name == name))  # cascades to everything below
    db.session.execute(delete(Person).where(Person.email.like(f"{people_prefix}-%@bench.test")))
    coordinator = db.session.scalar(select(Person).where(Person.email == coordinator_email))
    if coordinator is None:
        coordinator = Person(name="Benk Koordinator", email=coordinator_email)
        db.session.add(coordinator)
    network = Network(name=name, topic="Benk", ks_contact_name="K", ks_contact_email="k@ks.test",
                      feedback_email="f@ks.test", status=NetworkStatus.ACTIVE)
    db.session.add(network)
    db.session.flush()
    db.session.add(NetworkRole(network_id=network.id, person_id=coordinator.id, role=RoleKind.COORDINATOR))

    municipalities = db.session.scalars(
        select(Organisation.id).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
        .order_by(Organisation.kommunenummer)).all()
    db.session.execute(insert(Membership), [
        {"network_id": network.id, "organisation_id": org_id, "joined_on": date(2019, 4, 10),
         "executive_name": "Rådmann" if rng.random() < 0.8 else None,
         "anchoring_decided_on": date(2019, 3, 1)} for org_id in municipalities])
    membership_ids = db.session.scalars(select(Membership.id).where(Membership.network_id == network.id)).all()

    db.session.execute(insert(Person), [
        {"name": f"Person {org_id}-{n}", "email": f"{people_prefix}-{org_id}-{n}@bench.test", "organisation_id": org_id,
         "is_admin": False, "active": True}
        for org_id in municipalities for n in range(len(roles))])
    people = db.session.execute(
        select(Person.id, Person.email).where(Person.email.like(f"{people_prefix}-%@bench.test"))).all()
    db.session.execute(insert(NetworkRole), [
        {"network_id": network.id, "person_id": person_id, "role": roles[int(email.split("@")[0].rsplit("-", 1)[1])]}
        for person_id, email in people])
    person_ids = [person_id for person_id, _email in people]

    gatherings = []
    for number, (status, first_day) in enumerate(zip(STATUSES, first_days, strict=True), start=1):
        gathering = Gathering(network_id=network.id, number=number, title=f"Samling {number}", status=status,
                              registration_closes_at=_utc(first_day - timedelta(days=14)),
                              days=[GatheringDay(day=first_day + timedelta(days=n), starts_at=datetime.min.time(),
                                                 ends_at=datetime.max.time().replace(microsecond=0)) for n in range(2)])
        db.session.add(gathering)
        gatherings.append(gathering)
    db.session.flush()
    registrations = 0
    for gathering in gatherings:
        if gathering.status is GatheringStatus.PLANNED:
            continue
        held = gathering.status is GatheringStatus.HELD
        chosen = rng.sample(person_ids, int(len(person_ids) * REGISTERING_SHARE))
        rows = []
        for person_id in chosen:
            status = (RegistrationStatus.ATTENDED if rng.random() < 0.9 else RegistrationStatus.NO_SHOW) if held \
                else RegistrationStatus.CONFIRMED
            rows.append({"gathering_id": gathering.id, "person_id": person_id, "status": status})
        db.session.execute(insert(Registration), rows)
        registrations += len(rows)
        ids = db.session.scalars(select(Registration.id).where(Registration.gathering_id == gathering.id)).all()
        db.session.execute(insert(registration_day), [
            {"registration_id": registration_id, "day_id": day.id} for registration_id in ids for day in gathering.days])
        if held:
            db.session.execute(insert(EvaluationInvitation), [
                {"gathering_id": gathering.id, "person_id": person_id, "answered": n % 3 != 0}
                for n, person_id in enumerate(chosen)])
            db.session.execute(insert(EvaluationResponse), [
                {"id": random_id(), "gathering_id": gathering.id, "relevance": rng.randint(2, 5),
                 "usefulness": rng.randint(1, 5), "organisation": rng.randint(3, 5), "best": "", "improve": ""}
                for n in range(len(chosen)) if n % 3 != 0])

    first_due = first_days[0] + timedelta(days=154)
    db.session.execute(insert(Assignment), [
        {"network_id": network.id, "title": f"Oppgave {n + 1}", "description": "", "method": list(AssignmentMethod)[n % 3],
         "due_on": first_due + timedelta(days=30 * n), "visibility": Visibility.NETWORK, "created_by_id": coordinator.id}
        for n in range(ASSIGNMENTS)])
    assignment_ids = db.session.scalars(select(Assignment.id).where(Assignment.network_id == network.id)).all()
    submissions = []
    for assignment_id in assignment_ids:
        for membership_id in rng.sample(membership_ids, int(len(membership_ids) * SUBMITTING_SHARE)):
            roll = rng.random()
            draft = roll < 0.15
            submissions.append({"assignment_id": assignment_id, "membership_id": membership_id,
                                "status": SubmissionStatus.DRAFT if draft else SubmissionStatus.SUBMITTED,
                                "text": "Svar.", "is_late": roll > 0.9,
                                "submitted_at": None if draft else _utc(first_due)})
    db.session.execute(insert(Submission), submissions)

    db.session.execute(insert(Feedback), [
        {"id": random_id(), "network_id": network.id, "topic": rng.choice(list(FeedbackTopic)), "works": "Bra.",
         "does_not_work": "", "suggestion": "", "anonymous": n % 2 == 0,
         "sender_id": None if n % 2 == 0 else rng.choice(person_ids), "sender_name": "", "sender_email": "",
         "received_on": first_days[0] + timedelta(days=21 + n % 400), "status": list(FeedbackStatus)[n % 4]}
        for n in range(FEEDBACK)])
    counts = {"municipalities": len(membership_ids), "people": len(person_ids), "gatherings": len(gatherings),
              "registrations": registrations, "assignments": len(assignment_ids), "submissions": len(submissions),
              "feedback": FEEDBACK}
    if comments:
        counts["comments"] = add_comments(network.id, coordinator.id, comments, rng)
    if examples:
        counts["examples"] = add_examples(network.id, examples, rng)
    db.session.commit()
    return network.id, coordinator.id, counts


def add_comments(network_id: int, author_id: int, count: int, rng: random.Random) -> int:
    """``count`` comments spread at random over the network's submitted answers."""
    submitted = db.session.scalars(
        select(Submission.id).join(Assignment).where(Assignment.network_id == network_id,
                                                     Submission.status == SubmissionStatus.SUBMITTED)).all()
    for start in range(0, count, 10_000):
        db.session.execute(insert(Comment), [
            {"submission_id": rng.choice(submitted), "author_id": author_id, "body": "En kommentar."}
            for _ in range(min(10_000, count - start))])
    return count


def add_examples(network_id: int, count: int, rng: random.Random) -> int:
    """``count`` published library examples with text like bench/library.py's, one per member in
    turn, each tagged with challenges, planning steps and strategic advice."""
    from library import CHALLENGES, SUBJECTS, TEXT_FIELDS, THEMES, paragraph  # bench/library.py

    db.session.execute(insert(Challenge), [
        {"network_id": network_id, "position": n, "title": title} for n, title in enumerate(CHALLENGES, 1)])
    challenge_ids = db.session.scalars(select(Challenge.id).where(Challenge.network_id == network_id)).all()
    members = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.population_2020).join(Membership)
        .where(Membership.network_id == network_id).order_by(Organisation.kommunenummer)).all()
    start = datetime(2019, 4, 10, tzinfo=timezone.utc)
    rows = []
    for number in range(count):
        org_id, org_name, population = members[number % len(members)]
        theme = rng.choice(THEMES)
        published = start + timedelta(hours=number * 7)
        rows.append({
            "network_id": network_id, "organisation_id": org_id,
            "title": f"{rng.choice(theme).capitalize()} i {org_name}"[:200], "responsible_unit": rng.choice(SUBJECTS),
            "size": MunicipalitySize.for_population(population), "summary": paragraph(rng, theme, 2, 4),
            **{field: paragraph(rng, theme, 1, 6) for field in TEXT_FIELDS},
            "status": ExampleStatus.PUBLISHED, "is_public": number % 3 == 0, "is_featured": number % 97 == 0,
            "is_hidden": False, "review": ExampleReview.APPROVED if number % 3 == 0 else ExampleReview.NONE,
            "published_at": published, "created_at": published, "updated_at": published})
    db.session.execute(insert(Example), rows)
    example_ids = db.session.scalars(select(Example.id).where(Example.network_id == network_id)).all()
    db.session.execute(insert(example_challenge), [
        {"example_id": example_id, "challenge_id": challenge_id}
        for example_id in example_ids for challenge_id in rng.sample(challenge_ids, rng.randint(1, 3))])
    db.session.execute(insert(ExampleStep), [
        {"example_id": example_id, "step": step}
        for example_id in example_ids for step in rng.sample(list(PlanningStep), rng.randint(1, 3))])
    db.session.execute(insert(ExampleAdvice), [
        {"example_id": example_id, "advice": advice}
        for example_id in example_ids for advice in rng.sample(list(StrategicAdvice), rng.randint(1, 3))])
    return len(example_ids)
