"""Serving stored files, and reading uploads, the same way in every capability."""
from __future__ import annotations

from io import BytesIO

from flask import Response, current_app, send_file

from network.files.models import StoredFile


def download_response(stored: StoredFile) -> Response:
    """The file as an attachment. Files belong to a network's members, so no shared caches;
    the type is the one found in the bytes, and the browser may not sniff or run it."""
    response = send_file(
        BytesIO(stored.data), mimetype=stored.content_type, as_attachment=True, download_name=stored.filename,
        etag=stored.sha256, max_age=0, conditional=True,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def read_upload(storage) -> bytes:
    """At most one byte more than the limit: enough to refuse a file that is too large without reading all of it."""
    return storage.stream.read(current_app.config["UPLOAD_MAX_BYTES"] + 1)
