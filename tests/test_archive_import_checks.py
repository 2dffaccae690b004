"""Importing an archive: sizes are checked before anything is unpacked, and every value is checked
with the same rules as the forms. A refused archive writes nothing and says why."""
from __future__ import annotations

import hashlib
import io
import json
import struct
import tracemalloc
import zipfile

import pytest
from sqlalchemy import delete

from network.archive import services
from network.archive.importer import import_archive
from network.archive.services import KINDS, ArchiveError
from network.extensions import db
from network.networks.models import Network
from tests.test_archive import exported, row_counts, small_network, unzip

MB = 1024 * 1024


def _with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The ZIP with the uncompressed size of one entry changed in its central directory and its local
    header: what a crafted archive may claim, whatever the compressed data really holds."""
    raw = bytearray(data)
    encoded = name.encode()

    position = 0
    while True:
        central = raw.find(b"PK\x01\x02", position)
        assert central >= 0, name
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46:central + 46 + name_length] == encoded:
            struct.pack_into("<I", raw, central + 24, size)
            local = struct.unpack_from("<I", raw, central + 42)[0]
            struct.pack_into("<I", raw, local + 22, size)
            return bytes(raw)
        position = central + 4


def _zip(contents: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def archive(app, factory):
    """A good archive of a small network, and an installation with no network to import it into."""
    network_id = small_network(app, factory)
    with app.app_context():
        data = exported(network_id)
        db.session.execute(delete(Network))
        db.session.commit()
    return data


def _refused(app, data: bytes, message: str) -> int:
    """Import, expect a refusal with ``message``, check nothing was written; the peak of memory
    allocated meanwhile, in bytes."""
    with app.app_context():
        before = row_counts()
        tracemalloc.start()
        try:
            with pytest.raises(ArchiveError, match=message):
                import_archive(io.BytesIO(data))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert row_counts() == before
    return peak


# --- sizes ------------------------------------------------------------------------------------


def test_an_entry_declared_huge_is_refused_before_anything_is_read(app, archive):
    contents = unzip(archive)
    bomb = _with_declared_size(_zip({**contents, "files/stor": b"0" * 1000}), "files/stor", 1536 * MB)
    assert zipfile.ZipFile(io.BytesIO(bomb)).getinfo("files/stor").file_size == 1536 * MB
    peak = _refused(app, bomb, r"files/stor.*for stor.*1536 MB.*64 MB")
    assert peak < 8 * MB, peak


def test_a_zip_bomb_is_refused_by_its_compression_ratio(app, archive):
    bomb = _zip({**unzip(archive), "files/nuller": bytes(20 * MB)})
    assert len(bomb) < MB
    peak = _refused(app, bomb, r"files/nuller.*pakket sammen")
    assert peak < 8 * MB, peak


def test_a_header_that_understates_the_size_cannot_make_the_import_read_more(app, archive):
    lying = _with_declared_size(_zip({**unzip(archive), "files/liten": bytes(5 * MB)}), "files/liten", 100)
    peak = _refused(app, lying, "skadet|stemmer ikke")
    assert peak < 4 * MB, peak


@pytest.mark.parametrize("app_config, message", [
    ({"ARCHIVE_MAX_TOTAL_BYTES": 20_000}, "til sammen"),
    ({"ARCHIVE_MAX_ENTRIES": 5}, "for mange filer"),
    ({"ARCHIVE_MAX_ENTRY_BYTES": 2_000}, "for stor"),
])
def test_the_limits_are_settings(app, archive, app_config, message):
    _refused(app, archive, message)


@pytest.mark.parametrize("app_config", [{"ARCHIVE_MAX_TOTAL_BYTES": 4096}])
def test_a_zip_larger_than_the_total_limit_is_not_even_opened(app, archive, app_config):
    _refused(app, archive, r"Arkivet er for stort: \d+ kB, mer enn grensen på 4 kB til sammen")
    _refused(app, b"x" * 5000, "til sammen")  # not a ZIP at all, but too large to look at


def _with_flag_and_method(data: bytes, flag: int = 0, method: int | None = None) -> bytes:
    """The ZIP with every entry's general-purpose flags or compression method changed in its
    central directory: an encrypted archive, or one packed in a way zipfile can't read."""
    raw = bytearray(data)
    position = raw.find(b"PK\x01\x02")
    while position >= 0:
        struct.pack_into("<H", raw, position + 8, struct.unpack_from("<H", raw, position + 8)[0] | flag)
        if method is not None:
            struct.pack_into("<H", raw, position + 10, method)
        position = raw.find(b"PK\x01\x02", position + 4)
    return bytes(raw)


@pytest.mark.parametrize("change, message", [
    ({"flag": 0x1}, "kryptert"),
    ({"method": 99}, "pakket på en måte"),  # 99: AES, which zipfile can't read
])
def test_encrypted_or_unreadable_entries_are_refused_before_reading(app, archive, change, message):
    _refused(app, _with_flag_and_method(archive, **change), message)


def test_a_good_archive_is_within_the_limits(app, archive):
    with app.app_context():
        result = import_archive(io.BytesIO(archive))
        assert result.counts["feedback"] == 3


# --- values -----------------------------------------------------------------------------------


def _changed(data: bytes, path: str, change) -> bytes:
    contents = unzip(data)
    manifest = json.loads(contents.pop(services.MANIFEST))
    document = json.loads(contents[path])
    change(document)
    contents[path] = json.dumps(document).encode()
    manifest["files"][path] = hashlib.sha256(contents[path]).hexdigest()
    return _zip({services.MANIFEST: json.dumps(manifest).encode(), **contents})


def _first_membership(document):
    return document["memberships"][0]


def _first_gathering_material(document):
    return next(m for g in document["gatherings"] for m in g["materials"] if m["url"])


@pytest.mark.parametrize("path, change, message", [
    ("memberships.json", lambda d: _first_membership(d).update(anchoring_document_url="javascript:alert(1)"),
     "anchoring_document_url.*nettadresse"),
    ("memberships.json", lambda d: _first_membership(d).update(anchoring_document_url="JaVaScRiPt://x.test/%0aalert(1)"),
     "anchoring_document_url.*nettadresse"),
    ("memberships.json", lambda d: _first_membership(d).update(anchoring_document_url="data:text/html,<script>"),
     "anchoring_document_url.*nettadresse"),
    ("gatherings.json", lambda d: _first_gathering_material(d).update(url="javascript:alert(document.cookie)"),
     "url.*nettadresse"),
    ("people.json", lambda d: d["people"][0].update(email="ikke en adresse"), "email.*e-postadresse"),
    ("network.json", lambda d: d["network"].update(feedback_email="a@b@c"), "feedback_email.*e-postadresse"),
    ("feedback.json", lambda d: next(f for f in d["feedback"] if f.get("sender_email")).update(sender_email="<x>"),
     "sender_email.*e-postadresse"),
    ("feedback.json", lambda d: d["feedback"][0].update(works="x" * 5001), "works.*for lang"),
    ("evaluations.json", lambda d: d["responses"][0].update(best="x" * 2001), "best.*for lang"),
    ("memberships.json", lambda d: _first_membership(d).update(status="sjef"), "status.*ugyldig"),
    ("gatherings.json", lambda d: d["gatherings"][0]["days"][0].update(day="2019-02-30"), "day.*ugyldig"),
    ("memberships.json", lambda d: _first_membership(d).update(executive_name="x" * 121), "executive_name.*ugyldig"),
], ids=["javascript", "javascript-mixed-case", "data", "material", "email", "network-email", "sender-email",
        "feedback-text", "evaluation-text", "enum", "date", "length"])
def test_imported_values_follow_the_forms_rules(app, archive, path, change, message):
    _refused(app, _changed(archive, path, change), message)


def test_every_web_address_and_e_mail_column_has_a_rule():
    """A new column for a link or an address must get the forms' rule on import too."""
    for kind in KINDS:
        for column in kind.columns:
            if column.name.endswith("url") or "email" in column.name or column.name == "recipient":
                assert (kind.name, column.name) in services.VALUE_RULES, (kind.name, column.name)
