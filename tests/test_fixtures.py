"""The shared fixtures keep tests apart: what one test changes, the next does not see.

The tests come in pairs that run in file order on the same worker (pytest-xdist keeps a module
on one worker): the first changes something, the second checks that the change is gone.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.networks.models import Network
from tests.conftest import built_once
from tests.factories import world

LEAK = "Nettverk som ikke skal lekke"


def _network_names() -> set[str]:
    return set(db.session.scalars(select(Network.name)))


def _build(app, factory):
    network, hamar, _, people = world(factory)
    return {"network": network.id, "hamar": hamar.id}, people


built = built_once(_build)


def test_1_a_test_changes_the_config_the_data_and_the_module_world(app, built, factory):
    ids, _people = built
    app.config["UPLOAD_MAX_BYTES"] = 1
    factory.network(LEAK)
    with app.app_context():
        db.session.get(Network, ids["network"]).name = "Omdøpt i en test"
        db.session.commit()
        assert LEAK in _network_names() and "Omdøpt i en test" in _network_names()


def test_2_the_next_test_sees_none_of_it(app, built):
    ids, _people = built
    assert app.config["UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024
    with app.app_context():
        assert LEAK not in _network_names()
        assert db.session.get(Network, ids["network"]).name == "Bolignettverket"


def test_what_a_module_built_is_read_only(built):
    ids, people = built
    with pytest.raises(TypeError):
        ids["network"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        people["intruder"] = None  # type: ignore[index]


LIMITED = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute"}


def _sign_in_attempts(client, count: int) -> list[int]:
    return [client.post("/login", data={"email": "ingen@example.test", "password": "feil"}).status_code
            for _ in range(count)]


@pytest.mark.parametrize("app_config", [LIMITED])
def test_3_a_test_uses_up_the_sign_in_limit(app, client, app_config):
    assert _sign_in_attempts(client, 3) == [422, 422, 429]


@pytest.mark.parametrize("app_config", [LIMITED])
def test_4_the_next_test_starts_with_a_fresh_count(app, client, app_config):
    assert _sign_in_attempts(client, 2) == [422, 422]


def test_5_an_app_without_limits_is_not_limited_by_the_last_ones_switch(app, client):
    assert not app.config["RATELIMIT_ENABLED"]
    assert _sign_in_attempts(client, 4) == [422] * 4


def test_apps_are_shared_per_configuration(app_for):
    assert app_for({}) is app_for({})
    assert app_for({"WTF_CSRF_ENABLED": True}) is not app_for({})

