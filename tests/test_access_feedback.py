"""The access matrix for feedback to KS (see tests/test_access_matrix.py).

Every member of the network (any role) may send feedback; visitors and signed-in outsiders only
to a network that allows feedback from visitors (here "Åpent nettverk"). Only coordinators and
administrators read the inbox, download attachments, change status, write notes and reply.
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from network.extensions import db
from network.feedback.models import Feedback, FeedbackNote, FeedbackReply, FeedbackStatus, FeedbackTopic
from network.networks.models import Network
from tests.conftest import built_once
from tests.test_access_matrix import COORDINATORS, MEMBERS, ROLES, SIGNED_IN, Route, build, check_access, public
from tests.test_access_matrix import fuzz
from tests.test_feedback import PDF, make_feedback

N = "/networks/{network}"
F = N + "/feedback"
OPEN = "/networks/{open_network}/feedback"

SENT = "Sendt fra matrisen"
FORM = {"topic": "network", "works": SENT}
VISITOR_FORM = {**FORM, "name": "Vera Besøkende", "email": "vera@example.test"}


def _sent_to(key):
    def check(ids):
        return db.session.scalar(select(Feedback.id).where(
            Feedback.network_id == ids[key], Feedback.works == SENT)) is not None
    return check


def _status(key, status):
    return lambda ids: db.session.get(Feedback, ids[key]).status is status


def _has(model, key):
    return lambda ids: db.session.scalar(select(model.id).where(model.feedback_id == ids[key])) is not None


# A sent form is answered with a redirect to the receipt page (feedback.sent), so that reloading
# the receipt sends nothing again. Without a receipt in the session, that page sends on to the form.
SENDERS = {role: 302 for role in MEMBERS}
ANYONE = public(200)

ROUTES = [
    # The form, in a network that keeps it to its members.
    Route("new", "feedback.new", "GET", F + "/new", MEMBERS),
    Route("new", "feedback.new", "POST", F + "/new", None, data=FORM, statuses=SENDERS),
    # The form, in a network that lets visitors send feedback.
    Route("new_open", "feedback.new", "GET", OPEN + "/new", None, login_required=False, statuses=ANYONE),
    Route("new_open", "feedback.new", "POST", OPEN + "/new", None, login_required=False, statuses=public(302),
          data=VISITOR_FORM),
    Route("sent", "feedback.sent", "GET", F + "/sent", None, statuses=SENDERS),
    Route("sent_open", "feedback.sent", "GET", OPEN + "/sent", None, login_required=False, statuses=public(302)),
    # The inbox and what is in it.
    Route("inbox", "feedback.inbox", "GET", F, COORDINATORS),
    Route("inbox_filtered", "feedback.inbox", "GET", F + "?topic=slides&status=new&sort=sender&dir=asc", COORDINATORS),
    Route("inbox_csv", "feedback.inbox_csv", "GET", N + "/feedback.csv?topic=gathering", COORDINATORS),
    Route("show_named", "feedback.show", "GET", F + "/{named}", COORDINATORS),
    Route("show_anonymous", "feedback.show", "GET", F + "/{anonymous}", COORDINATORS),
    Route("attachment", "feedback.attachment", "GET", F + "/{named}/attachments/{attachment}", COORDINATORS),
    Route("set_status", "feedback.set_status", "POST", F + "/{named}/status", COORDINATORS,
          data={"status-status": "archived"}, effect=_status("named", FeedbackStatus.ARCHIVED)),
    Route("add_note", "feedback.add_note", "POST", F + "/{anonymous}/notes", COORDINATORS,
          data={"note-body": "Et notat fra matrisen."}, effect=_has(FeedbackNote, "anonymous")),
    Route("reply", "feedback.reply", "POST", F + "/{named}/reply", COORDINATORS,
          data={"reply-body": "Takk for innspillet."}, effect=_has(FeedbackReply, "named")),
    # Anonymous feedback can't be answered, not even by a coordinator.
    Route("reply_anonymous", "feedback.reply", "POST", F + "/{anonymous}/reply", None,
          data={"reply-body": "Takk for innspillet."}, statuses={role: 422 for role in COORDINATORS},
          effect=_has(FeedbackReply, "anonymous")),
]


def build_feedback(app, factory):
    """The matrix's world plus a named item with an attachment, an anonymous one, one in the
    other network, and a third network that takes feedback from visitors."""
    ids, people = build(app, factory)
    open_network = factory.network("Åpent nettverk", feedback_from_visitors=True)
    with app.app_context():
        other = db.session.get(Network, ids["other_network"]).id
    named = make_feedback(app, ids["network"], sender=people["participant"], topic=FeedbackTopic.SLIDES,
                          works="Manusene er gode.", attachment=("egne-lysark.pdf", PDF))
    anonymous = make_feedback(app, ids["network"], works="Anonymt innspill.", received_on=date(2020, 1, 30))
    elsewhere = make_feedback(app, other, sender=people["outsider"], works="I et annet nettverk.",
                              attachment=("annet.pdf", PDF))
    with app.app_context():
        attachment = db.session.get(Feedback, named).attachments[0].id
        elsewhere_attachment = db.session.get(Feedback, elsewhere).attachments[0].id
    return {**ids, "open_network": open_network.id, "named": named, "anonymous": anonymous, "attachment": attachment,
            "elsewhere": elsewhere, "elsewhere_attachment": elsewhere_attachment}, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_feedback)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if route.endpoint == "feedback.new" and route.method == "POST":
        with app.app_context():
            key = "open_network" if route.name == "new_open" else "network"
            to_login = urlsplit(response.location or "").path == "/login"
            assert _sent_to(key)(ids) is (expected == 302 and not to_login), role
            if expected == 302 and not to_login:
                assert urlsplit(response.location).path.endswith("/feedback/sent")
    if route.name == "new" and route.method == "POST" and role == "anonymous":
        assert "/login" in response.location


# Another network's feedback, reached through this network's addresses: 404 for coordinators.
ELSEWHERE = [
    ("show", "GET", F + "/{elsewhere}"),
    ("show_unknown", "GET", F + "/0123456789abcdef0123456789abcdef"),
    ("status", "POST", F + "/{elsewhere}/status"),
    ("note", "POST", F + "/{elsewhere}/notes"),
    ("reply", "POST", F + "/{elsewhere}/reply"),
    ("attachment", "GET", F + "/{elsewhere}/attachments/{elsewhere_attachment}"),
    ("attachment_of_other_item", "GET", F + "/{named}/attachments/{elsewhere_attachment}"),
]


@pytest.mark.parametrize("role", sorted(COORDINATORS))
@pytest.mark.parametrize("name, method, path", ELSEWHERE, ids=[row[0] for row in ELSEWHERE])
def test_feedback_of_another_network_is_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    data = {"status-status": "archived", "note-body": "Notat", "reply-body": "Svar"}
    response = http.get(url) if method == "GET" else http.post(url, data=data)
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        elsewhere = db.session.get(Feedback, ids["elsewhere"])
        assert elsewhere.status is FeedbackStatus.NEW and not elsewhere.notes and not elsewhere.replies


def test_signed_in_outsider_is_refused_where_visitors_are_not_allowed(app, built, login):
    ids, people = built
    assert set(SIGNED_IN) - set(MEMBERS) == {"outsider"}
    response = login(people["outsider"]).post(F.format(**ids) + "/new", data=FORM)
    assert response.status_code == 403
    with app.app_context():
        assert not _sent_to("network")(ids)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
