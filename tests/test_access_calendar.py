"""Who may fetch the calendar files and feeds, and renew a feed token: one test per (route, role).

The private feed has no sign-in: calendar programs can't sign in, so the token in its URL is
the credential, and every role gets the same answer for the same token.
"""
from __future__ import annotations


import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering
from network.gatherings.services import RegistrationDetails
from network.networks.models import Network
from tests.conftest import built_once
from tests.gathering_helpers import FUTURE, open_gathering
from tests.test_access_matrix import (
    MEMBERS, NETWORK_SECRETS, ROLES, SIGNED_IN, THIS_NETWORK, Route, build, public, check_access,
)
from tests.test_access_matrix import fuzz

N = "/networks/{network}"


def _token_renewed(ids):
    """True once the signed-in person's token changed; the world gave everyone a known token."""
    tokens = dict(db.session.execute(select(Person.id, Person.calendar_token)
                                     .where(Person.id.in_(ids["initial_tokens"]))).all())
    return tokens != ids["initial_tokens"]


ROUTES = [
    Route("gathering_ics", "calendar.gathering_file", "GET", N + "/gatherings/{gathering}/calendar.ics", MEMBERS),
    Route("feed", "calendar.feed", "GET", "/calendar/{feed_token}.ics", None, login_required=False,
          statuses=public(200)),
    Route("feed_unknown_token", "calendar.feed", "GET", "/calendar/ukjent-token.ics", None, login_required=False,
          statuses=public(404)),
    Route("renew_token", "calendar.renew_token", "POST", "/calendar/token", SIGNED_IN, data={"confirmed": "1"},
          effect=_token_renewed),
]


def build_with_gathering(app, factory) -> tuple[dict, dict]:
    """The matrix's world plus a gathering the participant has a seat at, a gathering in the other
    network, and a known feed token for everyone."""
    ids, people = build(app, factory)
    with app.app_context():
        network = db.session.get(Network, ids["network"])
        other_network = db.session.get(Network, ids["other_network"])
    gathering = open_gathering(factory, network, venue="Gardermoen")
    elsewhere = open_gathering(factory, other_network, day=FUTURE)
    with app.test_request_context():
        row = db.session.get(Gathering, gathering.id)
        participant = db.session.get(Person, people["participant"].id)
        services.register(row, participant, RegistrationDetails(day_ids=[d.id for d in row.days]),
                          registered_by=participant, override_window=True)
        initial = {}
        for role, person in people.items():
            token = f"token-{role}-{person.id}"
            db.session.get(Person, person.id).calendar_token = token
            initial[person.id] = token
        db.session.commit()
    ids.update(gathering=gathering.id, other_gathering=elsewhere.id, feed_token=initial[people["participant"].id],
               initial_tokens=initial)
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_gathering)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    # The feed with a valid token is the one page that shows network data without a sign-in.
    secrets = () if route.name == "feed" else NETWORK_SECRETS
    expected, response = check_access(app, route, role, ids, people, client, login, secrets=secrets)
    if expected == 200 and route.endpoint != "calendar.renew_token":
        assert response.mimetype == "text/calendar"


WRONG_IDS = [
    ("unknown_network", "/networks/999999/gatherings/{gathering}/calendar.ics"),
    ("unknown_gathering", N + "/gatherings/999999/calendar.ics"),
    ("gathering_of_other_network", N + "/gatherings/{other_gathering}/calendar.ics"),
]


@pytest.mark.parametrize("role", THIS_NETWORK + ("participant",))
@pytest.mark.parametrize("name, path", WRONG_IDS, ids=[name for name, _ in WRONG_IDS])
def test_wrong_ids_give_404(app, built, login, name, path, role):
    ids, people = built
    assert login(people[role]).get(path.format(**ids)).status_code == 404


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
