"""Reads that hand out names are logged as exports (network/privacy/audit.py), as the web's pages
and downloads are: logged before the answer leaves, or the answer is not given (503)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from network.api.framework import problem
from network.extensions import db
from network.privacy import services as privacy_services
from network.privacy.models import ExportKind

# For the OpenAPI document of a route that logs its reads.
EXPORT_LOG_PROBLEM = {"503": "Eksportloggen kunne ikke skrives, så ingenting ble utlevert. Prøv igjen."}


def record_export(kind: ExportKind, network_id: int) -> None:
    try:
        privacy_services.record_export(kind, current_user.id, network_id, request.full_path.rstrip("?"))
    except SQLAlchemyError:
        db.session.rollback()
        raise problem(503, detail=_("Eksportloggen kunne ikke skrives. Prøv igjen.")) from None
