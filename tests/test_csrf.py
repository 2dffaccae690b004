"""CSRF protection stays on here: every form needs its token, and a missing one gets a friendly page."""
import re

import pytest

from tests.factories import PASSWORD, world


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _token(page_html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page_html).group(1)


def test_login_without_token_gets_friendly_page(factory, client):
    factory.person(email="kari@example.test")
    response = client.post("/login", data={"email": "kari@example.test", "password": PASSWORD})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Skjemaet er utløpt" in body
    assert "last inn siden på nytt" in body
    assert client.get("/me").status_code == 302


def test_login_with_token_works(factory, client):
    factory.person(email="kari@example.test")
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "kari@example.test", "password": PASSWORD, "csrf_token": token})
    assert response.location == "/me"


def test_stale_token_is_refused(factory, client):
    factory.person(email="kari@example.test")
    response = client.post("/login", data={"email": "kari@example.test", "password": PASSWORD, "csrf_token": "stale.token.value"})
    assert response.status_code == 400
    assert "Skjemaet er utløpt" in response.get_data(as_text=True)


def test_post_buttons_need_the_token(factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["coordinator"])
    response = client.post(f"/networks/{network.id}/members", data={"organisation_id": str(hamar.id)})
    assert response.status_code == 400
    assert client.post("/logout").status_code == 400


def test_every_form_on_a_page_carries_a_token(factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["coordinator"])
    for url in (f"/networks/{network.id}/members?q=oslo", f"/networks/{network.id}/municipalities/{hamar.id}",
                f"/networks/{network.id}/edit", f"/networks/{network.id}/people/invite"):
        html = client.get(url).get_data(as_text=True)
        post_forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
        assert post_forms, url
        for form in post_forms:
            assert 'name="csrf_token"' in form, (url, form[:200])
