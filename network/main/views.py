from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from network.assets import designsystem_response
from network.auth.services import is_safe_next
from network.extensions import db
from network.main import language, start_page, undo
from network.networks.services import member_network_ids, networks_for

bp = Blueprint("main", __name__)
bp.add_app_template_global(undo.pop_undo_offer, "pop_undo_offer")
bp.add_app_template_global(language.NAMES, "language_names")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.my_page"))
    return render_template("main/index.html")


@bp.get("/me")
@login_required
def my_page():
    start = start_page.build(current_user)
    return render_template(
        "main/my_page.html",
        memberships=networks_for(current_user, start.networks),
        organisation=current_user.organisation,
        # "My municipality" is only linked in networks the municipality is a member of (an
        # administrator sees networks without a role in them too).
        home_network_ids=member_network_ids(current_user.organisation) if current_user.is_admin
        else set(start.networks.memberships),
        start=start,
    )


@bp.get("/assets/designsystemet/<name>")
def designsystem(name: str):
    """Designsystemet's CSS, served from the npm package installed by the set-up command."""
    return designsystem_response(name)  # fingerprinted names are cached as immutable (network/assets.py)


@bp.get("/healthz")
def health():
    return {"status": "ok"}


@bp.post("/language")
def choose_language():
    """The language switcher in every page's footer: kept on the person when signed in, in the
    session otherwise, and back to the page it was chosen on."""
    target = request.form.get("next")
    back = target if is_safe_next(target) else url_for("main.index")
    code = language.known(request.form.get("language"))
    if code is not None:
        session[language.SESSION_KEY] = code
        if current_user.is_authenticated:
            current_user.language = code
            db.session.commit()
    return redirect(back)
