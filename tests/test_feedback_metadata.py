"""Finding 5: an anonymous feedback attachment must not keep the author's name and address in its
metadata. Real files carrying an author (Word, Excel, PowerPoint, PDF, PNG, JPEG) are sent
anonymously through the form, and the stored attachment is searched for the name afterwards."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject
from sqlalchemy import select
from sqlalchemy.orm import undefer

from network.extensions import db
from network.feedback.models import Feedback, FeedbackAttachment
from network.files.services import detect_kind
from tests.factories import world
from tests.html import field_error, main

AUTHOR = "Kari Kildevern"
EMAIL = "kari.kildevern@hamar.kommune.no"
COMPANY = "Hamar kommune, boligkontoret"
SECRETS = (AUTHOR, EMAIL, COMPANY, "KKi")


# --- files that carry their author ------------------------------------------------------


def _ooxml(marker: str, content_type: str, body: dict[str, str]) -> bytes:
    """An Office file as Office writes it: document properties, and comments with their authors."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/{marker}" ContentType="{content_type}"/></Types>'))
        archive.writestr("docProps/core.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{EMAIL}</cp:lastModifiedBy>'
            '<dc:title>Lysark om boligpolitikk</dc:title></cp:coreProperties>'))
        archive.writestr("docProps/app.xml", (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f'<Company>{COMPANY}</Company><Manager>{AUTHOR}</Manager></Properties>'))
        archive.writestr("docProps/custom.xml", (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
            f'<property name="Saksbehandler"><vt:lpwstr>{EMAIL}</vt:lpwstr></property></Properties>'))
        for name, xml in body.items():
            archive.writestr(name, xml)
        archive.comment = AUTHOR.encode()
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", {
        "word/document.xml": '<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Innspill om lysarkene</w:t></w:r>'
                             f'</w:p><w:ins w:id="1" w:author="{AUTHOR}" w:date="2020-01-02T10:00:00Z"/></w:body></w:document>',
        "word/comments.xml": f'<w:comments xmlns:w="w"><w:comment w:id="0" w:author="{AUTHOR}" w:initials="KKi">'
                             '<w:p><w:r><w:t>Se her</w:t></w:r></w:p></w:comment></w:comments>',
        "word/people.xml": f'<w15:people xmlns:w15="w15"><w15:person w15:author="{AUTHOR}"><w15:presenceInfo '
                           f'w15:providerId="AD" w15:userId="{EMAIL}"/></w15:person></w15:people>',
    })


def pptx_bytes() -> bytes:
    return _ooxml("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", {
        "ppt/presentation.xml": "<p:presentation xmlns:p='p'/>",
        "ppt/commentAuthors.xml": f'<p:cmAuthorLst xmlns:p="p"><p:cmAuthor id="0" name="{AUTHOR}" initials="KKi" '
                                  'lastIdx="1" clrIdx="0"/></p:cmAuthorLst>',
    })


def xlsx_bytes() -> bytes:
    """Written by openpyxl, with a creator and a comment by the author."""
    workbook = Workbook()
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = EMAIL
    sheet = workbook.active
    sheet["A1"] = "Antall boliger"
    sheet["A1"].comment = Comment("Tall fra 2019", AUTHOR)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A one-page PDF with the author in its information dictionary and in uncompressed XMP."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": COMPANY, "/Title": "Innspill", "/Subject": EMAIL})
    xmp = StreamObject()
    xmp.set_data((
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/'
        f'elements/1.1/"><dc:creator>{AUTHOR}</dc:creator><dc:rights>{EMAIL}</dc:rights></rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode())
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = AUTHOR          # Artist
    exif[0x8298] = EMAIL           # Copyright
    exif[0x010F] = COMPANY         # Make
    return exif


def png_bytes() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Comment", EMAIL)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG", pnginfo=info, exif=_exif())
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(buffer, "JPEG", exif=_exif(), comment=AUTHOR.encode())
    return buffer.getvalue()


FILES = [
    ("innspill.docx", docx_bytes),
    ("tall.xlsx", xlsx_bytes),
    ("lysark.pptx", pptx_bytes),
    ("innspill.pdf", pdf_bytes),
    ("bilde.png", png_bytes),
    ("bilde.jpg", jpeg_bytes),
]


def everything_in(data: bytes) -> str:
    """The file's bytes as text, and for a ZIP every member decompressed, and its comment."""
    parts = [data.decode("latin-1")]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts.append(archive.comment.decode("latin-1"))
            parts += [archive.read(name).decode("latin-1") for name in archive.namelist()]
    return "\n".join(parts)


def _visible(data: bytes) -> bool:
    return any(secret in everything_in(data) for secret in SECRETS)


# --- the tests --------------------------------------------------------------------------


@pytest.fixture
def network_and_person(app, factory):
    network, _, _, people = world(factory)
    return network, people["participant"]


def _send(login, network, person, filename, data, anonymous=True):
    form = {"topic": "slides", "works": "Vedlagt er et innspill.", "attachment": (io.BytesIO(data), filename)}
    if anonymous:
        form["anonymous"] = "y"
    return login(person).post(f"/networks/{network.id}/feedback/new", data=form, content_type="multipart/form-data")


def _stored(app) -> list[tuple[Feedback, FeedbackAttachment]]:
    with app.app_context():
        rows = db.session.execute(
            select(Feedback, FeedbackAttachment).join(FeedbackAttachment.feedback)
            .options(undefer(FeedbackAttachment.data))).all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("filename, make", FILES, ids=[row[0] for row in FILES])
def test_anonymous_attachment_loses_its_author(app, network_and_person, login, filename, make):
    network, person = network_and_person
    original = make()
    assert _visible(original), "the test file must carry the author to begin with"
    response = _send(login, network, person, filename, original)
    assert response.status_code == 302, main(response)
    [(feedback, attachment)] = _stored(app)
    assert feedback.anonymous
    assert not _visible(attachment.data), f"{filename} still names its author"
    assert attachment.size == len(attachment.data)
    # Still the same kind of file, and still readable.
    assert detect_kind(attachment.data) == detect_kind(original)
    if filename.endswith(".pdf"):
        reader = PdfReader(io.BytesIO(attachment.data))
        assert len(reader.pages) == 1 and reader.metadata is None and "/Metadata" not in reader.trailer["/Root"]
    elif filename.endswith((".png", ".jpg")):
        with Image.open(io.BytesIO(attachment.data)) as picture:
            assert picture.size == (40, 30) and not picture.getexif() and "comment" not in picture.info
    else:
        with zipfile.ZipFile(io.BytesIO(attachment.data)) as archive:
            assert archive.testzip() is None
            assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert "Antall boliger" in everything_in(attachment.data) or filename != "tall.xlsx"


def test_named_attachment_is_kept_as_sent(app, network_and_person, login):
    network, person = network_and_person
    original = docx_bytes()
    assert _send(login, network, person, "innspill.docx", original, anonymous=False).status_code == 302
    [(feedback, attachment)] = _stored(app)
    assert not feedback.anonymous and attachment.data == original


@pytest.mark.parametrize("filename", ["gammel.doc", "regneark.xls", "lysark.ppt"])
def test_old_office_files_are_refused_for_anonymous_feedback_with_a_clear_message(app, network_and_person, login,
                                                                                  filename):
    network, person = network_and_person
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
    response = _send(login, network, person, filename, ole)
    assert response.status_code == 422
    assert "kan ikke renses" in field_error(response, "attachment")
    assert _stored(app) == []


def test_a_damaged_file_that_cannot_be_cleaned_is_refused(app, network_and_person, login):
    network, person = network_and_person
    broken = pdf_bytes()[:-200].replace(b"/Root", b"/Rooz")
    response = _send(login, network, person, "ødelagt.pdf", broken)
    assert response.status_code == 422
    assert field_error(response, "attachment")
    assert _stored(app) == []


def test_the_form_says_that_anonymous_attachments_are_cleaned(network_and_person, login):
    network, person = network_and_person
    page = main(login(person).get(f"/networks/{network.id}/feedback/new"))
    assert "fjerner vi opplysninger om forfatter" in page
