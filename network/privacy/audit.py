"""The one place exports of personal data are logged: ``@audited(kind)`` on each such view.

The view runs first (it loads, checks access and builds the file). Only a successful response
(200) is logged: a refused or missing page exported nothing. The log row is committed in a
transaction of its own before a byte of the export leaves; if that commit fails, the export is
refused (503) rather than handed out unrecorded. An audit log that can silently miss exports is
worth little, and a refused download can simply be tried again.
"""
from __future__ import annotations

import functools
from typing import Callable

from flask import current_app, make_response, render_template, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from network.extensions import db
from network.networks import access
from network.networks.models import Network
from network.privacy import services
from network.privacy.models import ExportKind


def audited(kind: ExportKind, only_if: Callable[..., bool] | None = None):
    """Log the view's successful responses as exports of ``kind``. ``only_if(**view_args)`` says
    whether this response holds personal data at all (the catering list has names for coordinators only)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or (only_if is not None and not only_if(**kwargs)):
                return response
            person_id = current_user.id if current_user.is_authenticated else None
            path = request.full_path.rstrip("?")
            try:
                services.record_export(kind, person_id, kwargs.get("network_id"), path)
            except SQLAlchemyError:
                db.session.rollback()
                current_app.logger.exception("Export of %s refused: the export log could not be written", path)
                response.close()
                return render_template("privacy/export_refused.html"), 503
            return response

        wrapper.export_kind = kind  # tests/test_privacy_audit.py checks every export route for it
        return wrapper

    return decorate


def names_for_coordinators(network_id: int, **_view_args) -> bool:
    """For ``only_if``: pages that show names to the network's coordinators only."""
    network = db.session.get(Network, network_id)
    return network is not None and access.is_coordinator(current_user, network)
