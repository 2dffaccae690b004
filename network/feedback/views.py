"""Feedback to KS: the form anyone in the network (and visitors, when allowed) sends, and the
coordinators' inbox. Each view loads its objects, checks access in ``access``, then acts."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.extensions import db, limiter, login_manager
from network.feedback import access, cli, services
from network.feedback.forms import FeedbackForm, InboxFilterForm, NoteForm, ReplyForm, StatusForm
from network.feedback.models import FEEDBACK_TEXT_MAX, Feedback, FeedbackStatus, FeedbackTopic
from network.feedback.services import FeedbackError, Upload
from network.files.responses import download_response, read_upload
from network.main.spreadsheets import csv_response
from network.networks.loading import found, load_network, require
from network.networks.models import Network
from network.privacy.audit import audited
from network.privacy.models import ExportKind

bp = Blueprint("feedback", __name__)
bp.cli.add_command(cli.send_anonymous_notices_command)

N = "/networks/<int:network_id>/feedback"


def _signed_in() -> bool:
    return bool(current_user.is_authenticated)


def _rate_limit() -> str:
    return current_app.config["FEEDBACK_RATE_LIMIT"]


# --- sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the sender of named feedback sees after sending: what they wrote, as it was stored."""

    topic: FeedbackTopic
    gathering: str
    slide_set: str
    works: str
    does_not_work: str
    suggestion: str
    attachment: str
    anonymous: bool
    sender_name: str
    sender_email: str


def _upload(form: FeedbackForm) -> Upload | None:
    storage = form.attachment.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.filename, read_upload(storage))


def _network_to_send_to(network_id: int) -> tuple[Network, bool]:
    """The network whose feedback form (or receipt) this is, and whether the reader is a member.
    A visitor who may not send is asked to sign in; a signed-in person who may not, refused."""
    network = db.get_or_404(Network, network_id)
    if not access.can_send_feedback(current_user, network):
        abort(login_manager.unauthorized() if not _signed_in() else 403)
    return network, access.is_member(current_user, network)


@bp.route(N + "/new", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"], exempt_when=_signed_in)
def new(network_id: int):
    network, member = _network_to_send_to(network_id)
    if member:
        g.network = network  # the header and menu are the network's own
    visitor = not _signed_in()
    max_mb = current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
    form = FeedbackForm(
        visitor=visitor, max_mb=max_mb,
        gatherings=services.gatherings_for(network) if member else (),
        slide_sets=services.slide_sets_for(network) if member else (),
    )
    if request.method == "POST" and form.is_spam:
        # A robot filled in the hidden field: it gets the usual answer, and nothing is kept or sent.
        return _to_receipt(network, None, anonymous=bool(form.anonymous.data))
    if form.validate_on_submit():
        try:
            feedback = services.submit_feedback(
                network, topic=form.chosen_topic, works=form.works.data or "",
                does_not_work=form.does_not_work.data or "", suggestion=form.suggestion.data or "",
                anonymous=bool(form.anonymous.data), person=None if visitor else current_user,
                sender_name=(form.name.data or "") if visitor else "",
                sender_email=(form.email.data or "") if visitor else "",
                gathering=form.chosen_gathering, slide_set=form.chosen_slide_set, attachment=_upload(form),
            )
        except FeedbackError as error:
            db.session.rollback()
            form.show_error(error)
        else:
            db.session.commit()
            return _to_receipt(network, feedback, anonymous=feedback.anonymous)
    return render_template("feedback/new.html", network=network, form=form, member=member, visitor=visitor,
                           text_max=FEEDBACK_TEXT_MAX), 422 if form.errors else 200


# The receipt after sending is a page of its own (redirect after POST), so reloading it sends
# nothing again. Its address names no item: the session says which one, and only for named
# feedback. Anonymous feedback is never looked up again, so nothing shown after the send can tie it
# to this browser; the text of named feedback is shown once, right after sending.
RECEIPT = "feedback_receipt"


def _to_receipt(network: Network, feedback: Feedback | None, anonymous: bool):
    session[RECEIPT] = {"network": network.id, "anonymous": anonymous,
                        "feedback": None if anonymous or feedback is None else feedback.id}
    return redirect(url_for("feedback.sent", network_id=network.id))


@bp.get(N + "/sent")
def sent(network_id: int):
    network, member = _network_to_send_to(network_id)
    if member:
        g.network = network
    kept = session.get(RECEIPT)
    if not isinstance(kept, dict) or kept.get("network") != network.id:
        return redirect(url_for("feedback.new", network_id=network.id))
    receipt = None
    if kept.get("feedback"):
        feedback = services.get_feedback(network, str(kept["feedback"]))
        if feedback is not None and not feedback.anonymous and _sent_by_this_reader(feedback):
            receipt = _stored_receipt(feedback)
        session[RECEIPT] = {**kept, "feedback": None, "email": receipt.sender_email if receipt else ""}
    return render_template("feedback/receipt.html", network=network, member=member, receipt=receipt,
                           anonymous=bool(kept.get("anonymous")), email=receipt.sender_email if receipt else
                           kept.get("email", ""))


def _sent_by_this_reader(feedback: Feedback) -> bool:
    """The signed-in sender, or (for a visitor's named feedback) someone not signed in."""
    if _signed_in():
        return feedback.sender_id == current_user.id
    return feedback.sender_id is None


def _stored_receipt(feedback: Feedback) -> Receipt:
    return Receipt(
        topic=feedback.topic,
        gathering=feedback.gathering.title if feedback.gathering and feedback.topic is FeedbackTopic.GATHERING else "",
        slide_set=feedback.slide_set.title if feedback.slide_set and feedback.topic is FeedbackTopic.SLIDES else "",
        works=feedback.works, does_not_work=feedback.does_not_work, suggestion=feedback.suggestion,
        attachment=feedback.attachments[0].filename if feedback.attachments else "",
        anonymous=False, sender_name=feedback.sender_name, sender_email=feedback.sender_email,
    )


# --- the inbox --------------------------------------------------------------------------


def load_inbox(network_id: int) -> Network:
    network = load_network(network_id)
    require(access.can_manage_feedback(current_user, network))
    return network


@bp.app_template_global()
def my_sent_feedback() -> list[Feedback]:
    """For "Min side": the signed-in person's named feedback and the answers to it."""
    return services.sent_by(current_user) if current_user.is_authenticated else []


def load_feedback(network: Network, feedback_id: str) -> Feedback:
    return found(services.get_feedback(network, feedback_id))


def _inbox_order() -> tuple[str, bool]:
    """Newest first unless the reader sorts otherwise."""
    sort = request.args.get("sort", "received")
    if sort not in services.INBOX_SORTS:
        sort = "received"
    default_dir = "desc" if sort == "received" else "asc"
    return sort, request.args.get("dir", default_dir) == "desc"


@bp.get(N)
@login_required
def inbox(network_id: int):
    network = load_inbox(network_id)
    filter_form = InboxFilterForm(request.args)
    sort, descending = _inbox_order()
    rows = services.inbox(network, topic=filter_form.chosen_topic, status=filter_form.chosen_status,
                          sort=sort, descending=descending)
    return render_template(
        "feedback/inbox.html", network=network, rows=rows, filter_form=filter_form, sort=sort, descending=descending,
        topic=filter_form.chosen_topic, status=filter_form.chosen_status, counts=services.status_counts(network),
        full_text=services.full_text,
    )


@bp.get("/networks/<int:network_id>/feedback.csv")
@login_required
@audited(ExportKind.FEEDBACK)
def inbox_csv(network_id: int):
    network = load_inbox(network_id)
    filter_form = InboxFilterForm(request.args)
    sort, descending = _inbox_order()
    rows = services.inbox(network, topic=filter_form.chosen_topic, status=filter_form.chosen_status,
                          sort=sort, descending=descending)
    header = [_("Mottatt"), _("Emne"), _("Samling"), _("Lysarksett"), _("Status"), _("Avsender"), _("E-post"),
              _("Hva fungerer"), _("Hva fungerer ikke"), _("Forslag"), _("Vedlegg")]
    lines = []
    for row in rows:
        feedback = row.feedback
        lines.append([
            feedback.received_on.isoformat(), feedback.topic.label,
            feedback.gathering.title if feedback.gathering else "", feedback.slide_set.title if feedback.slide_set else "",
            feedback.status.label, _("Anonym") if feedback.anonymous else feedback.sender_name,
            "" if feedback.anonymous else feedback.sender_email,
            feedback.works, feedback.does_not_work, feedback.suggestion, row.attachment_count,
        ])
    return csv_response(f"tilbakemeldinger-{network.id}.csv", header, lines)


def _show(network: Network, feedback: Feedback, status_form=None, note_form=None, reply_form=None, status=200):
    status_form = status_form or StatusForm(data={"status": feedback.status.value})
    reply_form = reply_form or ReplyForm(formdata=None)
    reply_form.body.description = _(
        "Sendes på e-post til %(address)s, med tilbakemeldingen sitert under. Statusen blir «Besvart».",
        address=feedback.reply_address)
    return render_template(
        "feedback/show.html", network=network, feedback=feedback, status_form=status_form,
        note_form=note_form or NoteForm(formdata=None), reply_form=reply_form,
        can_reply=access.can_reply(current_user, feedback),
    ), status


@bp.get(N + "/<feedback_id>")
@login_required
def show(network_id: int, feedback_id: str):
    network = load_inbox(network_id)
    feedback = load_feedback(network, feedback_id)
    if services.mark_read(feedback):
        db.session.commit()
    return _show(network, feedback)


def _back(network: Network, feedback: Feedback, anchor: str | None = None):
    return redirect(url_for("feedback.show", network_id=network.id, feedback_id=feedback.id, _anchor=anchor))


@bp.post(N + "/<feedback_id>/status")
@login_required
def set_status(network_id: int, feedback_id: str):
    network = load_inbox(network_id)
    feedback = load_feedback(network, feedback_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _show(network, feedback, status_form=form, status=422)
    services.set_status(feedback, FeedbackStatus(form.status.data))
    db.session.commit()
    flash(_("Statusen er nå «%(status)s».", status=feedback.status.label), "success")
    return _back(network, feedback)


@bp.post(N + "/<feedback_id>/notes")
@login_required
def add_note(network_id: int, feedback_id: str):
    network = load_inbox(network_id)
    feedback = load_feedback(network, feedback_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.add_note(feedback, current_user, form.body.data or "")
        except FeedbackError as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Notatet er lagret."), "success")
            return _back(network, feedback, "notes-heading")
    return _show(network, feedback, note_form=form, status=422)


@bp.post(N + "/<feedback_id>/reply")
@login_required
def reply(network_id: int, feedback_id: str):
    network = load_inbox(network_id)
    feedback = load_feedback(network, feedback_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            answer = services.reply(feedback, current_user, form.body.data or "")
        except FeedbackError as error:
            db.session.rollback()
            if error.field:
                form.body.errors = [*form.body.errors, str(error)]
            else:
                form.form_errors.append(str(error))
        else:
            recipient = answer.recipient
            db.session.commit()
            flash(_("Svaret er sendt til %(address)s.", address=recipient), "success")
            return _back(network, feedback, "replies-heading")
    return _show(network, feedback, reply_form=form, status=422)


@dataclass(frozen=True)
class _Download:
    """What ``download_response`` reads from a stored file."""

    filename: str
    content_type: str
    data: bytes
    sha256: str


@bp.get(N + "/<feedback_id>/attachments/<attachment_id>")
@login_required
def attachment(network_id: int, feedback_id: str, attachment_id: str):
    network = load_inbox(network_id)
    feedback = load_feedback(network, feedback_id)
    stored = found(services.get_attachment(feedback, attachment_id))
    return download_response(_Download(stored.filename, stored.content_type, stored.data,
                                       hashlib.sha256(stored.data).hexdigest()))
