"""Friendly error pages in Norwegian. Nothing the user does should end in a bare 500."""
from __future__ import annotations

from flask import Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from network.api import framework as api
from network.extensions import db


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no page, since no link on it could be built for that host.
        return Response("400 Bad Request: unknown host\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if api.is_api_request():  # also a path or method no API route matches
            return api.error_response(error)
        db.session.rollback()
        template = f"errors/{error.code}.html" if error.code in (403, 404, 410, 413, 429) else "errors/generic.html"
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if request and api.is_api_request():
            return api.error_response(error)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return render_template("errors/500.html"), 500
