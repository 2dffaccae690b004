"""A gathering's programme and materials over HTTP: items, order, links, files and downloads."""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from datetime import date, time
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.files.models import StoredFile
from network.gatherings.models import Gathering, GatheringDay, Material, ProgrammeItem, WorkingMethod
from network.programme import services
from network.programme.services import ItemFields, Upload
from tests.factories import world
from tests.query_counter import count_queries

DAY = date(2031, 3, 12)


# --- small real files -------------------------------------------------------------------


def pdf_bytes(padding: int = 0) -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
            + b"%" + b"x" * padding + b"\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def png_bytes() -> bytes:
    """A real 1×1 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hei")
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert('hei')</script></body></html>"


# --- helpers ----------------------------------------------------------------------------


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<div class="ds-validation-message" data-field="validation" id="{field_id}-error">(.*?)</div>',
                      response.get_data(as_text=True), re.S)
    return unescape(match.group(1)) if match else None


def input_value(response, field_id: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', response.get_data(as_text=True))
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return unescape(value.group(1)) if value else None


def selected(response, field_id: str) -> str | None:
    block = re.search(rf'<select[^>]*\bid="{field_id}"[^>]*>(.*?)</select>', response.get_data(as_text=True), re.S)
    option = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block.group(1))
    return next(value for value in option.groups() if value is not None) if option else None


def section(response, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""




class Setting:
    """A network, its people and one gathering, with the URLs the tests use."""

    def __init__(self, app, factory, days: int = 1):
        self.app = app
        self.network, self.hamar, _, self.people = world(factory)
        self.gathering = factory.gathering(self.network, 1, DAY, days=days)
        base = f"/networks/{self.network.id}/gatherings/{self.gathering.id}"
        self.page = base
        self.manage = base + "/programme"
        self.new_item = base + "/programme/new"
        self.new_material = base + "/materials/new"
        self.base = base

    def item_url(self, item_id: int, action: str) -> str:
        return f"{self.base}/programme/{item_id}/{action}"

    def material_url(self, material_id: int, action: str) -> str:
        return f"{self.base}/materials/{material_id}/{action}"

    def add_items(self, *titles: str, day_index: int | None = None, **fields) -> list[int]:
        with self.app.app_context():
            gathering = db.session.get(Gathering, self.gathering.id)
            day_id = gathering.days[day_index].id if day_index is not None else None
            ids = [services.add_item(gathering, ItemFields(title=title, day_id=day_id, **fields)).id for title in titles]
            db.session.commit()
            return ids

    def add_material(self, title: str, url: str = "", upload: Upload | None = None, item_id: int | None = None) -> int:
        with self.app.app_context():
            gathering = db.session.get(Gathering, self.gathering.id)
            material = services.add_material(gathering, title=title, url=url, upload=upload, item_id=item_id)
            db.session.commit()
            return material.id

    def day_ids(self) -> list[int]:
        with self.app.app_context():
            return [day.id for day in db.session.get(Gathering, self.gathering.id).days]

    def programme(self) -> list[tuple[str, int]]:
        """(title, position) in programme order."""
        with self.app.app_context():
            return [(item.title, item.position) for item in db.session.scalars(
                select(ProgrammeItem).where(ProgrammeItem.gathering_id == self.gathering.id)
                .order_by(ProgrammeItem.position, ProgrammeItem.id))]

    def item(self, item_id: int) -> ProgrammeItem | None:
        with self.app.app_context():
            item = db.session.get(ProgrammeItem, item_id)
            if item is not None:
                db.session.expunge(item)
            return item


@pytest.fixture
def setting(app, factory) -> Setting:
    return Setting(app, factory)


@pytest.fixture
def coordinator(setting, login):
    return login(setting.people["coordinator"])


ITEM_FORM = {"title": "Velkommen og runde rundt bordet", "starts_at": "09:30", "presenter": "Kari Koordinator",
             "method": "plenary", "description": "Hva har skjedd siden sist?", "day_id": ""}


# --- programme items --------------------------------------------------------------------


def test_coordinator_adds_items_in_order(setting, coordinator):
    first = coordinator.post(setting.new_item, data=ITEM_FORM)
    assert first.status_code == 302
    second = coordinator.post(setting.new_item, data={**ITEM_FORM, "title": "Gruppearbeid", "method": "B",
                                                      "starts_at": "10.15", "presenter": "", "description": ""})
    assert second.status_code == 302
    assert setting.programme() == [("Velkommen og runde rundt bordet", 0), ("Gruppearbeid", 1)]
    with setting.app.app_context():
        items = db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.gathering_id == setting.gathering.id)
                                   .order_by(ProgrammeItem.position)).all()
        assert (items[0].starts_at, items[0].presenter, items[0].method, items[0].description) == (
            time(9, 30), "Kari Koordinator", WorkingMethod.PLENARY, "Hva har skjedd siden sist?")
        assert (items[1].starts_at, items[1].method) == (time(10, 15), WorkingMethod.B)
        second_id = items[1].id
    location = urlsplit(second.location)
    assert (location.path, location.fragment) == (setting.manage, f"programme-item-{second_id}")
    assert "«Gruppearbeid» er lagt til i programmet." in text(coordinator.get(setting.manage))


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Skriv en tittel på programpunktet."),
    ("title", "   ", "Skriv en tittel på programpunktet."),
    ("title", "x" * 201, "Tittelen kan være høyst 200 tegn."),
    ("starts_at", "25:00", "Skriv klokkeslettet som tt:mm, for eksempel 09:30."),
    ("starts_at", "halv ti", "Skriv klokkeslettet som tt:mm, for eksempel 09:30."),
    ("method", "D", "Velg en arbeidsform."),
    ("presenter", "p" * 201, "Navnet kan være høyst 200 tegn."),
    ("description", "d" * 1001, "Beskrivelsen kan være høyst 1000 tegn."),
])
def test_bad_item_input_is_shown_on_the_form_and_kept(setting, coordinator, field, value, message):
    response = coordinator.post(setting.new_item, data={**ITEM_FORM, field: value})
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert message in text(response).split("ds-error-summary", 1)[1]  # also in the summary
    if field != "title":
        assert input_value(response, "title") == ITEM_FORM["title"]
    if field == "starts_at":
        assert input_value(response, "starts_at") == value
    assert setting.programme() == []


def test_a_day_from_another_gathering_is_refused(app, factory, setting, coordinator):
    two_days = Setting(app, factory, days=2)
    other_day = two_days.day_ids()[0]
    with app.app_context():  # give this gathering a second day, so the day field is shown
        gathering = db.session.get(Gathering, setting.gathering.id)
        db.session.add(GatheringDay(gathering=gathering, day=date(2031, 3, 13), starts_at=time(9), ends_at=time(15)))
        db.session.commit()
    response = coordinator.post(setting.new_item, data={**ITEM_FORM, "day_id": str(other_day)})
    assert response.status_code == 422
    assert field_error(response, "day_id") == "Samlingen har ikke den dagen du valgte."
    assert setting.programme() == []


def test_items_get_a_day_on_a_gathering_of_several_days(app, factory, login):
    setting = Setting(app, factory, days=2)
    client = login(setting.people["coordinator"])
    first_day, second_day = setting.day_ids()
    form = client.get(setting.new_item)
    assert "Dag 2: 13. mars 2031" in text(form)
    assert client.post(setting.new_item, data={**ITEM_FORM, "title": "Befaring", "day_id": str(second_day)}).status_code == 302
    assert client.post(setting.new_item, data={**ITEM_FORM, "title": "Oppstart", "day_id": str(first_day)}).status_code == 302
    page = section(login(setting.people["participant"]).get(setting.page), "programme-heading")
    # Shown by day, whatever the order they were added in.
    assert page.index("Dag 1: 12. mars 2031") < page.index("Oppstart") < page.index("Dag 2: 13. mars 2031") < page.index("Befaring")


def test_one_day_gathering_has_no_day_field(setting, coordinator):
    assert 'id="day_id"' not in coordinator.get(setting.new_item).get_data(as_text=True)


def test_coordinator_edits_an_item(setting, coordinator):
    [item_id] = setting.add_items("Innlegg", starts_at=time(11), presenter="Husbanken", method=WorkingMethod.C)
    form = coordinator.get(setting.item_url(item_id, "edit"))
    assert form.status_code == 200
    assert (input_value(form, "title"), input_value(form, "starts_at"), input_value(form, "presenter")) == (
        "Innlegg", "11:00", "Husbanken")
    assert selected(form, "method") == "C"
    response = coordinator.post(setting.item_url(item_id, "edit"), data={
        **ITEM_FORM, "title": "Innlegg fra Husbanken", "starts_at": "", "method": "A"})
    assert response.status_code == 302
    item = setting.item(item_id)
    assert (item.title, item.starts_at, item.method, item.position) == ("Innlegg fra Husbanken", None, WorkingMethod.A, 0)


def test_bad_edit_changes_nothing(setting, coordinator):
    [item_id] = setting.add_items("Innlegg")
    response = coordinator.post(setting.item_url(item_id, "edit"), data={**ITEM_FORM, "title": ""})
    assert response.status_code == 422
    assert setting.item(item_id).title == "Innlegg"


def test_deleting_an_item_keeps_positions_dense_and_removes_its_materials(setting, coordinator):
    first, middle, last = setting.add_items("Første", "Midterste", "Siste")
    material_id = setting.add_material("Lysark", upload=Upload("lysark.pdf", pdf_bytes()), item_id=middle)
    with setting.app.app_context():
        file_id = db.session.get(Material, material_id).file_id
    response = coordinator.post(setting.item_url(middle, "delete"), data={"confirmed": "1"})
    assert response.status_code == 302
    assert setting.programme() == [("Første", 0), ("Siste", 1)]
    with setting.app.app_context():
        assert db.session.get(Material, material_id) is None
        assert db.session.get(StoredFile, file_id) is None
    assert "«Midterste» er slettet fra programmet, med 1 materiell." in text(coordinator.get(setting.manage))


def test_reorder_with_move_up_and_down(setting, coordinator):
    first, second, third = setting.add_items("A", "B", "C")
    assert coordinator.post(setting.item_url(third, "move"), data={"direction": "up"}).status_code == 302
    assert setting.programme() == [("A", 0), ("C", 1), ("B", 2)]
    assert coordinator.post(setting.item_url(first, "move"), data={"direction": "down"}).status_code == 302
    assert setting.programme() == [("C", 0), ("A", 1), ("B", 2)]
    assert "«A» er flyttet ned." in text(coordinator.get(setting.manage))


def test_moving_past_the_end_changes_nothing(setting, coordinator):
    first, second = setting.add_items("A", "B")
    response = coordinator.post(setting.item_url(first, "move"), data={"direction": "up"})
    assert response.status_code == 302
    assert setting.programme() == [("A", 0), ("B", 1)]
    assert "«A» står allerede øverst." in text(coordinator.get(setting.manage))
    coordinator.post(setting.item_url(second, "move"), data={"direction": "down"})
    assert setting.programme() == [("A", 0), ("B", 1)]


def test_moving_repairs_gaps_in_positions(setting, coordinator):
    first, second, third = setting.add_items("A", "B", "C")
    with setting.app.app_context():  # e.g. rows written before the rule existed
        for item_id, position in ((first, 3), (second, 7), (third, 20)):
            db.session.get(ProgrammeItem, item_id).position = position
        db.session.commit()
    coordinator.post(setting.item_url(second, "move"), data={"direction": "up"})
    assert setting.programme() == [("B", 0), ("A", 1), ("C", 2)]


@pytest.mark.parametrize("data", [{"direction": "left"}, {}])
def test_moving_needs_a_direction(setting, coordinator, data):
    [item_id] = setting.add_items("A")
    assert coordinator.post(setting.item_url(item_id, "move"), data=data).status_code == 400


def test_moving_stays_within_the_day(app, factory, login):
    setting = Setting(app, factory, days=2)
    client = login(setting.people["coordinator"])
    day_one_a, = setting.add_items("Dag 1 A", day_index=0)
    day_two_a, = setting.add_items("Dag 2 A", day_index=1)
    day_one_b, = setting.add_items("Dag 1 B", day_index=0)
    client.post(setting.item_url(day_one_b, "move"), data={"direction": "up"})
    assert setting.programme() == [("Dag 1 B", 0), ("Dag 2 A", 1), ("Dag 1 A", 2)]
    # Dag 2 A is alone on its day, so it can't move.
    client.post(setting.item_url(day_two_a, "move"), data={"direction": "up"})
    assert [title for title, _ in setting.programme()] == ["Dag 1 B", "Dag 2 A", "Dag 1 A"]
    page = section(login(setting.people["participant"]).get(setting.page), "programme-heading")
    assert page.index("Dag 1 B") < page.index("Dag 1 A") < page.index("Dag 2 A")


def test_manage_page_offers_only_the_moves_that_exist(setting, coordinator):
    setting.add_items("A", "B", "C")
    html = coordinator.get(setting.manage).get_data(as_text=True)
    assert html.count('name="direction" value="up"') == 2
    assert html.count('name="direction" value="down"') == 2
    assert 'Flytt opp<span class="ds-sr-only"> «B»</span>' in html


# --- the gathering page -----------------------------------------------------------------


def test_gathering_page_shows_the_programme_and_materials(setting, login):
    [item_id] = setting.add_items("Boligbehov i Hamar", starts_at=time(9, 30), presenter="Kari Kontakt",
                                  method=WorkingMethod.B, description="Erfaringer fra planarbeidet.")
    setting.add_material("Lysark fra Hamar", upload=Upload("lysark.pdf", pdf_bytes()), item_id=item_id)
    setting.add_material("Rapport fra Husbanken", url="https://www.husbanken.no/rapport")
    participant = login(setting.people["participant"])
    response = participant.get(setting.page)
    assert response.status_code == 200
    programme = section(response, "programme-heading")
    for expected in ("09:30", "Boligbehov i Hamar", "Ved Kari Kontakt", "B: planer og utviklingsområder",
                     "Erfaringer fra planarbeidet.", "Lysark fra Hamar", "(PDF, 1\u00a0kB)", "Programmet for samling 1"):
        assert expected in programme
    assert "<caption" in programme
    materials = section(response, "materials-heading")
    assert "Rapport fra Husbanken" in materials and 'href="https://www.husbanken.no/rapport"' in materials
    assert "Lysark fra Hamar" not in materials  # it belongs to its item
    # Members read; only coordinators see the way to change it.
    assert "Endre programmet og materiellet" not in text(response)
    assert "Endre programmet og materiellet" in text(login(setting.people["coordinator"]).get(setting.page))


def test_empty_programme_says_so(setting, login):
    body = text(login(setting.people["participant"]).get(setting.page))
    assert "Programmet er ikke lagt ut ennå." in body
    assert "Ingen materiell er lagt ut for hele samlingen ennå." in body


def test_programme_for_loads_everything_in_two_queries(setting):
    item_ids = setting.add_items(*(f"Punkt {n}" for n in range(6)))
    for item_id in item_ids:
        setting.add_material("Lenke", url="https://example.test/a", item_id=item_id)
        setting.add_material("Fil", upload=Upload("fil.png", png_bytes()), item_id=item_id)
    setting.add_material("Felles", url="https://example.test/felles")
    with setting.app.app_context():
        gathering = db.session.get(Gathering, setting.gathering.id)
        gathering.days  # noqa: B018  (loaded by the gathering page itself)
        with count_queries(setting.app) as statements:
            services.programme_for(gathering)
            seen = [(item.title, item.day, [(m.title, m.file.content_type if m.file else None) for m in item.materials])
                    for item in gathering.programme]
            own = services.gathering_materials(gathering)
            groups = services.programme_groups(gathering)
        assert len(statements) == 2, statements
        assert all("data" not in statement.split("FROM")[0] for statement in statements)  # no file bytes
        assert [title for title, _, _ in seen] == [f"Punkt {n}" for n in range(6)]
        assert all(materials == [("Lenke", None), ("Fil", "image/png")] for _, _, materials in seen)
        assert [m.title for m in own] == ["Felles"]
        assert len(groups) == 1 and len(groups[0].items) == 6


def test_gathering_page_query_count_does_not_grow_with_the_programme(setting, login):
    client = login(setting.people["participant"])
    [first] = setting.add_items("Punkt")
    setting.add_material("Fil", upload=Upload("fil.pdf", pdf_bytes()), item_id=first)
    with count_queries(setting.app) as statements:
        assert client.get(setting.page).status_code == 200
    few = len(statements)
    for item_id in setting.add_items(*(f"Punkt {n}" for n in range(8))):
        setting.add_material("Fil", upload=Upload("fil.pdf", pdf_bytes()), item_id=item_id)
        setting.add_material("Lenke", url="https://example.test/", item_id=item_id)
    setting.add_material("Felles", url="https://example.test/felles")
    with count_queries(setting.app) as statements:
        response = client.get(setting.page)
    assert response.status_code == 200 and "Punkt 7" in text(response)
    assert len(statements) == few


# --- materials: links -------------------------------------------------------------------


def test_coordinator_adds_a_link_to_the_gathering(setting, coordinator):
    response = coordinator.post(setting.new_material, data={
        "title": "Husbankens veileder", "url": "https://www.husbanken.no/veileder", "attach_to": ""})
    assert response.status_code == 302
    assert urlsplit(response.location).fragment == "materials-heading"
    with setting.app.app_context():
        material = db.session.scalar(select(Material).where(Material.gathering_id == setting.gathering.id))
        assert (material.title, material.url, material.file_id, material.programme_item_id) == (
            "Husbankens veileder", "https://www.husbanken.no/veileder", None, None)
        assert material.added_by_id == setting.people["coordinator"].id


def test_coordinator_adds_a_link_to_an_item(setting, coordinator):
    [item_id] = setting.add_items("Gruppearbeid")
    form = coordinator.get(f"{setting.new_material}?item={item_id}")
    assert selected(form, "attach_to") == str(item_id)
    response = coordinator.post(setting.new_material, data={
        "title": "Oppgaveark", "url": "http://example.test/oppgave", "attach_to": str(item_id)})
    assert response.status_code == 302
    with setting.app.app_context():
        assert db.session.scalar(select(Material.programme_item_id).where(Material.title == "Oppgaveark")) == item_id


@pytest.mark.parametrize("data, field, message", [
    ({"url": "javascript:alert(1)"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "ftp://example.test/fil"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "www.husbanken.no"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "https://"}, "url", "Skriv en fullstendig lenke som begynner med https:// eller http://."),
    ({"url": "https://example.test/" + "a" * 500}, "url", "Lenken kan være høyst 500 tegn."),
    ({"title": ""}, "title", "Skriv en tittel på lenken."),
    ({"attach_to": "999999"}, "attach_to", "Velg et punkt i programmet for denne samlingen."),
    ({"attach_to": "tull"}, "attach_to", "Velg et punkt i programmet for denne samlingen."),
])
def test_bad_links_are_refused_and_input_kept(setting, coordinator, data, field, message):
    form = {"title": "Veileder", "url": "https://www.husbanken.no/veileder", "attach_to": "", **data}
    response = coordinator.post(setting.new_material, data=form)
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert input_value(response, "url") == form["url"]
    assert (input_value(response, "title") or "") == form["title"]
    with setting.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def test_item_of_another_gathering_is_refused(app, factory, setting, coordinator):
    other = factory.gathering(setting.network, 2, date(2031, 6, 1))
    with app.app_context():
        foreign = services.add_item(db.session.get(Gathering, other.id), ItemFields(title="Annen samling")).id
        db.session.commit()
    response = coordinator.post(setting.new_material, data={"title": "x", "url": "https://example.test/", "attach_to": str(foreign)})
    assert response.status_code == 422
    assert field_error(response, "attach_to") == "Velg et punkt i programmet for denne samlingen."


def test_link_and_file_together_or_neither_are_refused(setting, coordinator):
    both = coordinator.post(setting.new_material, data={
        "title": "Begge", "url": "https://example.test/", "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data")
    assert both.status_code == 422
    assert field_error(both, "url") == "Legg inn enten en lenke eller en fil, ikke begge."
    neither = coordinator.post(setting.new_material, data={"title": "Ingen", "url": ""})
    assert neither.status_code == 422
    assert "Legg inn en lenke eller velg en fil." in text(neither)
    with setting.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Material)) == 0
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


# --- materials: files -------------------------------------------------------------------


@pytest.mark.parametrize("filename, data, content_type", [
    ("lysark.pdf", pdf_bytes(), "application/pdf"),
    ("kart.png", png_bytes(), "image/png"),
    ("notat.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_real_files_are_accepted(setting, coordinator, filename, data, content_type):
    response = coordinator.post(setting.new_material, data={"title": "", "url": "", "attach_to": "",
                                                            "file": (io.BytesIO(data), filename)},
                                content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    with setting.app.app_context():
        material = db.session.scalar(select(Material).where(Material.gathering_id == setting.gathering.id))
        assert material.url is None and material.title == filename  # no title given: the file's name
        stored = db.session.get(StoredFile, material.file_id)
        assert (stored.content_type, stored.size, stored.data) == (content_type, len(data), data)


@pytest.mark.parametrize("filename, data", [
    ("program.pdf", EXE),  # a program renamed
    ("side.pdf", HTML),  # a web page renamed
    ("arkiv.docx", plain_zip()),  # a ZIP that is no Word file
])
def test_files_of_the_wrong_type_are_refused(setting, coordinator, filename, data):
    response = coordinator.post(setting.new_material, data={"title": "Farlig fil", "url": "", "attach_to": "",
                                                            "file": (io.BytesIO(data), filename)},
                                content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "file").startswith("Filtypen er ikke tillatt. Last opp PDF, Word")
    assert input_value(response, "title") == "Farlig fil"
    assert "Velg filen på nytt" in text(response)
    with setting.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
        assert db.session.scalar(select(func.count()).select_from(Material)) == 0


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_BYTES": 1024 * 1024}])
def test_too_large_file_is_refused(setting, coordinator):
    big = pdf_bytes(padding=1024 * 1024)
    [item_id] = setting.add_items("Innlegg")
    response = coordinator.post(setting.new_material, data={"title": "Stor", "url": "", "attach_to": str(item_id),
                                                            "file": (io.BytesIO(big), "stor.pdf")},
                                content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "file") == "Filen er for stor. Største tillatte størrelse er 1 MB."
    assert selected(response, "attach_to") == str(item_id)
    assert "Største størrelse: 1 MB." in text(response)
    with setting.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_empty_file_is_refused(setting, coordinator):
    response = coordinator.post(setting.new_material, data={"title": "Tom", "url": "",
                                                            "file": (io.BytesIO(b""), "tom.pdf")},
                                content_type="multipart/form-data")
    assert response.status_code == 422


def test_deleting_a_file_material_deletes_the_file(setting, coordinator):
    material_id = setting.add_material("Lysark", upload=Upload("lysark.pdf", pdf_bytes()))
    with setting.app.app_context():
        file_id = db.session.get(Material, material_id).file_id
    response = coordinator.post(setting.material_url(material_id, "delete"), data={"confirmed": "1"})
    assert response.status_code == 302
    with setting.app.app_context():
        assert db.session.get(Material, material_id) is None
        assert db.session.get(StoredFile, file_id) is None
    assert "«Lysark» er slettet." in text(coordinator.get(setting.manage))


# --- downloads --------------------------------------------------------------------------


def test_members_download_files_as_attachments(setting, login):
    data = pdf_bytes()
    material_id = setting.add_material("Lysark", upload=Upload("Lysark Hamar.pdf", data))
    for role in ("participant", "observer", "coordinator", "admin"):
        response = login(setting.people[role]).get(setting.material_url(material_id, "download"))
        assert response.status_code == 200, role
        assert response.data == data
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "Lysark Hamar.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "private" in response.headers["Cache-Control"]


def test_norwegian_file_names_survive_the_download(setting, login):
    material_id = setting.add_material("Boligplan", upload=Upload("Boligplan Tromsø.pdf", pdf_bytes()))
    response = login(setting.people["participant"]).get(setting.material_url(material_id, "download"))
    assert "filename*=UTF-8''Boligplan%20Troms%C3%B8.pdf" in response.headers["Content-Disposition"]


def test_a_name_that_lies_gets_the_real_type(setting, login):
    material_id = setting.add_material("Bilde", upload=Upload("bilde.pdf", png_bytes()))
    response = login(setting.people["participant"]).get(setting.material_url(material_id, "download"))
    assert response.headers["Content-Type"] == "image/png"
    assert "bilde.pdf.png" in response.headers["Content-Disposition"]


def test_outsiders_and_anonymous_cannot_download(setting, login, client):
    material_id = setting.add_material("Lysark", upload=Upload("lysark.pdf", pdf_bytes()))
    url = setting.material_url(material_id, "download")
    assert login(setting.people["outsider"]).get(url).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and urlsplit(anonymous.location).path == "/login"


def test_links_and_other_gatherings_materials_are_not_downloads(app, factory, setting, login):
    link_id = setting.add_material("Lenke", url="https://example.test/")
    other = Setting(app, factory)
    foreign_id = other.add_material("Annen", upload=Upload("a.pdf", pdf_bytes()))
    participant = login(setting.people["participant"])
    assert participant.get(setting.material_url(link_id, "download")).status_code == 404
    assert participant.get(setting.material_url(foreign_id, "download")).status_code == 404


# --- CSRF -------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_programme_forms_carry_and_need_the_csrf_token(setting, coordinator):
    [item_id] = setting.add_items("A", "B")[:1]
    setting.add_material("Lenke", url="https://example.test/", item_id=item_id)
    for url in (setting.manage, setting.new_item, setting.new_material, setting.item_url(item_id, "edit")):
        html = coordinator.get(url).get_data(as_text=True)
        forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, (url, form[:200])
    assert coordinator.post(setting.item_url(item_id, "move"), data={"direction": "down"}).status_code == 400
    assert coordinator.post(setting.new_item, data=ITEM_FORM).status_code == 400
    assert setting.programme() == [("A", 0), ("B", 1)]
