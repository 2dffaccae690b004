from tests.factories import world


def test_world_builds_and_coordinator_sees_front_page(factory, login):
    network, hamar, _, people = world(factory)
    response = login(people["coordinator"]).get(f"/networks/{network.id}")
    assert response.status_code == 200
    assert "Hamar" in response.get_data(as_text=True)
