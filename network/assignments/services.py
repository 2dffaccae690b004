"""The rules of assignments and submissions: checking an assignment, saving, delivering and
reopening a municipality's submission, its attachments, the coordinators' grid and the reminders.

Free of request, flash and templates, so views, the CLI, the demo and the tests all call it. The
caller commits.

Concurrency: a submission carries SQLAlchemy's version counter. A save names the version it was
based on; an older one, or an UPDATE that finds the row already moved on, raises
``SubmissionConflict`` instead of overwriting someone else's text. The first save creates the row
inside a savepoint, so two people starting the same submission at once get one row and a conflict,
never a 500.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload, undefer
from sqlalchemy.orm.exc import StaleDataError

from network.assignments import access
from network.assignments.models import (
    DELETED_COMMENT_BODY, Assignment, AssignmentMethod, AssignmentReminder, Comment, Submission, SubmissionAttachment, SubmissionEvent,
    SubmissionEventKind, SubmissionStatus, Visibility,
)
from network.auth.models import Person
from network.extensions import db
from network.files.models import StoredFile
from network.files.services import DOCUMENTS, UploadError, store_upload
from network.gatherings.models import Gathering
from network.groups.models import Grouping
from network.networks.models import Membership, MembershipStatus, Network, NetworkRole, RoleKind
from network.networks.services import active_memberships, norwegian_key
from network.organisations.models import Organisation, OrganisationKind

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 50_000
DESCRIPTION_MAX_LENGTH = 20_000
# The database refuses reminder_days_before above 60 (ck_network_reminder_days_range).
MAX_REMINDER_DAYS = 60
# Who hears about a missing submission: the municipality's contacts and participants.
REMINDED_ROLES = (RoleKind.CONTACT, RoleKind.PARTICIPANT)


class AssignmentError(ValueError):
    """A rule was broken. ``problems`` are (field name or None, Norwegian message) pairs."""

    def __init__(self, problems: list[tuple[str | None, str]] | str, field: str | None = None):
        if isinstance(problems, str):
            problems = [(field, problems)]
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = problems


class SubmissionConflict(Exception):
    """Someone else saved the submission after the form was loaded; nothing was saved."""


# --- assignments ------------------------------------------------------------------------


@dataclass
class AssignmentFields:
    """What a coordinator posts, as typed (ids as text): the checks here turn it into an assignment."""

    title: str = ""
    description: str = ""
    method: str = ""
    given_after_id: str = ""
    presented_at_id: str = ""
    due_on: date | None = None
    visibility: str = Visibility.NETWORK.value
    grouping_id: str = ""


def _as_id(value) -> int | None:
    """None for "none chosen"; text that is no id becomes 0, which no row has, so the check refuses it."""
    value = str(value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 12 else 0


def _gathering(network: Network, gathering_id: int | None) -> Gathering | None:
    if gathering_id is None:
        return None
    return db.session.scalar(select(Gathering).where(Gathering.id == gathering_id, Gathering.network_id == network.id)
                             .options(selectinload(Gathering.days)))


def gathering_label(gathering: Gathering) -> str:
    return _("Samling %(n)s: %(title)s", n=gathering.number, title=gathering.title)


def check_assignment(network: Network, fields: AssignmentFields) -> dict:
    """Every rule of an assignment at once, so the form shows all the problems together."""
    problems: list[tuple[str | None, str]] = []
    title = (fields.title or "").strip()
    if not title:
        problems.append(("title", _("Skriv en tittel på oppgaven.")))
    elif len(title) > TITLE_MAX_LENGTH:
        problems.append(("title", _("Tittelen kan være høyst %(n)s tegn.", n=TITLE_MAX_LENGTH)))
    description = (fields.description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        problems.append(("description", _("Beskrivelsen kan være høyst %(n)s tegn.", n=DESCRIPTION_MAX_LENGTH)))
    try:
        method = AssignmentMethod(fields.method)
    except ValueError:
        method = None
        problems.append(("method", _("Velg arbeidsform A, B eller C.")))
    try:
        visibility = Visibility(fields.visibility)
    except ValueError:
        visibility = None
        problems.append(("visibility", _("Velg hvem som kan lese besvarelsene.")))

    given_id, presented_id = _as_id(fields.given_after_id), _as_id(fields.presented_at_id)
    given, presented = _gathering(network, given_id), _gathering(network, presented_id)
    if given_id is not None and given is None:
        problems.append(("given_after_id", _("Velg en samling i dette nettverket.")))
    if presented_id is not None and presented is None:
        problems.append(("presented_at_id", _("Velg en samling i dette nettverket.")))
    if given is not None and presented is not None and given.id == presented.id:
        problems.append(("presented_at_id", _("Oppgaven kan ikke legges fram på samme samling som den gis.")))
    elif (given is not None and presented is not None and given.starts_on and presented.starts_on
          and presented.starts_on < given.starts_on):
        problems.append(("presented_at_id", _("Samlingen der oppgaven legges fram, må komme etter samlingen der den gis.")))

    due_on = fields.due_on
    if due_on is None:
        problems.append(("due_on", _("Skriv fristen for besvarelsene.")))
    else:
        presented_on = presented.starts_on if presented is not None else None
        given_on = given.starts_on if given is not None else None
        if not access.due_date_is_valid(due_on, presented_on, None):
            problems.append(("due_on", _("Fristen må være før den første dagen av samlingen der oppgaven legges fram (%(date)s).",
                                         date=presented_on.strftime("%d.%m.%Y"))))
        elif not access.due_date_is_valid(due_on, None, given_on):
            problems.append(("due_on", _("Fristen kan ikke være før den første dagen av samlingen der oppgaven gis (%(date)s).",
                                         date=given_on.strftime("%d.%m.%Y"))))

    grouping_id = _as_id(fields.grouping_id)
    grouping = None
    if grouping_id is not None:
        grouping = db.session.scalar(select(Grouping).where(Grouping.id == grouping_id, Grouping.network_id == network.id))
        if grouping is None:
            problems.append(("grouping_id", _("Velg en gruppeinndeling i dette nettverket.")))
    if visibility is Visibility.GROUP and grouping is None and grouping_id is None:
        problems.append(("grouping_id", _("Velg gruppeinndelingen som bestemmer hvem som leser hvem.")))

    if problems:
        raise AssignmentError(problems)
    return dict(title=title, description=description, method=method, given_after=given, presented_at=presented,
                due_on=due_on, visibility=visibility,
                # A grouping only matters for group visibility; kept otherwise, so switching back is easy.
                grouping=grouping)


def save_assignment(network: Network, assignment: Assignment | None, fields: AssignmentFields, by) -> Assignment:
    checked = check_assignment(network, fields)
    if assignment is None:
        assignment = Assignment(network=network, created_by_id=getattr(by, "id", None))
        db.session.add(assignment)
    for name, value in checked.items():
        setattr(assignment, name, value)
    db.session.flush()
    return assignment


def delete_assignment(assignment: Assignment) -> None:
    """The submissions, their comments, reminders and attachments go with it (database cascades);
    the attachments' stored files are removed too, or they would stay behind unreachable."""
    file_ids = list(db.session.scalars(
        select(SubmissionAttachment.file_id).join(Submission).where(Submission.assignment_id == assignment.id)))
    db.session.execute(delete(Assignment).where(Assignment.id == assignment.id))
    if file_ids:
        db.session.execute(delete(StoredFile).where(StoredFile.id.in_(file_ids)))
    db.session.expunge(assignment)


def assignments_for(network: Network) -> list[Assignment]:
    """The network's assignments by due date, with their gatherings: two queries."""
    return list(db.session.scalars(
        select(Assignment).where(Assignment.network_id == network.id)
        .options(joinedload(Assignment.given_after).selectinload(Gathering.days),
                 joinedload(Assignment.presented_at).selectinload(Gathering.days),
                 joinedload(Assignment.grouping))
        .order_by(Assignment.due_on, Assignment.id)
    ).unique())


def get_assignment(network: Network, assignment_id: int) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.network_id == network.id)
        .options(joinedload(Assignment.given_after).selectinload(Gathering.days),
                 joinedload(Assignment.presented_at).selectinload(Gathering.days),
                 joinedload(Assignment.grouping))
    )


def assignments_at_gathering(gathering: Gathering) -> list[Assignment]:
    """The assignments given out or presented at a gathering, by due date: one query."""
    return list(db.session.scalars(
        select(Assignment).where(Assignment.network_id == gathering.network_id,
                                 (Assignment.given_after_id == gathering.id) | (Assignment.presented_at_id == gathering.id))
        .order_by(Assignment.due_on, Assignment.id)))


def _submission_count_rows(network: Network):
    """Per assignment, status and lateness: the active member municipalities' submissions."""
    return (
        select(Submission.assignment_id, Submission.status, Submission.is_late, func.count().label("n"))
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .join(Membership, Membership.id == Submission.membership_id).join(Membership.organisation)
        .where(Assignment.network_id == network.id, Membership.status == MembershipStatus.ACTIVE,
               Organisation.kind == OrganisationKind.MUNICIPALITY)
        .group_by(Submission.assignment_id, Submission.status, Submission.is_late)
    )


def submission_counts(network: Network) -> dict[int, Counter]:
    """Per assignment: how many of the active member municipalities have a draft, delivered on time
    or delivered late (so the figures add up with ``municipality_count``)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for assignment_id, status, is_late, n in db.session.execute(_submission_count_rows(network)).all():
        counts[assignment_id][cell_status(status, is_late)] += n
    return counts


def assignments_with_counts(network: Network) -> list[tuple[Assignment, Counter]]:
    """The network's assignments by due date, each with ``submission_counts``'s figures: one query."""
    counted = _submission_count_rows(network).subquery()
    found: dict[int, tuple[Assignment, Counter]] = {}
    for assignment, status, is_late, n in db.session.execute(
        select(Assignment, counted.c.status, counted.c.is_late, counted.c.n)
        .outerjoin(counted, counted.c.assignment_id == Assignment.id)
        .where(Assignment.network_id == network.id).order_by(Assignment.due_on, Assignment.id)
    ):
        _, counts = found.setdefault(assignment.id, (assignment, Counter()))
        if n:
            counts[cell_status(status, is_late)] += n
    return list(found.values())


def municipality_count(network: Network) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).join(Membership.organisation)
        .where(Membership.network_id == network.id, Membership.status == MembershipStatus.ACTIVE,
               Organisation.kind == OrganisationKind.MUNICIPALITY)
    ) or 0


# --- submissions ------------------------------------------------------------------------


def get_submission(assignment: Assignment, membership: Membership) -> Submission | None:
    """The submission with its attachments, history and the people named in them."""
    return db.session.scalar(
        select(Submission).where(Submission.assignment_id == assignment.id, Submission.membership_id == membership.id)
        .options(selectinload(Submission.attachments).joinedload(SubmissionAttachment.file),
                 selectinload(Submission.attachments).joinedload(SubmissionAttachment.added_by),
                 selectinload(Submission.events).joinedload(SubmissionEvent.person),
                 joinedload(Submission.updated_by))
        .execution_options(populate_existing=True)
    )


def submissions_for(assignment: Assignment, membership_ids: list[int]) -> dict[int, Submission]:
    if not membership_ids:
        return {}
    return {s.membership_id: s for s in db.session.scalars(
        select(Submission).where(Submission.assignment_id == assignment.id, Submission.membership_id.in_(membership_ids)))}


def own_submissions(network: Network, membership: Membership | None) -> dict[int, Submission]:
    """A municipality's submissions in the network, by assignment id."""
    if membership is None:
        return {}
    return {s.assignment_id: s for s in db.session.scalars(
        select(Submission).join(Assignment)
        .where(Assignment.network_id == network.id, Submission.membership_id == membership.id))}


def readable_submissions(person, assignments: list[Assignment]) -> dict[int, list[Submission]]:
    """Per assignment: the delivered submissions the person may read, by municipality name.
    One query for the submissions, and at most two for the person's groups (cached in ``access``)."""
    if not assignments:
        return {}
    by_id = {a.id: a for a in assignments}
    rows = db.session.scalars(
        select(Submission).where(Submission.assignment_id.in_(by_id), Submission.status == SubmissionStatus.SUBMITTED)
        .options(joinedload(Submission.membership).joinedload(Membership.organisation))
    ).all()
    result: dict[int, list[Submission]] = {a.id: [] for a in assignments}
    for submission in rows:
        if access.can_view_submission(person, submission):
            result[submission.assignment_id].append(submission)
    for items in result.values():
        items.sort(key=lambda s: norwegian_key(s.membership.organisation.name))
    return result


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def _event(submission: Submission, kind: SubmissionEventKind, by, now: datetime, detail: str = "") -> None:
    submission.events.append(SubmissionEvent(kind=kind, person_id=getattr(by, "id", None), at=now, detail=detail[:255]))


def _start(assignment: Assignment, membership: Membership, by, now: datetime, text: str = "") -> Submission:
    """Create the submission row; if someone else created it a moment ago, that is a conflict."""
    submission = Submission(assignment_id=assignment.id, membership_id=membership.id, status=SubmissionStatus.DRAFT,
                            text=text, updated_by_id=getattr(by, "id", None), updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:
        raise SubmissionConflict() from None
    return submission


def save_submission(assignment: Assignment, membership: Membership, *, text: str, expected_version: int | None,
                    by, now: datetime, uploads: list[Upload] = (), deliver: bool = False) -> Submission:
    """Save the municipality's text and new attachments, and deliver it when ``deliver``.

    ``expected_version`` is the version the form was loaded with (None for a form loaded before the
    submission existed). Raises SubmissionConflict when it is not the saved one, and AssignmentError
    for a broken rule; either way the caller rolls back and nothing is saved."""
    text = (text or "").replace("\r\n", "\n")
    if len(text) > TEXT_MAX_LENGTH:
        raise AssignmentError(_("Teksten kan være høyst %(n)s tegn.", n=f"{TEXT_MAX_LENGTH:,}".replace(",", "\u00a0")), "text")
    # Locked (SELECT … FOR UPDATE on PostgreSQL) and read afresh, so the version and the state are
    # checked against the row as it is now, and two saves of one submission take turns.
    submission = db.session.scalar(
        select(Submission).where(Submission.assignment_id == assignment.id, Submission.membership_id == membership.id)
        .with_for_update().execution_options(populate_existing=True))
    if submission is None:
        submission = _start(assignment, membership, by, now, text)
        if text:
            _event(submission, SubmissionEventKind.EDITED, by, now)
    elif expected_version != submission.version:
        raise SubmissionConflict()
    elif submission.status is SubmissionStatus.SUBMITTED:
        raise AssignmentError(_("Besvarelsen er allerede levert. Åpne den for endringer før du endrer den."))

    stored = []
    for upload in uploads:
        try:
            stored.append((upload, store_upload(upload.filename, upload.data, getattr(by, "id", None), allowed=DOCUMENTS)))
        except UploadError as error:
            raise AssignmentError(_("%(file)s: %(reason)s", file=upload.filename, reason=str(error)), "files") from None
    for _upload, stored_file in stored:
        submission.attachments.append(SubmissionAttachment(file=stored_file, added_by_id=getattr(by, "id", None), added_at=now))
        _event(submission, SubmissionEventKind.ATTACHMENT_ADDED, by, now, stored_file.filename)

    # Only a change of the text or the state moves the version: a file added alone does not stop
    # someone else's text from being saved.
    if text != submission.text:
        submission.text = text
        submission.updated_by_id, submission.updated_at = getattr(by, "id", None), now
        _event(submission, SubmissionEventKind.EDITED, by, now)
    if deliver:
        check_deliverable(submission)
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at = now
        submission.is_late = access.is_past_due(assignment, now)
        submission.updated_by_id, submission.updated_at = getattr(by, "id", None), now
        _event(submission, SubmissionEventKind.SUBMITTED, by, now)
    try:
        db.session.flush()
    except StaleDataError:
        raise SubmissionConflict() from None
    return submission


def check_deliverable(submission: Submission) -> None:
    """A delivery needs a text or a file (also checked before asking whether to deliver)."""
    if not submission.text.strip() and not submission.attachments:
        raise AssignmentError(_("Skriv en tekst eller legg ved en fil før du leverer."), "text")


def reopen(submission: Submission, by, now: datetime) -> None:
    """Back to a draft. It counts as delivered again only when delivered again, and is late if that
    happens after the due date."""
    if submission.status is not SubmissionStatus.SUBMITTED:
        raise AssignmentError(_("Besvarelsen er ikke levert, så den er allerede åpen for endringer."))
    submission.status = SubmissionStatus.DRAFT
    submission.submitted_at = None
    submission.is_late = False
    submission.updated_by_id = getattr(by, "id", None)
    submission.updated_at = now
    _event(submission, SubmissionEventKind.REOPENED, by, now)
    try:
        db.session.flush()
    except StaleDataError:
        raise SubmissionConflict() from None


def get_attachment(submission: Submission, attachment_id: int) -> SubmissionAttachment | None:
    return db.session.scalar(select(SubmissionAttachment).where(
        SubmissionAttachment.id == attachment_id, SubmissionAttachment.submission_id == submission.id)
        .options(joinedload(SubmissionAttachment.file)))


def remove_attachment(submission: Submission, attachment: SubmissionAttachment, by, now: datetime) -> str:
    if submission.status is not SubmissionStatus.DRAFT:
        raise AssignmentError(_("Besvarelsen er levert. Åpne den for endringer før du fjerner vedlegg."))
    filename = attachment.file.filename
    stored = attachment.file
    submission.attachments.remove(attachment)
    db.session.delete(stored)
    _event(submission, SubmissionEventKind.ATTACHMENT_REMOVED, by, now, filename)
    try:
        db.session.flush()
    except StaleDataError:  # someone removed it a moment ago
        raise AssignmentError(_("Vedlegget er allerede fjernet.")) from None
    return filename


def file_for_download(attachment: SubmissionAttachment) -> StoredFile | None:
    """The stored file with its bytes (left out when attachments are listed)."""
    return db.session.scalar(select(StoredFile).where(StoredFile.id == attachment.file_id).options(undefer(StoredFile.data)))


# --- status of a cell -------------------------------------------------------------------

MISSING, DRAFT, SUBMITTED, LATE = "missing", "draft", "submitted", "late"
CELL_LABELS = {
    MISSING: _l("Mangler"),
    DRAFT: _l("Utkast"),
    SUBMITTED: _l("Levert"),
    LATE: _l("Levert for sent"),
}


def cell_status(status: SubmissionStatus | None, is_late: bool = False) -> str:
    if status is None:
        return MISSING
    if status is SubmissionStatus.DRAFT:
        return DRAFT
    return LATE if is_late else SUBMITTED


def status_of(submission: Submission | None) -> str:
    return cell_status(submission.status if submission else None, bool(submission and submission.is_late))


# --- the coordinators' grid -------------------------------------------------------------


@dataclass
class GridCell:
    status: str
    submission_id: int | None = None
    comment_count: int = 0


@dataclass
class GridRow:
    membership: Membership
    cells: list[GridCell]


@dataclass
class Grid:
    assignments: list[Assignment]
    rows: list[GridRow]
    totals: list[Counter] = field(default_factory=list)
    # The words for each status, translated once per page rather than once per cell.
    labels: dict[str, str] = field(default_factory=dict)
    _comment_labels: dict[int, str] = field(default_factory=dict)

    def comment_label(self, count: int) -> str:
        if count not in self._comment_labels:
            self._comment_labels[count] = ngettext("%(num)d kommentar", "%(num)d kommentarer", count)
        return self._comment_labels[count]


GRID_SORTS = ("name", "county")


def _grid_key(sort: str):
    def by_name(row: GridRow):
        return norwegian_key(row.membership.organisation.name)

    def by_county(row: GridRow):
        county = row.membership.organisation.county
        return (norwegian_key(county.name) if county else "~", by_name(row))

    return by_county if sort == "county" else by_name


def grid(network: Network, sort: str = "name", descending: bool = False) -> Grid:
    """Active member municipalities × assignments, in three queries whatever the size."""
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.network_id == network.id).order_by(Assignment.due_on, Assignment.id)))
    memberships = [m for m in active_memberships(network) if m.organisation.is_municipality]
    # The comment count per submission, through the index on comment.submission_id.
    comment_count = (select(func.count(Comment.id))
                     .where(Comment.submission_id == Submission.id, Comment.body != DELETED_COMMENT_BODY)
                     .correlate(Submission).scalar_subquery())
    submissions = db.session.execute(
        select(Submission.id, Submission.assignment_id, Submission.membership_id, Submission.status, Submission.is_late,
               comment_count)
        .join(Assignment).where(Assignment.network_id == network.id)
    ).all()
    cells = {(a_id, m_id): GridCell(cell_status(status, is_late), s_id, comments)
             for s_id, a_id, m_id, status, is_late, comments in submissions}
    missing = GridCell(MISSING)  # one shared, read-only cell for every gap
    rows = [GridRow(m, [cells.get((a.id, m.id), missing) for a in assignments]) for m in memberships]
    rows.sort(key=_grid_key(sort if sort in GRID_SORTS else "name"), reverse=descending)
    totals = [Counter(row.cells[i].status for row in rows) for i in range(len(assignments))]
    return Grid(assignments, rows, totals, labels={key: str(label) for key, label in CELL_LABELS.items()})


# --- reminders --------------------------------------------------------------------------


def assignments_due_for_reminder(today: date, days: int | None = None) -> list[Assignment]:
    """Assignments not yet past due whose due date is within ``days`` (default: each network's
    ``reminder_days_before``)."""
    horizon = MAX_REMINDER_DAYS if days is None else days
    rows = db.session.scalars(
        select(Assignment).where(Assignment.due_on >= today, Assignment.due_on <= today + timedelta(days=horizon))
        .options(joinedload(Assignment.network)).order_by(Assignment.due_on, Assignment.id)
    ).all()
    if days is None:
        rows = [a for a in rows if a.due_on <= today + timedelta(days=a.network.reminder_days_before)]
    return rows


@dataclass
class ReminderResult:
    assignment: Assignment
    reminded: list[Membership] = field(default_factory=list)
    mails: int = 0
    without_recipients: list[Membership] = field(default_factory=list)


def recipients(network: Network, organisation_ids: list[int]) -> dict[int, list[Person]]:
    """Each municipality's active contacts and participants in the network, in one query."""
    if not organisation_ids:
        return {}
    people = db.session.scalars(
        select(Person).join(NetworkRole, NetworkRole.person_id == Person.id)
        .where(NetworkRole.network_id == network.id, NetworkRole.role.in_(REMINDED_ROLES),
               Person.organisation_id.in_(organisation_ids), Person.active.is_(True))
        .order_by(Person.id)
    ).unique().all()
    by_org: dict[int, list[Person]] = defaultdict(list)
    for person in people:
        by_org[person.organisation_id].append(person)
    return by_org


def remind(assignment: Assignment, send) -> ReminderResult:
    """Remind every active member municipality that has not delivered and was not reminded before.

    Each reminder row is inserted in a savepoint before its mail is queued: a second run, or one
    running at the same time, hits the unique key (after waiting for the first one's commit on
    PostgreSQL) and skips that municipality. ``send(assignment, membership, person, submission)``
    queues one mail; the caller commits."""
    result = ReminderResult(assignment)
    memberships = [m for m in active_memberships(assignment.network) if m.organisation.is_municipality]
    reminded = set(db.session.scalars(select(AssignmentReminder.membership_id)
                                      .where(AssignmentReminder.assignment_id == assignment.id)))
    submissions = submissions_for(assignment, [m.id for m in memberships])
    pending = [m for m in memberships if m.id not in reminded
               and status_of(submissions.get(m.id)) not in (SUBMITTED, LATE)]
    people = recipients(assignment.network, [m.organisation_id for m in pending])
    for membership in pending:
        to = people.get(membership.organisation_id, [])
        if not to:
            result.without_recipients.append(membership)  # reminded later, once someone is there to read it
            continue
        try:
            with db.session.begin_nested():
                db.session.add(AssignmentReminder(assignment_id=assignment.id, membership_id=membership.id))
        except IntegrityError:
            continue
        for person in to:
            send(assignment, membership, person, submissions.get(membership.id))
            result.mails += 1
        result.reminded.append(membership)
    return result


# --- due dates for a municipality (for "Min side") --------------------------------------


def due_for(memberships: list[Membership], today: date) -> list[tuple[Assignment, Membership, Submission | None]]:
    """Assignments due today or later in these memberships' networks that the municipality has
    not delivered, soonest first, with its draft if any: one query."""
    by_network = {membership.network_id: membership for membership in memberships}
    if not by_network:
        return []
    # A membership belongs to one network, so each assignment meets at most its own municipality's submission.
    rows = db.session.execute(
        select(Assignment, Submission)
        .outerjoin(Submission, (Submission.assignment_id == Assignment.id)
                   & Submission.membership_id.in_([m.id for m in by_network.values()]))
        .where(Assignment.network_id.in_(by_network), Assignment.due_on >= today)
        .options(joinedload(Assignment.network)).order_by(Assignment.due_on, Assignment.id)
    ).all()
    due = []
    for assignment, submission in rows:
        membership = by_network[assignment.network_id]
        if submission is None or submission.status is not SubmissionStatus.SUBMITTED:
            due.append((assignment, membership, submission))
    return due
