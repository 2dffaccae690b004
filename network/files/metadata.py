"""Strip what a file says about its author before it is kept as an anonymous attachment.

Office documents, PDFs and pictures carry more than their visible content: the author's name and
e-mail, the organisation, the names of those who commented or tracked changes, when it was edited,
the camera and place of a photo. Anonymous feedback must not keep any of that, so its attachment is
rewritten here, or refused when it can't be cleaned.

- OOXML (docx, xlsx, pptx) is a ZIP: it is written anew with empty document properties (core, app
  and custom), the names and initials of comment and revision authors blanked, pictures inside it
  cleaned as below, and every entry given the same fixed date, no extra fields and no ZIP comment.
- PDF: the document information dictionary and every XMP metadata stream are removed, and the file
  is written anew, so no earlier revision with the old values is left in it.
- PNG and JPEG: the pixels are copied into a new picture, which drops EXIF, XMP, ICC, comments and
  text chunks. An EXIF rotation is applied first, so the picture still looks the same.
- Old binary Office formats (doc, xls, ppt) are not cleaned: they are refused.
"""
from __future__ import annotations

import re
import zipfile
from io import BytesIO

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from network.files.services import DOCUMENTS, DOCX, JPEG, PDF, PNG, PPTX, XLSX, FileKind, detect_kind

# An OLE compound file: .doc, .xls, .ppt (and .msg) from before Office 2007.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Empty, valid replacements for the three property parts, so the package's relationships still hold.
EMPTY_PARTS = {
    "docprops/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        b'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "docprops/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
    "docprops/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
}
# Who wrote a comment or a tracked change, in Word (w:author, w15:author, w15:userId …), Excel's
# threaded comments (displayName, userId) and PowerPoint's modern comments.
_AUTHOR_ATTRIBUTES = re.compile(
    rb'(\s(?:[\w.-]+:)?(?:author|initials|userId|providerId|displayName)\s*=\s*)("[^"]*"|\'[^\']*\')'
)
# Excel's legacy comments list their authors as elements: <authors><author>Kari</author></authors>.
_AUTHOR_ELEMENTS = re.compile(rb"(<(?:[\w.-]+:)?author>)[^<]*(</(?:[\w.-]+:)?author>)")
# PowerPoint's comment authors: <p:cmAuthor id="0" name="Kari" initials="KN" …/>; only in these parts
# is a name attribute a person's (elsewhere it names sheets, styles and ranges).
_PERSON_PARTS = re.compile(r"(^|/)(commentauthors|authors|people|persons?)\d*\.xml$")
_NAME_ATTRIBUTE = re.compile(rb'(\sname\s*=\s*)("[^"]*"|\'[^\']*\')')
# A date every entry of a rewritten ZIP gets: the earliest a ZIP can hold, so it tells nothing.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class CleaningError(ValueError):
    """The file can't be cleaned; the message is shown on the form."""

    @staticmethod
    def legacy_message() -> str:
        return _("Eldre Office-filer (.doc, .xls, .ppt) kan ikke renses for opplysninger om forfatteren, og kan "
                 "derfor ikke sendes anonymt. Lagre filen som .docx, .xlsx, .pptx eller PDF og prøv igjen.")


def is_legacy_office(data: bytes) -> bool:
    return data.startswith(OLE_SIGNATURE)


def strip_metadata(data: bytes, kind: FileKind | None = None) -> bytes:
    """The file without its metadata; ``CleaningError`` when that can't be done."""
    if is_legacy_office(data):
        raise CleaningError(CleaningError.legacy_message())
    kind = kind or detect_kind(data)
    try:
        if kind in (DOCX, XLSX, PPTX):
            return _clean_ooxml(data)
        if kind is PDF:
            return _clean_pdf(data)
        if kind in (PNG, JPEG):
            return _clean_image(data, kind)
    except CleaningError:
        raise
    except Exception:  # a damaged or unusual file: refuse it rather than keep what might name the sender
        raise CleaningError(_(
            "Vi klarte ikke å fjerne opplysningene om forfatteren fra filen, så den kan ikke sendes anonymt. "
            "Lagre den på nytt, for eksempel som PDF, og prøv igjen.")) from None
    raise CleaningError(_("Filtypen kan ikke renses for opplysninger om forfatteren. Last opp %(kinds)s.",
                          kinds=", ".join(k.label for k in DOCUMENTS)))


# --- Office Open XML ----------------------------------------------------------------------


def _clean_xml_part(name: str, content: bytes) -> bytes:
    content = _AUTHOR_ATTRIBUTES.sub(rb'\1""', content)
    content = _AUTHOR_ELEMENTS.sub(rb"\1\2", content)
    if _PERSON_PARTS.search(name):
        content = _NAME_ATTRIBUTE.sub(rb'\1""', content)
    return content


def _clean_ooxml(data: bytes) -> bytes:
    output = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.is_dir():
                continue
            name = entry.filename
            lower = name.lower()
            content = source.read(entry)
            if lower in EMPTY_PARTS:
                content = EMPTY_PARTS[lower]
            elif lower.endswith((".xml", ".rels", ".vml")):
                content = _clean_xml_part(lower, content)
            elif lower.endswith((".png", ".jpg", ".jpeg")):
                picture = detect_kind(content)
                if picture in (PNG, JPEG):
                    content = _clean_image(content, picture)
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return output.getvalue()


# --- PDF -----------------------------------------------------------------------------------


def _drop_metadata_streams(obj, seen: set[int]) -> None:
    """Remove /Metadata (XMP) and /PieceInfo (an editor's private data) from every dictionary."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key in ("/Metadata", "/PieceInfo"):
            if key in obj:
                del obj[NameObject(key)]
        for value in list(obj.values()):
            _drop_metadata_streams(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _drop_metadata_streams(value, seen)


def _clean_pdf(data: bytes) -> bytes:
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CleaningError(_("PDF-filen er passordbeskyttet. Fjern passordet og prøv igjen."))
        writer = PdfWriter(clone_from=reader)
    except PyPdfError:
        raise CleaningError(_("PDF-filen kunne ikke leses. Lagre den på nytt og prøv igjen.")) from None
    writer.metadata = None
    _drop_metadata_streams(writer.root_object, set())
    # What nothing refers to any longer (the old information dictionary and XMP) is not written.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


# --- pictures ------------------------------------------------------------------------------


def _clean_image(data: bytes, kind: FileKind) -> bytes:
    try:
        with Image.open(BytesIO(data)) as picture:
            picture.load()
            upright = ImageOps.exif_transpose(picture)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise CleaningError(_("Bildet kunne ikke leses. Lagre det på nytt og prøv igjen.")) from None
    if upright.mode == "P":
        upright = upright.convert("RGBA" if kind is PNG else "RGB")
    if kind is JPEG and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    # Only the pixels go into the new picture: no info, so nothing of the old file's metadata is written.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    output = BytesIO()
    if kind is JPEG:
        clean.save(output, "JPEG", quality=92)
    else:
        clean.save(output, "PNG", optimize=True)
    return output.getvalue()
