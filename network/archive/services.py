"""The archive format: which records a network's archive holds, in which file, and how their values
are written as JSON. ``export`` and ``importer`` both follow this one description.

A record is a table row with its columns by name. References between records are the exported
ids; they link records inside the archive only, and an import gives every record a new id.
Which column refers to which kind of record is read from the schema's foreign keys, so a new
column needs no change here; a new table does (``tests/test_archive.py`` checks that every table
is in the archive or left out on purpose).

Evaluations stay anonymous in the archive. It lists who was invited to evaluate each gathering,
but never who has answered: the ``answered`` flag is the only thing in the database that changes
when a person answers, so an archive that held it could be compared with the one before to tell
whose the new response is. Responses have no id in the archive and are written in the order of
their answers, so neither lines them up with the invitations or with the order of answering.
An import gives every invitation ``answered = true``: the archive can't say who has answered, so
the evaluations of an imported network are closed, and nobody can answer twice. The number who
answered is the number of responses, which the archive keeps.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import Column, Integer, LargeBinary, String, Table, TypeDecorator

from network.assignments.models import (
    Assignment, AssignmentReminder, Comment, Submission, SubmissionAttachment, SubmissionEvent,
)
from network.auth.models import Person
from network.challenges.models import Challenge, MunicipalityChallenge
from network.evaluations.models import EvaluationAnswer, EvaluationInvitation, EvaluationQuestion, EvaluationResponse
from network.evaluations.services import TEXT_MAX as EVALUATION_TEXT_MAX
from network.feedback.models import FEEDBACK_TEXT_MAX, Feedback, FeedbackAttachment, FeedbackNote, FeedbackReply
from network.feedback.services import NOTE_MAX as FEEDBACK_NOTE_MAX
from network.feedback.services import REPLY_MAX as FEEDBACK_REPLY_MAX
from network.files.models import StoredFile
from network.gatherings.models import Gathering, GatheringDay, Material, ProgrammeItem, Registration, registration_day
from network.groups.models import Group, GroupMember, Grouping
from network.growth.models import GrowthOverride, GrowthSettings
from network.library.models import REVIEW_COMMENT_MAX, Example, ExampleAdvice, ExampleStep, example_challenge
from network.networks.models import Membership, Network, NetworkRole
from network.organisations.models import County, Organisation
from network.planning.models import AdviceAssessment, PlanningStatus
from network.resources.models import CompetenceEnvironment, Report, Slide, SlideSet
from network.validators import is_email_address, is_web_address

FORMAT = "ks-network-archive"
# 2: invitations without ``answered``, evaluation responses without ids (version 1 had both).
# Columns added later within version 2 (the examples' review) may be missing: ``Kind.when_missing``
# or the column's default fills them, so archives written before still import.
VERSION = 2
MANIFEST = "manifest.json"
FILES_DIR = "files/"

# Anonymous feedback is exported as it is stored, which is without a sender: these keys are left out.
SENDER_FIELDS = ("sender_id", "sender_name", "sender_email")


class ArchiveError(Exception):
    """The archive can't be exported or imported; the message says why, for the person running it."""


@dataclass(frozen=True)
class Link:
    """A many-to-many table kept on the record as a list of references, e.g. a registration's days."""

    key: str
    table: Table
    own: str     # the column pointing at the record that holds the list
    other: str   # the column pointing at the listed records
    kind: str    # the kind the list refers to


@dataclass(frozen=True)
class Kind:
    name: str                           # what references call it; its key in the file
    table: Table
    file: str | None = None             # top-level kinds: the JSON file that holds them
    within: tuple[str, str] | None = None  # (column, kind): the rows that point into that kind
    nested: bool = False                # sits inside the record of ``within``'s kind, without that column
    key: str | None = None              # the key in the enclosing record, when nested
    collected: bool = False             # exported because other records refer to it (people, organisations, files)
    omit: frozenset[str] = frozenset()  # columns never exported
    links: tuple[Link, ...] = ()
    # Anonymous records: no id in the archive, written in the order of their values, and given a
    # new id (the column's own default) on import.
    anonymous: bool = False
    # Values an import gives the omitted columns, when the column's default is not the right one.
    on_import: tuple[tuple[str, object], ...] = ()
    # Fields an archive must never carry on this kind; an archive that does is refused.
    forbidden: frozenset[str] = frozenset()
    # Columns added since an older archive of this format was written: their value, from the
    # record, when the archive lacks them (otherwise the column's default).
    when_missing: tuple[tuple[str, Callable[[dict], object]], ...] = ()

    @property
    def record_key(self) -> str:
        return self.key or self.name

    @property
    def parent(self) -> str | None:
        return self.within[1] if self.nested else None

    @property
    def parent_column(self) -> str | None:
        return self.within[0] if self.nested else None

    @cached_property
    def pk(self) -> list[Column]:
        return list(self.table.primary_key.columns)

    @property
    def has_id(self) -> bool:
        return [c.name for c in self.pk] == ["id"]

    @property
    def exports_id(self) -> bool:
        return self.has_id and not self.anonymous

    @property
    def numbered(self) -> bool:
        """Ids the database numbers: an import gives these records new ones. Random text ids are kept."""
        return self.has_id and isinstance(self.table.c.id.type, Integer)

    @cached_property
    def columns(self) -> list[Column]:
        """The exported columns, in the table's order."""
        omitted = self.omit | ({"id"} if self.anonymous else set())
        return [c for c in self.table.columns if c.name not in omitted and c.name != self.parent_column]

    @cached_property
    def references(self) -> dict[str, str]:
        """Column → kind, for every exported column that refers to another record."""
        refs = {}
        for column in self.columns:
            for foreign_key in column.foreign_keys:
                refs[column.name] = KIND_OF_TABLE[foreign_key.column.table.name]
        return refs

    @cached_property
    def binary(self) -> list[Column]:
        return [c for c in self.columns if isinstance(c.type, LargeBinary)]


N = ("network_id", "network")
GATHERING = ("gathering_id", "gatherings")
MEMBERSHIP = ("membership_id", "memberships")
# Anything that would tie an anonymous answer to someone.
PERSON_FIELDS = frozenset({"person_id", "person", "invitation_id", "answered", "sender_id", "email", "name"})
PRIVATE_PERSON_COLUMNS = frozenset({
    "password_hash",   # people set a new password with "forgot password"
    "calendar_token",  # the secret of their calendar feed
    "is_admin",        # a right in this installation, not a fact of the network
    "last_login_at",
})

KINDS: tuple[Kind, ...] = (
    Kind("network", Network.__table__, "network.json"),
    Kind("counties", County.__table__, "organisations.json", collected=True),
    Kind("organisations", Organisation.__table__, "organisations.json", collected=True),
    Kind("people", Person.__table__, "people.json", collected=True, omit=PRIVATE_PERSON_COLUMNS),
    Kind("files", StoredFile.__table__, "files.json", collected=True),
    Kind("memberships", Membership.__table__, "memberships.json", N),
    Kind("roles", NetworkRole.__table__, "roles.json", N),
    Kind("gatherings", Gathering.__table__, "gatherings.json", N),
    Kind("gathering_days", GatheringDay.__table__, within=GATHERING, nested=True, key="days"),
    Kind("programme_items", ProgrammeItem.__table__, within=GATHERING, nested=True, key="programme"),
    Kind("materials", Material.__table__, within=GATHERING, nested=True),
    Kind("registrations", Registration.__table__, "registrations.json", GATHERING,
         links=(Link("days", registration_day, "registration_id", "day_id", "gathering_days"),)),
    Kind("challenges", Challenge.__table__, "challenges.json", N),
    Kind("municipality_challenges", MunicipalityChallenge.__table__, within=("challenge_id", "challenges"),
         nested=True, key="municipalities"),
    Kind("planning_statuses", PlanningStatus.__table__, "planning.json", MEMBERSHIP),
    Kind("advice_assessments", AdviceAssessment.__table__, "planning.json", MEMBERSHIP),
    Kind("growth_settings", GrowthSettings.__table__, "growth.json", N),
    Kind("growth_overrides", GrowthOverride.__table__, "growth.json", MEMBERSHIP),
    Kind("groupings", Grouping.__table__, "groups.json", N),
    Kind("groups", Group.__table__, within=("grouping_id", "groupings"), nested=True),
    Kind("group_members", GroupMember.__table__, within=("group_id", "groups"), nested=True, key="members"),
    Kind("assignments", Assignment.__table__, "assignments.json", N),
    Kind("assignment_reminders", AssignmentReminder.__table__, within=("assignment_id", "assignments"), nested=True,
         key="reminders"),
    Kind("submissions", Submission.__table__, "submissions.json", ("assignment_id", "assignments")),
    Kind("submission_events", SubmissionEvent.__table__, within=("submission_id", "submissions"), nested=True,
         key="events"),
    Kind("submission_attachments", SubmissionAttachment.__table__, within=("submission_id", "submissions"),
         nested=True, key="attachments"),
    Kind("comments", Comment.__table__, within=("submission_id", "submissions"), nested=True),
    Kind("examples", Example.__table__, "examples.json", N,
         links=(Link("challenges", example_challenge, "example_id", "challenge_id", "challenges"),),
         # Before review (archives without it), examples open to all were shown without one.
         when_missing=(("review", lambda record: "approved" if record.get("is_public") is True else "none"),)),
    Kind("example_steps", ExampleStep.__table__, within=("example_id", "examples"), nested=True, key="steps"),
    Kind("example_advice", ExampleAdvice.__table__, within=("example_id", "examples"), nested=True, key="advice"),
    Kind("slide_sets", SlideSet.__table__, "resources.json", N),
    Kind("slides", Slide.__table__, within=("slide_set_id", "slide_sets"), nested=True),
    Kind("reports", Report.__table__, "resources.json", N),
    Kind("competence_environments", CompetenceEnvironment.__table__, "resources.json", N),
    Kind("feedback", Feedback.__table__, "feedback.json", N),
    Kind("feedback_attachments", FeedbackAttachment.__table__, within=("feedback_id", "feedback"), nested=True,
         key="attachments"),
    Kind("feedback_notes", FeedbackNote.__table__, within=("feedback_id", "feedback"), nested=True, key="notes"),
    Kind("feedback_replies", FeedbackReply.__table__, within=("feedback_id", "feedback"), nested=True, key="replies"),
    Kind("evaluation_questions", EvaluationQuestion.__table__, "evaluations.json", GATHERING, key="questions"),
    Kind("evaluation_invitations", EvaluationInvitation.__table__, "evaluations.json", GATHERING, key="invitations",
         omit=frozenset({"answered"}), on_import=(("answered", True),), forbidden=frozenset({"answered"})),
    Kind("evaluation_responses", EvaluationResponse.__table__, "evaluations.json", GATHERING, key="responses",
         anonymous=True, forbidden=frozenset({"id", *PERSON_FIELDS})),
    Kind("evaluation_answers", EvaluationAnswer.__table__, within=("response_id", "evaluation_responses"),
         nested=True, key="answers", forbidden=PERSON_FIELDS),
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
KIND_OF_TABLE = {kind.table.name: kind.name for kind in KINDS}
# People, organisations and files are exported when a record refers to them; a file's uploader
# is a person, a person's organisation an organisation, and an organisation's county a county.
COLLECT_ORDER = ("files", "people", "organisations", "counties")

# Tables left out of the archive, and why.
NOT_ARCHIVED = {
    "login_session": "who is signed in where: this installation's sign-ins, not a network's records",
    "password_reset_request": "'Glemt passord' requests waiting a moment to be handled",
    "outbox_message": "mail waiting to be sent, or sent; not the network's records",
    "outbox_attachment": "attachments of that mail",
    "notification_preference": "a person's mail setting for the whole installation",
    "pending_comment_notice": "comments waiting for tonight's digest mail",
    "registration_day": "kept on each registration as its list of days",
    "example_challenge": "kept on each example as its list of challenges",
    "deletion_request": "people's requests to delete their account: the installation's, not a network's",
    "export_log": "who exported personal data, and when: the installation's audit log",
    "network_invitation": "when invitation mail went out; an imported network's people choose a new password anyway",
    "email_change": "a new e-mail address waiting for its link to be opened",
    "api_token": "people's keys to the API: this installation's, never carried to another",
}


def children(kind: Kind) -> list[Kind]:
    return [child for child in KINDS if child.parent == kind.name]


def top_level(file: str) -> list[Kind]:
    return [kind for kind in KINDS if kind.file == file]


def json_files() -> list[str]:
    return list(dict.fromkeys(kind.file for kind in KINDS if kind.file))


def describe() -> dict:
    """The layout, written into the manifest so that the archive explains itself."""
    return {
        kind.name: {
            "table": kind.table.name,
            **({"file": kind.file} if kind.file else {"in": kind.parent}),
            "key": kind.record_key,
            "id": None if kind.anonymous else "id" if kind.has_id else [c.name for c in kind.pk],
            "references": kind.references,
            **({"links": {link.key: link.kind for link in kind.links}} if kind.links else {}),
        }
        for kind in KINDS
    }


# --- values ---------------------------------------------------------------------------


def _python_type(column: Column) -> type:
    kind = column.type
    return (kind.impl_instance if isinstance(kind, TypeDecorator) else kind).python_type


def to_json(column: Column, value):
    if value is None:
        return None
    kind = _python_type(column)
    if issubclass(kind, enum.Enum):
        return value.value
    if kind in (datetime, date, time):
        return value.isoformat()
    if kind is Decimal:
        return str(value)
    return value


def from_json(column: Column, value, where: str):
    """The column's value from its JSON form. Refuses anything of the wrong type."""
    if value is None:
        if not column.nullable:
            raise ArchiveError(_("%(where)s: feltet «%(field)s» mangler en verdi.", where=where, field=column.name))
        return None
    kind = _python_type(column)
    try:
        if issubclass(kind, enum.Enum):
            return kind(value)
        if kind is datetime:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no time zone")
            return parsed
        if kind is date:
            return date.fromisoformat(value)
        if kind is time:
            return time.fromisoformat(value)
        if kind is Decimal:
            if not isinstance(value, str):
                raise ValueError("not a string")
            return Decimal(value)
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError("not a boolean")
            return value
        if kind is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("not a whole number")
            return value
        if kind is str:
            if not isinstance(value, str):
                raise ValueError("not text")
            if isinstance(column.type, String) and column.type.length and len(value) > column.type.length:
                raise ValueError("too long")
            return value
    except (TypeError, ValueError, InvalidOperation):
        pass
    raise ArchiveError(_("%(where)s: feltet «%(field)s» har en ugyldig verdi.", where=where, field=column.name))


# --- the forms' rules, for imported values ----------------------------------------------

# Values the forms check beyond their type and length (which ``from_json`` checks), with the forms'
# own rules from network/validators.py. An archive is data from outside: a link that is not http(s)
# would otherwise be stored and shown as a link. tests/test_archive_import_checks.py fails when a
# column for a link or an address is missing here.
VALUE_RULES = {
    ("memberships", "anchoring_document_url"): is_web_address,
    ("materials", "url"): is_web_address,
    ("planning_statuses", "document_url"): is_web_address,
    ("reports", "url"): is_web_address,
    ("competence_environments", "url"): is_web_address,
    ("network", "ks_contact_email"): is_email_address,
    ("network", "feedback_email"): is_email_address,
    ("people", "email"): is_email_address,
    ("feedback", "sender_email"): is_email_address,
    ("feedback_replies", "recipient"): is_email_address,
}
# Text without a length in the schema, whose length the services limit.
TEXT_LIMITS = {
    **{("feedback", name): FEEDBACK_TEXT_MAX for name in ("works", "does_not_work", "suggestion")},
    ("feedback_notes", "body"): FEEDBACK_NOTE_MAX,
    ("feedback_replies", "body"): FEEDBACK_REPLY_MAX,
    ("evaluation_responses", "best"): EVALUATION_TEXT_MAX,
    ("evaluation_responses", "improve"): EVALUATION_TEXT_MAX,
    ("evaluation_answers", "text"): EVALUATION_TEXT_MAX,
    ("examples", "review_comment"): REVIEW_COMMENT_MAX,
}


def check_value(kind: Kind, column: Column, value, where: str) -> None:
    """Refuse a converted value that the forms would refuse. Empty values are the columns' own business."""
    if not isinstance(value, str) or not value:
        return
    rule = VALUE_RULES.get((kind.name, column.name))
    if rule is is_web_address and not is_web_address(value):
        raise ArchiveError(_("%(where)s: feltet «%(field)s» er ikke en gyldig nettadresse. Bare fullstendige "
                             "http- og https-adresser godtas.", where=where, field=column.name))
    if rule is is_email_address and not is_email_address(value):
        raise ArchiveError(_("%(where)s: feltet «%(field)s» er ikke en gyldig e-postadresse.",
                             where=where, field=column.name))
    limit = TEXT_LIMITS.get((kind.name, column.name))
    if limit is not None and len(value) > limit:
        raise ArchiveError(_("%(where)s: feltet «%(field)s» er for langt (høyst %(max)s tegn).",
                             where=where, field=column.name, max=limit))


# --- names ----------------------------------------------------------------------------

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


def slug(text: str, limit: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", (text or "").lower().translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return words[:limit].rstrip("-") or "nettverk"


def archive_filename(network_name: str, day: date) -> str:
    return f"nettverksarkiv-{slug(network_name)}-{day.isoformat()}.zip"
