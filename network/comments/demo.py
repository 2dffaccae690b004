"""Demo comments: a short conversation on a few of the network's submitted answers.

Call after the assignments demo has made its submissions. A submission that already has comments
is left alone, so a second run adds nothing. No mail is sent for demo comments.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.assignments.models import Assignment, Comment, Submission, SubmissionStatus
from network.auth.models import Person
from network.extensions import db
from network.networks.access import TEAM_ROLES
from network.networks.models import Membership, Network, NetworkRole

# (who, text, answers): who is "coordinator", "team" (the submitting municipality) or "peer" (another one);
# answers is the index of the comment answered, or None.
CONVERSATION = [
    ("coordinator", "Takk for et grundig svar. Det blir fint å høre mer om hvordan dere har forankret målene "
                    "politisk på neste samling.", None),
    ("team", "Vi tar det gjerne opp. Formannskapet behandlet målene i vår, og vi legger fram saken der.", 0),
    ("peer", "Vi kjenner oss igjen i utfordringen med for få utleieboliger. Har dere **tall** på hvor mange "
             "som står på venteliste hos dere?", None),
    ("team", "Omtrent 40 husstander ved siste opptelling. Vi sender gjerne over kartleggingen vi brukte.", 2),
]
SUBMISSIONS_WITH_COMMENTS = 3


def _team_member(network: Network, organisation_id: int) -> Person | None:
    return db.session.scalar(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, NetworkRole.role.in_(TEAM_ROLES),
               Person.organisation_id == organisation_id, Person.active.is_(True))
        .order_by(Person.id).limit(1)
    )


def _peer(network: Network, organisation_id: int) -> Person | None:
    return db.session.scalar(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .join(Membership, (Membership.organisation_id == Person.organisation_id) & (Membership.network_id == network.id))
        .where(NetworkRole.network_id == network.id, NetworkRole.role.in_(TEAM_ROLES),
               Person.organisation_id != organisation_id, Person.active.is_(True))
        .order_by(Person.id).limit(1)
    )


def load_demo(network: Network, coordinator: Person) -> int:
    """Add the conversation to the first few submitted answers that have none. Returns comments added."""
    submissions = db.session.scalars(
        select(Submission).join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.network_id == network.id, Submission.status == SubmissionStatus.SUBMITTED)
        .options(joinedload(Submission.membership))
        .order_by(Assignment.due_on, Submission.submitted_at, Submission.id)
        .limit(SUBMISSIONS_WITH_COMMENTS)
    ).all()
    added = 0
    for submission in submissions:
        if db.session.scalar(select(Comment.id).where(Comment.submission_id == submission.id).limit(1)) is not None:
            continue
        authors = {"coordinator": coordinator,
                   "team": _team_member(network, submission.membership.organisation_id),
                   "peer": _peer(network, submission.membership.organisation_id)}
        made: list[Comment | None] = []
        for step, (who, body, answers) in enumerate(CONVERSATION):
            author = authors[who]
            parent = made[answers] if answers is not None else None
            if author is None or (answers is not None and parent is None):
                made.append(None)
                continue
            comment = Comment(submission=submission, author=author, body=body, parent=parent,
                              created_at=submission.submitted_at + timedelta(days=2, hours=3 * step))
            db.session.add(comment)
            made.append(comment)
            added += 1
    db.session.flush()
    return added
