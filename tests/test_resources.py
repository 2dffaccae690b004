"""Slide sets over HTTP: reading a set in the browser, KS's sets, the municipalities' versions,
files and downloads, and the slides-as-text format."""
from __future__ import annotations

import io
import re
import zipfile
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.files.models import StoredFile
from network.networks.models import Membership, MembershipStatus, Network, RoleKind
from network.resources import services
from network.resources.models import Slide, SlideSet
from network.resources.services import ResourceError, SlideText, Upload
from tests.factories import world
from tests.query_counter import count_queries

# --- small real files -------------------------------------------------------------------


def pdf_bytes(padding: int = 0) -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
            + b"%" + b"x" * padding + b"\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def office_bytes(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(marker, '<?xml version="1.0"?><root/>')
    return buffer.getvalue()


PPTX = office_bytes("ppt/presentation.xml")
DOCX = office_bytes("word/document.xml")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert('hei')</script></body></html>"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

SLIDES = ("## 1. Bolig for alle\n\nHvem strever med å finne en **egnet** bolig?\n\n"
          "## 2. Tre elementer\n\n- behov\n- forankring\n- virkemidler\n\n"
          "## 3. Seks råd\n\nVi tar dem ett for ett.")


# --- helpers ----------------------------------------------------------------------------


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def plain(response) -> str:
    """The page's words without tags, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def main(response) -> str:
    return response.get_data(as_text=True).split('<main id="main"', 1)[1].split("</main>", 1)[0]


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<div class="ds-validation-message" data-field="validation" id="{field_id}-error">(.*?)</div>',
                      response.get_data(as_text=True), re.S)
    return unescape(match.group(1)) if match else None


def input_value(response, field_id: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', response.get_data(as_text=True))
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return unescape(value.group(1)) if value else None


def textarea_value(response, field_id: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bid="{field_id}"[^>]*>\r?\n?(.*?)</textarea>', response.get_data(as_text=True), re.S)
    return unescape(match.group(1)) if match else None


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def multipart(data: dict, file: tuple[bytes, str] | None = None) -> dict:
    form = dict(data)
    if file is not None:
        form["file"] = (io.BytesIO(file[0]), file[1])
    return form


class Setting:
    """A network with Hamar and Lillehammer and one person in each role, and the URLs the tests use."""

    def __init__(self, app, factory):
        self.app, self.factory = app, factory
        self.network, self.hamar, self.lillehammer, self.people = world(factory)
        self.base = f"/networks/{self.network.id}/resources"
        self.new = self.base + "/slides/new"

    def url(self, slide_set_id: int, action: str = "") -> str:
        return f"{self.base}/slides/{slide_set_id}" + (f"/{action}" if action else "")

    def add_set(self, title: str = "Helhetlig boligpolitikk", slides: str = SLIDES, upload: Upload | None = None,
                organisation_id: int | None = None, based_on_id: int | None = None) -> int:
        with self.app.app_context():
            network = db.session.get(Network, self.network.id)
            based_on = db.session.get(SlideSet, based_on_id) if based_on_id else None
            created = services.create_slide_set(network, title=title, slides_text=slides, upload=upload,
                                                organisation_id=organisation_id, based_on=based_on)
            db.session.commit()
            return created.id

    def slide_set(self, slide_set_id: int) -> dict | None:
        """The set's columns, slides and file as plain values."""
        with self.app.app_context():
            found = db.session.get(SlideSet, slide_set_id)
            if found is None:
                return None
            return {
                "title": found.title, "description": found.description, "organisation_id": found.organisation_id,
                "based_on_id": found.based_on_id, "file_id": found.file_id, "created_by_id": found.created_by_id,
                "file": (found.file.filename, found.file.content_type) if found.file else None,
                "slides": [(s.number, s.title, s.script) for s in found.slides],
            }


@pytest.fixture
def setting(app, factory) -> Setting:
    return Setting(app, factory)


@pytest.fixture
def coordinator(setting, login):
    return login(setting.people["coordinator"])


# --- slides as text ---------------------------------------------------------------------


def test_slides_are_read_in_order_with_numbers_optional():
    slides = services.parse_slides("## 3. Første\nManus én.\n\n##Andre\n\n## 10) Tredje\n### Mellomtittel\nTekst\n")
    assert slides == [SlideText("Første", "Manus én."), SlideText("Andre", ""),
                      SlideText("Tredje", "### Mellomtittel\nTekst")]


def test_slides_text_round_trips():
    slides = [SlideText("1. Et tall i tittelen", "Linje én\n\nLinje to"), SlideText("2030: Et mål", ""),
              SlideText("Siste", "- punkt\n- punkt")]
    assert services.parse_slides(services.format_slides(slides)) == slides


@pytest.mark.parametrize("raw", ["", "   \n\n", None])
def test_empty_text_is_no_slides(raw):
    assert services.parse_slides(raw) == []


def test_windows_line_endings_are_read():
    assert services.parse_slides("## En\r\nManus\r\n## To\r\n") == [SlideText("En", "Manus"), SlideText("To", "")]


@pytest.mark.parametrize("raw, message", [
    ("Innledning uten overskrift\n## 1. Tittel", "Linje 1 står før det første lysarket."),
    ("## 1. Tittel\nManus\n## 2.\nMer", "Lysark 2 på linje 3 mangler tittel."),
    ("##   \n", "Lysark 1 på linje 1 mangler tittel."),
    ("## " + "x" * 201, "Tittelen på lysark 1 (linje 1) er for lang."),
    ("## Tittel\n" + "y" * 10_001, "Manuset til lysark 1 («Tittel») er for langt."),
    ("".join(f"## {n}\n" for n in range(201)), "Et lysarksett kan ha høyst 200 lysark."),
])
def test_text_that_does_not_parse_gets_a_clear_message(raw, message):
    with pytest.raises(ResourceError) as error:
        services.parse_slides(raw)
    assert str(error.value).startswith(message)
    assert error.value.field == "slides"


# --- reading a set ----------------------------------------------------------------------


def test_members_read_the_set_in_the_browser_with_a_table_of_contents(setting, login):
    set_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    for role in ("participant", "observer", "other_contact", "coordinator", "admin"):
        response = login(setting.people[role]).get(setting.url(set_id))
        assert response.status_code == 200, role
    page = main(response)
    toc = page.split('id="toc-heading"')[1].split("</nav>")[0]
    assert re.findall(r'href="#slide-(\d+)">([^<]+)</a>', toc) == [("1", "Bolig for alle"), ("2", "Tre elementer"),
                                                                  ("3", "Seks råd")]
    headings = re.findall(r'id="slide-(\d)-heading"><span class="slide__number">Lysark \d:</span> ([^<]+)</h2>', page)
    assert headings == [("1", "Bolig for alle"), ("2", "Tre elementer"), ("3", "Seks råd")]
    assert "Hvem strever med å finne en <strong>egnet</strong> bolig?" in page  # the script as Markdown
    assert "<li>forankring</li>" in page
    assert "Fra KS" in page and "Last ned lysarkene (PDF, 1\u00a0kB)" in unescape(page)
    assert "tilbakemelding@ks.test" in page  # the feedback channel to KS


def test_a_set_without_slides_points_to_its_file(setting, login):
    set_id = setting.add_set(slides="", upload=Upload("lysark.pptx", PPTX))
    page = text(login(setting.people["participant"]).get(setting.url(set_id)))
    assert "Settet har ingen lysark med manus her. Last ned filen for å se lysarkene." in page
    assert "PowerPoint" in page
    assert 'id="toc-heading"' not in page


def test_a_slide_without_a_script_says_so(setting, login):
    set_id = setting.add_set(slides="## Bare tittel")
    assert "Ingen manus til dette lysarket." in text(login(setting.people["participant"]).get(setting.url(set_id)))


# --- KS's sets: creating ----------------------------------------------------------------


def test_coordinator_creates_a_set_with_file_and_scripts(setting, coordinator):
    response = coordinator.post(setting.new, data=multipart(
        {"title": "Boligpolitikk for folkevalgte", "description": "Til **opplæring**.", "slides": SLIDES},
        (pdf_bytes(), "Boligpolitikk.pdf")), content_type="multipart/form-data")
    assert response.status_code == 302
    with setting.app.app_context():
        set_id = db.session.scalar(select(SlideSet.id).where(SlideSet.title == "Boligpolitikk for folkevalgte"))
    assert urlsplit(response.location).path == setting.url(set_id)
    saved = setting.slide_set(set_id)
    assert saved["organisation_id"] is None and saved["based_on_id"] is None
    assert saved["created_by_id"] == setting.people["coordinator"].id
    assert saved["file"] == ("Boligpolitikk.pdf", "application/pdf")
    assert [(n, t) for n, t, _ in saved["slides"]] == [(1, "Bolig for alle"), (2, "Tre elementer"), (3, "Seks råd")]
    assert saved["slides"][1][2] == "- behov\n- forankring\n- virkemidler"
    page = text(coordinator.get(response.location))
    assert "Lysarksettet «Boligpolitikk for folkevalgte» er lagret." in page
    assert "Til <strong>opplæring</strong>." in page


def test_a_powerpoint_file_is_accepted(setting, coordinator):
    response = coordinator.post(setting.new, data=multipart({"title": "Sett", "slides": ""}, (PPTX, "sett.pptx")),
                                content_type="multipart/form-data")
    assert response.status_code == 302
    with setting.app.app_context():
        stored = db.session.scalar(select(StoredFile))
        assert (stored.filename, stored.content_type) == ("sett.pptx", PPTX_TYPE)


SET_FORM = {"title": "Boligpolitikk for folkevalgte", "description": "Beskrivelse som skal stå igjen.", "slides": SLIDES}


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "Skriv en tittel på lysarksettet."),
    ({"title": "x" * 201}, "title", "Tittelen kan være høyst 200 tegn."),
    ({"description": "y" * 5001}, "description", "Beskrivelsen kan være høyst 5000 tegn."),
    ({"slides": "Innledning\n## 1. Tittel"}, "slides", "Linje 1 står før det første lysarket."),
    ({"slides": "## 1. Tittel\n## \nManus"}, "slides", "Lysark 2 på linje 2 mangler tittel."),
    ({"slides": ""}, "slides", "Legg inn minst ett lysark med manus, eller last opp en fil."),
])
def test_bad_input_is_shown_on_the_form_and_kept_and_nothing_saved(setting, coordinator, changes, field, message):
    data = {**SET_FORM, **changes}
    response = coordinator.post(setting.new, data=data)
    assert response.status_code == 422
    assert field_error(response, field).startswith(message)
    assert "Rett opp dette før du går videre:" in text(response)
    assert input_value(response, "title") == data["title"]
    assert textarea_value(response, "description") == data["description"]
    assert textarea_value(response, "slides") == data["slides"]
    assert count(setting.app, SlideSet) == 0 and count(setting.app, Slide) == 0


@pytest.mark.parametrize("filename, data", [
    ("notat.docx", DOCX),  # a Word file is a document, but not a slide set
    ("kart.png", PNG),
    ("program.pdf", EXE),  # a program renamed
    ("side.pdf", HTML),  # a web page renamed
    ("tom.pdf", b""),
])
def test_files_of_the_wrong_type_are_refused_and_nothing_saved(setting, coordinator, filename, data):
    response = coordinator.post(setting.new, data=multipart(SET_FORM, (data, filename)),
                                content_type="multipart/form-data")
    assert response.status_code == 422
    error = field_error(response, "file")
    assert error in ("Filtypen er ikke tillatt. Last opp PDF, PowerPoint.", "Filen er tom.")
    assert input_value(response, "title") == SET_FORM["title"]
    assert textarea_value(response, "slides") == SLIDES
    assert "Velg filen på nytt" in text(response)
    assert count(setting.app, SlideSet) == 0 and count(setting.app, StoredFile) == 0 and count(setting.app, Slide) == 0


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_BYTES": 1024 * 1024}])
def test_too_large_file_is_refused_and_nothing_saved(setting, coordinator):
    response = coordinator.post(setting.new, data=multipart(SET_FORM, (pdf_bytes(padding=1024 * 1024), "stor.pdf")),
                                content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "file") == "Filen er for stor. Største tillatte størrelse er 1 MB."
    assert "Største størrelse: 1 MB." in text(response)
    assert textarea_value(response, "slides") == SLIDES
    assert count(setting.app, SlideSet) == 0 and count(setting.app, StoredFile) == 0


# --- KS's sets: editing -----------------------------------------------------------------


def test_edit_form_starts_from_the_slides_as_text(setting, coordinator):
    set_id = setting.add_set()
    response = coordinator.get(setting.url(set_id, "edit"))
    assert textarea_value(response, "slides") == services.format_slides(
        [SlideText("Bolig for alle", "Hvem strever med å finne en **egnet** bolig?"),
         SlideText("Tre elementer", "- behov\n- forankring\n- virkemidler"), SlideText("Seks råd", "Vi tar dem ett for ett.")])
    assert input_value(response, "title") == "Helhetlig boligpolitikk"


def test_editing_reorders_changes_removes_and_adds_slides(setting, coordinator):
    set_id = setting.add_set()
    with setting.app.app_context():
        first_row = db.session.scalar(select(Slide.id).where(Slide.slide_set_id == set_id, Slide.number == 1))
    new_text = "## Seks råd\nNytt manus.\n\n## Bolig for alle\nUendret?\n\n## Et nytt lysark\n\n## Og ett til\nSlutt."
    response = coordinator.post(setting.url(set_id, "edit"), data={"title": "Nytt navn", "description": "",
                                                                   "slides": new_text})
    assert response.status_code == 302
    saved = setting.slide_set(set_id)
    assert saved["title"] == "Nytt navn"
    assert saved["slides"] == [(1, "Seks råd", "Nytt manus."), (2, "Bolig for alle", "Uendret?"),
                               (3, "Et nytt lysark", ""), (4, "Og ett til", "Slutt.")]
    with setting.app.app_context():
        assert db.session.get(Slide, first_row).title == "Seks råd"  # rows are rewritten in place
    response = coordinator.post(setting.url(set_id, "edit"), data={"title": "Nytt navn", "slides": "## Kun én"})
    assert response.status_code == 302
    assert setting.slide_set(set_id)["slides"] == [(1, "Kun én", "")]
    assert count(setting.app, Slide) == 1


def test_a_new_file_replaces_the_old_one(setting, coordinator):
    set_id = setting.add_set(upload=Upload("gammel.pdf", pdf_bytes()))
    old_file = setting.slide_set(set_id)["file_id"]
    response = coordinator.post(setting.url(set_id, "edit"), data=multipart(
        {"title": "Sett", "slides": SLIDES}, (PPTX, "ny.pptx")), content_type="multipart/form-data")
    assert response.status_code == 302
    assert setting.slide_set(set_id)["file"] == ("ny.pptx", PPTX_TYPE)
    with setting.app.app_context():
        assert db.session.get(StoredFile, old_file) is None
    assert count(setting.app, StoredFile) == 1


def test_the_file_can_be_removed_but_not_from_a_set_without_slides(setting, coordinator):
    set_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    page = text(coordinator.get(setting.url(set_id, "edit")))
    assert "Filen som ligger der nå: lysark.pdf (PDF, 1\u00a0kB)" in page
    response = coordinator.post(setting.url(set_id, "edit"), data={"title": "Sett", "slides": "", "remove_file": "y"})
    assert response.status_code == 422
    assert field_error(response, "slides") == "Legg inn minst ett lysark med manus, eller last opp en fil."
    assert setting.slide_set(set_id)["file_id"] is not None and len(setting.slide_set(set_id)["slides"]) == 3
    response = coordinator.post(setting.url(set_id, "edit"), data={"title": "Sett", "slides": SLIDES, "remove_file": "y"})
    assert response.status_code == 302
    assert setting.slide_set(set_id)["file_id"] is None
    assert count(setting.app, StoredFile) == 0


def test_keeping_the_file_and_dropping_every_slide_is_allowed(setting, coordinator):
    set_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    response = coordinator.post(setting.url(set_id, "edit"), data={"title": "Bare fil", "slides": ""})
    assert response.status_code == 302
    assert setting.slide_set(set_id)["slides"] == [] and setting.slide_set(set_id)["file_id"] is not None


def test_a_bad_upload_while_editing_changes_nothing(setting, coordinator):
    set_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    before = setting.slide_set(set_id)
    response = coordinator.post(setting.url(set_id, "edit"), data=multipart(
        {"title": "Nytt navn", "description": "Ny tekst", "slides": "## Annet"}, (DOCX, "notat.docx")),
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "file") == "Filtypen er ikke tillatt. Last opp PDF, PowerPoint."
    assert input_value(response, "title") == "Nytt navn"
    assert textarea_value(response, "slides") == "## Annet"
    assert setting.slide_set(set_id) == before
    assert count(setting.app, StoredFile) == 1


def test_deleting_a_set_deletes_its_slides_and_file_and_keeps_versions(setting, coordinator, login):
    ks_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    hamar_id = setting.add_set("Boligpolitikk i Hamar", organisation_id=setting.hamar.id, based_on_id=ks_id)
    page = text(coordinator.get(setting.url(ks_id, "edit")))
    assert "1 tilpasset versjon bygger på settet." in page
    response = coordinator.post(setting.url(ks_id, "delete"), data={"confirmed": "1"})
    assert response.status_code == 302
    assert setting.slide_set(ks_id) is None
    assert count(setting.app, StoredFile) == 0
    assert count(setting.app, Slide) == 3  # Hamar's own
    assert setting.slide_set(hamar_id)["based_on_id"] is None
    page = text(coordinator.get(response.location))
    assert "Lysarksettet «Helhetlig boligpolitikk» er slettet." in page
    assert "1 tilpasset versjon bygde på settet. Den ligger fortsatt på ressurssiden." in page
    # Hamar's version now stands on its own on the resources page and its own page.
    assert "Boligpolitikk i Hamar" in page and "Tilpasset av Hamar" in page
    assert "Bygger på" not in text(login(setting.people["participant"]).get(setting.url(hamar_id)))


# --- the municipalities' versions -------------------------------------------------------


def test_a_municipality_adapts_a_set_starting_from_its_slides(setting, login):
    ks_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    contact = login(setting.people["contact"])
    form = contact.get(setting.url(ks_id, "adapt"))
    assert "Lag en versjon for Hamar" in text(form)
    assert input_value(form, "title") == "Helhetlig boligpolitikk"
    assert services.parse_slides(textarea_value(form, "slides")) == services.parse_slides(SLIDES)

    adapted_slides = SLIDES + "\n\n## 4. Slik gjør vi det i Hamar\n\nVis vårt eget eksempel."
    response = contact.post(setting.url(ks_id, "adapt"), data=multipart(
        {"title": "Boligpolitikk i Hamar", "description": "Kortere, med egne eksempler.", "slides": adapted_slides},
        (pdf_bytes(), "hamar.pdf")), content_type="multipart/form-data")
    assert response.status_code == 302
    with setting.app.app_context():
        version_id = db.session.scalar(select(SlideSet.id).where(SlideSet.based_on_id == ks_id))
    saved = setting.slide_set(version_id)
    assert saved["organisation_id"] == setting.hamar.id
    assert saved["created_by_id"] == setting.people["contact"].id
    assert saved["file"] == ("hamar.pdf", "application/pdf")
    assert saved["slides"][-1] == (4, "Slik gjør vi det i Hamar", "Vis vårt eget eksempel.")
    assert len(setting.slide_set(ks_id)["slides"]) == 3  # the original is untouched

    # Its own page says which set it adapts; the original lists it; the resources page shows it under the original.
    reader = login(setting.people["other_contact"])
    page = plain(reader.get(setting.url(version_id)))
    assert "Tilpasset av Hamar" in page and "Bygger på Helhetlig boligpolitikk (fra KS)" in page
    original = text(reader.get(setting.url(ks_id)))
    assert "Versjoner som bygger på dette settet" in original and "Boligpolitikk i Hamar" in original
    hub = main(reader.get(setting.base))
    versions = hub.split('class="resource-list resource-list--versions"')[1].split("</ul>")[0]
    assert "Boligpolitikk i Hamar" in versions and "Tilpasset av Hamar" in versions


def test_a_version_can_leave_out_the_slides_and_bring_only_a_file(setting, login):
    ks_id = setting.add_set()
    response = login(setting.people["participant"]).post(setting.url(ks_id, "adapt"), data=multipart(
        {"title": "Hamars lysark", "slides": ""}, (PPTX, "hamar.pptx")), content_type="multipart/form-data")
    assert response.status_code == 302
    with setting.app.app_context():
        version = db.session.scalar(select(SlideSet).where(SlideSet.based_on_id == ks_id))
        assert version.slides == [] and version.file.content_type == PPTX_TYPE


def test_a_bad_file_on_a_version_is_shown_and_nothing_saved(setting, login):
    ks_id = setting.add_set()
    response = login(setting.people["contact"]).post(setting.url(ks_id, "adapt"), data=multipart(
        {"title": "Hamars lysark", "description": "Vår tekst", "slides": "## Vår versjon"}, (EXE, "lysark.pdf")),
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_error(response, "file") == "Filtypen er ikke tillatt. Last opp PDF, PowerPoint."
    assert input_value(response, "title") == "Hamars lysark"
    assert textarea_value(response, "description") == "Vår tekst"
    assert count(setting.app, SlideSet) == 1 and count(setting.app, StoredFile) == 0


def test_a_version_of_a_version_is_listed_under_the_first_original(setting, login):
    ks_id = setting.add_set()
    hamar_id = setting.add_set("Hamars versjon", organisation_id=setting.hamar.id, based_on_id=ks_id)
    response = login(setting.people["other_contact"]).post(setting.url(hamar_id, "adapt"),
                                                          data={"title": "Lillehammers versjon", "slides": SLIDES})
    assert response.status_code == 302
    hub = main(login(setting.people["participant"]).get(setting.base))
    versions = unescape(hub.split('class="resource-list resource-list--versions"')[1].split("</ul>")[0])
    assert versions.index("Hamars versjon") < versions.index("Lillehammers versjon")
    assert "Tilpasset av Lillehammer, bygger på versjonen til Hamar" in " ".join(versions.split())
    page = plain(login(setting.people["participant"]).get(setting.url(hamar_id)))
    assert "Versjoner som bygger på dette settet Lillehammers versjon Tilpasset av Lillehammer" in page


def test_the_municipalitys_own_people_edit_and_delete_their_version(setting, login):
    ks_id = setting.add_set()
    hamar_id = setting.add_set("Hamars versjon", organisation_id=setting.hamar.id, based_on_id=ks_id)
    participant = login(setting.people["participant"])
    assert "Endre eller slett" in text(participant.get(setting.url(hamar_id)))
    assert "Endre eller slett" not in text(participant.get(setting.url(ks_id)))
    response = participant.post(setting.url(hamar_id, "edit"), data={"title": "Hamars nye versjon", "slides": "## Én"})
    assert response.status_code == 302
    assert setting.slide_set(hamar_id)["title"] == "Hamars nye versjon"
    other = login(setting.people["other_contact"])
    assert "Endre eller slett" not in text(other.get(setting.url(hamar_id)))
    assert other.post(setting.url(hamar_id, "delete"), data={"confirmed": "1"}).status_code == 403
    assert participant.post(setting.url(hamar_id, "delete"), data={"confirmed": "1"}).status_code == 302
    assert setting.slide_set(hamar_id) is None and setting.slide_set(ks_id) is not None


def test_a_withdrawn_municipality_can_no_longer_adapt_or_edit(setting, login):
    ks_id = setting.add_set()
    hamar_id = setting.add_set("Hamars versjon", organisation_id=setting.hamar.id, based_on_id=ks_id)
    with setting.app.app_context():
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == setting.network.id, Membership.organisation_id == setting.hamar.id))
        membership.status = MembershipStatus.WITHDRAWN
        db.session.commit()
    contact = login(setting.people["contact"])
    assert "Lag en versjon" not in text(contact.get(setting.url(ks_id)))
    assert contact.get(setting.url(ks_id, "adapt")).status_code == 403
    assert contact.post(setting.url(hamar_id, "edit"), data={"title": "X", "slides": "## X"}).status_code == 403
    assert setting.slide_set(hamar_id)["title"] == "Hamars versjon"


def test_people_outside_the_municipal_teams_see_no_adapt_button(setting, factory, login):
    ks_id = setting.add_set()
    # A Hamar person who only observes is not one of Hamar's own team.
    observer_from_hamar = factory.member_with_role(setting.network, RoleKind.OBSERVER, setting.hamar)
    for person in (setting.people["observer"], setting.people["coordinator"], observer_from_hamar):
        client = login(person)
        assert "Lag en versjon" not in text(client.get(setting.url(ks_id)))
        assert client.get(setting.url(ks_id, "adapt")).status_code == 403
    assert "Lag en versjon for Hamar" in text(login(setting.people["executive"]).get(setting.url(ks_id)))


# --- downloads --------------------------------------------------------------------------


def test_members_download_the_file_as_an_attachment(setting, login):
    data = pdf_bytes()
    set_id = setting.add_set(upload=Upload("Lysark Hamar.pdf", data))
    for role in ("participant", "observer", "other_contact", "coordinator", "admin"):
        response = login(setting.people[role]).get(setting.url(set_id, "file"))
        assert response.status_code == 200, role
        assert response.data == data
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "Lysark Hamar.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "private" in response.headers["Cache-Control"]
        assert "sandbox" in response.headers["Content-Security-Policy"]


def test_powerpoint_and_norwegian_names_survive_the_download(setting, login):
    set_id = setting.add_set(upload=Upload("Boligpolitikk Tromsø.pptx", PPTX))
    response = login(setting.people["participant"]).get(setting.url(set_id, "file"))
    assert response.headers["Content-Type"] == PPTX_TYPE
    assert "filename*=UTF-8''Boligpolitikk%20Troms%C3%B8.pptx" in response.headers["Content-Disposition"]


def test_outsiders_and_anonymous_cannot_download(setting, login, client):
    set_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    assert login(setting.people["outsider"]).get(setting.url(set_id, "file")).status_code == 403
    anonymous = client.get(setting.url(set_id, "file"))
    assert anonymous.status_code == 302 and urlsplit(anonymous.location).path == "/login"


# --- user text is shown, never run ------------------------------------------------------


def test_scripts_titles_and_descriptions_cannot_run_code(setting, coordinator, login):
    slides = ("## <script>alert('tittel')</script>\n\n<script>alert('manus')</script>\n\n"
              "[Klikk her](javascript:alert('lenke')) og <img src=x onerror=alert(1)>")
    response = coordinator.post(setting.new, data={
        "title": "<script>alert('sett')</script>", "description": "[Les mer](javascript:alert('beskrivelse'))",
        "slides": slides})
    assert response.status_code == 302
    participant = login(setting.people["participant"])
    for url in (response.location, setting.base):
        page = participant.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "javascript:" not in page
        assert "<img" not in page
    page = participant.get(response.location).get_data(as_text=True)
    assert "&lt;script&gt;alert('manus')&lt;/script&gt;" in page  # shown as text
    assert "&lt;script&gt;alert(&#39;tittel&#39;)&lt;/script&gt;" in page
    assert "Klikk her" in page and "Les mer" in page


# --- queries ----------------------------------------------------------------------------


def _add_municipal_versions(setting, ks_id: int, numbers: list[str]) -> None:
    for number in numbers:
        organisation = setting.factory.municipality(number)
        setting.factory.member(setting.network, organisation)
        setting.add_set(f"Versjon for {organisation.name}", upload=Upload("v.pdf", pdf_bytes()),
                        organisation_id=organisation.id, based_on_id=ks_id)


def test_resource_pages_query_count_does_not_grow_with_the_municipalities(setting, login):
    ks_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    setting.add_set("Hamars versjon", organisation_id=setting.hamar.id, based_on_id=ks_id)
    client = login(setting.people["participant"])
    urls = (setting.base, setting.url(ks_id))
    few = []
    for url in urls:
        with count_queries(setting.app) as statements:
            assert client.get(url).status_code == 200
        few.append(len(statements))
    _add_municipal_versions(setting, ks_id, ["3407", "3411", "3401", "4601", "1103", "5001"])
    for url, expected in zip(urls, few):
        with count_queries(setting.app) as statements:
            response = client.get(url)
        assert response.status_code == 200 and "Versjon for Bergen" in text(response)
        assert len(statements) == expected, url
    assert all("data" not in s.split("FROM")[0] for s in statements)  # no file bytes on a page


# --- CSRF -------------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_resource_forms_carry_and_need_the_csrf_token(setting, coordinator, login):
    ks_id = setting.add_set(upload=Upload("lysark.pdf", pdf_bytes()))
    for url in (setting.new, setting.url(ks_id, "edit"), setting.base + "/reports/new",
                setting.base + "/environments/new"):
        html = coordinator.get(url).get_data(as_text=True)
        forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
        assert forms, url
        assert all('name="csrf_token"' in form for form in forms), url
    contact = login(setting.people["contact"])
    assert 'name="csrf_token"' in contact.get(setting.url(ks_id, "adapt")).get_data(as_text=True)
    for client, url, data in ((coordinator, setting.new, {"title": "Uten token", "slides": SLIDES}),
                              (coordinator, setting.url(ks_id, "delete"), {}),
                              (contact, setting.url(ks_id, "adapt"), {"title": "Uten token", "slides": SLIDES}),
                              (coordinator, setting.base + "/reports/new", {"title": "Uten token", "kind": "report"})):
        assert client.post(url, data=data).status_code == 400, url
    assert count(setting.app, SlideSet) == 1
