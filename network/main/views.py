from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, send_from_directory, url_for
from flask_login import current_user, login_required

from network.main import start_page, undo
from network.networks.services import member_network_ids, networks_for

bp = Blueprint("main", __name__)
bp.add_app_template_global(undo.pop_undo_offer, "pop_undo_offer")

# The two files of Digdir's Designsystemet that a server-rendered page needs.
DESIGNSYSTEM_FILES = {"theme.css": "theme/designsystemet.css", "components.css": "src/index.css"}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.my_page"))
    return render_template("main/index.html")


@bp.get("/me")
@login_required
def my_page():
    return render_template(
        "main/my_page.html",
        memberships=networks_for(current_user),
        organisation=current_user.organisation,
        # "My municipality" is only linked in networks the municipality is a member of.
        home_network_ids=member_network_ids(current_user.organisation),
        start=start_page.build(current_user),
    )


@bp.get("/assets/designsystemet/<name>")
def designsystem(name: str):
    """Designsystemet's CSS, served from the npm package installed by the set-up command."""
    relative = DESIGNSYSTEM_FILES.get(name)
    if relative is None:
        abort(404)
    path = Path(current_app.config["DESIGNSYSTEM_DIR"]) / relative
    return send_from_directory(path.parent, path.name, mimetype="text/css", max_age=86400)


@bp.get("/healthz")
def health():
    return {"status": "ok"}
