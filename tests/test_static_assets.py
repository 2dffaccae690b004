"""Static files served well (network/assets.py): content-fingerprinted names cached as immutable,
plain names still served with a short max-age, and compressed HTML through Flask-Compress without
touching downloads (CSV, XLSX) or the API's ETag/304."""
from __future__ import annotations

import gzip
import re
from io import BytesIO

from openpyxl import load_workbook

from network import assets
from tests.api_helpers import api_client
from tests.test_access_api import built  # noqa: F401  (the API matrix's world, built once)
from tests.test_costs import costs_world, read_csv, register  # noqa: F401  (a network with costs)

ASSET_URL = re.compile(r'(?:href|src)="(/(?:static|assets)/[^"]+\.(?:css|js))"')
FINGERPRINT = re.compile(r"\.[0-9a-f]{12}\.(?:css|js)$")
IMMUTABLE = "public, max-age=31536000, immutable"


def asset_urls(client) -> list[str]:
    return ASSET_URL.findall(client.get("/").get_data(as_text=True))


def test_every_stylesheet_and_script_on_a_page_carries_its_content_hash(client):
    urls = asset_urls(client)
    assert any("/static/css/app." in url for url in urls) and any("/static/js/app." in url for url in urls)
    assert any(url.startswith("/assets/designsystemet/theme.") for url in urls)
    assert urls and all(FINGERPRINT.search(url) for url in urls), urls


def test_a_fingerprinted_url_is_immutable_and_serves_the_file(app, client):
    for url in asset_urls(client):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == IMMUTABLE, url
        response.close()
    app_css = next(url for url in asset_urls(client) if "/static/css/app." in url)
    with open(app.static_folder + "/css/app.css", "rb") as original:
        served = client.get(app_css)
        assert served.data == original.read() and served.mimetype == "text/css"


def test_the_plain_name_still_works_with_a_short_max_age(client):
    for url in ("/static/css/app.css", "/static/js/app.js", "/assets/designsystemet/theme.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=3600", url
        response.close()
    assert client.get("/static/css/app.0123456789ab.css").status_code == 404
    assert client.get("/assets/designsystemet/other.css").status_code == 404


def test_changing_a_files_content_changes_its_url(app, tmp_path):
    first = tmp_path / "css" / "new.css"
    first.parent.mkdir()
    first.write_text("body { color: red; }")
    before = assets.Fingerprints({"css/new.css": first}).by_name["css/new.css"]
    first.write_text("body { color: blue; }")
    after = assets.Fingerprints({"css/new.css": first}).by_name["css/new.css"]
    assert before != after and FINGERPRINT.search(before) and FINGERPRINT.search(after)
    assert before.startswith("css/new.") and before.endswith(".css")
    # The same content gives the same name in every instance: nothing to share between them.
    first.write_text("body { color: red; }")
    assert assets.Fingerprints({"css/new.css": first}).by_name["css/new.css"] == before
    # What the running app hands out is the hash of what is on disk now.
    with open(app.static_folder + "/css/app.css", "rb") as original:
        expected = assets.fingerprinted_name("css/app.css", original.read())
    with app.test_request_context():
        from flask import url_for
        assert url_for("static", filename="css/app.css") == f"/static/{expected}"


def test_html_is_gzipped_for_a_client_that_accepts_it(client):
    plain = client.get("/")
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert len(zipped.data) < len(plain.data)
    # The page carries a per-request CSRF token, so compare with it taken out.
    token = re.compile(rb'name="csrf_token"[^>]*>')
    assert token.sub(b"", gzip.decompress(zipped.data)) == token.sub(b"", plain.data)


def test_stylesheets_are_compressed_too(client):
    url = next(url for url in asset_urls(client) if "/static/css/app." in url)
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br" and response.headers["Cache-Control"] == IMMUTABLE
    response.close()


def test_stylesheets_and_scripts_are_gzipped_for_a_client_that_accepts_only_gzip(client):
    for url in asset_urls(client):
        plain = client.get(url)
        zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip", url
        assert zipped.headers["Cache-Control"] == IMMUTABLE
        assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
        assert gzip.decompress(zipped.data) == plain.data  # Python's own gzip reads what Flask-Compress wrote


def test_downloads_are_not_compressed_again_and_still_parse(app, login, costs_world):
    w = costs_world
    register(app, w.g1, w.people["participant"])
    coordinator = login(w.people["coordinator"])
    base = f"/networks/{w.network.id}/costs/invoice-basis"
    csv_response = coordinator.get(base + ".csv", headers={"Accept-Encoding": "gzip, br"})
    assert csv_response.status_code == 200 and "Content-Encoding" not in csv_response.headers
    assert read_csv(csv_response)[0]
    xlsx = coordinator.get(base + ".xlsx", headers={"Accept-Encoding": "gzip, br"})
    assert xlsx.status_code == 200 and "Content-Encoding" not in xlsx.headers
    assert load_workbook(BytesIO(xlsx.data)).active.max_row >= 2


def test_the_apis_etag_and_304_still_work_when_compressed(app, built):  # noqa: F811
    _ids, people = built
    client, headers = api_client(app, people["coordinator"])
    headers = {**headers, "Accept-Encoding": "gzip"}
    for url in ("/api/v1/me", "/api/v1/openapi.json"):  # too small to compress, and large enough
        first = client.get(url, headers=headers)
        assert first.status_code == 200 and first.headers["ETag"].startswith('"'), url
        if first.headers.get("Content-Encoding") == "gzip":
            assert gzip.decompress(first.data).startswith(b"{")
        again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", url
    assert first.headers["Content-Encoding"] == "gzip"  # the OpenAPI document was compressed
