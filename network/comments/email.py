"""Mail about new comments, queued in the outbox inside the caller's transaction.

The comment appears as a plain-text excerpt, never as HTML: what the author typed is text in both
the plain and the HTML part (Jinja escapes it in the latter), and links are not made clickable.
"""
from __future__ import annotations

from html import unescape

from flask_babel import gettext as _
from flask_babel import ngettext

from network.assignments.models import Comment
from network.auth.models import Person
from network.comments import links
from network.main.text import plain_excerpt
from network.outbox.services import in_language_of, queue_mail_to

EXCERPT_LENGTH = 500
DIGEST_EXCERPT_LENGTH = 300


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """The comment as plain text. Typed HTML stays text (as on the page), and the excerpt's entities
    are turned back into characters, since the templates escape for their own format."""
    return unescape(plain_excerpt((body or "").replace("<", "&lt;"), length))


def author_line(comment: Comment) -> str:
    author = comment.author
    if author is None:
        return _("En tidligere bruker")
    if author.organisation is not None:
        return _("%(name)s, %(organisation)s", name=author.name, organisation=author.organisation.name)
    return author.name


def queue_comment_mail(person: Person, comment: Comment, answers_them: bool = False) -> None:
    with in_language_of(person):  # the author line and subject too, not only the templates
        _queue_comment_mail(person, comment, answers_them)


def _queue_comment_mail(person: Person, comment: Comment, answers_them: bool) -> None:
    submission = comment.submission
    organisation = submission.membership.organisation.name
    title = submission.assignment.title
    if answers_them:
        subject = _("Svar på kommentaren din: %(title)s", title=title)
    else:
        subject = _("Ny kommentar til %(organisation)s: %(title)s", organisation=organisation, title=title)
    queue_mail_to(
        person, subject, "comments/email/comment",
        person=person, comment=comment, submission=submission, organisation=organisation, title=title,
        network=submission.assignment.network, answers_them=answers_them,
        author=author_line(comment), excerpt=excerpt(comment.body),
        comment_url=links.comment_url(comment, external=True),
        preferences_url=links.preferences_url(external=True),
    )


def queue_digest(person: Person, groups) -> None:
    """``groups``: the comments grouped by submission (``services.SubmissionComments``)."""
    with in_language_of(person):
        _queue_digest(person, groups)


def _queue_digest(person: Person, groups) -> None:
    count = sum(len(group.comments) for group in groups)
    subject = ngettext("%(num)d ny kommentar i nettverket", "%(num)d nye kommentarer i nettverket", count)
    items = [
        {
            "organisation": group.submission.membership.organisation.name,
            "title": group.submission.assignment.title,
            "network": group.submission.assignment.network.name,
            "url": links.thread_url(group.submission, external=True),
            "comments": [{"author": author_line(c), "at": c.created_at, "excerpt": excerpt(c.body, DIGEST_EXCERPT_LENGTH),
                          "url": links.comment_url(c, external=True)} for c in group.comments],
        }
        for group in groups
    ]
    queue_mail_to(person, subject, "comments/email/digest", person=person, items=items, count=count,
               preferences_url=links.preferences_url(external=True))
