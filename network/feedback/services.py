"""Feedback to KS: sending it (named or anonymous), and the coordinators' inbox.

Free of ``request`` and templates, so tests and CLI commands can call it. The caller commits;
mail is queued in the outbox inside the same transaction, so it leaves only once the feedback is stored.

Anonymous feedback carries nothing that points at its sender: no person, name or address, no time
of day (the table has only a date), no IP address (never passed in here), and its attachment goes
in ``feedback_attachment`` rather than the numbered ``stored_file``. The notice to KS about it says
only that something came in, so the outbox row can't be matched to the item.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from network.auth.models import Person
from network.extensions import db
from network.main import clock
from network.feedback import email
from network.feedback.models import (
    FEEDBACK_TEXT_MAX,
    Feedback,
    FeedbackAttachment,
    FeedbackNote,
    FeedbackReply,
    FeedbackStatus,
    FeedbackTopic,
)
from network.files import metadata
from network.files.services import DOCUMENTS, UploadError, check_upload
from network.gatherings import services as gathering_services
from network.gatherings.models import Gathering
from network.networks.models import Network
from network.networks.services import norwegian_key
from network.resources import services as resource_services
from network.resources.models import SlideSet

NAME_MAX = 120
EMAIL_MAX = 254
NOTE_MAX = 5000
REPLY_MAX = 10000
TEXT_FIELDS = ("works", "does_not_work", "suggestion")
ATTACHMENT_KINDS = DOCUMENTS  # their own slides (PowerPoint, PDF), documents and pictures


class FeedbackError(ValueError):
    """A broken rule; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


# --- what the form offers ---------------------------------------------------------------


def gatherings_for(network: Network) -> list[Gathering]:
    return gathering_services.gatherings_for(network)


def slide_sets_for(network: Network) -> list[SlideSet]:
    """KS's sets and the municipalities' versions, in the order of the resources page."""
    flat: list[SlideSet] = []

    def add(entries) -> None:
        for entry in entries:
            flat.append(entry.slide_set)
            add(entry.adaptations)

    add(resource_services.slide_set_overview(network))
    return flat


# --- sending ----------------------------------------------------------------------------


def check_texts(works: str, does_not_work: str, suggestion: str) -> None:
    texts = {"works": works, "does_not_work": does_not_work, "suggestion": suggestion}
    if not any(value.strip() for value in texts.values()):
        raise FeedbackError(_("Skriv minst ett av feltene: hva som fungerer, hva som ikke fungerer eller et forslag."),
                            "works")
    for name, value in texts.items():
        if len(value) > FEEDBACK_TEXT_MAX:
            raise FeedbackError(_("Teksten kan være høyst %(max)s tegn.", max=FEEDBACK_TEXT_MAX), name)


def check_attachment(upload: Upload | None, anonymous: bool = False) -> tuple[str, str, bytes] | None:
    """The attachment's safe name, content type and bytes, judged by its bytes the same way as every
    upload. Sent anonymously, it is stripped of its metadata (author, organisation, comments' authors,
    EXIF …), or refused when that can't be done: an old .doc, say."""
    if upload is None:
        return None
    if anonymous and metadata.is_legacy_office(upload.data):
        raise FeedbackError(metadata.CleaningError.legacy_message(), "attachment")
    try:
        name, kind = check_upload(upload.filename, upload.data, ATTACHMENT_KINDS)
        data = metadata.strip_metadata(upload.data, kind) if anonymous else upload.data
    except (UploadError, metadata.CleaningError) as error:
        raise FeedbackError(str(error), "attachment") from None
    return name, kind.content_type, data


def submit_feedback(
    network: Network, *, topic: FeedbackTopic, works: str = "", does_not_work: str = "", suggestion: str = "",
    anonymous: bool = False, person: Person | None = None, sender_name: str = "", sender_email: str = "",
    gathering: Gathering | None = None, slide_set: SlideSet | None = None, attachment: Upload | None = None,
) -> Feedback:
    """Store the feedback, then queue the notice to the network's KS contact.

    ``person`` is the signed-in sender, if any; a visitor gives a name and address instead.
    When ``anonymous`` all three are dropped here, whatever the caller passed.
    """
    works, does_not_work, suggestion = (value.strip() for value in (works, does_not_work, suggestion))
    check_texts(works, does_not_work, suggestion)
    checked = check_attachment(attachment, anonymous)
    if gathering is not None and gathering.network_id != network.id:
        raise FeedbackError(_("Velg en samling fra listen."), "gathering_id")
    if slide_set is not None and slide_set.network_id != network.id:
        raise FeedbackError(_("Velg et lysarksett fra listen."), "slide_set_id")

    feedback = Feedback(
        network=network, topic=topic, works=works, does_not_work=does_not_work, suggestion=suggestion,
        anonymous=anonymous,
        # The choice only means something for its own topic.
        gathering=gathering if topic is FeedbackTopic.GATHERING else None,
        slide_set=slide_set if topic is FeedbackTopic.SLIDES else None,
    )
    if not anonymous:
        if person is not None:
            feedback.sender_id = person.id
            feedback.sender_name, feedback.sender_email = person.name, person.email
        else:
            sender_name, sender_email = sender_name.strip(), sender_email.strip()
            if not sender_name or len(sender_name) > NAME_MAX:
                raise FeedbackError(_("Skriv navnet ditt, eller send anonymt."), "name")
            if not sender_email or len(sender_email) > EMAIL_MAX:
                raise FeedbackError(_("Skriv e-postadressen din, eller send anonymt."), "email")
            feedback.sender_name, feedback.sender_email = sender_name, sender_email
    if checked is not None:
        filename, content_type, data = checked
        feedback.attachments.append(FeedbackAttachment(
            filename=filename, content_type=content_type, size=len(data), data=data,
        ))
    db.session.add(feedback)
    if anonymous:
        feedback.notice_pending = True  # told in the next daily count, see send_anonymous_notices
    else:
        db.session.flush()
        email.queue_new_feedback(feedback)
    return feedback


def send_anonymous_notices(today: date | None = None) -> int:
    """Queue one mail per network counting the anonymous feedback received before ``today`` that KS
    hasn't been told about. Returns the number of items counted. Each item is claimed by one run only
    (``SKIP LOCKED`` on PostgreSQL), so two runs at once don't count it twice."""
    today = today or clock.oslo_today()
    pending = db.session.scalars(
        select(Feedback).where(Feedback.notice_pending.is_(True), Feedback.received_on < today)
        .with_for_update(skip_locked=True)
    ).all()
    by_network: dict[int, list[Feedback]] = defaultdict(list)
    for feedback in pending:
        by_network[feedback.network_id].append(feedback)
    for items in by_network.values():
        email.queue_anonymous_summary(items[0].network, len(items))
        for feedback in items:
            feedback.notice_pending = False
    return len(pending)


def sent_by(person: Person, limit: int = 20) -> list[Feedback]:
    """The named feedback a person has sent, newest first, with KS's replies. One query.
    Anonymous feedback is not theirs to find again: nothing links it to them."""
    return list(db.session.scalars(
        select(Feedback).where(Feedback.sender_id == person.id, Feedback.anonymous.is_(False))
        # Replies joined: one query, whether or not there is any feedback.
        .options(joinedload(Feedback.replies), joinedload(Feedback.network))
        .order_by(Feedback.received_on.desc(), Feedback.id.desc()).limit(limit)
    ).unique())


# --- the inbox --------------------------------------------------------------------------

INBOX_SORTS = ("received", "topic", "status", "sender")
_STATUS_ORDER = {status: index for index, status in enumerate(FeedbackStatus)}
_TOPIC_ORDER = {topic: index for index, topic in enumerate(FeedbackTopic)}


@dataclass(frozen=True)
class InboxRow:
    feedback: Feedback
    attachment_count: int


def full_text(feedback: Feedback) -> str:
    """The three texts as one, for excerpts."""
    return "\n\n".join(text for text in (feedback.works, feedback.does_not_work, feedback.suggestion) if text)


def _sort_key(sort: str):
    # Every key ends with the date and the random id, never the order the rows were stored in:
    # named items' mails give their exact times, so an anonymous item's place among them in the
    # order of arrival would date it to the minute. The id carries no time.
    if sort == "topic":
        return lambda row: (_TOPIC_ORDER[row.feedback.topic], row.feedback.received_on, row.feedback.id)
    if sort == "status":
        return lambda row: (_STATUS_ORDER[row.feedback.status], row.feedback.received_on, row.feedback.id)
    if sort == "sender":
        return lambda row: (norwegian_key(row.feedback.sender_name), row.feedback.received_on, row.feedback.id)
    return lambda row: (row.feedback.received_on, row.feedback.id)


def inbox(network: Network, *, topic: FeedbackTopic | None = None, status: FeedbackStatus | None = None,
          sort: str = "received", descending: bool = True) -> list[InboxRow]:
    """The network's feedback with attachment counts, in one query whatever its size."""
    counts = (
        select(FeedbackAttachment.feedback_id, func.count().label("n"))
        .group_by(FeedbackAttachment.feedback_id).subquery()
    )
    query = (
        select(Feedback, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.feedback_id == Feedback.id)
        .where(Feedback.network_id == network.id)
        .options(joinedload(Feedback.gathering), joinedload(Feedback.slide_set))
    )
    if topic is not None:
        query = query.where(Feedback.topic == topic)
    if status is not None:
        query = query.where(Feedback.status == status)
    rows = [InboxRow(feedback, count) for feedback, count in db.session.execute(query)]
    key = _sort_key(sort if sort in INBOX_SORTS else "received")
    if sort == "sender":
        # Anonymous feedback comes after the named, in either direction of the names.
        named = sorted((r for r in rows if not r.feedback.anonymous), key=key, reverse=descending)
        anonymous = sorted((r for r in rows if r.feedback.anonymous), key=_sort_key("received"), reverse=descending)
        return named + anonymous
    return sorted(rows, key=key, reverse=descending)


def status_counts(network: Network) -> dict[FeedbackStatus, int]:
    """How many items have each status, for the inbox's heading."""
    counts = dict(db.session.execute(
        select(Feedback.status, func.count()).where(Feedback.network_id == network.id).group_by(Feedback.status)
    ).all())
    return {status: counts.get(status, 0) for status in FeedbackStatus}


# --- one item ---------------------------------------------------------------------------


def get_feedback(network: Network, feedback_id: str) -> Feedback | None:
    """The item with everything its page shows; None when it is not in this network."""
    if not feedback_id or len(feedback_id) > 32:
        return None
    return db.session.scalar(
        select(Feedback).where(Feedback.id == feedback_id, Feedback.network_id == network.id)
        .options(
            joinedload(Feedback.gathering), joinedload(Feedback.slide_set), joinedload(Feedback.sender),
            selectinload(Feedback.attachments),
            selectinload(Feedback.notes).joinedload(FeedbackNote.author),
            selectinload(Feedback.replies).joinedload(FeedbackReply.author),
        )
    )


def get_attachment(feedback: Feedback, attachment_id: str) -> FeedbackAttachment | None:
    if not attachment_id or len(attachment_id) > 32:
        return None
    return db.session.scalar(
        select(FeedbackAttachment)
        .where(FeedbackAttachment.id == attachment_id, FeedbackAttachment.feedback_id == feedback.id)
        .options(undefer(FeedbackAttachment.data))
    )


def mark_read(feedback: Feedback) -> bool:
    """Opening a new item marks it read. True when it changed."""
    if feedback.status is FeedbackStatus.NEW:
        feedback.status = FeedbackStatus.READ
        return True
    return False


def set_status(feedback: Feedback, status: FeedbackStatus) -> None:
    feedback.status = status


def add_note(feedback: Feedback, author: Person, body: str) -> FeedbackNote:
    body = (body or "").strip()
    if not body:
        raise FeedbackError(_("Skriv notatet."), "body")
    if len(body) > NOTE_MAX:
        raise FeedbackError(_("Notatet kan være høyst %(max)s tegn.", max=NOTE_MAX), "body")
    note = FeedbackNote(author_id=author.id, body=body)
    feedback.notes.append(note)
    db.session.flush()
    return note


def reply(feedback: Feedback, author: Person, body: str) -> FeedbackReply:
    """E-mail an answer to a named sender through the outbox; the item is then answered."""
    address = feedback.reply_address
    if feedback.anonymous or not address:
        raise FeedbackError(_("Anonyme tilbakemeldinger kan ikke besvares."))
    body = (body or "").strip()
    if not body:
        raise FeedbackError(_("Skriv svaret."), "body")
    if len(body) > REPLY_MAX:
        raise FeedbackError(_("Svaret kan være høyst %(max)s tegn.", max=REPLY_MAX), "body")
    answer = FeedbackReply(author_id=author.id, recipient=address, body=body)
    feedback.replies.append(answer)
    feedback.status = FeedbackStatus.ANSWERED
    db.session.flush()
    email.queue_reply(feedback, answer, author)
    return answer
