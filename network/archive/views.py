"""A network's archive as one ZIP, and its import (also the command `flask archive import`).
The page and the download are for the network's coordinators and KS administrators; the import
is for KS administrators only."""
from __future__ import annotations

import tempfile

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.archive import cli, export, web_import
from network.archive.forms import ImportConfirmForm, ImportUploadForm
from network.archive.services import ArchiveError
from network.extensions import db
from network.archive.services import archive_filename
from network.main import clock
from network.networks import access
from network.networks.loading import load_network, require
from network.privacy.audit import audited
from network.privacy.models import ExportKind


bp = Blueprint("archive", __name__)
bp.cli.add_command(cli.export_command)
bp.cli.add_command(cli.import_command)

# Archives up to this size are built in memory; larger ones spill to a temporary file.
IN_MEMORY_BYTES = 32 * 1024 * 1024


@bp.get("/networks/<int:network_id>/archive")
@login_required
def index(network_id: int):
    network = load_network(network_id)
    require(access.is_coordinator(current_user, network))
    return render_template("archive/index.html", network=network, counts=export.summary(network))


@bp.get("/networks/<int:network_id>/archive.zip")
@login_required
@audited(ExportKind.ARCHIVE)
def download(network_id: int):
    network = load_network(network_id)
    require(access.is_coordinator(current_user, network))
    target = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    export.write_archive(network, target)
    target.seek(0)
    response = send_file(target, mimetype="application/zip", as_attachment=True,
                         download_name=archive_filename(network.name, clock.oslo_today()), max_age=0)
    response.headers["Cache-Control"] = "no-store"  # the whole network's records: never in a shared cache
    return response


# --- import from the web (KS administrators) ----------------------------------------------

# Room for the form's other fields around an archive of the largest size the importer reads.
FORM_SLACK = 64 * 1024


def web_upload_limit() -> int:
    """The largest ZIP file the page takes (its unpacked contents are checked by the importer)."""
    return current_app.config["ARCHIVE_WEB_MAX_BYTES"]


@bp.record_once
def _allow_archive_uploads(state) -> None:
    """An archive may be larger than other uploads (MAX_CONTENT_LENGTH). The limit must be raised
    before anything reads the body (the CSRF check does, in the app's first hook), so this hook
    goes first."""

    def raise_limit():
        if request.endpoint == "archive.import_upload":
            request.max_content_length = web_upload_limit() + FORM_SLACK

    state.app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


@bp.get("/archive/import")
@login_required
def import_form():
    require(access.is_admin(current_user))
    return render_template("archive/import.html", form=ImportUploadForm(), limit=web_upload_limit())


@bp.post("/archive/import")
@login_required
def import_upload():
    require(access.is_admin(current_user))
    form = ImportUploadForm()
    summary = None
    if form.validate_on_submit():
        upload = form.archive.data
        data = upload.read(web_upload_limit() + 1)
        try:
            if len(data) > web_upload_limit():  # the request limit has some room for the form's other fields
                raise ArchiveError(_("filen er større enn %(mb)s MB; les den inn fra kommandolinjen.",
                                     mb=web_upload_limit() // (1024 * 1024)))
            summary = web_import.preview(data)
        except ArchiveError as error:
            form.archive.errors.append(_("Arkivet kan ikke leses inn: %(reason)s", reason=str(error)))
        else:
            if summary.refusals:
                form.form_errors.extend(summary.refusals)
            else:
                stored = web_import.keep_pending(data, upload.filename, current_user)
                db.session.commit()
                return redirect(url_for("archive.import_summary", upload_id=stored.id))
    return render_template("archive/import.html", form=form, summary=summary, limit=web_upload_limit()), 422


def _pending_or_404(upload_id: int):
    stored = web_import.pending(upload_id, current_user)
    if stored is None:
        abort(404)
    return stored


@bp.get("/archive/import/<int:upload_id>")
@login_required
def import_summary(upload_id: int):
    require(access.is_admin(current_user))
    stored = _pending_or_404(upload_id)
    try:
        summary = web_import.preview(stored.data)
    except ArchiveError as error:  # only if the rules changed since the upload
        summary, problem = None, str(error)
    else:
        problem = None
    form = ImportConfirmForm()
    if problem or summary.refusals:
        form.form_errors.extend([problem] if problem else summary.refusals)
    return render_template("archive/import_summary.html", form=form, summary=summary, stored=stored)


@bp.post("/archive/import/<int:upload_id>")
@login_required
def import_confirm(upload_id: int):
    require(access.is_admin(current_user))
    stored = _pending_or_404(upload_id)
    form = ImportConfirmForm()
    if form.validate_on_submit():
        try:
            result = web_import.import_pending(stored)
            db.session.commit()
        except ArchiveError as error:
            db.session.rollback()
            form.form_errors.append(_("Ingenting er lest inn. %(reason)s", reason=str(error)))
        else:
            flash(_("Arkivet er lest inn som nettverket «%(name)s». Personene som ikke fantes fra før, velger passord "
                    "med «Glemt passordet?».", name=result.network_name), "success")
            return redirect(url_for("networks.front_page", network_id=result.network_id))
    stored = _pending_or_404(upload_id)
    try:
        summary = web_import.preview(stored.data)
    except ArchiveError:
        summary = None
    return render_template("archive/import_summary.html", form=form, summary=summary, stored=stored), 422
