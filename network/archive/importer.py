"""Import a network's archive into an empty installation.

First the whole archive is checked without touching the database: the sizes its entries declare
(each, all together, and how tightly each is packed) before anything is unpacked, then each entry
read no further than its declared size allows; the format and its version, every file against the
manifest's sha256 (found by that sha256, whatever its name), the JSON, the counts, and every value
against the forms' rules. Then everything is written inside one savepoint; any fault rolls all of it back.
Counties, organisations and people that already exist are matched by their natural keys
(county number; municipality number, county authority's county, organisation number or name;
e-mail), and people created here have no password: they choose one with "forgot password".
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from network.archive import services
from network.archive.services import KINDS, KINDS_BY_NAME, ArchiveError, Kind
from network.auth.models import Person, normalise_email
from network.extensions import db
from network.main import page_cache
from network.networks.models import Network
from network.organisations.models import County, Organisation, OrganisationKind

MISSING = object()
# Archives written before uploaded files kept their own names: files/<sha256>.
LEGACY_FILE_NAME = re.compile(r"[0-9a-f]{64}")


@dataclass
class Archive:
    manifest: dict
    documents: dict[str, dict]   # JSON file → its content
    blobs: dict[str, bytes]      # sha256 → uploaded file


@dataclass
class ImportResult:
    network_id: int
    network_name: str
    counts: dict[str, int]
    matched: dict[str, int] = field(default_factory=dict)  # kind → records that already existed


# --- reading and checking -------------------------------------------------------------


def _load_json(data: bytes, path: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ArchiveError(_("Filen %(path)s i arkivet er ikke gyldig JSON.", path=path)) from None


CHUNK = 1024 * 1024
RATIO_FROM = 1024 * 1024  # smaller entries may be packed as tightly as they like


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{-(-size // 1024)} kB"
    return f"{-(-size // (1024 * 1024))} MB"


# The compression methods an exported archive uses; zipfile can't read some others at all.
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _check_methods(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse encrypted entries and other compression methods before reading any of them."""
    for info in infos:
        if info.flag_bits & 0x1:
            raise ArchiveError(_("Arkivet er kryptert: %(path)s.", path=info.filename))
        if info.compress_type not in READABLE_METHODS:
            raise ArchiveError(_("%(path)s i arkivet er pakket på en måte som ikke kan leses her.", path=info.filename))


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse, from the ZIP's directory alone, an archive that would unpack to too much."""
    config = current_app.config
    if len(infos) > config["ARCHIVE_MAX_ENTRIES"]:
        raise ArchiveError(_("Arkivet har for mange filer: %(n)s, mer enn grensen på %(max)s.",
                             n=len(infos), max=config["ARCHIVE_MAX_ENTRIES"]))
    total = 0
    for info in infos:
        if info.file_size > config["ARCHIVE_MAX_ENTRY_BYTES"]:
            raise ArchiveError(_("Filen %(path)s i arkivet er for stor: %(size)s pakket ut, mer enn grensen på "
                                 "%(max)s.", path=info.filename, size=_megabytes(info.file_size),
                                 max=_megabytes(config["ARCHIVE_MAX_ENTRY_BYTES"])))
        if info.file_size > RATIO_FROM and info.file_size > config["ARCHIVE_MAX_RATIO"] * max(info.compress_size, 1):
            raise ArchiveError(_("Filen %(path)s i arkivet er pakket sammen mer enn %(ratio)s ganger, slik en "
                                 "ZIP-bombe er. Den leses ikke.", path=info.filename, ratio=config["ARCHIVE_MAX_RATIO"]))
        total += info.file_size
    if total > config["ARCHIVE_MAX_TOTAL_BYTES"]:
        raise ArchiveError(_("Arkivet er for stort: %(size)s pakket ut til sammen, mer enn grensen på %(max)s.",
                             size=_megabytes(total), max=_megabytes(config["ARCHIVE_MAX_TOTAL_BYTES"])))


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry, read in pieces and never past its declared size, which ``_check_sizes`` has judged:
    an entry that unpacks to more than its header says is refused."""
    chunks, size = [], 0
    with archive.open(info) as entry:
        while chunk := entry.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise ArchiveError(_("Filen %(path)s i arkivet er større enn arkivet sier. Den leses ikke.",
                                     path=info.filename))
            chunks.append(chunk)
    if size != info.file_size:
        raise ArchiveError(_("Filen %(path)s i arkivet stemmer ikke med størrelsen arkivet oppgir.", path=info.filename))
    return b"".join(chunks)


def _packed_size(source: str | IO[bytes]) -> int:
    if isinstance(source, str):
        return os.path.getsize(source)
    here = source.tell()
    size = source.seek(0, os.SEEK_END)
    source.seek(here)
    return size


def read_archive(source: str | IO[bytes]) -> Archive:
    """The archive's content, checked against its manifest. Raises ``ArchiveError``."""
    # A ZIP larger than all it may unpack to is refused before even its directory is read.
    packed, limit = _packed_size(source), current_app.config["ARCHIVE_MAX_TOTAL_BYTES"]
    if packed > limit:
        raise ArchiveError(_("Arkivet er for stort: %(size)s, mer enn grensen på %(max)s til sammen.",
                             size=_megabytes(packed), max=_megabytes(limit)))
    try:
        with zipfile.ZipFile(source) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            names = [info.filename for info in infos]
            if len(names) != len(set(names)):
                raise ArchiveError(_("Arkivet har samme fil mer enn én gang."))
            _check_methods(infos)
            _check_sizes(infos)
            contents = {info.filename: _read(archive, info) for info in infos}
    except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
        raise ArchiveError(_("Filen er ikke et ZIP-arkiv, eller den er skadet.")) from None

    if services.MANIFEST not in contents:
        raise ArchiveError(_("Arkivet mangler %(path)s.", path=services.MANIFEST))
    manifest = _load_json(contents.pop(services.MANIFEST), services.MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != services.FORMAT:
        raise ArchiveError(_("Filen er ikke et arkiv for et nettverk."))
    if manifest.get("version") != services.VERSION:
        raise ArchiveError(_("Arkivet har formatversjon %(found)s, men denne installasjonen kan bare lese versjon "
                             "%(known)s.", found=manifest.get("version"), known=services.VERSION))
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not all(isinstance(v, str) for v in listed.values()):
        raise ArchiveError(_("Manifestet i arkivet er ufullstendig."))

    missing = sorted(set(listed) - set(contents))
    if missing:
        raise ArchiveError(_("Filen %(path)s mangler i arkivet.", path=missing[0]))
    unlisted = sorted(set(contents) - set(listed))
    if unlisted:
        raise ArchiveError(_("Filen %(path)s i arkivet står ikke i manifestet.", path=unlisted[0]))
    for path, data in contents.items():
        if hashlib.sha256(data).hexdigest() != listed[path]:
            raise ArchiveError(_("Filen %(path)s er endret etter eksporten (kontrollsummen stemmer ikke).", path=path))

    blobs = {}
    for path, data in contents.items():
        if path.startswith(services.FILES_DIR):
            # Files are found by their content's sha256 (checked against the manifest above). Archives
            # written before the files kept their own names named them by that sha256.
            digest = hashlib.sha256(data).hexdigest()
            name = path[len(services.FILES_DIR):]
            if LEGACY_FILE_NAME.fullmatch(name) and name != digest:
                raise ArchiveError(_("Filen %(path)s stemmer ikke med navnet sitt.", path=path))
            blobs[digest] = data

    documents = {}
    for path in services.json_files():
        if path not in contents:
            raise ArchiveError(_("Filen %(path)s mangler i arkivet.", path=path))
        document = _load_json(contents[path], path)
        if not isinstance(document, dict):
            raise ArchiveError(_("Filen %(path)s i arkivet er ikke gyldig JSON.", path=path))
        documents[path] = document
    return Archive(manifest, documents, blobs)


def _where(kind: Kind, record: dict) -> str:
    return f"{kind.name} {record.get('id', '')}".strip()


def flatten(archive: Archive) -> tuple[dict[str, list[dict]], dict[tuple[str, str], list[tuple]]]:
    """Every record by kind, in the archive's order, with nested records given their parent's id;
    and the many-to-many lists as (own id, other id) pairs."""
    rows: dict[str, list[dict]] = {kind.name: [] for kind in KINDS}
    links: dict[tuple[str, str], list[tuple]] = {(kind.name, link.key): [] for kind in KINDS for link in kind.links}

    anonymous_records = 0

    def take(kind: Kind, record, parent_id=None) -> None:
        nonlocal anonymous_records
        if not isinstance(record, dict):
            raise ArchiveError(_("%(where)s: posten er ikke et JSON-objekt.", where=kind.name))
        record = dict(record)
        found = sorted(kind.forbidden & set(record))
        if found:
            raise ArchiveError(_("%(where)s: arkivet sier hvem som har svart på en evaluering (feltet «%(field)s»). "
                                 "Evalueringer er anonyme, så et slikt arkiv leses ikke inn.",
                                 where=kind.name, field=found[0]))
        if kind.anonymous:
            # A key that links the record to its nested records inside this import only.
            anonymous_records += 1
            record["id"] = f"#{anonymous_records}"
        nested = {}
        for child in services.children(kind):
            value = record.pop(child.record_key, MISSING)
            if not isinstance(value, list):
                raise ArchiveError(_("%(where)s: feltet «%(field)s» mangler eller er ikke en liste.",
                                     where=_where(kind, record), field=child.record_key))
            nested[child] = value
        for link in kind.links:
            value = record.pop(link.key, MISSING)
            if not isinstance(value, list):
                raise ArchiveError(_("%(where)s: feltet «%(field)s» mangler eller er ikke en liste.",
                                     where=_where(kind, record), field=link.key))
            links[(kind.name, link.key)].extend((record.get("id"), other) for other in value)
        if kind.nested:
            record[kind.parent_column] = parent_id
        rows[kind.name].append(record)
        for child, values in nested.items():
            for value in values:
                take(child, value, record.get("id"))

    for path, document in archive.documents.items():
        for kind in services.top_level(path):
            if kind.name == "network":
                take(kind, document.get("network"))
                continue
            values = document.get(kind.record_key, MISSING)
            if not isinstance(values, list):
                raise ArchiveError(_("%(where)s: feltet «%(field)s» mangler eller er ikke en liste.",
                                     where=path, field=kind.record_key))
            for value in values:
                take(kind, value)

    counts = archive.manifest.get("counts")
    if not isinstance(counts, dict) or any(counts.get(name) != len(found) for name, found in rows.items()):
        raise ArchiveError(_("Antallet poster i arkivet stemmer ikke med manifestet."))
    if len(rows["network"]) != 1:
        raise ArchiveError(_("Arkivet må inneholde nøyaktig ett nettverk."))
    return rows, links


# --- writing --------------------------------------------------------------------------


def _references(kind: Kind) -> dict[str, str]:
    refs = dict(kind.references)
    if kind.nested:
        refs[kind.parent_column] = kind.parent
    return refs


def insert_order() -> list[str]:
    graph = {kind.name: {target for target in _references(kind).values() if target != kind.name} for kind in KINDS}
    return list(TopologicalSorter(graph).static_order())


class Writer:
    def __init__(self, archive: Archive, connection):
        self.blobs = archive.blobs
        self.connection = connection
        self.ids: dict[str, dict] = {kind.name: {} for kind in KINDS}  # kind → exported id → new id
        self.matched: dict[str, int] = {}

    def new_id(self, target: str, old, where: str, field_name: str):
        try:
            return self.ids[target][old]
        except (KeyError, TypeError):
            raise ArchiveError(_("%(where)s: feltet «%(field)s» viser til en post som ikke finnes i arkivet.",
                                 where=where, field=field_name)) from None

    def values(self, kind: Kind, record: dict) -> dict:
        """The row to insert: every column converted, references translated to the new ids."""
        where = _where(kind, record)
        columns = {column.name: column for column in kind.columns}
        refs = _references(kind)
        if kind.nested:
            columns[kind.parent_column] = kind.table.c[kind.parent_column]
        binary = {column.name for column in kind.binary}
        allowed = set(columns) | ({"sha256", "file"} if binary else set()) | ({"id"} if kind.anonymous else set())
        unknown = sorted(set(record) - allowed)
        if unknown:
            raise ArchiveError(_("%(where)s: ukjent felt «%(field)s».", where=where, field=unknown[0]))
        values = {}
        when_missing = dict(kind.when_missing)
        for name, column in columns.items():
            if kind.numbered and name == "id":
                continue
            if name not in record and name in when_missing:
                value = services.from_json(column, when_missing[name](record), where)
                services.check_value(kind, column, value, where)
                values[name] = value
                continue
            if name in binary:
                data = self.blobs.get(record.get("sha256"))
                if data is None:
                    raise ArchiveError(_("%(where)s: filen det vises til, mangler i arkivet.", where=where))
                if "size" in columns and record.get("size") != len(data):
                    raise ArchiveError(_("%(where)s: filens størrelse stemmer ikke.", where=where))
                values[name] = data
                continue
            if name not in record:
                if column.default is not None and column.default.is_scalar:
                    values[name] = column.default.arg
                elif column.nullable:
                    values[name] = None
                else:
                    raise ArchiveError(_("%(where)s: feltet «%(field)s» mangler.", where=where, field=name))
                continue
            value = services.from_json(column, record[name], where)
            services.check_value(kind, column, value, where)
            if name in refs and value is not None and refs[name] != kind.name:
                value = self.new_id(refs[name], value, where, name)
            values[name] = value
        if kind.anonymous:
            values["id"] = kind.table.c.id.default.arg(None)  # a new random id
        values.update(kind.on_import)
        return values

    def insert(self, kind: Kind, records: list[dict]) -> None:
        self_refs = [name for name, target in kind.references.items() if target == kind.name]
        pending = list(records)
        # A record that refers to another of its kind (a reply to a comment) waits until that one is in.
        while pending:
            ready = [r for r in pending if all(r.get(name) is None or r[name] in self.ids[kind.name] for name in self_refs)]
            if not ready:
                raise ArchiveError(_("%(where)s: viser til en post som ikke finnes i arkivet.",
                                     where=_where(kind, pending[0])))
            taken = {id(r) for r in ready}
            waiting = [r for r in pending if id(r) not in taken]
            rows = []
            for record in ready:
                row = self.values(kind, record)
                for name in self_refs:
                    if row.get(name) is not None:
                        row[name] = self.ids[kind.name][row[name]]
                rows.append(row)
            self.write(kind, ready, rows)
            pending = waiting

    def write(self, kind: Kind, records: list[dict], rows: list[dict]) -> None:
        if not rows:
            return
        if kind.numbered:
            result = self.connection.execute(
                insert(kind.table).returning(kind.table.c.id, sort_by_parameter_order=True), rows)
            for record, new in zip(records, result.scalars().all()):
                self._remember(kind, record, new)
        else:
            self.connection.execute(insert(kind.table), rows)
            if kind.has_id:
                for record, row in zip(records, rows):
                    self._remember(kind, record, row["id"])

    def _remember(self, kind: Kind, record: dict, new) -> None:
        old = record.get("id")
        if not isinstance(old, (int, str)) or isinstance(old, bool) or old in self.ids[kind.name]:
            raise ArchiveError(_("%(where)s: mangler en entydig id.", where=_where(kind, record)))
        self.ids[kind.name][old] = new

    def match_or_insert(self, kind: Kind, records: list[dict], key, existing: dict) -> None:
        """Records that already exist (by ``key``) keep theirs; the others are inserted."""
        new = []
        for record in records:
            row = self.values(kind, record)
            found = existing.get(key(row))
            if found is None:
                new.append((record, row))
            else:
                self._remember(kind, record, found)
                self.matched[kind.name] = self.matched.get(kind.name, 0) + 1
        self.write(kind, [record for record, _row in new], [row for _record, row in new])

    # --- natural keys -------------------------------------------------------------------

    def counties(self, records: list[dict]) -> None:
        existing = dict(self.connection.execute(select(County.number, County.id)).all())
        self.match_or_insert(KINDS_BY_NAME["counties"], records, lambda row: row["number"], existing)

    @staticmethod
    def organisation_key(row) -> tuple:
        kind = OrganisationKind(row["kind"])
        if row["kommunenummer"]:
            return ("municipality", row["kommunenummer"])
        if kind is OrganisationKind.COUNTY_AUTHORITY and row["county_id"] is not None:
            return ("county_authority", row["county_id"])
        if row["org_number"]:
            return ("org_number", kind.value, row["org_number"])
        return ("name", kind.value, row["name"].strip().lower())

    def organisations(self, records: list[dict]) -> None:
        existing = {}
        rows = self.connection.execute(
            select(Organisation.id, Organisation.kind, Organisation.kommunenummer, Organisation.county_id,
                   Organisation.org_number, Organisation.name).order_by(Organisation.id.desc())).mappings()
        for row in rows:  # the oldest wins where two have the same name
            existing[self.organisation_key(row)] = row["id"]
        self.match_or_insert(KINDS_BY_NAME["organisations"], records, self.organisation_key, existing)

    def people(self, records: list[dict]) -> None:
        for record in records:
            if isinstance(record.get("email"), str):
                record["email"] = normalise_email(record["email"])
        emails = [record.get("email") for record in records]
        existing = dict(self.connection.execute(
            select(Person.email, Person.id).where(Person.email.in_([e for e in emails if isinstance(e, str)]))).all())
        self.match_or_insert(KINDS_BY_NAME["people"], records, lambda row: row["email"], existing)

    def links(self, pairs: dict[tuple[str, str], list[tuple]]) -> None:
        for kind in KINDS:
            for link in kind.links:
                rows = [{link.own: self.new_id(kind.name, own, kind.name, link.key),
                         link.other: self.new_id(link.kind, other, kind.name, link.key)}
                        for own, other in pairs[(kind.name, link.key)]]
                if rows:
                    self.connection.execute(insert(link.table), rows)


def installation_is_empty(connection) -> bool:
    return connection.scalar(select(func.count()).select_from(Network)) == 0


def import_archive(source: str | IO[bytes]) -> ImportResult:
    """Check the archive, then write all of it, or nothing. The caller commits."""
    archive = read_archive(source)
    rows, pairs = flatten(archive)
    try:
        with db.session.begin_nested():
            connection = db.session.connection()
            if connection.dialect.name == "postgresql":
                # Two imports at once must not both find the installation empty.
                connection.exec_driver_sql("LOCK TABLE network IN SHARE ROW EXCLUSIVE MODE")
            if not installation_is_empty(connection):
                raise ArchiveError(_("Installasjonen har allerede et nettverk. Et arkiv kan bare leses inn i en tom "
                                     "installasjon."))
            # Written through the connection, not the session: the page cache must be told.
            page_cache.note_write(db.session(), {"*"})
            writer = Writer(archive, connection)
            for name in insert_order():
                special = {"counties": writer.counties, "organisations": writer.organisations,
                           "people": writer.people}.get(name)
                if special is not None:
                    special(rows[name])
                else:
                    writer.insert(KINDS_BY_NAME[name], rows[name])
            writer.links(pairs)
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).splitlines()[0]
        raise ArchiveError(_("Databasen godtok ikke arkivet, og ingenting er lest inn: %(detail)s",
                             detail=detail)) from error
    db.session.expire_all()
    network_id = next(iter(writer.ids["network"].values()))
    return ImportResult(network_id, rows["network"][0]["name"], {name: len(found) for name, found in rows.items()},
                        writer.matched)
