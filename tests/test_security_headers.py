"""Issue 17, finding 13: production headers. HSTS on https, no-store for signed-in people and
pages with secret links (static assets stay cacheable), a Permissions-Policy, and no Server
banner from gunicorn (gunicorn.conf.py)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from network.auth import tokens
from network.auth.models import Person
from network.extensions import db

PROJECT = Path(__file__).resolve().parent.parent
HTTPS = {"base_url": "https://localhost"}


@pytest.mark.parametrize("app_config", [{"HSTS_ENABLED": True}])
def test_hsts_on_https_only(client, app_config):
    hsts = client.get("/", **HTTPS).headers["Strict-Transport-Security"]
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 24 * 3600
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain http: a browser ignores it


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/", **HTTPS).headers


def test_production_sends_hsts():
    from config import ProductionConfig

    assert ProductionConfig.HSTS_ENABLED is True


def test_permissions_policy_denies_what_the_site_never_uses(client):
    policy = client.get("/").headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_signed_in_pages_are_not_stored(factory, login, client):
    person = factory.person()
    signed_in = login(person)
    assert signed_in.get("/me").headers["Cache-Control"] == "private, no-store"
    assert signed_in.get("/").headers["Cache-Control"] == "private, no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # signed out


def test_pages_with_a_secret_link_are_not_stored(app, factory, client):
    person = factory.person(password=None)
    with app.app_context():
        token = tokens.make_token(db.session.get(Person, person.id), tokens.INVITATION)
    assert client.get(f"/invitation/{token}").headers["Cache-Control"] == "private, no-store"
    assert client.get("/reset-password/forged").headers["Cache-Control"] == "private, no-store"


def test_static_assets_stay_cacheable(factory, login):
    signed_in = login(factory.person())
    response = signed_in.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- gunicorn ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_conf_hides_the_server_banner(tmp_path):
    # The banner comes from gunicorn itself, whatever the app: a tiny one starts fastest.
    (tmp_path / "tiny.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n")
    port = _free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(PROJECT / "gunicorn.conf.py"),
                               "--chdir", str(tmp_path), "tiny:app"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.status == 200
        assert response.read() == b"ok"
        assert response.headers.get("Server") is None
        assert response.headers.get("Date")  # the other default headers are still there
    finally:
        server.terminate()
        server.wait(timeout=10)
