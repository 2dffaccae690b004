"""Test clients for the API (network/api): a real token, made as the profile page makes one."""
from __future__ import annotations

from datetime import timedelta

from network.api import tokens
from network.api.models import ApiToken
from network.auth.models import Person
from network.extensions import db
from network.models_base import utcnow


def make_token(app, person, network=None, expires_in: timedelta = timedelta(days=30), name: str = "Test") -> tuple[int, str]:
    """A token for ``person`` (limited to ``network`` if given), committed into the test's
    savepoint. Returns (token id, plaintext)."""
    with app.app_context():
        row = db.session.get(Person, person.id)
        network_id = getattr(network, "id", network)
        token, secret = tokens.create(row, name, utcnow() + timedelta(days=1), network_id)
        # Set afterwards, so a test can make one that has already expired.
        token.expires_at = utcnow() + expires_in
        db.session.commit()
        return token.id, secret


def api_client(app, person, network=None, expires_in: timedelta = timedelta(days=30)):
    """(client, headers): a test client and the Authorization header of a new token for ``person``.
    ``client.get(path, headers=headers)``."""
    _token_id, secret = make_token(app, person, network, expires_in)
    return app.test_client(), {"Authorization": f"Bearer {secret}"}


def revoke_token(app, token_id: int) -> None:
    with app.app_context():
        tokens.revoke(db.session.get(ApiToken, token_id))
        db.session.commit()
