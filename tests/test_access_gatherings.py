"""The access matrix for gatherings and registration (see tests/test_access_matrix.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
from network.networks.models import Network
from tests.conftest import built_once
from tests.gathering_helpers import FUTURE, open_gathering, register
from tests.test_access_matrix import CONFIRMED, COORDINATORS, HAMAR_MANAGERS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

G = "/networks/{network}/gatherings"
GATHERING = G + "/{gathering}"
CONTACTS_AND_COORDINATORS = COORDINATORS | {"contact", "other_contact"}
HAMAR_REGISTRATION_MANAGERS = HAMAR_MANAGERS | {"participant"}  # the participant owns the registration

# A new venue is mailed to the registered, so the edit asks first (the matrix confirms).
GATHERING_FORM = {"number": "1", "title": "Oppstart (endret)", "price_per_day": "900", "venue": "Gardermoen"}
NEW_FORM = {**GATHERING_FORM, "number": "7", "title": "Ekstra samling", "first_day": "2031-06-01",
            "starts_at": "10:00", "ends_at": "15:00"}


def _gathering_titled(title):
    return lambda ids: db.session.scalar(select(Gathering.id).where(Gathering.title == title)) is not None


def _registered(person_key):
    return lambda ids: db.session.scalar(select(Registration.id).where(
        Registration.person_id == ids[person_key], Registration.gathering_id == ids["gathering"])) is not None


def _cancelled(ids):
    return db.session.get(Registration, ids["reg_hamar"]).status is RegistrationStatus.CANCELLED


ROUTES = [
    Route("gatherings", "gatherings.index", "GET", G + "/", MEMBERS),
    Route("new_gathering_page", "gatherings.create", "GET", G + "/new", COORDINATORS),
    Route("new_gathering", "gatherings.create", "POST", G + "/new", COORDINATORS, data=NEW_FORM,
          effect=_gathering_titled("Ekstra samling")),
    Route("gathering", "gatherings.show", "GET", GATHERING, MEMBERS),
    # The names behind one organisation's count on the gathering page: as the page itself.
    Route("coming_from", "gatherings.coming_from", "GET", GATHERING + "/coming/{hamar}", MEMBERS),
    Route("edit_gathering_page", "gatherings.edit", "GET", GATHERING + "/edit", COORDINATORS),
    Route("edit_gathering", "gatherings.edit", "POST", GATHERING + "/edit", COORDINATORS,
          data={**GATHERING_FORM, **CONFIRMED},
          effect=_gathering_titled("Oppstart (endret)")),
    Route("gathering_status", "gatherings.change_status", "POST", GATHERING + "/status", COORDINATORS,
          data={"status": "closed"},
          effect=lambda ids: db.session.get(Gathering, ids["gathering"]).status is GatheringStatus.CLOSED),
    # Marking it held sends the evaluation to everyone who came, for good: asked first (from closed).
    Route("gathering_held", "gatherings.change_status", "POST", GATHERING + "/status", COORDINATORS,
          data={"status": "held", **CONFIRMED},
          effect=lambda ids: db.session.get(Gathering, ids["gathering"]).status is GatheringStatus.HELD),
    # Cancelling asks first (how many get mail), then mails everyone registered.
    Route("cancel_gathering", "gatherings.cancel_gathering", "POST", GATHERING + "/cancel", COORDINATORS,
          data=CONFIRMED,
          effect=lambda ids: db.session.get(Gathering, ids["gathering"]).status is GatheringStatus.CANCELLED),
    Route("cancel_gathering_question", "gatherings.cancel_gathering", "POST", GATHERING + "/cancel", COORDINATORS,
          statuses={"coordinator": 200, "admin": 200}),
    # A draft without registrations can be deleted (asked first).
    Route("delete_gathering", "gatherings.delete", "POST", G + "/{draft}/delete", COORDINATORS, data=CONFIRMED,
          effect=lambda ids: db.session.get(Gathering, ids["draft"]) is None),
    Route("add_day", "gatherings.add_day", "POST", GATHERING + "/days", COORDINATORS,
          data={"day": "2031-03-20", "starts_at": "09:00", "ends_at": "12:00", **CONFIRMED},
          effect=lambda ids: len(db.session.get(Gathering, ids["gathering"]).days) == 3),
    Route("remove_day", "gatherings.remove_day", "POST", GATHERING + "/days/{second_day}/delete", COORDINATORS,
          data=CONFIRMED, effect=lambda ids: len(db.session.get(Gathering, ids["gathering"]).days) == 1),
    # The participant and Lillehammer's contact are registered already: sent on to the change page.
    Route("register_page", "gatherings.register", "GET", GATHERING + "/register", MEMBERS,
          statuses={"participant": 302, "other_contact": 302}),
    Route("register_self", "gatherings.register", "POST", GATHERING + "/register", MEMBERS,
          data={"days": ["{first_day}"]}),
    Route("register_hamar_person", "gatherings.register", "POST", GATHERING + "/register", COORDINATORS | {"contact"},
          data={"person_id": "{hamar_helper}", "days": ["{first_day}"]}, effect=_registered("hamar_helper")),
    Route("edit_registration_page", "gatherings.edit_registration", "GET", GATHERING + "/registrations/{reg_hamar}/edit",
          HAMAR_REGISTRATION_MANAGERS),
    Route("edit_registration", "gatherings.edit_registration", "POST", GATHERING + "/registrations/{reg_hamar}/edit",
          HAMAR_REGISTRATION_MANAGERS, data={"days": ["{first_day}"], "diet": "Vegansk"},
          effect=lambda ids: db.session.get(Registration, ids["reg_hamar"]).diet == "Vegansk"),
    Route("cancel_registration", "gatherings.cancel_registration", "POST",
          GATHERING + "/registrations/{reg_hamar}/cancel", HAMAR_REGISTRATION_MANAGERS, data=CONFIRMED,
          effect=_cancelled),
    # "Angre" after cancelling: the registration in the world is not cancelled, so it says so and sends back.
    Route("undo_cancel", "gatherings.undo_cancel", "POST", GATHERING + "/registrations/{reg_hamar}/undo-cancel",
          HAMAR_REGISTRATION_MANAGERS),
    Route("registrations", "gatherings.registrations", "GET", GATHERING + "/registrations", CONTACTS_AND_COORDINATORS),
    # A contact registers their own municipality's team in one step; coordinators any member's.
    Route("register_team_page", "gatherings.register_team", "GET", GATHERING + "/register-team",
          CONTACTS_AND_COORDINATORS),
    Route("register_team_hamar_page", "gatherings.register_team", "GET",
          GATHERING + "/register-team?organisation_id={hamar}", HAMAR_MANAGERS),
    Route("register_team_hamar", "gatherings.register_team", "POST", GATHERING + "/register-team", HAMAR_MANAGERS,
          data={"organisation_id": "{hamar}", "people": ["{hamar_helper}"], "days": ["{first_day}"]},
          effect=_registered("hamar_helper")),
    Route("attendance", "gatherings.attendance", "POST", GATHERING + "/attendance", COORDINATORS,
          data={"status-{reg_hamar}": "attended"},
          effect=lambda ids: db.session.get(Registration, ids["reg_hamar"]).status is RegistrationStatus.ATTENDED),
    # The attendance page (with a search), and everyone registered marked as attended in one go.
    Route("attendance_page", "gatherings.attendance_page", "GET", GATHERING + "/attendance?q=Dag", COORDINATORS),
    Route("mark_all_attended", "gatherings.mark_all_attended", "POST", GATHERING + "/attendance/all", COORDINATORS,
          effect=lambda ids: db.session.get(Registration, ids["reg_lillehammer"]).status is RegistrationStatus.ATTENDED),
]


def build_with_gathering(app, factory):
    ids, people = build(app, factory)
    with app.app_context():
        # The period covers the gatherings (2031).
        db.session.execute(update(Network).where(Network.id == ids["network"]).values(ends_on=date(2032, 12, 31)))
        db.session.commit()
        network = db.session.get(Network, ids["network"])
    gathering = open_gathering(factory, network, number=1, day=FUTURE)
    draft = factory.gathering(network, 2, FUTURE + timedelta(days=60), title="Utkast")
    with app.app_context():
        gathering_row = db.session.get(Gathering, gathering.id)
        first_day, second_day = (d.id for d in gathering_row.days)
        hamar_helper = db.session.scalar(select(Person.id).where(Person.name == "Hege Hjelper"))
    ids.update(gathering=gathering.id, draft=draft.id, first_day=first_day, second_day=second_day, hamar_helper=hamar_helper,
               reg_hamar=register(app, gathering.id, people["participant"].id),
               reg_lillehammer=register(app, gathering.id, people["other_contact"].id))
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_with_gathering)


def _fill_keys(route: Route, ids: dict) -> Route:
    """Form field names may hold ids too (status-<registration id>)."""
    if not route.data:
        return route
    data = {key.format(**ids): value for key, value in route.data.items()}
    return Route(route.name, route.endpoint, route.method, route.path, route.allowed, data,
                 route.login_required, route.statuses, route.effect)


# What a route needs of the gathering beyond the world: attendance is marked once it is held, and
# only a closed gathering can be marked held.
PREPARE = {"attendance": GatheringStatus.HELD, "mark_all_attended": GatheringStatus.HELD,
           "attendance_page": GatheringStatus.HELD, "gathering_held": GatheringStatus.CLOSED}


def prepare(app, route: Route, ids) -> None:
    if route.name == "gathering_held":  # only from the gathering's last day on
        last_day = FUTURE + timedelta(days=1)
        app.config["CLOCK_NOW"] = datetime(last_day.year, last_day.month, last_day.day, 12, 0, tzinfo=timezone.utc)
    if route.name in PREPARE:
        with app.app_context():
            db.session.get(Gathering, ids["gathering"]).status = PREPARE[route.name]
            db.session.commit()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    prepare(app, route, ids)
    check_access(app, _fill_keys(route, ids), role, ids, people, client, login)


@pytest.mark.parametrize("method, path", [
    ("GET", G + "/999999"),
    ("GET", "/networks/{other_network}/gatherings/{gathering}"),
    ("GET", GATHERING + "/registrations/999999/edit"),
    ("POST", GATHERING + "/registrations/999999/cancel"),
    ("POST", GATHERING + "/days/999999/delete"),
    ("GET", GATHERING + "/register?person_id=999999"),
])
def test_wrong_ids_give_404(app, built, login, method, path):
    ids, people = built
    client = login(people["admin"])
    url = path.format(**ids)
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code == 404


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
