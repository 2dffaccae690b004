"""Shared resources: slide sets with a script per slide (KS's own and the municipalities' versions),
reports and research, and competence environments. Each view loads its objects, checks access in
``access``, then acts."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from network.extensions import db
from network.files.responses import download_response, read_upload
from network.main.confirm import ask_first
from network.main.spreadsheets import csv_response
from network.networks.forms import EmptyForm
from network.networks.loading import found, load_network, require
from network.networks.models import Network
from network.networks.views import form_status
from network.resources import access, services
from network.resources.forms import EnvironmentForm, ReportFilterForm, ReportForm, SlideSetForm
from network.resources.models import CompetenceEnvironment, Report, ReportKind, SlideSet
from network.resources.services import ResourceError, Upload

bp = Blueprint("resources", __name__)

R = "/networks/<int:network_id>/resources"


# --- loading ----------------------------------------------------------------------------


def load_resources(network_id: int) -> Network:
    network = load_network(network_id)
    require(access.can_view_resources(current_user, network))
    return network


def load_managed(network_id: int) -> Network:
    network = load_resources(network_id)
    require(access.can_manage_resources(current_user, network))
    return network


def load_slide_set(network: Network, slide_set_id: int) -> SlideSet:
    return found(services.get_slide_set(network, slide_set_id))


def load_report(network: Network, report_id: int) -> Report:
    return found(services.get_report(network, report_id))


def load_environment(network: Network, environment_id: int) -> CompetenceEnvironment:
    return found(services.get_environment(network, environment_id))


def show_error(form, error: ResourceError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def check_action_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.app_template_global()
def resource_link(url: str | None) -> str | None:
    """The address to link to, or None: only http(s) addresses become links, whatever is stored."""
    return url if services.is_link(url) else None


# --- the resources page -----------------------------------------------------------------


@bp.get(R)
@login_required
def index(network_id: int):
    network = load_resources(network_id)
    reports = services.reports_for(network)
    return render_template(
        "resources/index.html", network=network,
        slide_sets=services.slide_set_overview(network),
        reports=reports[:5], report_count=len(reports),
        environments=services.environments_for(network),
        can_manage=access.can_manage_resources(current_user, network),
    )


# --- slide sets -------------------------------------------------------------------------


def _slide_set_form() -> SlideSetForm:
    return SlideSetForm(max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024))


def _upload(form: SlideSetForm) -> Upload | None:
    storage = form.file.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    # One byte more than the limit is enough to tell that the file is too large.
    return Upload(storage.filename, read_upload(storage))


def _render_slide_set_form(network: Network, form: SlideSetForm, *, slide_set: SlideSet | None = None,
                           original: SlideSet | None = None, organisation=None):
    versions = len(services.adaptations_of(slide_set)) if slide_set is not None else 0
    return render_template("resources/slide_set_form.html", network=network, form=form, slide_set=slide_set,
                           original=original, organisation=organisation, version_count=versions), form_status(form)


@bp.get(R + "/slides/<int:slide_set_id>")
@login_required
def slide_set(network_id: int, slide_set_id: int):
    network = load_resources(network_id)
    shown = load_slide_set(network, slide_set_id)
    return render_template(
        "resources/slide_set.html", network=network, slide_set=shown,
        adaptations=services.adaptations_of(shown),
        can_edit=access.can_edit_slide_set(current_user, shown),
        # The municipality the viewer may make a version for, if any.
        adapting=access.adapting_membership(current_user, network),
    )


@bp.route(R + "/slides/new", methods=["GET", "POST"])
@login_required
def new_slide_set(network_id: int):
    network = load_managed(network_id)
    form = _slide_set_form()
    if form.validate_on_submit():
        try:
            created = services.create_slide_set(
                network, title=form.title.data, description=form.description.data or "",
                slides_text=form.slides.data or "", upload=_upload(form), created_by_id=current_user.id,
            )
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Lysarksettet «%(title)s» er lagret.", title=created.title), "success")
            return redirect(url_for("resources.slide_set", network_id=network.id, slide_set_id=created.id))
    return _render_slide_set_form(network, form)


@bp.route(R + "/slides/<int:slide_set_id>/edit", methods=["GET", "POST"])
@login_required
def edit_slide_set(network_id: int, slide_set_id: int):
    network = load_resources(network_id)
    edited = load_slide_set(network, slide_set_id)
    require(access.can_edit_slide_set(current_user, edited))
    form = _slide_set_form()
    if request.method == "GET":
        form.title.data, form.description.data = edited.title, edited.description
        form.slides.data = services.format_slides(edited.slides)
    if form.validate_on_submit():
        try:
            services.update_slide_set(
                edited, title=form.title.data, description=form.description.data or "",
                slides_text=form.slides.data or "", upload=_upload(form), remove_file=form.remove_file.data,
                person_id=current_user.id,
            )
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Lysarksettet «%(title)s» er lagret.", title=edited.title), "success")
            return redirect(url_for("resources.slide_set", network_id=network.id, slide_set_id=edited.id))
    return _render_slide_set_form(network, form, slide_set=edited, organisation=edited.organisation)


@bp.post(R + "/slides/<int:slide_set_id>/delete")
@login_required
def delete_slide_set(network_id: int, slide_set_id: int):
    network = load_resources(network_id)
    deleted = load_slide_set(network, slide_set_id)
    require(access.can_edit_slide_set(current_user, deleted))
    check_action_form()
    page = ask_first(
        below={"slide_set": deleted}, title=_("Slette lysarksettet?"),
        message=_("Slett lysarksettet «%(title)s» med lysarkene, manusene og filen.", title=deleted.title),
        details=[_("Tilpassede versjoner som bygger på settet, blir stående.")],
        button=_("Ja, slett lysarksettet"),
        back=url_for("resources.edit_slide_set", network_id=network.id, slide_set_id=deleted.id))
    if page is not None:
        return page
    title = deleted.title
    orphaned = services.delete_slide_set(deleted)
    db.session.commit()
    flash(_("Lysarksettet «%(title)s» er slettet.", title=title), "success")
    if orphaned:
        flash(ngettext("%(num)d tilpasset versjon bygde på settet. Den ligger fortsatt på ressurssiden.",
                       "%(num)d tilpassede versjoner bygde på settet. De ligger fortsatt på ressurssiden.", orphaned),
              "info")
    return redirect(url_for("resources.index", network_id=network.id, _anchor="slides-heading"))


@bp.route(R + "/slides/<int:slide_set_id>/adapt", methods=["GET", "POST"])
@login_required
def adapt_slide_set(network_id: int, slide_set_id: int):
    network = load_resources(network_id)
    original = load_slide_set(network, slide_set_id)
    membership = access.adapting_membership(current_user, network)
    require(membership is not None)
    form = _slide_set_form()
    if request.method == "GET":
        # The original's slides and scripts are copied in to edit; emptying the field leaves them out.
        form.title.data = original.title
        form.slides.data = services.format_slides(original.slides)
    if form.validate_on_submit():
        try:
            created = services.create_slide_set(
                network, title=form.title.data, description=form.description.data or "",
                slides_text=form.slides.data or "", upload=_upload(form), created_by_id=current_user.id,
                organisation_id=membership.organisation_id, based_on=original,
            )
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Versjonen til %(name)s er lagret. Takk for at dere deler!", name=membership.organisation.name),
                  "success")
            return redirect(url_for("resources.slide_set", network_id=network.id, slide_set_id=created.id))
    return _render_slide_set_form(network, form, original=original, organisation=membership.organisation)


@bp.get(R + "/slides/<int:slide_set_id>/file")
@login_required
def download_slide_set(network_id: int, slide_set_id: int):
    network = load_resources(network_id)
    shown = load_slide_set(network, slide_set_id)
    stored = services.file_for_download(shown)
    if stored is None:
        abort(404)
    return download_response(stored)


# --- reports ----------------------------------------------------------------------------


def _report_order() -> tuple[str, bool]:
    """Newest first unless the reader sorts otherwise."""
    sort = request.args.get("sort", "year")
    if sort not in services.REPORT_SORTS:
        sort = "year"
    default_dir = "desc" if "sort" not in request.args else "asc"
    return sort, request.args.get("dir", default_dir) == "desc"


@bp.get(R + "/reports")
@login_required
def reports(network_id: int):
    network = load_resources(network_id)
    sort, descending = _report_order()
    filter_form = ReportFilterForm(request.args)
    return render_template(
        "resources/reports.html", network=network,
        reports=services.reports_for(network, sort, descending, filter_form.chosen),
        sort=sort, descending=descending, filter_form=filter_form, kind=filter_form.chosen,
        can_manage=access.can_manage_resources(current_user, network),
    )


@bp.get(R + "/reports.csv")
@login_required
def reports_csv(network_id: int):
    network = load_managed(network_id)
    sort, descending = _report_order()
    kind = ReportFilterForm(request.args).chosen
    header = [_("Tittel"), _("Utgiver"), _("År"), _("Forfattere"), _("Type"), _("Lenke")]
    rows = [(r.title, r.publisher, r.year or "", r.authors, r.kind.label, r.url or "")
            for r in services.reports_for(network, sort, descending, kind)]
    return csv_response(f"rapporter-nettverk-{network.id}.csv", header, rows)


def _report_fields(form: ReportForm) -> dict:
    return dict(title=form.title.data or "", publisher=form.publisher.data or "", year=form.year.data,
                authors=form.authors.data or "", kind=ReportKind(form.kind.data), url=form.url.data)


def _reports_url(network: Network, report: Report | None = None) -> str:
    return url_for("resources.reports", network_id=network.id, _anchor=f"report-{report.id}" if report else None)


@bp.route(R + "/reports/new", methods=["GET", "POST"])
@login_required
def new_report(network_id: int):
    network = load_managed(network_id)
    form = ReportForm()
    if request.method == "GET":
        form.kind.data = ReportKind.REPORT.value
    if form.validate_on_submit():
        try:
            report = services.save_report(None, network, **_report_fields(form))
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagt til.", title=report.title), "success")
            return redirect(_reports_url(network, report))
    return render_template("resources/report_form.html", network=network, form=form, report=None), form_status(form)


@bp.route(R + "/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(network_id: int, report_id: int):
    network = load_managed(network_id)
    report = load_report(network, report_id)
    if request.method == "GET":
        form = ReportForm(obj=report)
        form.kind.data = report.kind.value
    else:
        form = ReportForm()
    if form.validate_on_submit():
        try:
            services.save_report(report, network, **_report_fields(form))
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(title)s» er lagret.", title=report.title), "success")
            return redirect(_reports_url(network, report))
    return render_template("resources/report_form.html", network=network, form=form, report=report), form_status(form)


@bp.post(R + "/reports/<int:report_id>/delete")
@login_required
def delete_report(network_id: int, report_id: int):
    network = load_managed(network_id)
    report = load_report(network, report_id)
    check_action_form()
    page = ask_first(
        title=_("Slette rapporten?"), message=_("Slett «%(title)s» fra listen.", title=report.title),
        button=_("Ja, slett rapporten"),
        back=url_for("resources.edit_report", network_id=network.id, report_id=report.id))
    if page is not None:
        return page
    title = report.title
    services.delete_report(report)
    db.session.commit()
    flash(_("«%(title)s» er slettet fra listen.", title=title), "success")
    return redirect(_reports_url(network))


# --- competence environments ------------------------------------------------------------


def _environments_url(network: Network, environment: CompetenceEnvironment | None = None) -> str:
    return url_for("resources.environments", network_id=network.id,
                   _anchor=f"environment-{environment.id}" if environment else None)


@bp.get(R + "/environments")
@login_required
def environments(network_id: int):
    network = load_resources(network_id)
    return render_template(
        "resources/environments.html", network=network, environments=services.environments_for(network),
        can_manage=access.can_manage_resources(current_user, network),
    )


@bp.route(R + "/environments/new", methods=["GET", "POST"])
@login_required
def new_environment(network_id: int):
    network = load_managed(network_id)
    form = EnvironmentForm()
    if form.validate_on_submit():
        try:
            environment = services.save_environment(None, network, name=form.name.data, offer=form.offer.data or "",
                                                    url=form.url.data)
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(name)s» er lagt til.", name=environment.name), "success")
            return redirect(_environments_url(network, environment))
    return render_template("resources/environment_form.html", network=network, form=form,
                           environment=None), form_status(form)


@bp.route(R + "/environments/<int:environment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_environment(network_id: int, environment_id: int):
    network = load_managed(network_id)
    environment = load_environment(network, environment_id)
    form = EnvironmentForm(obj=environment) if request.method == "GET" else EnvironmentForm()
    if form.validate_on_submit():
        try:
            services.save_environment(environment, network, name=form.name.data, offer=form.offer.data or "",
                                      url=form.url.data)
        except ResourceError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("«%(name)s» er lagret.", name=environment.name), "success")
            return redirect(_environments_url(network, environment))
    return render_template("resources/environment_form.html", network=network, form=form,
                           environment=environment), form_status(form)


@bp.post(R + "/environments/<int:environment_id>/delete")
@login_required
def delete_environment(network_id: int, environment_id: int):
    network = load_managed(network_id)
    environment = load_environment(network, environment_id)
    check_action_form()
    page = ask_first(
        title=_("Slette kompetansemiljøet?"), message=_("Slett «%(name)s» fra oversikten.", name=environment.name),
        button=_("Ja, slett kompetansemiljøet"),
        back=url_for("resources.edit_environment", network_id=network.id, environment_id=environment.id))
    if page is not None:
        return page
    name = environment.name
    services.delete_environment(environment)
    db.session.commit()
    flash(_("«%(name)s» er slettet fra oversikten.", name=name), "success")
    return redirect(_environments_url(network))
