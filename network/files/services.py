"""Check an upload's size and real type (from its content, not its name), then store it."""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO

import puremagic
from flask import current_app
from flask_babel import gettext as _

from network.extensions import db
from network.files.models import StoredFile


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", "application/pdf", (".pdf",))
PNG = FileKind("PNG", "image/png", (".png",))
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileKind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind("PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
DOCUMENTS = (PDF, DOCX, XLSX, PPTX, PNG, JPEG)

# An Office file is a ZIP; the part that names its kind tells Word, Excel and PowerPoint apart.
_OFFICE_MARKERS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}


class UploadError(ValueError):
    """The upload was refused; the message is shown on the form."""


def _office_kind(data: bytes) -> FileKind | None:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return None
    return next((kind for marker, kind in _OFFICE_MARKERS.items() if marker in names), None)


def detect_kind(data: bytes) -> FileKind | None:
    """The file's kind, judged by its bytes."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    try:
        mime = puremagic.from_string(data, mime=True)
    except puremagic.PureError:
        return None
    return next((kind for kind in DOCUMENTS if kind.content_type == mime), None)


def safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ()æøåÆØÅ]", "_", name).strip(" .")
    return name[:200] or "fil"


def check_upload(filename: str, data: bytes, allowed: tuple[FileKind, ...] = DOCUMENTS) -> tuple[str, FileKind]:
    """The upload's safe name and real kind, or ``UploadError`` when it is empty, too large or of a refused kind."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if not data:
        raise UploadError(_("Filen er tom."))
    if len(data) > limit:
        raise UploadError(_("Filen er for stor. Største tillatte størrelse er %(mb)s MB.", mb=limit // (1024 * 1024)))
    kind = detect_kind(data)
    if kind is None or kind not in allowed:
        raise UploadError(_("Filtypen er ikke tillatt. Last opp %(kinds)s.", kinds=", ".join(k.label for k in allowed)))
    name = safe_filename(filename)
    if not name.lower().endswith(kind.extensions):
        name = f"{name}{kind.extensions[0]}"
    return name, kind


def store_upload(filename: str, data: bytes, uploaded_by_id: int | None, allowed: tuple[FileKind, ...] = DOCUMENTS) -> StoredFile:
    name, kind = check_upload(filename, data, allowed)
    stored = StoredFile(
        filename=name, content_type=kind.content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by_id=uploaded_by_id,
    )
    db.session.add(stored)
    return stored
