"""A network's archive as one ZIP (importing is the command `flask archive import`).
The page and the download are for the network's coordinators and KS administrators."""
from __future__ import annotations

import tempfile

from flask import Blueprint, render_template, send_file
from flask_login import current_user, login_required

from network.archive import cli, export
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
