"""A network at a chosen scale, bulk inserted, for the tests that prove a page's query count stays
the same as the data grows (and for benchmarks).

``scale=1`` is about the demo's size (17 municipalities); ``scale=20`` is national (340). Each
municipality has three people (an executive, a contact and a participant); the network has five
gatherings (two held with attendance and evaluations, one open, one closed, one planned), ten
assignments with submissions and comments, feedback and library examples, all in proportion.

In a test module, inside the conftest's module transaction::

    from tests.scaled_network import build_scaled

    small = built_once(lambda app, factory: build_scaled(app, scale=1))
    large = built_once(lambda app, factory: build_scaled(app, scale=20))

Several networks may be built into one database: every name and e-mail carries the build's own
prefix. Outside the tests (a bench script), call ``populate(scale)`` inside an app context and commit.
"""
from __future__ import annotations

import itertools
import random
import uuid
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import insert, select, update

from network.assignments.models import (
    Assignment, AssignmentMethod, Comment, Submission, SubmissionStatus, Visibility,
)
from network.auth.models import Person
from network.challenges.models import Challenge
from network.evaluations.models import EvaluationInvitation, EvaluationResponse
from network.extensions import db
from network.feedback.models import Feedback, FeedbackStatus, FeedbackTopic, random_id
from network.gatherings.models import (
    Gathering, GatheringDay, GatheringStatus, Registration, RegistrationStatus, registration_day,
)
from network.library.models import Example, ExampleReview, ExampleStatus, example_challenge
from network.main import clock
from network.networks.models import Membership, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.planning.models import SCORE_MAX, SCORE_MIN, AdviceAssessment, PlanningStatus, PlanningStep, PlanStatus, StrategicAdvice

DEMO_MUNICIPALITIES = 17
ASSIGNMENTS = 10
FEEDBACK_EACH = 6  # per municipality: about 2,000 at national scale, as bench/dashboard.py
EXAMPLES_EACH = 2  # library examples per municipality
REGISTERING_SHARE = 0.8  # of the people, per gathering that takes registrations
SUBMITTING_SHARE = 0.85  # of the municipalities, per assignment
COMMENTED_SHARE = 0.3  # of the submitted answers
# (status, days from today to the first day): held ones behind us, the others ahead.
GATHERINGS = (
    (GatheringStatus.HELD, -300), (GatheringStatus.HELD, -120), (GatheringStatus.OPEN, 60),
    (GatheringStatus.CLOSED, 20), (GatheringStatus.PLANNED, 150),
)
PEOPLE = (RoleKind.EXECUTIVE, RoleKind.CONTACT, RoleKind.PARTICIPANT)  # n = 0, 1, 2 in each municipality
_builds = itertools.count(1)


def build_scaled(app, scale: int = 1, seed: int = 2019) -> dict:
    """Build and commit (into the test's savepoint or module transaction) a network at ``scale``;
    returns what ``populate`` returns."""
    with app.app_context():
        result = populate(scale, seed=seed, password_hash=_test_password_hash(app))
        db.session.commit()
    return result


def _test_password_hash(app) -> str | None:
    try:
        from tests.factories import _password_hash
    except ImportError:  # pragma: no cover - outside the test package
        return None
    return _password_hash(app.config["PASSWORD_HASH_PROFILE"])


def populate(scale: int = 1, seed: int = 2019, password_hash: str | None = None) -> dict:
    """Insert the network in the current session (no commit) and return plain ids and e-mails:

    ``network_id``, ``scale``, ``municipalities`` (how many), ``coordinator``/``observer``/
    ``contact``/``participant``/``executive`` (each ``{"id", "email"}``; the municipal ones from the
    first municipality, ``organisation_id`` and ``membership_id``), ``gatherings`` (status value →
    id: "held" is the latest held one, "held_first" the first), ``gathering_ids`` (by number),
    ``assignment_ids``, ``example_id`` (a published one) and ``counts``."""
    rng = random.Random(seed)
    session = db.session
    build = f"s{scale}-{next(_builds)}-{uuid.uuid4().hex[:8]}"  # unique even in a database kept from an earlier run
    today = clock.oslo_today()
    municipalities = session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind == OrganisationKind.MUNICIPALITY)
        .order_by(Organisation.kommunenummer)
        .limit(DEMO_MUNICIPALITIES * scale)
    ).all()
    org_ids = [org_id for org_id, _name in municipalities]

    def person(role_name: str) -> Person:
        return Person(name=f"Skala {role_name.capitalize()} {build}", email=f"{role_name}-{build}@scaled.test",
                      password_hash=password_hash)

    coordinator, observer = person("koordinator"), person("observator")
    network = Network(name=f"Skalert nettverk {build}", topic="Boligpolitikk", description="Skalert.",
                      starts_on=today - timedelta(days=365), ends_on=today + timedelta(days=365),
                      ks_contact_name="K", ks_contact_email="k@ks.test", feedback_email="f@ks.test",
                      status=NetworkStatus.ACTIVE)
    session.add_all([coordinator, observer, network])
    session.flush()
    session.add_all([NetworkRole(network_id=network.id, person_id=coordinator.id, role=RoleKind.COORDINATOR),
                     NetworkRole(network_id=network.id, person_id=observer.id, role=RoleKind.OBSERVER)])

    session.execute(insert(Membership), [
        {"network_id": network.id, "organisation_id": org_id, "joined_on": network.starts_on,
         "anchoring_decided_on": network.starts_on if n % 7 else None}
        for n, org_id in enumerate(org_ids)])
    membership_of = dict(session.execute(
        select(Membership.organisation_id, Membership.id).where(Membership.network_id == network.id)).all())

    session.execute(insert(Person), [
        {"name": f"{role.value.capitalize()} {name}", "email": f"{role.value}-{org_id}-{build}@scaled.test",
         "organisation_id": org_id, "password_hash": password_hash, "is_admin": False, "active": True}
        for org_id, name in municipalities for role in PEOPLE])
    people = session.execute(
        select(Person.id, Person.email, Person.organisation_id).where(Person.email.like(f"%-{build}@scaled.test"),
                                                                      Person.organisation_id.is_not(None))
        .order_by(Person.id)).all()
    role_of = {person_id: RoleKind(email.split("-", 1)[0]) for person_id, email, _org in people}
    session.execute(insert(NetworkRole), [
        {"network_id": network.id, "person_id": person_id, "role": role_of[person_id]} for person_id, *_ in people])
    # Most municipalities name their executive as a person; a few only by name (anchoring before that).
    executives = {org_id: person_id for person_id, _email, org_id in people if role_of[person_id] is RoleKind.EXECUTIVE}
    session.execute(
        update(Membership), [{"id": membership_of[org_id], "executive_id": executives[org_id]}
                             for n, org_id in enumerate(org_ids) if n % 5])
    session.execute(
        update(Membership), [{"id": membership_of[org_id], "executive_name": "Rådmann"}
                             for n, org_id in enumerate(org_ids) if not n % 5 and n % 7])
    person_ids = [person_id for person_id, *_ in people]

    gatherings = []
    for number, (status, offset) in enumerate(GATHERINGS, start=1):
        first_day = today + timedelta(days=offset)
        gathering = Gathering(
            network_id=network.id, number=number, title=f"Samling {number}", status=status, venue="Hamar",
            registration_opens_at=_utc(first_day - timedelta(days=90)),
            registration_closes_at=_utc(first_day - timedelta(days=14)),
            cancellation_deadline=_utc(first_day - timedelta(days=14)),
            days=[GatheringDay(day=first_day + timedelta(days=n), starts_at=time(10), ends_at=time(16)) for n in range(2)])
        session.add(gathering)
        gatherings.append(gathering)
    session.flush()

    registrations = 0
    for gathering in gatherings:
        if gathering.status is GatheringStatus.PLANNED:
            continue
        held = gathering.status is GatheringStatus.HELD
        chosen = rng.sample(person_ids, int(len(person_ids) * REGISTERING_SHARE))
        rows = []
        for n, person_id in enumerate(chosen):
            if held:
                status = RegistrationStatus.ATTENDED if rng.random() < 0.9 else RegistrationStatus.NO_SHOW
            else:
                status = RegistrationStatus.CANCELLED if n % 17 == 0 else RegistrationStatus.CONFIRMED
            rows.append({"gathering_id": gathering.id, "person_id": person_id, "status": status,
                         "diet": "Vegetar" if n % 11 == 0 else "", "registered_by_id": person_id})
        session.execute(insert(Registration), rows)
        registrations += len(rows)
        ids = session.scalars(select(Registration.id).where(Registration.gathering_id == gathering.id)).all()
        session.execute(insert(registration_day), [
            {"registration_id": registration_id, "day_id": day.id} for registration_id in ids for day in gathering.days])
        if held:
            session.execute(insert(EvaluationInvitation), [
                {"gathering_id": gathering.id, "person_id": person_id, "answered": n % 3 != 0}
                for n, person_id in enumerate(chosen)])
            session.execute(insert(EvaluationResponse), [
                {"id": random_id(), "gathering_id": gathering.id, "relevance": rng.randint(2, 5),
                 "usefulness": rng.randint(1, 5), "organisation": rng.randint(3, 5), "best": "Erfaringene.",
                 "improve": ""}
                for n in range(len(chosen)) if n % 3 != 0])

    first_due = today - timedelta(days=200)
    session.execute(insert(Assignment), [
        {"network_id": network.id, "title": f"Oppgave {n + 1}", "description": "Beskriv arbeidet.",
         "method": list(AssignmentMethod)[n % 3], "due_on": first_due + timedelta(days=30 * n),
         "visibility": Visibility.NETWORK, "created_by_id": coordinator.id,
         "given_after_id": gatherings[0].id if n < 5 else gatherings[1].id}
        for n in range(ASSIGNMENTS)])
    assignment_ids = session.scalars(
        select(Assignment.id).where(Assignment.network_id == network.id).order_by(Assignment.id)).all()
    membership_ids = list(membership_of.values())
    submissions = []
    for assignment_id in assignment_ids:
        for membership_id in rng.sample(membership_ids, int(len(membership_ids) * SUBMITTING_SHARE)):
            roll = rng.random()
            draft = roll < 0.15
            submissions.append({"assignment_id": assignment_id, "membership_id": membership_id,
                                "status": SubmissionStatus.DRAFT if draft else SubmissionStatus.SUBMITTED,
                                "text": "Vår besvarelse.", "is_late": roll > 0.9,
                                "submitted_at": None if draft else _utc(first_due)})
    session.execute(insert(Submission), submissions)
    submitted = session.scalars(
        select(Submission.id).join(Assignment)
        .where(Assignment.network_id == network.id, Submission.status == SubmissionStatus.SUBMITTED)
        .order_by(Submission.id)).all()
    commented = rng.sample(submitted, int(len(submitted) * COMMENTED_SHARE))
    session.execute(insert(Comment), [
        {"submission_id": submission_id, "author_id": coordinator.id, "body": "En kommentar."}
        for submission_id in commented])

    session.execute(insert(Feedback), [
        {"id": random_id(), "network_id": network.id, "topic": rng.choice(list(FeedbackTopic)), "works": "Bra.",
         "does_not_work": "", "suggestion": "", "anonymous": n % 2 == 0,
         "sender_id": None if n % 2 == 0 else rng.choice(person_ids), "sender_name": "", "sender_email": "",
         "received_on": today - timedelta(days=n % 300), "status": list(FeedbackStatus)[n % 4]}
        for n in range(FEEDBACK_EACH * len(org_ids))])

    session.execute(insert(Challenge), [
        {"network_id": network.id, "position": n, "title": f"Utfordring {n}"} for n in range(1, 4)])
    challenge_ids = session.scalars(select(Challenge.id).where(Challenge.network_id == network.id)).all()
    published = _utc(today - timedelta(days=100))
    examples = []
    for n in range(EXAMPLES_EACH * len(org_ids)):
        org_id, name = municipalities[n % len(municipalities)]
        examples.append({
            "network_id": network.id, "organisation_id": org_id, "title": f"Eksempel {n + 1} fra {name}"[:200],
            "summary": "Et eksempel på boligarbeid.", "status": ExampleStatus.PUBLISHED if n % 10 else ExampleStatus.DRAFT,
            "is_public": n % 3 == 0, "is_featured": n % 50 == 0, "is_hidden": False,
            "review": ExampleReview.APPROVED if n % 3 == 0 else ExampleReview.NONE,
            "published_at": published + timedelta(hours=n) if n % 10 else None,
            "created_at": published, "updated_at": published})
    session.execute(insert(Example), examples)
    example_ids = session.execute(
        select(Example.id, Example.status).where(Example.network_id == network.id).order_by(Example.id)).all()
    session.execute(insert(example_challenge), [
        {"example_id": example_id, "challenge_id": challenge_ids[n % len(challenge_ids)]}
        for n, (example_id, _status) in enumerate(example_ids)])

    # Planning profiles: most municipalities have recorded where they stand; a few have not.
    profiled = [membership_of[org_id] for n, org_id in enumerate(org_ids) if n % 6]
    session.execute(insert(PlanningStatus), [
        {"membership_id": membership_id, "step": step, "status": status,
         "year": today.year - 1 if status is PlanStatus.ADOPTED else None, "updated_by_id": coordinator.id}
        for membership_id in profiled for step in PlanningStep
        for status in [rng.choice(list(PlanStatus))]])
    session.execute(insert(AdviceAssessment), [
        {"membership_id": membership_id, "advice": advice, "score": rng.randint(SCORE_MIN, SCORE_MAX),
         "comment": "", "updated_by_id": coordinator.id}
        for membership_id in profiled for advice in StrategicAdvice])

    first_org = org_ids[0]
    municipal = {role: next(
        {"id": person_id, "email": email, "organisation_id": org_id, "membership_id": membership_of[org_id]}
        for person_id, email, org_id in people if org_id == first_org and role_of[person_id] is role)
        for role in PEOPLE}
    by_status: dict[str, int] = {}
    for gathering in gatherings:
        by_status.setdefault(gathering.status.value + "_first", gathering.id)
        by_status[gathering.status.value] = gathering.id
    return {
        "network_id": network.id,
        "scale": scale,
        "municipalities": len(org_ids),
        "coordinator": {"id": coordinator.id, "email": coordinator.email},
        "observer": {"id": observer.id, "email": observer.email},
        "executive": municipal[RoleKind.EXECUTIVE],
        "contact": municipal[RoleKind.CONTACT],
        "participant": municipal[RoleKind.PARTICIPANT],
        "gatherings": by_status,
        "gathering_ids": tuple(gathering.id for gathering in gatherings),
        "assignment_ids": tuple(assignment_ids),
        "example_id": next(example_id for example_id, status in example_ids if status is ExampleStatus.PUBLISHED),
        "counts": {"municipalities": len(org_ids), "people": len(person_ids), "registrations": registrations,
                   "assignments": len(assignment_ids), "submissions": len(submissions), "comments": len(commented),
                   "feedback": FEEDBACK_EACH * len(org_ids), "examples": len(examples)},
    }


def _utc(day) -> datetime:
    return datetime.combine(day, time(8), tzinfo=timezone.utc)
