"""Shared set-up for the gathering tests: a network with an open gathering and registered people."""
from __future__ import annotations

from datetime import date

from network.auth.models import Person
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringStatus, Registration
from network.gatherings.services import RegistrationDetails

FUTURE = date(2031, 3, 12)


def open_gathering(factory, network, number=1, day=FUTURE, days=2, **fields):
    fields.setdefault("status", GatheringStatus.OPEN)
    return factory.gathering(network, number, day, days=days, **fields)


def register(app, gathering_id, person_id, day_index=None, by_id=None, **details):
    """Register through the service, committing; returns the registration id."""
    with app.test_request_context():
        gathering = db.session.get(Gathering, gathering_id)
        day_ids = [d.id for d in gathering.days] if day_index is None else [gathering.days[day_index].id]
        person = db.session.get(Person, person_id)
        registration = services.register(gathering, person, RegistrationDetails(day_ids=day_ids, **details),
                                         registered_by=db.session.get(Person, by_id or person_id), override_window=True)
        db.session.commit()
        return registration.id


def registration(app, registration_id) -> Registration:
    with app.app_context():
        row = db.session.get(Registration, registration_id)
        db.session.expunge(row)
        return row


def day_ids(app, gathering_id) -> list[int]:
    with app.app_context():
        return [day.id for day in db.session.get(Gathering, gathering_id).days]
