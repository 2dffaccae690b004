"""The access matrix for the experience library (see tests/test_access_matrix.py).

Hamar's own people (participant, contact, executive) and the coordinators write, publish and
ask to open Hamar's examples to the public; Lillehammer's contact gets 403 on them. Only coordinators
feature and hide, and review: the queue, approving, sending back with a comment. Members read what
is published; the public pages are for anyone, and show only what a coordinator has approved.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.library.models import Example, ExampleReview, ExampleStatus
from network.networks.models import Network
from network.organisations.models import Organisation
from tests.conftest import built_once
from network.library import services
from tests.library_helpers import add_challenge, make_example
from tests.test_access_matrix import COORDINATORS, MEMBERS, ROLES, Route, build, check_access, public
from tests.test_access_matrix import fuzz

N = "/networks/{network}"
L = N + "/library"
HAMAR_TEAM = frozenset({"participant", "contact", "executive"})
HAMAR_WRITERS = HAMAR_TEAM | COORDINATORS
LILLEHAMMER_WRITERS = COORDINATORS | {"other_contact"}
WRITERS = HAMAR_TEAM | LILLEHAMMER_WRITERS

NEW_FORM = {"title": "Nytt eksempel fra matrisen", "organisation_id": "{hamar}", "summary": "Et sammendrag.",
            "steps": ["housing_plan"]}
EDIT_FORM = {"title": "Endret i matrisen", "organisation_id": "{hamar}", "summary": "Nytt sammendrag."}


def _example(key):
    return lambda ids: db.session.get(Example, ids[key])


def _created(ids):
    return db.session.scalar(select(Example.id).where(Example.title == NEW_FORM["title"])) is not None


def _renamed(key):
    return lambda ids: _example(key)(ids).title == EDIT_FORM["title"]


ROUTES = [
    Route("library", "library.index", "GET", L, MEMBERS),
    Route("library_filtered", "library.index", "GET", L + "?q=plan&step=housing_plan&challenge={challenge}&page=2",
          MEMBERS),
    Route("new", "library.new", "GET", L + "/new", WRITERS),
    Route("new", "library.new", "POST", L + "/new", WRITERS, data=NEW_FORM, effect=_created),
    Route("show_published", "library.show", "GET", L + "/{published}", MEMBERS),
    Route("show_draft", "library.show", "GET", L + "/{draft}", HAMAR_WRITERS),
    Route("show_hidden", "library.show", "GET", L + "/{hidden}", HAMAR_WRITERS),
    Route("edit_hamar", "library.edit", "GET", L + "/{draft}/edit", HAMAR_WRITERS),
    Route("edit_hamar", "library.edit", "POST", L + "/{draft}/edit", HAMAR_WRITERS, data=EDIT_FORM,
          effect=_renamed("draft")),
    Route("edit_lillehammer", "library.edit", "GET", L + "/{lillehammer_example}/edit", LILLEHAMMER_WRITERS),
    Route("edit_lillehammer", "library.edit", "POST", L + "/{lillehammer_example}/edit", LILLEHAMMER_WRITERS,
          data={**EDIT_FORM, "organisation_id": "{lillehammer}"}, effect=_renamed("lillehammer_example")),
    Route("publish", "library.publish", "POST", L + "/{draft}/publish", HAMAR_WRITERS,
          effect=lambda ids: _example("draft")(ids).status is ExampleStatus.PUBLISHED),
    Route("unpublish", "library.unpublish", "POST", L + "/{published}/unpublish", HAMAR_WRITERS,
          effect=lambda ids: _example("published")(ids).status is ExampleStatus.DRAFT),
    Route("make_public", "library.set_public", "POST", L + "/{published}/public", HAMAR_WRITERS,
          data={"value": "on"}, effect=lambda ids: _example("published")(ids).is_public),
    Route("make_members_only", "library.set_public", "POST", L + "/{public}/public", HAMAR_WRITERS,
          data={"value": "off"}, effect=lambda ids: not _example("public")(ids).is_public),
    Route("feature", "library.set_featured", "POST", L + "/{published}/featured", COORDINATORS,
          data={"value": "on"}, effect=lambda ids: _example("published")(ids).is_featured),
    Route("hide", "library.set_hidden", "POST", L + "/{published}/hidden", COORDINATORS,
          data={"value": "on"}, effect=lambda ids: _example("published")(ids).is_hidden),
    Route("unhide", "library.set_hidden", "POST", L + "/{hidden}/hidden", COORDINATORS,
          data={"value": "off"}, effect=lambda ids: not _example("hidden")(ids).is_hidden),
    # Review of examples the municipality has asked to open to all.
    Route("show_pending", "library.show", "GET", L + "/{pending}", MEMBERS),
    Route("review", "library.review", "GET", L + "/review", COORDINATORS),
    Route("approve", "library.approve", "POST", L + "/{pending}/approve", COORDINATORS,
          effect=lambda ids: _example("pending")(ids).review is ExampleReview.APPROVED),
    Route("send_back", "library.send_back", "GET", L + "/{pending}/send-back", COORDINATORS),
    Route("send_back", "library.send_back", "POST", L + "/{pending}/send-back", COORDINATORS,
          data={"comment": "Skriv litt mer om resultatet."},
          effect=lambda ids: _example("pending")(ids).review is ExampleReview.RETURNED),
    # The public library: anyone, signed in or not.
    Route("public_library", "library.public_index", "GET", "/examples?q=plan&step=housing_plan", None,
          login_required=False, statuses=public(200)),
    Route("public_example", "library.public_show", "GET", "/examples/{public}", None,
          login_required=False, statuses=public(200)),
    Route("public_members_only", "library.public_show", "GET", "/examples/{published}", None,
          login_required=False, statuses=public(404)),
    Route("public_draft", "library.public_show", "GET", "/examples/{public_draft}", None,
          login_required=False, statuses=public(404)),
    Route("public_hidden", "library.public_show", "GET", "/examples/{hidden}", None,
          login_required=False, statuses=public(404)),
    Route("public_pending", "library.public_show", "GET", "/examples/{pending}", None,
          login_required=False, statuses=public(404)),
    Route("public_returned", "library.public_show", "GET", "/examples/{returned}", None,
          login_required=False, statuses=public(404)),
]


def build_library(app, factory):
    """The matrix's world plus Hamar's examples in every state, one of Lillehammer's, and one
    in the other network. Written by the participant, whose name must not reach the public."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other_network = db.session.get(Network, ids["other_network"])
        hamar = db.session.get(Organisation, ids["hamar"])
        lillehammer = db.session.get(Organisation, ids["lillehammer"])
    by = people["participant"]
    examples = {
        "draft": make_example(app, network, hamar, title="Hamars utkast", published=False, by=by),
        "published": make_example(app, network, hamar, title="Hamars eksempel", by=by),
        "public": make_example(app, network, hamar, title="Hamars åpne eksempel", public=True, by=by),
        "public_draft": make_example(app, network, hamar, title="Åpent utkast", published=False, public=True, by=by),
        "hidden": make_example(app, network, hamar, title="Skjult eksempel", public=True, hidden=True, by=by),
        "pending": make_example(app, network, hamar, title="Venter på KS", public=True, approved=False, by=by),
        "returned": _returned(app, make_example(app, network, hamar, title="Sendt tilbake-eksempel", public=True,
                                                approved=False, by=by), people["coordinator"]),
        "lillehammer_example": make_example(app, network, lillehammer, title="Lillehammers utkast", published=False),
        "other_network_example": make_example(app, other_network, hamar, title="Fra et annet nettverk"),
    }
    return {**ids, **examples, "challenge": add_challenge(app, network, "Nok boliger")}, people


def _returned(app, example_id: int, coordinator) -> int:
    with app.app_context():
        services.send_back(db.session.get(Example, example_id), coordinator, "Legg til en lenke til planen.")
        db.session.commit()
    return example_id


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_library)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    expected, response = check_access(app, route, role, ids, people, client, login)
    if route.name == "library" and expected == 200:
        body = response.get_data(as_text=True)
        assert ("Hamars utkast" in body) is (role in HAMAR_WRITERS), role
        assert ("Skjult eksempel" in body) is (role in HAMAR_WRITERS), role
        assert "Fra et annet nettverk" not in body
        # Waiting for review, or sent back: the municipality and the coordinators see it so;
        # other members see an example for members.
        assert ("Venter på godkjenning" in body) is (role in HAMAR_WRITERS), role
        assert ("Sendt tilbake</li>" in body) is (role in HAMAR_WRITERS), role
    if route.endpoint.startswith("library.public") and expected == 200:
        body = response.get_data(as_text=True)
        assert "Hamars eksempel" not in body and "Skjult eksempel" not in body and "Åpent utkast" not in body
        assert "Venter på KS" not in body and "Sendt tilbake-eksempel" not in body
    if route.name == "review" and expected == 200:
        body = response.get_data(as_text=True)
        assert "Venter på KS" in body and "Sendt tilbake-eksempel" not in body and "Hamars åpne eksempel" not in body


WRONG_IDS = [
    ("unknown_network", "GET", "/networks/999999/library"),
    ("unknown_example", "GET", L + "/999999"),
    ("unknown_example_edit", "GET", L + "/999999/edit"),
    ("unknown_example_publish", "POST", L + "/999999/publish"),
    ("other_networks_example", "GET", L + "/{other_network_example}"),
    ("other_networks_example_edit", "POST", L + "/{other_network_example}/edit"),
    ("other_networks_example_publish", "POST", L + "/{other_network_example}/unpublish"),
    ("other_networks_example_hide", "POST", L + "/{other_network_example}/hidden"),
    ("other_networks_example_approve", "POST", L + "/{other_network_example}/approve"),
    ("other_networks_example_send_back", "GET", L + "/{other_network_example}/send-back"),
    ("other_networks_example_send_back_post", "POST", L + "/{other_network_example}/send-back"),
    ("unknown_example_approve", "POST", L + "/999999/approve"),
    ("unknown_network_review", "GET", "/networks/999999/library/review"),
]


@pytest.mark.parametrize("role", ["coordinator", "admin"])
@pytest.mark.parametrize("name, method, path", WRONG_IDS, ids=[name for name, _m, _p in WRONG_IDS])
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    http = login(people[role])
    url = path.format(**ids)
    response = http.get(url) if method == "GET" else http.post(url, data={**EDIT_FORM, "value": "on", "comment": "x"})
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        example = db.session.get(Example, ids["other_network_example"])
        assert example.title == "Fra et annet nettverk"
        assert example.status is ExampleStatus.PUBLISHED and not example.is_hidden


def test_the_other_networks_coordinator_cannot_reach_this_networks_example_through_their_own(app, built, login):
    ids, people = built
    http = login(people["outsider"])  # coordinates the other network
    for suffix in ("", "/edit"):
        assert http.get(f"/networks/{ids['other_network']}/library/{ids['draft']}{suffix}").status_code == 404
    assert http.post(f"/networks/{ids['other_network']}/library/{ids['published']}/hidden",
                     data={"value": "on"}).status_code == 404
    with app.app_context():
        assert not db.session.get(Example, ids["published"]).is_hidden


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
