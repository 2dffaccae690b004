"""A gathering's programme and its materials (files and links).

Each view loads its objects, checks access in ``network.gatherings.access``, then acts.
Coordinators manage; every member of the network may read and download.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.extensions import db
from network.files.responses import download_response, read_upload
from network.files.services import DOCUMENTS
from network.main.numbers import round_half_up
from network.gatherings import access
from network.gatherings.loading import load_gathering
from network.gatherings.models import Gathering, Material, ProgrammeItem, WorkingMethod
from network.main.confirm import ask_first
from network.networks.loading import require
from network.programme import services
from network.programme.forms import ActionForm, MaterialForm, MoveForm, ProgrammeItemForm
from network.programme.services import ItemFields, ProgrammeError, Upload

bp = Blueprint("programme", __name__, url_prefix="/networks/<int:network_id>/gatherings/<int:gathering_id>")


def load_visible_gathering(network_id: int, gathering_id: int) -> Gathering:
    gathering = load_gathering(network_id, gathering_id)
    require(access.can_view_gathering(current_user, gathering))
    return gathering


def load_managed_gathering(network_id: int, gathering_id: int) -> Gathering:
    """The gathering whose programme and materials a coordinator changes. A cancelled one's are
    read-only: back to its page with the reason, before any form is shown or anything saved."""
    gathering = load_visible_gathering(network_id, gathering_id)
    require(access.can_manage_gathering(current_user, gathering))
    if not access.can_change_programme(current_user, gathering):
        flash(_("Samlingen er avlyst, så programmet og materiellet kan ikke endres."), "danger")
        abort(redirect(url_for("gatherings.show", network_id=network_id, gathering_id=gathering_id)))
    return gathering


def load_item(gathering: Gathering, item_id: int) -> ProgrammeItem:
    item = services.get_item(gathering, item_id)
    if item is None:
        abort(404)
    return item


def load_material(gathering: Gathering, material_id: int) -> Material:
    material = services.get_material(gathering, material_id)
    if material is None:
        abort(404)
    return material


def manage_url(gathering: Gathering, anchor: str | None = None) -> str:
    return url_for("programme.manage", network_id=gathering.network_id, gathering_id=gathering.id, _anchor=anchor)


def status_code(form) -> int:
    return 422 if form.errors else 200


def show_error(form, error: ProgrammeError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


bp.add_app_template_global(services.programme_groups, "programme_groups")


@bp.app_template_filter("file_summary")
def file_summary(stored_file) -> str:
    """"PDF, 120 kB" for a material's file."""
    if stored_file is None:
        return ""
    kilobytes = max(1, int(round_half_up(stored_file.size / 1024)))
    size = (f"{format_decimal(kilobytes)}\u00a0kB" if kilobytes < 1024
            else f"{format_decimal(round_half_up(kilobytes / 1024, 1))}\u00a0MB")
    return f"{services.file_kind_label(stored_file.content_type)}, {size}"


# --- the management page ----------------------------------------------------------------


@bp.get("/programme")
@login_required
def manage(network_id: int, gathering_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    services.programme_for(gathering)
    return render_template("programme/manage.html", network=gathering.network, gathering=gathering,
                           own_materials=services.gathering_materials(gathering), action_form=ActionForm())


# --- programme items --------------------------------------------------------------------


def _fields(form: ProgrammeItemForm) -> ItemFields:
    return ItemFields(
        title=form.title.data or "", starts_at=form.starts_at.data, presenter=form.presenter.data or "",
        method=WorkingMethod(form.method.data), description=form.description.data or "", day_id=form.chosen_day_id,
    )


@bp.route("/programme/new", methods=["GET", "POST"])
@login_required
def new_item(network_id: int, gathering_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    form = ProgrammeItemForm(gathering=gathering)
    if request.method == "GET":
        form.method.data = WorkingMethod.PLENARY.value
    if form.validate_on_submit():
        try:
            item = services.add_item(gathering, _fields(form))
        except ProgrammeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagt til i programmet.", title=item.title), "success")
            return redirect(manage_url(gathering, f"programme-item-{item.id}"))
    return render_template("programme/item_form.html", network=gathering.network, gathering=gathering,
                           form=form, item=None), status_code(form)


@bp.route("/programme/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(network_id: int, gathering_id: int, item_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    item = load_item(gathering, item_id)
    form = ProgrammeItemForm(gathering=gathering, obj=item)
    if request.method == "GET":
        form.method.data = item.method.value
        form.day_id.data = str(item.day_id) if item.day_id else ""
    if form.validate_on_submit():
        try:
            services.update_item(item, _fields(form))
        except ProgrammeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagret.", title=item.title), "success")
            return redirect(manage_url(gathering, f"programme-item-{item.id}"))
    return render_template("programme/item_form.html", network=gathering.network, gathering=gathering,
                           form=form, item=item), status_code(form)


@bp.post("/programme/<int:item_id>/delete")
@login_required
def delete_item(network_id: int, gathering_id: int, item_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    item = load_item(gathering, item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page = ask_first(
        below={"gathering": gathering}, title=_("Slette programpunktet?"),
        message=_("Slett «%(title)s» fra programmet for «%(gathering)s».", title=item.title, gathering=gathering.title),
        details=[_("Materiellet til punktet (%(n)s) slettes sammen med det.", n=len(item.materials))]
        if item.materials else [],
        button=_("Ja, slett programpunktet"), back=manage_url(gathering, f"programme-item-{item.id}"))
    if page is not None:
        return page
    title = item.title
    removed = services.delete_item(item)
    db.session.commit()
    if removed:
        flash(_("«%(title)s» er slettet fra programmet, med %(n)s materiell.", title=title, n=removed), "success")
    else:
        flash(_("«%(title)s» er slettet fra programmet.", title=title), "success")
    return redirect(manage_url(gathering, "programme-heading"))


@bp.post("/programme/<int:item_id>/move")
@login_required
def move_item(network_id: int, gathering_id: int, item_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    item = load_item(gathering, item_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    moved = services.move_item(item, -1 if form.direction.data == "up" else 1)
    db.session.commit()
    if moved:
        flash(_("«%(title)s» er flyttet %(where)s.", title=item.title,
                where=_("opp") if form.direction.data == "up" else _("ned")), "success")
    else:
        flash(_("«%(title)s» står allerede %(where)s.", title=item.title,
                where=_("øverst") if form.direction.data == "up" else _("nederst")), "info")
    return redirect(manage_url(gathering, f"programme-item-{item.id}"))


# --- materials --------------------------------------------------------------------------


def _material_form(gathering: Gathering) -> MaterialForm:
    max_mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
    kinds = ", ".join(kind.label for kind in DOCUMENTS)
    extensions = ",".join(extension for kind in DOCUMENTS for extension in kind.extensions)
    return MaterialForm(gathering=gathering, items=gathering.programme, kinds=kinds, extensions=extensions, max_mb=max_mb)


def _upload(form: MaterialForm) -> Upload | None:
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    # One byte more than the limit is enough to tell that the file is too large.
    return Upload(storage.filename, read_upload(storage))


@bp.route("/materials/new", methods=["GET", "POST"])
@login_required
def new_material(network_id: int, gathering_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    form = _material_form(gathering)
    if request.method == "GET":
        form.attach_to.data = request.args.get("item", "")
    if form.validate_on_submit():
        try:
            material = services.add_material(
                gathering, title=form.title.data or "", url=form.url.data or "", upload=_upload(form),
                item_id=form.chosen_item_id, added_by_id=current_user.id,
            )
        except ProgrammeError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagt ut.", title=material.title), "success")
            anchor = f"programme-item-{material.programme_item_id}" if material.programme_item_id else "materials-heading"
            return redirect(manage_url(gathering, anchor))
    return render_template("programme/material_form.html", network=gathering.network, gathering=gathering,
                           form=form), status_code(form)


@bp.post("/materials/<int:material_id>/delete")
@login_required
def delete_material(network_id: int, gathering_id: int, material_id: int):
    gathering = load_managed_gathering(network_id, gathering_id)
    material = load_material(gathering, material_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    page = ask_first(
        below={"gathering": gathering}, title=_("Slette materiellet?"),
        message=_("Slett «%(title)s» fra «%(gathering)s».", title=material.title, gathering=gathering.title),
        button=_("Ja, slett materiellet"),
        back=manage_url(gathering, f"programme-item-{material.programme_item_id}" if material.programme_item_id
                        else "materials-heading"))
    if page is not None:
        return page
    title, item_id = material.title, material.programme_item_id
    services.delete_material(material)
    db.session.commit()
    flash(_("«%(title)s» er slettet.", title=title), "success")
    return redirect(manage_url(gathering, f"programme-item-{item_id}" if item_id else "materials-heading"))


@bp.get("/materials/<int:material_id>/download")
@login_required
def download(network_id: int, gathering_id: int, material_id: int):
    gathering = load_visible_gathering(network_id, gathering_id)
    material = load_material(gathering, material_id)
    stored = services.file_for_download(material)
    if stored is None:
        abort(404)
    return download_response(stored)
