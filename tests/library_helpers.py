"""Test data for the experience library: examples and challenges, written through the services."""
from __future__ import annotations

from sqlalchemy import select

from network.challenges.models import Challenge
from network.extensions import db
from network.library import services
from network.library.models import Example
from network.networks.models import Network
from network.organisations.models import Organisation


def add_challenge(app, network, title: str, position: int = 1) -> int:
    with app.app_context():
        challenge = Challenge(network_id=network.id, position=position, title=title)
        db.session.add(challenge)
        db.session.commit()
        return challenge.id


def make_example(app, network, organisation, *, title: str = "Boligpolitisk handlingsplan",
                 summary: str = "Kommunen laget sin første helhetlige plan for boligpolitikken.",
                 published: bool = True, public: bool = False, featured: bool = False, hidden: bool = False,
                 approved: bool = True, challenge_ids=(), steps=(), advice=(), size=None, by=None, **texts) -> int:
    """An example saved through ``services.save_example``, then published and flagged as asked. A
    public one is approved by a coordinator at once unless ``approved`` is false (then it waits)."""
    with app.app_context():
        example = services.save_example(
            None, db.session.get(Network, network.id),
            organisation=db.session.get(Organisation, organisation.id), title=title,
            texts={"summary": summary, **texts}, size=size, challenge_ids=challenge_ids, steps=steps, advice=advice,
            by=by,
        )
        if published:
            services.publish(example, by)
        services.set_public(example, public, by, approve=public and approved)
        services.set_featured(example, featured)
        services.set_hidden(example, hidden)
        db.session.commit()
        return example.id


def get_example(app, example_id: int) -> Example | None:
    with app.app_context():
        example = db.session.get(Example, example_id)
        if example is not None:
            db.session.refresh(example)
            db.session.expunge(example)
        return example


def example_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Example.id)).all())


def municipality(app, kommunenummer: str) -> Organisation:
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == kommunenummer))
        db.session.expunge(organisation)
        return organisation


def main_of(response) -> str:
    body = response.get_data(as_text=True)
    return body.split("<main", 1)[1].split("</main>", 1)[0]
