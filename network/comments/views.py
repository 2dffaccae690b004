"""Comments on a submission, and each person's choice of how to hear about new ones.

The thread is shown on the assignments capability's submission page, which includes
``comments/_thread.html``; its forms post here. When a comment can't be saved, the dedicated
comment page is shown instead, with the error and the text that was typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.assignments.models import Comment, NotificationMode, Submission, SubmissionStatus
from network.comments import access, cli, links, services
from network.comments.forms import CommentForm, NotificationForm
from network.comments.services import CommentError, Thread
from network.extensions import db
from network.main.confirm import ask_first
from network.main.formatting import date_time
from network.networks.forms import EmptyForm
from network.networks.loading import load_network, require
from network.networks.models import Network
from network.networks.views import form_status

bp = Blueprint("comments", __name__)
bp.cli.add_command(cli.send_digest_command)

SUBMISSION = "/networks/<int:network_id>/submissions/<int:submission_id>"


def load_submission(network_id: int, submission_id: int) -> tuple[Network, Submission]:
    """The network first (its access rule), then the submission, which must belong to it."""
    network = load_network(network_id)
    submission = services.load_submission(network.id, submission_id)
    if submission is None:
        abort(404)
    return network, submission


def load_comment(submission: Submission, comment_id: int) -> Comment:
    comment = services.get_comment(submission, comment_id)
    if comment is None or services.is_deleted(comment):
        abort(404)
    return comment


def show_error(form, error: CommentError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


# --- the thread on the submission page ---------------------------------------------------


@dataclass
class ThreadView:
    submission: Submission
    threads: list[Thread]
    count: int
    can_comment: bool
    deletable: set[int] = field(default_factory=set)
    is_draft: bool = False
    body_max: int = services.BODY_MAX

    def post_url(self) -> str:
        return url_for("comments.create", network_id=self.submission.assignment.network_id,
                       submission_id=self.submission.id)

    def delete_url(self, comment: Comment) -> str:
        return url_for("comments.delete", network_id=self.submission.assignment.network_id,
                       submission_id=self.submission.id, comment_id=comment.id)


@bp.app_template_global()
def comment_thread(submission: Submission) -> ThreadView:
    """For ``comments/_thread.html``: the comments in threads, with what the viewer may do,
    in a fixed number of queries however many comments there are."""
    comments = services.comments_for(submission)
    can_view = access.can_view_submission(current_user, submission)
    deletable = {c.id for c in comments
                 if not services.is_deleted(c) and access.can_delete_comment(current_user, c, can_view)}
    return ThreadView(
        submission=submission,
        threads=services.arrange(comments),
        count=sum(1 for c in comments if not services.is_deleted(c)),
        can_comment=access.can_comment(current_user, submission),
        deletable=deletable,
        is_draft=submission.status is SubmissionStatus.DRAFT,
    )


@bp.app_template_global()
def comment_is_deleted(comment: Comment) -> bool:
    return services.is_deleted(comment)


@bp.app_template_global()
def comment_anchor(comment: Comment) -> str:
    return links.comment_anchor(comment)


# --- writing ----------------------------------------------------------------------------


def _render_form(network: Network, submission: Submission, form: CommentForm, parent: Comment | None, status: int):
    return render_template(
        "comments/new.html", network=network, submission=submission, form=form, parent=parent,
        organisation=submission.membership.organisation, assignment=submission.assignment,
        back_url=links.thread_url(submission),
    ), status


@bp.get(SUBMISSION + "/comments/new")
@login_required
def new(network_id: int, submission_id: int):
    """The comment form on a page of its own; ``?reply_to=<id>`` to answer a comment."""
    network, submission = load_submission(network_id, submission_id)
    require(access.can_comment(current_user, submission))
    form = CommentForm()
    parent = None
    if "reply_to" in request.args:
        reply_to = request.args.get("reply_to", type=int)
        if reply_to is None:
            abort(404)
        parent = load_comment(submission, reply_to)
        form.parent_id.data = str(parent.id)
    return _render_form(network, submission, form, parent, 200)


@bp.post(SUBMISSION + "/comments")
@login_required
def create(network_id: int, submission_id: int):
    network, submission = load_submission(network_id, submission_id)
    require(access.can_comment(current_user, submission))
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.post_comment(submission, current_user, form.body.data, form.parent)
        except CommentError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Svaret ditt er publisert.") if comment.parent_id else _("Kommentaren er publisert."), "success")
            return redirect(links.comment_url(comment))
    parent = services.get_comment(submission, form.parent) if form.parent else None
    if parent is None or services.is_deleted(parent):
        parent = None
        form.parent_id.data = ""  # don't offer a broken reference again: sent once more, it is a new comment
    return _render_form(network, submission, form, parent, 422)


@bp.post(SUBMISSION + "/comments/<int:comment_id>/delete")
@login_required
def delete(network_id: int, submission_id: int, comment_id: int):
    _network, submission = load_submission(network_id, submission_id)
    comment = load_comment(submission, comment_id)
    require(access.can_delete_comment(current_user, comment))
    if not EmptyForm().validate_on_submit():
        abort(400)
    page = ask_first(
        below={"assignment": submission.assignment}, title=_("Slette kommentaren?"),
        message=_("Slett kommentaren fra %(name)s, skrevet %(when)s.",
                  name=comment.author.name if comment.author else _("en slettet bruker"),
                  when=date_time(comment.created_at)),
        details=[_("Svarene på den står igjen; kommentaren vises da som slettet.")] if services.has_replies(comment) else [],
        button=_("Ja, slett kommentaren"), back=links.thread_url(submission))
    if page is not None:
        return page
    removed = services.delete_comment(comment)
    db.session.commit()
    flash(_("Kommentaren er slettet.") if removed else _("Kommentaren er slettet. Svarene på den står igjen."), "success")
    return redirect(links.thread_url(submission))


# --- preferences ------------------------------------------------------------------------


@bp.route("/me/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    require(access.can_set_preferences(current_user))
    form = NotificationForm()
    if request.method == "GET":
        form.comment_mode.data = services.mode_for(current_user).value
    if form.validate_on_submit():
        mode = NotificationMode(form.comment_mode.data)
        services.set_mode(current_user, mode)
        db.session.commit()
        flash(_("Varslingene dine er lagret."), "success")
        return redirect(url_for("comments.preferences"))
    return render_template("comments/preferences.html", form=form,
                           pending=services.pending_count(current_user.id)), form_status(form)
