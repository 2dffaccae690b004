"""Importing a network's archive from the web: a KS administrator uploads the ZIP, sees what it
holds and what would stop it, and then confirms.

Between the two steps the upload is kept in the database (a ``stored_file`` row owned by the
administrator), not on the web server's disk: the confirmation may reach another worker or another
machine, and a row goes away with the transaction that imports it. Re-posting the ZIP from the
browser would send up to a gigabyte twice; signing it into the page would put it in the HTML.
Rows left behind by an upload that was never confirmed are removed at the administrator's next
upload, and a confirmation later than ``PENDING_FOR`` is refused.

The checks are the command line's (``importer.read_archive``, ``flatten`` and the import itself,
all or nothing); the preview only reads, and the import runs them all again.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import undefer

from network.archive import importer
from network.archive.services import ArchiveError
from network.auth.models import Person, normalise_email
from network.extensions import db
from network.files.models import StoredFile
from network.main import clock

# Marks the pending upload among stored files: no other upload is stored as a ZIP.
PENDING_TYPE = "application/zip"
PENDING_FOR = timedelta(hours=2)


@dataclass
class Preview:
    network_name: str
    starts_on: date | None
    ends_on: date | None
    counts: list[tuple[str, int]]
    people_here: int                      # people in the archive who already have an account here
    people_new: int                       # the others, who get an account without a password
    refusals: list[str] = field(default_factory=list)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def preview(data: bytes) -> Preview:
    """What the archive would import, read and checked without writing. Raises ``ArchiveError``
    for an archive the command line would refuse to read; reasons the installation refuses it
    (it already has a network) are in ``refusals``."""
    archive = importer.read_archive(BytesIO(data))
    rows, _links = importer.flatten(archive)
    network = rows["network"][0]
    labels = (
        ("gatherings", _("Samlinger")), ("organisations", _("Organisasjoner")), ("memberships", _("Medlemmer")),
        ("people", _("Personer")), ("registrations", _("Påmeldinger")), ("assignments", _("Oppgaver")),
        ("submissions", _("Besvarelser")), ("feedback", _("Tilbakemeldinger")),
        ("evaluation_responses", _("Svar på evalueringer")),
    )
    counts = [(label, len(rows[name])) for name, label in labels]
    counts.append((_("Filer"), len(archive.blobs)))
    emails = {normalise_email(r["email"]) for r in rows["people"] if isinstance(r.get("email"), str)}
    people_here = db.session.scalar(select(func.count()).select_from(Person).where(Person.email.in_(emails))) if emails else 0
    refusals = []
    if not importer.installation_is_empty(db.session.connection()):
        refusals.append(_("Installasjonen har allerede et nettverk. Et arkiv kan bare leses inn i en tom installasjon."))
    return Preview(str(network.get("name") or ""), _date(network.get("starts_on")), _date(network.get("ends_on")),
                   counts, people_here, len(rows["people"]) - people_here, refusals)


def keep_pending(data: bytes, filename: str, person) -> StoredFile:
    """Keep the upload until it is confirmed, in place of this administrator's earlier ones."""
    db.session.execute(delete(StoredFile).where(StoredFile.uploaded_by_id == person.id,
                                                StoredFile.content_type == PENDING_TYPE))
    stored = StoredFile(filename=(filename or "arkiv.zip")[:255], content_type=PENDING_TYPE, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), data=data, uploaded_by_id=person.id)
    db.session.add(stored)
    db.session.flush()
    return stored


def pending(upload_id: int, person) -> StoredFile | None:
    """The administrator's own pending upload, if it is still fresh."""
    stored = db.session.scalar(select(StoredFile).where(
        StoredFile.id == upload_id, StoredFile.uploaded_by_id == person.id,
        StoredFile.content_type == PENDING_TYPE).options(undefer(StoredFile.data)))
    if stored is None or stored.created_at < clock.utc_now() - PENDING_FOR:
        return None
    return stored


def import_pending(stored: StoredFile) -> importer.ImportResult:
    """Import the kept upload with every check of the command line, and forget it, in the
    caller's transaction: either both happen or neither. Raises ``ArchiveError``."""
    result = importer.import_archive(BytesIO(stored.data))
    db.session.execute(delete(StoredFile).where(StoredFile.id == stored.id))
    return result


__all__ = ["ArchiveError", "Preview", "import_pending", "keep_pending", "pending", "preview"]
