"""Friendly error pages in Norwegian. Nothing the user does should end in a bare 500."""
from __future__ import annotations

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from network.extensions import db


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        db.session.rollback()
        template = f"errors/{error.code}.html" if error.code in (403, 404, 410, 413, 429) else "errors/generic.html"
        return render_template(template, error=error), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if app.config.get("TESTING") and app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return render_template("errors/500.html"), 500
