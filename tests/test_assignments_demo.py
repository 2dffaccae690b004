"""The demo assignments: loaded on top of the demo network, idempotent, and shown on the pages."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from network.assignments.demo import GOALS_TITLE, PLANS_TITLE, load_demo
from network.assignments.models import (
    Assignment, AssignmentMethod, Submission, SubmissionEvent, SubmissionStatus, Visibility,
)
from network.auth.models import Person
from network.demo.content import NETWORK
from network.extensions import db
from network.groups.models import Grouping
from network.networks.models import Network
from tests.conftest import built_once
from tests.test_assignments import main_of


def _counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Assignment, Submission, SubmissionEvent))


def _load_demo(app, _factory):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == NETWORK["name"]))
        coordinator = db.session.scalar(select(Person).where(Person.email == "koordinator@demo.test"))
        load_demo(network, coordinator)
        db.session.commit()
        return network.id, coordinator.id


# The demo network with its assignments, loaded once for the module: (network id, coordinator id).
demo = built_once(_load_demo)


def test_demo_adds_the_goals_assignment_with_submissions_once(app, demo):
    network_id, coordinator_id = demo
    with app.app_context():
        network = db.session.get(Network, network_id)
        goals = db.session.scalar(select(Assignment).where(Assignment.title == GOALS_TITLE))
        assert goals.method is AssignmentMethod.A and goals.visibility is Visibility.NETWORK
        assert (goals.given_after.number, goals.presented_at.number) == (1, 2)
        assert goals.due_on == goals.presented_at.starts_on - timedelta(days=7)
        assert goals.created_by_id == coordinator_id
        submissions = goals.submissions
        delivered = [s for s in submissions if s.status is SubmissionStatus.SUBMITTED]
        assert len(delivered) == 6
        assert [s.membership.organisation.name for s in delivered if s.is_late] == ["Øksnes"]
        assert [s.membership.organisation.name for s in submissions if s.status is SubmissionStatus.DRAFT] == ["Saltdal"]
        assert all(s.updated_by is not None and s.updated_by.organisation_id == s.membership.organisation_id for s in submissions)
        assert all(s.events for s in submissions)
        # Method B, for the table groups of gathering 3.
        plans = db.session.scalar(select(Assignment).where(Assignment.title == PLANS_TITLE))
        assert plans.visibility is Visibility.GROUP and plans.grouping.gathering.number == 3
        assert (plans.given_after.number, plans.presented_at.number, plans.method) == (2, 3, AssignmentMethod.B)
        assert plans.due_on == plans.presented_at.starts_on - timedelta(days=7)
        assert {s.membership.organisation.name for s in plans.submissions} == {"Hamar", "Stavanger"}
        before = _counts()
        assert load_demo(network, None) == 0
        db.session.commit()
        assert _counts() == before


def test_demo_has_no_group_assignment_without_a_grouping(app, demo):
    network_id, _ = demo
    with app.app_context():
        db.session.execute(delete(Assignment).where(Assignment.title == PLANS_TITLE))
        db.session.execute(delete(Grouping).where(Grouping.network_id == network_id))
        db.session.commit()
        assert load_demo(db.session.get(Network, network_id), None) == 0
        db.session.commit()
        assert db.session.scalar(select(Assignment.id).where(Assignment.title == PLANS_TITLE)) is None
        assert db.session.scalar(select(Assignment.id).where(Assignment.title == GOALS_TITLE)) is not None


def test_demo_pages_render(app, demo, login):
    network_id, coordinator_id = demo
    with app.app_context():
        coordinator = db.session.get(Person, coordinator_id)
        goals_id = db.session.scalar(select(Assignment.id).where(Assignment.title == GOALS_TITLE))
        db.session.expunge(coordinator)
    client = login(coordinator)
    grid = main_of(client.get(f"/networks/{network_id}/assignments/grid"))
    assert grid.count("Levert for sent") >= 2 and "Sør-Varanger" in grid
    show = main_of(client.get(f"/networks/{network_id}/assignments/{goals_id}"))
    assert "Øksnes" in show and "Saltdal" not in show  # a draft is not listed
