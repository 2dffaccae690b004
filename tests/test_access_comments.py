"""The access matrix for comments and notification preferences (see tests/test_access_matrix.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.assignments.models import (
    Comment,
    NotificationMode,
    NotificationPreference,
    SubmissionStatus,
    Visibility,
)
from network.extensions import db
from network.networks.models import Network
from network.organisations.models import Organisation
from tests.conftest import built_once
from tests.comment_helpers import add_comment, make_assignment, make_submission, membership_id
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, SIGNED_IN, Route, build, check_access
from tests.test_access_matrix import fuzz

N = "/networks/{network}"
SUBMISSION = N + "/submissions/{submission}"
HAMAR_TEAM = frozenset({"participant", "contact", "executive"})
# Everyone who may read Hamar's submitted answer may comment on it (visibility: the whole network).
COMMENTERS = MEMBERS
# The comment is by Lillehammer's contact: the author and the coordinators may delete it.
DELETERS = COORDINATORS | {"other_contact"}
NOBODY = frozenset()

NEW_COMMENT = "Et godt og konkret svar."
REPLY = "Takk, det skal vi se nærmere på."


def _comment_with(body, parent_key=None):
    def check(ids):
        comment = db.session.scalar(select(Comment).where(Comment.body == body))
        return comment is not None and comment.parent_id == (ids[parent_key] if parent_key else None)
    return check


def _comment_gone(ids):
    return db.session.get(Comment, ids["comment"]) is None


def _daily(ids):
    return db.session.scalar(select(NotificationPreference.person_id).where(
        NotificationPreference.comment_mode == NotificationMode.DAILY)) is not None


ROUTES = [
    Route("comment_new", "comments.new", "GET", SUBMISSION + "/comments/new", COMMENTERS),
    Route("comment_reply_page", "comments.new", "GET", SUBMISSION + "/comments/new?reply_to={comment}", COMMENTERS),
    Route("comment_new_on_draft", "comments.new", "GET", N + "/submissions/{draft}/comments/new", NOBODY),
    Route("comment_new_coordinators_only", "comments.new", "GET", N + "/submissions/{private}/comments/new",
          HAMAR_TEAM | COORDINATORS),
    Route("comment_create", "comments.create", "POST", SUBMISSION + "/comments", COMMENTERS,
          data={"body": NEW_COMMENT}, effect=_comment_with(NEW_COMMENT)),
    Route("comment_reply", "comments.create", "POST", SUBMISSION + "/comments", COMMENTERS,
          data={"body": REPLY, "parent_id": "{comment}"}, effect=_comment_with(REPLY, "comment")),
    # Drafts can't be commented, not even by the municipality's own people or the coordinators.
    Route("comment_on_draft", "comments.create", "POST", N + "/submissions/{draft}/comments", NOBODY,
          data={"body": NEW_COMMENT}, effect=_comment_with(NEW_COMMENT)),
    Route("comment_coordinators_only", "comments.create", "POST", N + "/submissions/{private}/comments",
          HAMAR_TEAM | COORDINATORS, data={"body": NEW_COMMENT}, effect=_comment_with(NEW_COMMENT)),
    Route("comment_delete", "comments.delete", "POST", SUBMISSION + "/comments/{comment}/delete", DELETERS,
          data=CONFIRMED, effect=_comment_gone),
    Route("notification_preferences", "comments.preferences", "GET", "/me/notifications", SIGNED_IN),
    Route("notification_preferences", "comments.preferences", "POST", "/me/notifications", SIGNED_IN,
          data={"comment_mode": "daily"}, effect=_daily),
]


def build_with_submissions(app, factory):
    """The matrix's world, plus Hamar's submitted answer (whole network) with a comment by Lillehammer's
    contact, Lillehammer's draft, Hamar's answer to a coordinators-only assignment, and a submitted answer
    in the other network."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other_network = db.session.get(Network, ids["other_network"])
        hamar = db.session.get(Organisation, ids["hamar"])
        lillehammer = db.session.get(Organisation, ids["lillehammer"])
    open_assignment = make_assignment(app, network)
    private_assignment = make_assignment(app, network, "Bare for koordinatorene", Visibility.COORDINATORS)
    submission = make_submission(app, open_assignment, membership_id(app, network, hamar))
    draft = make_submission(app, open_assignment, membership_id(app, network, lillehammer), SubmissionStatus.DRAFT)
    private = make_submission(app, private_assignment, membership_id(app, network, hamar))
    elsewhere = make_submission(app, make_assignment(app, other_network, "I det andre nettverket"), ids["other_membership"])
    comment = add_comment(app, submission, people["other_contact"], "Hvordan er dette forankret?")
    elsewhere_comment = add_comment(app, elsewhere, people["outsider"], "I det andre nettverket")
    return {**ids, "submission": submission, "draft": draft, "private": private, "elsewhere": elsewhere,
            "comment": comment, "elsewhere_comment": elsewhere_comment}, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_submissions)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


WRONG_IDS = [
    ("other_networks_submission_page", "GET", N + "/submissions/{elsewhere}/comments/new"),
    ("other_networks_submission_post", "POST", N + "/submissions/{elsewhere}/comments"),
    ("unknown_submission_page", "GET", N + "/submissions/999999/comments/new"),
    ("unknown_submission_post", "POST", N + "/submissions/999999/comments"),
    ("other_submissions_comment_page", "GET", SUBMISSION + "/comments/new?reply_to={elsewhere_comment}"),
    ("unknown_comment_page", "GET", SUBMISSION + "/comments/new?reply_to=999999"),
    ("other_submissions_comment_delete", "POST", SUBMISSION + "/comments/{elsewhere_comment}/delete"),
    ("unknown_comment_delete", "POST", SUBMISSION + "/comments/999999/delete"),
    # The other network's coordinator reaching this network's answer through their own network's URLs.
    ("submission_through_other_network", "POST", "/networks/{other_network}/submissions/{submission}/comments"),
    ("comment_through_other_network", "POST",
     "/networks/{other_network}/submissions/{submission}/comments/{comment}/delete"),
]


# This network's coordinators, and for the other network's URLs its coordinator (the outsider).
WRONG_ID_CASES = [
    pytest.param(name, method, path, role, id=f"{name}-{role}")
    for name, method, path in WRONG_IDS
    for role in (("outsider", "admin") if "{other_network}" in path else ("coordinator", "admin"))
]


@pytest.mark.parametrize("name, method, path, role", WRONG_ID_CASES)
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    response = http.get(url) if method == "GET" else http.post(url, data={"body": NEW_COMMENT})
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        assert db.session.scalar(select(Comment.id).where(Comment.body == NEW_COMMENT)) is None
        assert db.session.get(Comment, ids["comment"]) is not None
        assert db.session.get(Comment, ids["elsewhere_comment"]) is not None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
