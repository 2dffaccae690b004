"""Who may open or post to every route of a gathering's programme and materials.

Coordinators manage; every member of the network reads and downloads. The rules are in
``network/gatherings/access.py``; ``tests/test_access_matrix.py`` collects ``ROUTES`` from here.
"""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from network.extensions import db
from network.gatherings.models import Gathering, GatheringDay, Material, ProgrammeItem
from network.programme import services
from network.programme.services import ItemFields, Upload
from tests.conftest import built_once
from tests.test_access_matrix import CONFIRMED, COORDINATORS, MEMBERS, ROLES, Route, build, check_access
from tests.test_access_matrix import fuzz

G = "/networks/{network}/gatherings/{gathering}"
ITEM_FORM = {"title": "Erfaringsdeling i grupper", "starts_at": "13:00", "presenter": "Kari Koordinator",
             "method": "B", "description": "Planer og utviklingsområder.", "day_id": ""}
LINK_FORM = {"title": "Husbankens veileder", "url": "https://www.husbanken.no/veileder", "attach_to": "{item}"}
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _item_titled(title):
    return lambda ids: db.session.scalar(select(ProgrammeItem.id).where(
        ProgrammeItem.gathering_id == ids["gathering"], ProgrammeItem.title == title)) is not None


def _gone(model, key):
    return lambda ids: db.session.get(model, ids[key]) is None


def _moved_up(ids):
    return db.session.get(ProgrammeItem, ids["second_item"]).position == 0


def _link_added(ids):
    return db.session.scalar(select(Material.id).where(
        Material.gathering_id == ids["gathering"], Material.url == LINK_FORM["url"])) is not None


ROUTES = [
    Route("programme_manage", "programme.manage", "GET", G + "/programme", COORDINATORS),
    Route("programme_new_item", "programme.new_item", "GET", G + "/programme/new", COORDINATORS),
    Route("programme_new_item", "programme.new_item", "POST", G + "/programme/new", COORDINATORS,
          data=ITEM_FORM, effect=_item_titled(ITEM_FORM["title"])),
    Route("programme_edit_item", "programme.edit_item", "GET", G + "/programme/{item}/edit", COORDINATORS),
    Route("programme_edit_item", "programme.edit_item", "POST", G + "/programme/{item}/edit", COORDINATORS,
          data={**ITEM_FORM, "title": "Velkommen (endret)"}, effect=_item_titled("Velkommen (endret)")),
    Route("programme_delete_item", "programme.delete_item", "POST", G + "/programme/{item}/delete", COORDINATORS,
          data=CONFIRMED, effect=_gone(ProgrammeItem, "item")),
    Route("programme_move_item", "programme.move_item", "POST", G + "/programme/{second_item}/move", COORDINATORS,
          data={"direction": "up"}, effect=_moved_up),
    Route("programme_new_material", "programme.new_material", "GET", G + "/materials/new", COORDINATORS),
    Route("programme_new_material", "programme.new_material", "POST", G + "/materials/new", COORDINATORS,
          data=LINK_FORM, effect=_link_added),
    Route("programme_delete_material", "programme.delete_material", "POST", G + "/materials/{file_material}/delete",
          COORDINATORS, data=CONFIRMED, effect=_gone(Material, "file_material")),
    Route("programme_download", "programme.download", "GET", G + "/materials/{file_material}/download", MEMBERS),
]


def build_programme(app, factory) -> tuple[dict, dict]:
    """The matrix's world plus a gathering with two programme items, a file and a link, and a
    second gathering (in the same network) and a third (in the other network) to reach across to."""
    ids, people = build(app, factory)
    with app.app_context():
        def gathering(network_id, number):
            new = Gathering(network_id=network_id, number=number, title=f"Samling {number}",
                            days=[GatheringDay(day=date(2031, 3, 12), starts_at=time(10), ends_at=time(16))])
            db.session.add(new)
            db.session.flush()
            return new

        this = gathering(ids["network"], 1)
        item = services.add_item(this, ItemFields(title="Velkommen"))
        second = services.add_item(this, ItemFields(title="Gruppearbeid"))
        file_material = services.add_material(this, title="Lysark", upload=Upload("lysark.pdf", PDF))
        link_material = services.add_material(this, title="Lenke", url="https://example.test/", item_id=item.id)
        sibling = gathering(ids["network"], 2)
        sibling_item = services.add_item(sibling, ItemFields(title="Annen samling"))
        sibling_material = services.add_material(sibling, title="Annet lysark", upload=Upload("annet.pdf", PDF))
        foreign = gathering(ids["other_network"], 1)
        db.session.commit()
        ids = {**ids, "gathering": this.id, "item": item.id, "second_item": second.id,
               "file_material": file_material.id, "link_material": link_material.id,
               "sibling": sibling.id, "sibling_item": sibling_item.id, "sibling_material": sibling_material.id,
               "foreign_gathering": foreign.id}
    return ids, people


# Built once for the module; each test runs in a savepoint on top of it.
built = built_once(build_programme)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_access(app, built, client, login, route, role):
    ids, people = built
    check_access(app, route, role, ids, people, client, login)


THIS_NETWORK = ("coordinator", "admin")
OTHER_NETWORK = ("outsider", "admin")  # the outsider coordinates the other network
WRONG_IDS = [
    ("unknown_gathering", "GET", "/networks/{network}/gatherings/999999/programme", THIS_NETWORK),
    ("unknown_item", "GET", G + "/programme/999999/edit", THIS_NETWORK),
    ("unknown_material", "GET", G + "/materials/999999/download", THIS_NETWORK + ("participant",)),
    ("item_of_sibling", "GET", G + "/programme/{sibling_item}/edit", THIS_NETWORK),
    ("item_of_sibling_delete", "POST", G + "/programme/{sibling_item}/delete", THIS_NETWORK),
    ("item_of_sibling_move", "POST", G + "/programme/{sibling_item}/move", THIS_NETWORK),
    ("material_of_sibling_delete", "POST", G + "/materials/{sibling_material}/delete", THIS_NETWORK),
    ("material_of_sibling_download", "GET", G + "/materials/{sibling_material}/download", THIS_NETWORK + ("participant",)),
    ("link_download", "GET", G + "/materials/{link_material}/download", THIS_NETWORK + ("participant",)),
    # A gathering reached through the wrong network's URL.
    ("foreign_gathering", "GET", "/networks/{network}/gatherings/{foreign_gathering}/programme", THIS_NETWORK),
    ("through_other_network", "GET", "/networks/{other_network}/gatherings/{gathering}/programme", OTHER_NETWORK),
    ("through_other_network_download", "GET",
     "/networks/{other_network}/gatherings/{gathering}/materials/{file_material}/download", OTHER_NETWORK),
    ("through_other_network_delete", "POST",
     "/networks/{other_network}/gatherings/{gathering}/materials/{file_material}/delete", OTHER_NETWORK),
]
WRONG_ID_CASES = [
    pytest.param(name, method, path, role, id=f"{name}-{role}")
    for name, method, path, roles in WRONG_IDS for role in roles
]


@pytest.mark.parametrize("name, method, path, role", WRONG_ID_CASES)
def test_wrong_ids_give_404(app, built, login, name, method, path, role):
    ids, people = built
    url = path.format(**ids)
    http = login(people[role])
    response = http.get(url) if method == "GET" else http.post(url, data={"direction": "up"})
    assert response.status_code == 404, (name, role, response.status_code)
    with app.app_context():
        for model, key in ((ProgrammeItem, "sibling_item"), (Material, "sibling_material"),
                           (Material, "file_material"), (ProgrammeItem, "item")):
            assert db.session.get(model, ids[key]) is not None
        assert db.session.get(ProgrammeItem, ids["sibling_item"]).position == 0


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method}-{route.name}")
def test_fuzzed_input_never_gives_a_server_error(app, built, login, db_connection, route):
    fuzz(app, ROUTES, route, *built, login, db_connection)
