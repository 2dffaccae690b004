"""Importing a network's archive from the web (KS administrators): the upload shows what will be
imported and writes nothing but the kept upload; «Importer» imports it all and goes to the new
network; an archive the command line would refuse is refused with a message (422), nothing written."""
from __future__ import annotations

import hashlib
import io
import json

import pytest
from sqlalchemy import delete, func, select

from network.archive import services
from network.extensions import db
from network.files.models import StoredFile
from network.networks.models import Network
from tests.test_archive import exported, rezip, row_counts, small_network, unzip

NAME = "Bolignettverket"


@pytest.fixture
def archive(app, factory):
    """A good archive of a small network, in an installation with no network left to import it into;
    and the KS administrator of that installation."""
    network_id = small_network(app, factory)
    with app.app_context():
        data = exported(network_id)
        admin = db.session.scalar(select(db.metadata.tables["person"].c.id).where(
            db.metadata.tables["person"].c.is_admin.is_(True)))
        db.session.execute(delete(Network))
        db.session.commit()
    return data, admin


def _admin_client(app, login, admin_id):
    from network.auth.models import Person

    with app.app_context():
        person = db.session.get(Person, admin_id)
    return login(person)


def _upload(http, data: bytes, name: str = "arkiv.zip"):
    return http.post("/archive/import", data={"archive": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def _counts_without_kept_uploads(app) -> dict[str, int]:
    with app.app_context():
        counts = row_counts()
        counts["stored_file"] -= db.session.scalar(select(func.count()).select_from(StoredFile).where(
            StoredFile.content_type == "application/zip"))
        return counts


def _rehashed(contents: dict[str, bytes]) -> bytes:
    """The archive with its manifest's checksums made to match the (changed) files."""
    manifest = json.loads(contents[services.MANIFEST])
    for path in manifest["files"]:
        manifest["files"][path] = hashlib.sha256(contents[path]).hexdigest()
    contents[services.MANIFEST] = json.dumps(manifest).encode()
    return rezip(contents)


def test_the_upload_shows_what_will_be_imported_and_writes_nothing(app, login, archive):
    data, admin = archive
    http = _admin_client(app, login, admin)
    before = _counts_without_kept_uploads(app)
    response = _upload(http, data)
    assert response.status_code == 302
    summary = http.get(response.location)
    body = summary.get_data(as_text=True)
    assert summary.status_code == 200, body
    assert NAME in body and "Samlinger" in body and "Personer" in body and "Påmeldinger" in body and "Filer" in body
    assert "10. april 2019" in body  # the network's period
    assert ">Importer<" in body and "Ingenting er lagret ennå" in body
    # The people are still here (only the networks were removed): they keep their accounts.
    assert "har konto her fra før" in body and "uten passord" not in body
    assert _counts_without_kept_uploads(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Network)) == 0


def test_an_archive_may_be_larger_than_other_uploads(app, login, archive):
    data, admin = archive
    app.config["MAX_CONTENT_LENGTH"] = len(data) // 2  # the limit for every other upload
    assert _upload(_admin_client(app, login, admin), data).status_code == 302


def test_the_page_takes_archives_up_to_its_own_limit(app, login, archive):
    """Held in memory and in one row until imported: past ARCHIVE_WEB_MAX_BYTES the upload is
    refused (the request itself once it is past the limit and the form's room), and the page names
    the limit and the command line."""
    data, admin = archive
    http = _admin_client(app, login, admin)
    before = _counts_without_kept_uploads(app)
    app.config["ARCHIVE_WEB_MAX_BYTES"] = len(data) - 1
    refused = _upload(http, data)
    assert refused.status_code == 422 and "kommandolinjen" in refused.get_data(as_text=True)
    app.config["ARCHIVE_WEB_MAX_BYTES"] = 1
    assert _upload(http, data + b"\0" * 128 * 1024).status_code == 413
    assert _counts_without_kept_uploads(app) == before
    app.config["ARCHIVE_WEB_MAX_BYTES"] = 3 * 1024 * 1024
    page = http.get("/archive/import").get_data(as_text=True)
    assert "opptil 3 MB" in page and "flask archive import" in page


def test_importer_imports_everything_and_goes_to_the_new_network(app, login, archive):
    data, admin = archive
    http = _admin_client(app, login, admin)
    summary_url = _upload(http, data).location
    response = http.post(summary_url, data={})
    assert response.status_code == 302
    with app.app_context():
        network = db.session.scalar(select(Network))
        assert network.name == NAME
        assert response.location == f"/networks/{network.id}"
        # The kept upload went with the import.
        assert db.session.scalar(select(func.count()).select_from(StoredFile).where(
            StoredFile.content_type == "application/zip")) == 0
    assert "Arkivet er lest inn" in http.get(response.location).get_data(as_text=True)
    # Confirming again finds nothing to import.
    assert http.post(summary_url, data={}).status_code == 404


def _leaky(data: bytes) -> bytes:
    """Says who answered an evaluation: the archive must not, so it is refused."""
    contents = unzip(data)
    document = json.loads(contents["evaluations.json"])
    assert document["invitations"], "the small network should have evaluation invitations"
    document["invitations"][0]["answered"] = True
    contents["evaluations.json"] = json.dumps(document).encode()
    return _rehashed(contents)


def _tampered(data: bytes) -> bytes:
    contents = unzip(data)
    contents["network.json"] = contents["network.json"].replace(NAME.encode(), b"Endret nettverk")
    return rezip(contents)


@pytest.mark.parametrize("case, make, message", [
    ("not a zip", lambda data: b"ikke et arkiv", "ikke et ZIP-arkiv"),
    ("changed after export", _tampered, "kontrollsummen stemmer ikke"),
    ("leaky", _leaky, "Evalueringer er anonyme"),
    ("oversized", None, "Arkivet er for stort"),
])
def test_a_bad_archive_is_refused_with_a_message_and_nothing_written(app, login, archive, case, make, message):
    data, admin = archive
    http = _admin_client(app, login, admin)
    if make is None:
        app.config["ARCHIVE_MAX_TOTAL_BYTES"] = len(data) - 1
    else:
        data = make(data)
    with app.app_context():
        before = row_counts()
    response = _upload(http, data)
    assert response.status_code == 422, case
    body = response.get_data(as_text=True)
    assert "Rett opp dette før du går videre" in body and message in body, case
    with app.app_context():
        assert row_counts() == before, case


def test_an_installation_with_a_network_refuses_the_archive_after_showing_it(app, login, archive, factory):
    data, admin = archive
    http = _admin_client(app, login, admin)
    with app.app_context():
        db.session.add(Network(name="Allerede her", topic="x", ks_contact_name="K", ks_contact_email="k@ks.test",
                               feedback_email="t@ks.test"))
        db.session.commit()
        before = row_counts()
    response = _upload(http, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Installasjonen har allerede et nettverk" in body and NAME in body
    assert ">Importer<" not in body
    with app.app_context():
        assert row_counts() == before


def test_the_kept_upload_is_the_uploaders_own(app, login, archive, factory):
    data, admin = archive
    summary_url = _upload(_admin_client(app, login, admin), data).location
    other = factory.person("Annen Admin", is_admin=True)
    http = login(other)
    assert http.get(summary_url).status_code == 404
    assert http.post(summary_url, data={}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Network)) == 0
