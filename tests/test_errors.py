"""Wrong ids give 404, forbidden actions 403, bad input a message: nothing gives a 500."""
import pytest

from tests.factories import world


def test_unknown_page_is_a_norwegian_404(client):
    response = client.get("/finnes-ikke")
    assert response.status_code == 404
    assert "Vi fant ikke siden" in response.get_data(as_text=True)


def test_forbidden_page_explains_itself(factory, login):
    network, _, _, people = world(factory)
    response = login(people["participant"]).get(f"/networks/{network.id}/members")
    assert response.status_code == 403
    assert "Du har ikke tilgang" in response.get_data(as_text=True)


@pytest.mark.parametrize("data", [
    {"name": "N", "topic": "T", "ks_contact_name": "K", "ks_contact_email": "k@ks.test",
     "feedback_email": "f@ks.test", "status": "planned", "starts_on": "2019-13-45"},
    {"name": "N", "topic": "T", "ks_contact_name": "K", "ks_contact_email": "k@ks.test",
     "feedback_email": "f@ks.test", "status": "ukjent-status"},
    {"name": "x" * 500, "topic": "T", "ks_contact_name": "K", "ks_contact_email": "k@ks.test",
     "feedback_email": "f@ks.test", "status": "planned"},
])
def test_bad_network_input_is_a_422_with_the_input_kept(factory, login, data):
    admin = factory.person(is_admin=True)
    response = login(admin).post("/networks/new", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ds-error-summary" in body
    assert 'value="k@ks.test"' in body


def test_bad_ids_in_forms_do_not_crash(factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["coordinator"])
    assert client.post(f"/networks/{network.id}/members", data={"organisation_id": "abc"}).status_code == 400
    assert client.post(f"/networks/{network.id}/members", data={"organisation_id": "999999"}).status_code == 404
    response = client.post(f"/networks/{network.id}/people/invite", data={
        "name": "X", "email": "x@example.test", "organisation_id": "999999", "roles": ["participant"]})
    assert response.status_code == 422
    response = client.post(f"/networks/{network.id}/people/invite", data={
        "name": "X", "email": "x@example.test", "organisation_id": str(hamar.id), "roles": ["emperor"]})
    assert response.status_code == 422


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_unexpected_error_shows_a_friendly_page(app, app_config):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 1000}])
def test_too_large_request_gets_a_norwegian_page(factory, login, app_config):
    network, _, _, people = world(factory)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/edit", data={"name": "x" * 5000})
    assert response.status_code == 413
    assert "Filen er for stor" in response.get_data(as_text=True)
