"""Assignments between gatherings, and each municipality's shared submission.

Each view loads its objects, checks access in ``network.assignments.access``, then acts.
Coordinators manage assignments and follow them in the grid; a municipality's own people write
its submission; the others read what the assignment's visibility allows.
"""
from __future__ import annotations

from dataclasses import dataclass
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.assignments import access, cli, services
from network.assignments.forms import ActionForm, AssignmentForm, SubmissionForm
from network.assignments.models import Assignment, Submission, SubmissionStatus
from network.assignments.services import AssignmentError, AssignmentFields, SubmissionConflict, Upload
from network.main.paging import row_page
from network.extensions import db
from network.files.responses import download_response, read_upload
from network.files.services import DOCUMENTS
from network.main.confirm import ask_first, confirmed
from network.gatherings import services as gathering_services
from network.groups import services as group_services
from network.main.spreadsheets import csv_response
from network.models_base import utcnow
from network.networks import services as network_services
from network.networks.loading import load_network, require
from network.networks.models import Membership, Network

bp = Blueprint("assignments", __name__, cli_group="assignments")
bp.cli.add_command(cli.send_reminders_command)

_REQUEST_CACHES = ("_assignment_own_membership", "_assignment_group_mates")


@bp.before_app_request
def _reset_access_caches() -> None:
    for name in _REQUEST_CACHES:
        g.pop(name, None)


def load_assignment(network: Network, assignment_id: int) -> Assignment:
    assignment = services.get_assignment(network, assignment_id)
    if assignment is None:
        abort(404)
    return assignment


def load_membership(network: Network, organisation_id: int) -> Membership:
    membership = network_services.get_membership(network, organisation_id)
    if membership is None:
        abort(404)
    return membership


def status_code(form) -> int:
    return 422 if form.errors else 200


def attach(form, problems) -> None:
    """Put each problem on its field (unless the field already says what is wrong), or above the form."""
    for name, message in problems:
        target = getattr(form, name, None) if name else None
        if target is None:
            form.form_errors.append(message)
        elif not target.errors:
            target.errors = [*target.errors, message]


def submission_url(assignment: Assignment, organisation_id: int, **kwargs) -> str:
    return url_for("assignments.submission", network_id=assignment.network_id, assignment_id=assignment.id,
                   organisation_id=organisation_id, **kwargs)


# --- template globals -------------------------------------------------------------------


@dataclass
class GatheringAssignments:
    presented: list[tuple[Assignment, list[Submission]]]
    given: list[Assignment]


@bp.app_template_global()
def gathering_assignments(gathering) -> GatheringAssignments:
    """For the gathering page: the assignments presented there, with the submissions the viewer may
    read, and those given out there. Two to four queries whatever the number of submissions."""
    assignments = services.assignments_at_gathering(gathering)
    presented = [a for a in assignments if a.presented_at_id == gathering.id]
    readable = services.readable_submissions(current_user, presented)
    return GatheringAssignments(
        presented=[(a, readable.get(a.id, [])) for a in presented],
        given=[a for a in assignments if a.given_after_id == gathering.id],
    )


bp.add_app_template_global(services.CELL_LABELS, "submission_status_labels")
bp.add_app_template_global(services.status_of, "submission_status_of")


# --- assignments ------------------------------------------------------------------------


@bp.get("/networks/<int:network_id>/assignments")
@login_required
def index(network_id: int):
    network = load_network(network_id)
    require(access.can_view_assignments(current_user, network))
    manage = access.can_manage_assignments(current_user, network)
    own = access.own_membership(current_user, network)
    return render_template(
        "assignments/index.html",
        network=network,
        assignments=services.assignments_for(network),
        own=own,
        own_submissions=services.own_submissions(network, own),
        can_manage=manage,
        counts=services.submission_counts(network) if manage else {},
        municipality_count=services.municipality_count(network) if manage else 0,
    )


def _assignment_form(network: Network, assignment: Assignment | None) -> AssignmentForm:
    form = AssignmentForm(gatherings=gathering_services.gatherings_for(network),
                          groupings=[row.grouping for row in group_services.groupings_for(network)])
    if request.method == "GET":
        if assignment is None:
            form.visibility.data = "network"
        else:
            form.title.data = assignment.title
            form.description.data = assignment.description
            form.method.data = assignment.method.value
            form.given_after_id.data = str(assignment.given_after_id or "")
            form.presented_at_id.data = str(assignment.presented_at_id or "")
            form.due_on.data = assignment.due_on
            form.visibility.data = assignment.visibility.value
            form.grouping_id.data = str(assignment.grouping_id or "")
    return form


def _save_assignment(network: Network, assignment: Assignment | None):
    form = _assignment_form(network, assignment)
    if request.method == "POST":
        form.validate()  # the CSRF token and the date's format; the rules are in services
        fields = AssignmentFields(
            title=form.title.data or "", description=form.description.data or "", method=form.method.data or "",
            given_after_id=form.given_after_id.data or "", presented_at_id=form.presented_at_id.data or "",
            due_on=None if form.due_on.errors else form.due_on.data, visibility=form.visibility.data or "",
            grouping_id=form.grouping_id.data or "",
        )
        try:
            saved = services.save_assignment(network, assignment, fields, current_user)
        except AssignmentError as error:
            db.session.rollback()
            attach(form, error.problems)
        else:
            if not form.errors:
                db.session.commit()
                flash(_("Oppgaven «%(title)s» er lagret.", title=saved.title), "success")
                return redirect(url_for("assignments.show", network_id=network.id, assignment_id=saved.id))
            db.session.rollback()
    counts = services.submission_counts(network).get(assignment.id) if assignment is not None else None
    return render_template("assignments/form.html", network=network, assignment=assignment, form=form,
                           counts=counts, action_form=ActionForm()), status_code(form)


@bp.route("/networks/<int:network_id>/assignments/new", methods=["GET", "POST"])
@login_required
def create(network_id: int):
    network = load_network(network_id)
    require(access.can_manage_assignments(current_user, network))
    return _save_assignment(network, None)


@bp.route("/networks/<int:network_id>/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(network_id: int, assignment_id: int):
    network = load_network(network_id)
    assignment = load_assignment(network, assignment_id)
    require(access.can_manage_assignments(current_user, network))
    return _save_assignment(network, assignment)


@bp.post("/networks/<int:network_id>/assignments/<int:assignment_id>/delete")
@login_required
def delete(network_id: int, assignment_id: int):
    network = load_network(network_id)
    assignment = load_assignment(network, assignment_id)
    require(access.can_manage_assignments(current_user, network))
    if not ActionForm().validate_on_submit():
        abort(400)
    counts = services.submission_counts(network).get(assignment.id)
    page = ask_first(
        below={"assignment": assignment}, title=_("Slette oppgaven?"),
        message=_("Slett oppgaven «%(title)s».", title=assignment.title),
        details=[_("Besvarelsene fra kommunene, med vedlegg og kommentarer, slettes sammen med den.")]
        + ([_("Kommunene har skrevet eller levert %(n)s besvarelser.", n=_started(counts))] if _started(counts) else []),
        button=_("Ja, slett oppgaven"),
        back=url_for("assignments.edit", network_id=network.id, assignment_id=assignment.id))
    if page is not None:
        return page
    title = assignment.title
    services.delete_assignment(assignment)
    db.session.commit()
    flash(_("Oppgaven «%(title)s» er slettet, med besvarelsene og kommentarene til den.", title=title), "success")
    return redirect(url_for("assignments.index", network_id=network.id))


@bp.get("/networks/<int:network_id>/assignments/<int:assignment_id>")
@login_required
def show(network_id: int, assignment_id: int):
    network = load_network(network_id)
    assignment = load_assignment(network, assignment_id)
    require(access.can_view_assignment(current_user, assignment))
    own = access.own_membership(current_user, network)
    own_submission = services.submissions_for(assignment, [own.id]).get(own.id) if own is not None else None
    return render_template(
        "assignments/show.html",
        network=network,
        assignment=assignment,
        own=own,
        own_submission=own_submission,
        readable=services.readable_submissions(current_user, [assignment])[assignment.id],
        can_manage=access.can_manage_assignments(current_user, network),
        past_due=access.is_past_due(assignment, utcnow()),
    )


# --- the coordinators' grid -------------------------------------------------------------


def _grid_sort() -> tuple[str, bool]:
    sort = request.args.get("sort", "name")
    return (sort if sort in services.GRID_SORTS else "name"), request.args.get("dir") == "desc"


@bp.get("/networks/<int:network_id>/assignments/grid")
@login_required
def grid(network_id: int):
    network = load_network(network_id)
    require(access.can_view_grid(current_user, network))
    sort, descending = _grid_sort()
    table = services.grid(network, sort, descending)
    # A national network has hundreds of rows: the page shows 50 of them; the sums and the CSV cover all.
    return render_template("assignments/grid.html", network=network, grid=table, grid_page=row_page(table.rows, "page"),
                           sort=sort, descending=descending)


@bp.get("/networks/<int:network_id>/assignments/grid.csv")
@login_required
def grid_csv(network_id: int):
    network = load_network(network_id)
    require(access.can_view_grid(current_user, network))
    sort, descending = _grid_sort()
    table = services.grid(network, sort, descending)
    header = [_("Kommune"), _("Kommunenummer"), _("Fylke")]
    for assignment in table.assignments:
        header += [_("%(title)s: status", title=assignment.title), _("%(title)s: kommentarer", title=assignment.title)]
    rows = []
    for row in table.rows:
        organisation = row.membership.organisation
        line = [organisation.name, organisation.kommunenummer or "", organisation.county.name if organisation.county else ""]
        for cell in row.cells:
            line += [table.labels[cell.status], cell.comment_count]
        rows.append(line)
    return csv_response(f"oppgaver-nettverk-{network.id}.csv", header, rows)


# --- a municipality's submission --------------------------------------------------------


def _submission_form() -> SubmissionForm:
    max_mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
    kinds = ", ".join(kind.label for kind in DOCUMENTS)
    extensions = ",".join(extension for kind in DOCUMENTS for extension in kind.extensions)
    return SubmissionForm(kinds=kinds, extensions=extensions, max_mb=max_mb)


def _uploads(form: SubmissionForm) -> list[Upload]:
    return [Upload(storage.filename, read_upload(storage))
            for storage in (form.files.data or []) if getattr(storage, "filename", "")]


def _render_submission(network, assignment, membership, submission, form, *, conflict=None, status=200):
    now = utcnow()
    return render_template(
        "assignments/submission.html",
        network=network, assignment=assignment, membership=membership, organisation=membership.organisation,
        submission=submission, form=form, conflict=conflict,
        can_edit=access.can_edit_submission(current_user, submission or membership),
        can_reopen=submission is not None and access.can_reopen_submission(current_user, submission, now),
        past_due=access.is_past_due(assignment, now),
        posted_files=request.method == "POST" and bool(_posted_filenames()),
        action_form=ActionForm(),
    ), status


def _posted_filenames() -> list[str]:
    return [f.filename for f in request.files.getlist("files") if f.filename]


@bp.route("/networks/<int:network_id>/assignments/<int:assignment_id>/municipalities/<int:organisation_id>",
          methods=["GET", "POST"])
@login_required
def submission(network_id: int, assignment_id: int, organisation_id: int):
    network = load_network(network_id)
    assignment = load_assignment(network, assignment_id)
    membership = load_membership(network, organisation_id)
    current = services.get_submission(assignment, membership)
    require(access.can_open_submission(current_user, assignment, membership, current))
    form = _submission_form()
    if request.method == "POST":
        # Only the municipality's own people write; a delivered text is handled as a conflict below.
        require(access.can_edit_submission(current_user, membership))
        return _save_submission(network, assignment, membership, form)
    if current is not None:
        form.text.data = current.text
        form.version.data = str(current.version)
    return _render_submission(network, assignment, membership, current, form)


def _save_submission(network, assignment, membership, form: SubmissionForm):
    form.validate()  # only the CSRF token; the rules are in services
    deliver = request.form.get("action") == "submit"
    # Delivering is for good (only a reopening takes it back), so it is asked first. What was typed
    # and attached is saved as a draft on the way, so "Avbryt" loses nothing.
    ask = deliver and not confirmed()
    try:
        saved = services.save_submission(
            assignment, membership, text=form.text.data or "", expected_version=form.expected_version,
            by=current_user, now=utcnow(), uploads=_uploads(form), deliver=deliver and not ask,
        )
        if ask:
            services.check_deliverable(saved)
    except SubmissionConflict:
        db.session.rollback()
        current = services.get_submission(assignment, membership)
        if _already_done(current, form, deliver):
            flash(_("Besvarelsen var allerede lagret med denne teksten."), "info")
            return redirect(submission_url(assignment, membership.organisation_id))
        form.version.data = str(current.version)  # sending again is a deliberate overwrite
        return _render_submission(network, assignment, membership, current, form, conflict=current, status=409)
    except AssignmentError as error:
        db.session.rollback()
        attach(form, error.problems)
        current = services.get_submission(assignment, membership)
        return _render_submission(network, assignment, membership, current, form, status=422)
    db.session.commit()
    if ask:
        return _ask_to_deliver(assignment, membership, saved)
    if deliver:
        flash(_("Besvarelsen er levert. Nå kan de andre i nettverket lese den, etter reglene for oppgaven."), "success")
    else:
        flash(_("Utkastet er lagret. Bare dere selv og koordinatorene kan se det."), "success")
    return redirect(submission_url(assignment, membership.organisation_id))


def _ask_to_deliver(assignment: Assignment, membership: Membership, saved: Submission):
    organisation = membership.organisation
    past_due = access.is_past_due(assignment, utcnow())
    details = [_("Teksten og vedleggene er lagret som utkast."),
               _("Når besvarelsen er levert, kan de andre i nettverket lese den, etter reglene for oppgaven.")]
    if past_due:
        details.append(_("Fristen har gått ut, så besvarelsen merkes som levert for sent."))
    return ask_first(
        below={"assignment": assignment}, title=_("Levere besvarelsen?"),
        message=_("Lever besvarelsen fra %(organisation)s på «%(title)s».", organisation=organisation.name,
                  title=assignment.title),
        details=details, button=_("Ja, lever besvarelsen"),
        back=submission_url(assignment, membership.organisation_id),
        afterwards=_("Etterpå kan den bare endres hvis den åpnes for endringer igjen: av dere før fristen, "
                     "ellers av en koordinator."),
        # The draft just saved moved the version on; the text is the one saved.
        fields={"text": saved.text, "version": saved.version})


def _started(counts) -> int:
    return sum(counts.values()) if counts else 0


def _already_done(current: Submission, form: SubmissionForm, deliver: bool) -> bool:
    """A form sent twice (a double click, or the back button): the saved text is the one sent, so
    there is nothing to compare and nothing to lose."""
    same_text = current.text == (form.text.data or "").replace("\r\n", "\n")
    done = current.status is SubmissionStatus.SUBMITTED if deliver else current.status is SubmissionStatus.DRAFT
    return same_text and done and not _posted_filenames()


def _load_existing_submission(network_id: int, assignment_id: int, organisation_id: int):
    network = load_network(network_id)
    assignment = load_assignment(network, assignment_id)
    membership = load_membership(network, organisation_id)
    current = services.get_submission(assignment, membership)
    if current is None:
        abort(404)
    return network, assignment, membership, current


@bp.post("/networks/<int:network_id>/assignments/<int:assignment_id>/municipalities/<int:organisation_id>/reopen")
@login_required
def reopen(network_id: int, assignment_id: int, organisation_id: int):
    _network, assignment, membership, current = _load_existing_submission(network_id, assignment_id, organisation_id)
    require(access.can_reopen_submission(current_user, current, utcnow()))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.reopen(current, current_user, utcnow())
    except (AssignmentError, SubmissionConflict):  # someone else reopened it a moment ago
        db.session.rollback()
        flash(_("Besvarelsen er allerede åpnet for endringer."), "info")
        return redirect(submission_url(assignment, membership.organisation_id))
    db.session.commit()
    flash(_("Besvarelsen er åpnet for endringer igjen. Lever den på nytt når dere er ferdige."), "success")
    return redirect(submission_url(assignment, membership.organisation_id))


@bp.post("/networks/<int:network_id>/assignments/<int:assignment_id>/municipalities/<int:organisation_id>"
         "/attachments/<int:attachment_id>/delete")
@login_required
def remove_attachment(network_id: int, assignment_id: int, organisation_id: int, attachment_id: int):
    _network, assignment, membership, current = _load_existing_submission(network_id, assignment_id, organisation_id)
    require(access.can_view_submission(current_user, current))
    attachment = services.get_attachment(current, attachment_id)
    if attachment is None:
        abort(404)
    require(access.can_remove_attachment(current_user, current))
    if not ActionForm().validate_on_submit():
        abort(400)
    page = ask_first(
        below={"assignment": assignment}, title=_("Fjerne vedlegget?"),
        message=_("Fjern vedlegget «%(name)s» fra besvarelsen til %(organisation)s.", name=attachment.file.filename,
                  organisation=membership.organisation.name),
        button=_("Ja, fjern vedlegget"),
        back=submission_url(assignment, membership.organisation_id, _anchor="attachments-heading"),
        afterwards=_("Dette kan ikke angres, men du kan laste opp filen på nytt."))
    if page is not None:
        return page
    try:
        filename = services.remove_attachment(current, attachment, current_user, utcnow())
    except AssignmentError as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(submission_url(assignment, membership.organisation_id, _anchor="attachments-heading"))
    db.session.commit()
    flash(_("Vedlegget «%(name)s» er fjernet.", name=filename), "success")
    return redirect(submission_url(assignment, membership.organisation_id, _anchor="attachments-heading"))


@bp.get("/networks/<int:network_id>/assignments/<int:assignment_id>/municipalities/<int:organisation_id>"
        "/attachments/<int:attachment_id>")
@login_required
def download(network_id: int, assignment_id: int, organisation_id: int, attachment_id: int):
    _network, _assignment, _membership, current = _load_existing_submission(network_id, assignment_id, organisation_id)
    require(access.can_view_submission(current_user, current))
    attachment = services.get_attachment(current, attachment_id)
    if attachment is None:
        abort(404)
    stored = services.file_for_download(attachment)
    if stored is None:
        abort(404)
    return download_response(stored)

