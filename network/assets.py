"""Static files served well: content-fingerprinted names and compressed responses.

Every file under network/static and Designsystemet's two CSS files get a name that carries a hash
of their content (``css/app.3f9c1a2b7d4e.css``), worked out once when the app starts. Templates
keep calling ``url_for('static', filename=...)`` and ``url_for('main.designsystem', name=...)``;
a URL-defaults hook swaps in the fingerprinted name. A fingerprinted URL never changes content, so
it is cached for a year as immutable; the plain name keeps working with a short max-age.
Flask-Compress compresses HTML, CSS, JavaScript and JSON for clients that accept it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, send_from_directory, url_for
from flask_compress import Compress

compress = Compress()

IMMUTABLE_MAX_AGE = 31536000  # one year
SHORT_MAX_AGE = 3600
IMMUTABLE = f"public, max-age={IMMUTABLE_MAX_AGE}, immutable"
COMPRESS_MIMETYPES = [
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/problem+json",
]
# The two files of Digdir's Designsystemet that a server-rendered page needs.
DESIGNSYSTEM_FILES = {"theme.css": "theme/designsystemet.css", "components.css": "src/index.css"}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def fingerprinted_name(name: str, data: bytes) -> str:
    """``css/app.css`` with its content becomes ``css/app.<hash>.css``."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or "/" in suffix:
        return f"{name}.{content_hash(data)}"
    return f"{stem}.{content_hash(data)}.{suffix}"


class Fingerprints:
    """Plain name → fingerprinted name, and back, for one set of files."""

    def __init__(self, files: dict[str, Path]):
        self.by_name: dict[str, str] = {}
        self.original: dict[str, str] = {}
        for name, path in files.items():
            if path.is_file():
                printed = fingerprinted_name(name, path.read_bytes())
                self.by_name[name] = printed
                self.original[printed] = name

    def resolve(self, requested: str) -> tuple[str, bool]:
        """The plain name to serve, and whether the URL was fingerprinted."""
        if requested in self.original:
            return self.original[requested], True
        return requested, False


def cached(response: Response, immutable: bool) -> Response:
    if immutable:
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def designsystem_response(name: str) -> Response:
    plain, immutable = current_app.extensions["fingerprints"]["main.designsystem"].resolve(name)
    relative = DESIGNSYSTEM_FILES.get(plain)
    if relative is None:
        abort(404)
    path = Path(current_app.config["DESIGNSYSTEM_DIR"]) / relative
    max_age = IMMUTABLE_MAX_AGE if immutable else SHORT_MAX_AGE
    return cached(send_from_directory(path.parent, path.name, mimetype="text/css", max_age=max_age), immutable)


def asset_url(name: str, endpoint: str = "static") -> str:
    """``url_for`` for a static file, worked out once per app (and script root): every page's
    layout links sixteen of them, and their fingerprinted names don't change while the app runs."""
    urls = current_app.extensions.setdefault("asset_urls", {})
    key = (request.script_root, endpoint, name)
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for(endpoint, **{ASSET_ARGUMENT[endpoint]: name})
    return url


ASSET_ARGUMENT = {"static": "filename", "main.designsystem": "name"}


def _read_static_file_into_response(response):
    """Flask-Compress compresses a streamed response only with zstd, brotli or deflate, and a file
    is sent streamed: read the (small) stylesheet or script into the response, so that a client
    that accepts only gzip gets it gzipped too. Runs before Flask-Compress (registered after it)."""
    if request.endpoint in ASSET_ARGUMENT and response.status_code == 200 and response.direct_passthrough:
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    compress.init_app(app)
    app.after_request(_read_static_file_into_response)

    static_root = Path(app.static_folder)
    design_root = Path(app.config["DESIGNSYSTEM_DIR"])
    fingerprints = {
        "static": Fingerprints({
            path.relative_to(static_root).as_posix(): path
            for path in static_root.rglob("*") if path.is_file()
        }),
        "main.designsystem": Fingerprints({
            name: design_root / relative for name, relative in DESIGNSYSTEM_FILES.items()
        }),
    }
    app.extensions["fingerprints"] = fingerprints
    app.jinja_env.globals["asset_url"] = asset_url
    argument = ASSET_ARGUMENT

    @app.url_defaults
    def fingerprint(endpoint, values):
        # With the debugger on, files change under a running app: plain names, never immutable.
        if endpoint in argument and not app.debug:
            key = argument[endpoint]
            name = values.get(key)
            printed = fingerprints[endpoint].by_name.get(name) if name else None
            if printed:
                values[key] = printed

    def static(filename):
        plain, immutable = fingerprints["static"].resolve(filename)
        max_age = IMMUTABLE_MAX_AGE if immutable else SHORT_MAX_AGE
        return cached(send_from_directory(static_root, plain, max_age=max_age), immutable)

    app.view_functions["static"] = static
