"""Finding 11: the private calendar feed follows the person's roles. A person whose roles are gone
no longer sees their former networks' gatherings, and an inactive person's feed is gone."""
from __future__ import annotations

from datetime import date

from icalendar import Calendar
from sqlalchemy import delete

from network.auth.models import Person
from network.extensions import db
from network.networks.models import NetworkRole, RoleKind
from tests.factories import world
from tests.gathering_helpers import open_gathering, register


def _set_token(app, person_id, token):
    with app.app_context():
        db.session.get(Person, person_id).calendar_token = token
        db.session.commit()


def _summaries(response) -> list[str]:
    assert response.status_code == 200
    return sorted(str(event["SUMMARY"]) for event in Calendar.from_ical(response.data).events)


def _feed_world(app, factory):
    network, _, _, people = world(factory)
    other = factory.network("Nettverket for folkevalgte", topic="Folkevalgte")
    me = people["participant"]
    factory.role(other, me, RoleKind.PARTICIPANT)
    here = open_gathering(factory, network, number=1, day=date(2031, 3, 12), days=1)
    there = open_gathering(factory, other, number=1, day=date(2031, 4, 2), days=1)
    register(app, here.id, me.id)
    register(app, there.id, me.id)
    _set_token(app, me.id, "roller-styrer-lenken")
    return network, other, me


def _drop_roles(app, person_id, network_id=None):
    with app.app_context():
        query = delete(NetworkRole).where(NetworkRole.person_id == person_id)
        if network_id is not None:
            query = query.where(NetworkRole.network_id == network_id)
        db.session.execute(query)
        db.session.commit()


def test_feed_drops_the_gatherings_of_a_network_where_the_role_is_gone(app, factory, client):
    network, other, me = _feed_world(app, factory)
    assert _summaries(client.get("/calendar/roller-styrer-lenken.ics")) == ["Boligpolitikk: Samling 1",
                                                                          "Folkevalgte: Samling 1"]
    _drop_roles(app, me.id, other.id)
    assert _summaries(client.get("/calendar/roller-styrer-lenken.ics")) == ["Boligpolitikk: Samling 1"]


def test_feed_of_a_person_with_no_roles_left_is_empty(app, factory, client):
    _network, _other, me = _feed_world(app, factory)
    _drop_roles(app, me.id)
    assert _summaries(client.get("/calendar/roller-styrer-lenken.ics")) == []


def test_feed_of_an_inactive_person_is_404(app, factory, client):
    _network, _other, me = _feed_world(app, factory)
    with app.app_context():
        db.session.get(Person, me.id).active = False
        db.session.commit()
    assert client.get("/calendar/roller-styrer-lenken.ics").status_code == 404
