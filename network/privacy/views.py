"""Privacy: the public privacy page, "Mine data" with its downloads and the deletion request, and
the KS administrators' pages for deletion requests and the export log.
Each view loads its objects, checks access, then acts."""
from __future__ import annotations

import re
from datetime import date, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.extensions import db
from network.main import clock
from network.main import formatting
from network.main.confirm import ask_first
from network.networks import access
from network.networks.forms import EmptyForm
from network.networks.loading import require
from network.privacy import cli, services
from network.privacy.audit import audited
from network.privacy.forms import DeclineForm, DeletionRequestForm, ExportLogFilterForm
from network.privacy.models import DeletionRequest, DeletionStatus, ExportKind
from network.privacy.services import PrivacyError


bp = Blueprint("privacy", __name__, cli_group="privacy")
bp.cli.add_command(cli.purge_command)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # personal data: never in a shared cache
    return response


# --- for everyone ----------------------------------------------------------------------------


@bp.get("/personvern")
def policy():
    return render_template("privacy/policy.html", retention=services.retention(),
                           contact_email=current_app.config["PRIVACY_CONTACT_EMAIL"])


@bp.app_template_global()
def privacy_retention() -> services.Retention:
    """The retention periods, for pages that tell how long something is kept (the catering list)."""
    return services.retention()


# --- "Mine data" -----------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}")


@bp.app_template_filter("readable_value")
def readable_value(value):
    """A value of "Mine data" as a person reads it: stored times in Norwegian local time, dates
    (one or a list of them) written out. The JSON download keeps the stored form."""
    if value is True or value is False:
        return _("Ja") if value else _("Nei")
    if value is None:
        return "–"
    if isinstance(value, str):
        if _ISO_TIME.fullmatch(value):
            return formatting.date_time(datetime.fromisoformat(value))
        parts = value.split(", ")
        if all(_ISO_DATE.fullmatch(part) for part in parts):
            return ", ".join(formatting.long_date(date.fromisoformat(part)) for part in parts)
    return value


@bp.app_template_test("shown_in_page")
def shown_in_page(key: str, row: dict) -> bool:
    """A code column (``status``) is left out of the page when the row also has its label (``status_label``)."""
    return f"{key}_label" not in row



@bp.app_template_global()
def my_deletion_request():
    """For "Min side": the signed-in person's latest deletion request, if any."""
    return services.latest_request(current_user) if current_user.is_authenticated else None


@bp.get("/me/data")
@login_required
def my_data():
    sections = services.my_data(current_user)
    return _no_store(Response(render_template(
        "privacy/my_data.html", sections=sections, field_label=services.field_label,
        pending=services.pending_request(current_user), latest=services.latest_request(current_user),
        withdraw_form=EmptyForm())))


def _stamp() -> str:
    return clock.oslo_today().isoformat()


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return _no_store(Response(body, mimetype=mimetype,
                              headers={"Content-Disposition": f"attachment; filename={filename}"}))


@bp.get("/me/data.json")
@login_required
@audited(ExportKind.MY_DATA)
def my_data_json():
    body = services.my_data_json(services.my_data(current_user))
    return _download(body, "application/json", f"mine-data-{_stamp()}.json")


@bp.get("/me/data.zip")
@login_required
@audited(ExportKind.MY_DATA)
def my_data_zip():
    sections = services.my_data(current_user)
    html = render_template("privacy/my_data_file.html", sections=sections, field_label=services.field_label,
                           created=clock.oslo_now())
    return _download(services.my_data_zip(sections, html), "application/zip", f"mine-data-{_stamp()}.zip")


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
def request_deletion():
    pending = services.pending_request(current_user)
    form = DeletionRequestForm()
    if pending is None and form.validate_on_submit():
        try:
            services.request_deletion(current_user)
        except PrivacyError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Vi har mottatt forespørselen din. En administrator i KS behandler den, og du får e-post "
                    "når kontoen er slettet."), "success")
        return redirect(url_for("privacy.my_data", _anchor="deletion"))
    return render_template("privacy/delete.html", form=form, pending=pending), 422 if form.errors else 200


@bp.post("/me/delete/withdraw")
@login_required
def withdraw_deletion():
    if not EmptyForm().validate_on_submit():
        abort(400)
    pending = services.pending_request(current_user)
    if pending is not None:
        services.withdraw_request(pending)
        db.session.commit()
        flash(_("Forespørselen om sletting er trukket tilbake."), "success")
    return redirect(url_for("privacy.my_data", _anchor="deletion"))


# --- KS administrators -----------------------------------------------------------------------


def _requests_page(decline_forms=None, status=200):
    shown = request.args.get("status", "pending")
    chosen = None if shown == "all" else DeletionStatus(shown) if shown in {s.value for s in DeletionStatus} else (
        DeletionStatus.PENDING)
    rows = services.deletion_requests(chosen)
    forms = {row.id: DeclineForm(formdata=None, request_id=row.id) for row in rows
             if row.status is DeletionStatus.PENDING}
    forms.update(decline_forms or {})
    return render_template("privacy/requests.html", rows=rows, decline_forms=forms, shown=shown,
                           statuses=list(DeletionStatus), confirm_form=EmptyForm()), status


@bp.get("/admin/deletion-requests")
@login_required
def requests():
    require(access.is_admin(current_user))
    return _requests_page()


def _load_request(request_id: int) -> DeletionRequest:
    require(access.is_admin(current_user))
    return db.get_or_404(DeletionRequest, request_id)


@bp.post("/admin/deletion-requests/<int:request_id>/confirm")
@login_required
def confirm(request_id: int):
    deletion = _load_request(request_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if deletion.status is DeletionStatus.PENDING:  # otherwise the service says why not
        person = deletion.person
        page = ask_first(
            title=_("Slette kontoen?"),
            message=_("Slett kontoen til %(name)s (%(email)s).", name=person.name, email=person.email),
            details=[_("Navn og kontaktopplysninger fjernes fra alle tabeller, roller og innlogging forsvinner, og "
                       "personen får e-post om at kontoen er slettet.")],
            button=_("Ja, slett kontoen"), back=url_for("privacy.requests", _anchor=f"request-{deletion.id}"))
        if page is not None:
            return page
    try:
        services.confirm_request(deletion, current_user)
    except PrivacyError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("Kontoen er slettet, og personen har fått beskjed på e-post."), "success")
    return redirect(url_for("privacy.requests"))


@bp.post("/admin/deletion-requests/<int:request_id>/decline")
@login_required
def decline(request_id: int):
    deletion = _load_request(request_id)
    form = DeclineForm(request_id=deletion.id)
    if form.validate_on_submit():
        if deletion.status is DeletionStatus.PENDING:
            page = ask_first(
                title=_("Avslå forespørselen?"),
                message=_("Avslå forespørselen om sletting fra %(name)s.", name=deletion.person.name),
                details=[_("%(name)s får denne begrunnelsen på e-post: «%(reason)s»", name=deletion.person.name,
                           reason=form.reason.data)],
                button=_("Ja, avslå og send begrunnelsen"),
                back=url_for("privacy.requests", _anchor=f"request-{deletion.id}"),
                afterwards=_("E-posten kan ikke trekkes tilbake. Personen kan be om sletting på nytt."))
            if page is not None:
                return page
        try:
            services.decline_request(deletion, current_user, form.reason.data)
        except PrivacyError as error:
            db.session.rollback()
            form.reason.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Forespørselen er avslått, og personen har fått begrunnelsen på e-post."), "success")
            return redirect(url_for("privacy.requests"))
    return _requests_page({deletion.id: form}, status=422)


@bp.get("/admin/export-log")
@login_required
def export_log():
    require(access.is_admin(current_user))
    form = ExportLogFilterForm(request.args, networks=services.networks_in_export_log())
    valid = form.validate() if request.args else True
    filters = services.ExportLogFilter(
        kind=form.chosen_kind, network_id=form.chosen_network_id, person=form.person.data or "",
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if valid else None,
        sort=form.chosen_sort, descending=form.descending)
    rows, total = services.export_log(filters)
    return render_template("privacy/export_log.html", form=form, rows=rows, total=total,
                           limit=services.EXPORT_LOG_LIMIT, filters=filters), 200 if valid else 422
