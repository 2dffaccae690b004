"""The experience library's rules: writing an example, publishing it, and finding examples.

Free of request, flash and templates, so tests, the demo loader and the benchmark call it too.
Search uses PostgreSQL's Norwegian full-text search (with the GIN index ``ix_example_search``);
on SQLite, used in development and tests, every word must appear somewhere in the texts (LIKE).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from network.challenges.models import Challenge
from network.extensions import db
from network.library import email
from network.library.models import (
    REVIEW_COMMENT_MAX,
    SEARCH_FIELDS,
    Example,
    ExampleAdvice,
    ExampleReview,
    ExampleStatus,
    ExampleStep,
    MunicipalitySize,
    example_challenge,
    rank_document,
    search_document,
    search_query,
)
from network.main.paging import PageSpan
from network.models_base import utcnow
from network.networks.models import Network
from network.networks.services import norwegian_key
from network.organisations.models import County, Organisation, OrganisationKind
from network.planning.models import PlanningStep, StrategicAdvice

TITLE_MAX = 200
UNIT_MAX = 200
TEXT_MAX = 10_000
QUERY_MAX = 200
QUERY_WORDS_MAX = 8  # the LIKE fallback builds one condition per word
PER_PAGE = 20
DRAFTS_MAX = 100

# Husbanken's structure, in its order (seeds 001 and 004).
TEXT_FIELDS = (
    "summary", "result", "background", "goals", "who_did_what", "relevant_law", "user_participation",
    "financing", "success_factors", "difficulties", "tips", "reports_and_links", "continuation",
)


class LibraryError(ValueError):
    """A rule was broken; the message is shown on the form, next to ``field`` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- finding examples -------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    county_id: int | None = None
    size: MunicipalitySize | None = None
    challenge_id: int | None = None
    step: PlanningStep | None = None
    advice: StrategicAdvice | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any((self.county_id, self.size, self.challenge_id, self.step, self.advice, self.q))


@dataclass(frozen=True)
class Viewer:
    """What a reader of a network's library may see besides the published, visible examples."""

    coordinator: bool = False               # every draft, and hidden examples
    own_organisation_id: int | None = None  # the drafts and hidden examples of their own municipality


@dataclass(frozen=True)
class Page(PageSpan):
    items: list[Example] = field(default_factory=list)


# Columns a list needs: the long texts stay in the database, and touching one raises, so a
# template cannot slip into a query per row.
_LIST_COLUMNS = (
    Example.id, Example.network_id, Example.organisation_id, Example.title, Example.summary, Example.size,
    Example.status, Example.is_public, Example.is_featured, Example.is_hidden, Example.published_at,
    Example.updated_at, Example.review, Example.review_requested_at,
)


def _list_options():
    return (load_only(*_LIST_COLUMNS, raiseload=True),
            joinedload(Example.organisation).joinedload(Organisation.county))


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:QUERY_MAX]


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _words_match(text: str):
    """SQLite: each word somewhere in the texts. SQLite's LIKE ignores case for a–z only, so the
    word is also tried in capitals, which catches Æ, Ø and Å at the start of a word or in caps."""
    conditions = []
    for word in text.split()[:QUERY_WORDS_MAX]:
        patterns = {_like_pattern(word.lower()), _like_pattern(word.upper())}
        conditions.append(or_(*(
            getattr(Example, name).like(pattern, escape="\\") for name in SEARCH_FIELDS for pattern in sorted(patterns)
        )))
    return conditions


def _filter_conditions(filters: Filters) -> list:
    conditions = []
    if filters.county_id is not None:
        conditions.append(Example.organisation_id.in_(
            select(Organisation.id).where(Organisation.county_id == filters.county_id)))
    if filters.size is not None:
        conditions.append(Example.size == filters.size)
    if filters.challenge_id is not None:
        conditions.append(Example.id.in_(
            select(example_challenge.c.example_id).where(example_challenge.c.challenge_id == filters.challenge_id)))
    if filters.step is not None:
        conditions.append(Example.id.in_(select(ExampleStep.example_id).where(ExampleStep.step == filters.step)))
    if filters.advice is not None:
        conditions.append(Example.id.in_(
            select(ExampleAdvice.example_id).where(ExampleAdvice.advice == filters.advice)))
    if filters.q:
        if _is_postgresql():
            conditions.append(search_document(Example.__table__.c).op("@@")(search_query(filters.q)))
        else:
            conditions.extend(_words_match(filters.q))
    return conditions


def _order(filters: Filters) -> list:
    order = [Example.is_featured.desc()]
    if filters.q and _is_postgresql():
        order.append(func.ts_rank(rank_document(Example.__table__.c), search_query(filters.q)).desc())
    return [*order, Example.published_at.desc(), Example.id.desc()]


def _page(scope: list, filters: Filters, number: int, per_page: int) -> Page:
    """Two queries: the count, then the page with each example's municipality and county."""
    conditions = [*scope, *_filter_conditions(filters)]
    total = db.session.scalar(select(func.count()).select_from(Example).where(*conditions))
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    # Pick the page's ids first (narrow rows, mostly from ix_example_listing), then load only those
    # twenty with their municipality: sorting and joining every match would cost more and more.
    page_ids = (select(Example.id).where(*conditions).order_by(*_order(filters))
                .limit(per_page).offset((number - 1) * per_page))
    items = list(db.session.scalars(
        select(Example).where(Example.id.in_(page_ids.scalar_subquery())).options(*_list_options())
        .order_by(*_order(filters))
    ).unique())
    return Page(total=total, number=number, per_page=per_page, items=items)


def _published_in(network: Network, viewer: Viewer) -> list:
    scope = [Example.network_id == network.id, Example.status == ExampleStatus.PUBLISHED]
    if not viewer.coordinator:
        if viewer.own_organisation_id is not None:
            scope.append(or_(Example.is_hidden.is_(False), Example.organisation_id == viewer.own_organisation_id))
        else:
            scope.append(Example.is_hidden.is_(False))
    return scope


def library_page(network: Network, viewer: Viewer, filters: Filters, number: int = 1,
                 per_page: int = PER_PAGE) -> Page:
    """Published examples, featured first: for coordinators hidden ones too, and for a
    municipality's own people their hidden ones."""
    return _page(_published_in(network, viewer), filters, number, per_page)


def drafts(network: Network, viewer: Viewer, filters: Filters) -> list[Example]:
    """The drafts this reader may see (all for coordinators, their municipality's for its people)."""
    scope = [Example.network_id == network.id, Example.status == ExampleStatus.DRAFT]
    if not viewer.coordinator:
        if viewer.own_organisation_id is None:
            return []
        scope.append(Example.organisation_id == viewer.own_organisation_id)
    return list(db.session.scalars(
        select(Example).where(*scope, *_filter_conditions(filters)).options(*_list_options())
        .order_by(Example.updated_at.desc(), Example.id.desc()).limit(DRAFTS_MAX)
    ).unique())


# Open to all: published, asked to be public, approved by a coordinator, and not hidden. The same
# rule as ``access.is_publicly_readable``.
PUBLIC_SCOPE = (Example.status == ExampleStatus.PUBLISHED, Example.is_public.is_(True),
                Example.review == ExampleReview.APPROVED, Example.is_hidden.is_(False))


def public_page(filters: Filters, number: int = 1, per_page: int = PER_PAGE) -> Page:
    """Public examples from every network. Challenges belong to one network, so no such filter."""
    return _page(list(PUBLIC_SCOPE), replace(filters, challenge_id=None), number, per_page)


def _example_options(with_person: bool = True):
    options = [
        joinedload(Example.organisation).joinedload(Organisation.county),
        selectinload(Example.challenges), selectinload(Example.steps), selectinload(Example.advice),
    ]
    if with_person:
        options += [joinedload(Example.updated_by), joinedload(Example.reviewed_by)]
    return options


def get_example(network: Network, example_id: int) -> Example | None:
    return db.session.scalar(
        select(Example).where(Example.id == example_id, Example.network_id == network.id).options(*_example_options())
    )


def lock_example(network: Network, example_id: int) -> Example | None:
    """For a state change: the row is locked (``FOR UPDATE`` on PostgreSQL) until the commit, so
    two clicks at once see each other's result."""
    return db.session.scalar(
        select(Example).where(Example.id == example_id, Example.network_id == network.id).with_for_update()
    )


def get_public_example(example_id: int) -> Example | None:
    return db.session.scalar(select(Example).where(Example.id == example_id, *PUBLIC_SCOPE)
                             .options(*_example_options(with_person=False)))


def counties() -> list[County]:
    return sorted(db.session.scalars(select(County)), key=lambda county: norwegian_key(county.name))


def municipalities() -> list[Organisation]:
    """The national list, for coordinators writing on behalf of any municipality."""
    return sorted(
        db.session.scalars(select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                           .options(joinedload(Organisation.county))),
        key=lambda org: (norwegian_key(org.county.name if org.county else ""), norwegian_key(org.name)),
    )


def catalogue(network: Network) -> list[Challenge]:
    return list(db.session.scalars(
        select(Challenge).where(Challenge.network_id == network.id).order_by(Challenge.position, Challenge.id)))


def sorted_steps(example: Example) -> list[PlanningStep]:
    return sorted((row.step for row in example.steps), key=lambda step: step.number)


def sorted_advice(example: Example) -> list[StrategicAdvice]:
    return sorted((row.advice for row in example.advice), key=lambda advice: advice.number)


# --- writing ----------------------------------------------------------------------------


def size_for(organisation: Organisation) -> MunicipalitySize | None:
    return MunicipalitySize.for_population(organisation.population_2020)


def _check_text(title: str, responsible_unit: str, texts: dict[str, str]) -> None:
    if not title:
        raise LibraryError(_("Skriv en tittel på eksempelet."), "title")
    if len(title) > TITLE_MAX:
        raise LibraryError(_("Tittelen kan være høyst %(max)s tegn.", max=TITLE_MAX), "title")
    if len(responsible_unit) > UNIT_MAX:
        raise LibraryError(_("Ansvarlig enhet kan være høyst %(max)s tegn.", max=UNIT_MAX), "responsible_unit")
    for name, value in texts.items():
        if name not in TEXT_FIELDS:
            raise KeyError(name)
        if len(value) > TEXT_MAX:
            raise LibraryError(_("Teksten kan være høyst %(max)s tegn.", max=TEXT_MAX), name)


def _challenges(network: Network, challenge_ids: Iterable[int]) -> list[Challenge]:
    wanted = set(challenge_ids)
    if not wanted:
        return []
    found = list(db.session.scalars(
        select(Challenge).where(Challenge.network_id == network.id, Challenge.id.in_(wanted))
        .order_by(Challenge.position, Challenge.id)))
    if len(found) != len(wanted):
        raise LibraryError(_("Velg utfordringer fra nettverkets liste."), "challenges")
    return found


def _sync_steps(example: Example, steps: Iterable[PlanningStep]) -> None:
    # Rows for kept steps stay, so the unique (example, step) never sees a delete and an insert at once.
    wanted = set(steps)
    for row in [row for row in example.steps if row.step not in wanted]:
        example.steps.remove(row)
    have = {row.step for row in example.steps}
    example.steps.extend(ExampleStep(step=step) for step in PlanningStep if step in wanted and step not in have)


def _sync_advice(example: Example, advice: Iterable[StrategicAdvice]) -> None:
    wanted = set(advice)
    for row in [row for row in example.advice if row.advice not in wanted]:
        example.advice.remove(row)
    have = {row.advice for row in example.advice}
    example.advice.extend(ExampleAdvice(advice=item) for item in StrategicAdvice if item in wanted and item not in have)


def save_example(
    example: Example | None, network: Network, *, organisation: Organisation, title: str, responsible_unit: str = "",
    texts: dict[str, str] | None = None, size: MunicipalitySize | None = None,
    challenge_ids: Iterable[int] = (), steps: Iterable[PlanningStep] = (), advice: Iterable[StrategicAdvice] = (),
    by=None, approves: bool = False,
) -> Example:
    """Create (``example`` None, as a draft) or update an example. ``size`` None: from the population.
    A change to an approved open example waits for review again, unless ``approves`` (a coordinator's edit)."""
    title, responsible_unit = (title or "").strip(), (responsible_unit or "").strip()
    texts = {name: (value or "").strip() for name, value in (texts or {}).items()}
    if not organisation.is_municipality:
        raise LibraryError(_("Velg en kommune fra listen."), "organisation_id")
    _check_text(title, responsible_unit, texts)
    challenges = _challenges(network, challenge_ids)
    before = _content(example) if example is not None else None
    if example is None:
        example = Example(network=network, status=ExampleStatus.DRAFT, is_public=False, is_featured=False,
                          is_hidden=False, **{name: "" for name in TEXT_FIELDS})
        db.session.add(example)
    example.organisation = organisation
    example.title = title
    example.responsible_unit = responsible_unit
    example.size = size or size_for(organisation)
    for name, value in texts.items():
        setattr(example, name, value)
    example.challenges = challenges
    _sync_steps(example, steps)
    _sync_advice(example, advice)
    _touch(example, by)
    if before is not None and _content(example) != before and not approves:
        _content_changed(example, by)
    db.session.flush()
    return example


def _content(example: Example) -> tuple:
    """Everything the open page shows, to tell whether an edit changed what was approved."""
    return (
        example.organisation_id if example.organisation is None else example.organisation.id, example.title,
        example.responsible_unit, example.size, *(getattr(example, name) for name in TEXT_FIELDS),
        tuple(sorted(c.id for c in example.challenges)), frozenset(row.step for row in example.steps),
        frozenset(row.advice for row in example.advice),
    )


def _content_changed(example: Example, by) -> None:
    """An approved example's new content is not approved: it waits again. A sent-back one that is
    edited goes back to the coordinators, as the edit form says."""
    if example.review in (ExampleReview.APPROVED, ExampleReview.RETURNED):
        _ask_for_review(example, by)


def _touch(example: Example, by) -> None:
    example.updated_at = utcnow()
    example.updated_by_id = by.id if by is not None else None


def publish(example: Example, by=None, *, approve: bool = False) -> None:
    """Published for the network's members at once; if it is to be open to all, that waits for a
    coordinator's review, unless ``approve`` (a coordinator publishing approves in the same step)."""
    if example.status is ExampleStatus.PUBLISHED:
        raise LibraryError(_("Eksempelet er allerede publisert."))
    if not example.summary.strip():
        raise LibraryError(_("Skriv et sammendrag før du publiserer eksempelet."), "summary")
    example.status = ExampleStatus.PUBLISHED
    example.published_at = utcnow()
    _touch(example, by)
    if example.is_public:
        if approve:
            _approve(example, by)
        elif example.review is not ExampleReview.APPROVED:
            _ask_for_review(example, by)


def unpublish(example: Example, by=None) -> None:
    """Back to a draft ("Trekk tilbake"): only its writers and the coordinators see it again. A
    request for review is withdrawn with it; an approval stands, as the content has not changed."""
    if example.status is ExampleStatus.DRAFT:
        raise LibraryError(_("Eksempelet er allerede et utkast."))
    example.status = ExampleStatus.DRAFT
    example.published_at = None
    _touch(example, by)
    if example.review is ExampleReview.PENDING:
        _clear_review(example)


def set_public(example: Example, public: bool, by=None, *, approve: bool = False) -> None:
    """Public: readable by anyone once published and approved by a coordinator (``approve``: the
    coordinator doing it approves at once). Otherwise for the network's members only, and no review.
    Asking again after being sent back sends it to the coordinators again."""
    example.is_public = public
    if not public:
        _clear_review(example)
    elif approve:
        _approve(example, by)
    elif example.review not in (ExampleReview.APPROVED, ExampleReview.PENDING):
        _ask_for_review(example, by)


# --- review of examples open to all -----------------------------------------------------------


def _ask_for_review(example: Example, by) -> None:
    """A published example waits for a coordinator; a draft is asked for when it is published."""
    if example.status is ExampleStatus.PUBLISHED:
        example.review = ExampleReview.PENDING
        example.review_requested_at = utcnow()
        example.review_requested_by_id = by.id if by is not None else None
    elif example.review is not ExampleReview.RETURNED:  # a draft keeps the comment it was sent back with
        example.review = ExampleReview.NONE


def _clear_review(example: Example) -> None:
    example.review = ExampleReview.NONE
    example.review_comment = ""


def _approve(example: Example, by) -> None:
    _decide(example, by, ExampleReview.APPROVED)


def _decide(example: Example, by, outcome: ExampleReview, comment: str = "") -> None:
    """A coordinator's decision on an example to be open to all, stamped with who and when."""
    example.review = outcome
    example.review_comment = comment
    example.reviewed_at = utcnow()
    example.reviewed_by_id = by.id if by is not None else None


def approve(example: Example, by) -> None:
    """A coordinator approves a waiting example: it is open to all from now on. Mails the person who asked."""
    if example.review is not ExampleReview.PENDING:
        raise LibraryError(_("Eksempelet venter ikke på godkjenning."))
    _approve(example, by)
    email.queue_review_outcome(example)


def send_back(example: Example, by, comment: str) -> None:
    """A coordinator sends a waiting example back with a comment; it stays for members only.
    Mails the person who asked."""
    comment = (comment or "").strip()
    if example.review is not ExampleReview.PENDING:
        raise LibraryError(_("Eksempelet venter ikke på godkjenning."))
    if not comment:
        raise LibraryError(_("Skriv hva kommunen bør endre før eksempelet kan bli åpent for alle."), "comment")
    if len(comment) > REVIEW_COMMENT_MAX:
        raise LibraryError(_("Kommentaren kan være høyst %(max)s tegn.", max=REVIEW_COMMENT_MAX), "comment")
    _decide(example, by, ExampleReview.RETURNED, comment)
    email.queue_review_outcome(example)


def review_queue(network: Network) -> list[Example]:
    """Published examples waiting for review, the longest-waiting first, with their municipality and
    who asked: two queries."""
    return list(db.session.scalars(
        select(Example).where(*_waiting(network))
        .options(*_list_options(), joinedload(Example.review_requested_by))
        .order_by(Example.review_requested_at, Example.id)
    ).unique())


def review_count(network: Network) -> int:
    return db.session.scalar(select(review_count_subquery(network))) or 0


def review_count_subquery(network: Network):
    """``review_count`` as a scalar subquery, for a page that counts several things in one query."""
    return select(func.count()).select_from(Example).where(*_waiting(network)).scalar_subquery()


def _waiting(network: Network) -> tuple:
    """The network's published examples waiting for review: the queue and its count agree."""
    return (Example.network_id == network.id, Example.review == ExampleReview.PENDING,
            Example.status == ExampleStatus.PUBLISHED)


def set_featured(example: Example, featured: bool) -> None:
    example.is_featured = featured


def set_hidden(example: Example, hidden: bool) -> None:
    """A coordinator hides an example from the network (and the public) without deleting it."""
    example.is_hidden = hidden
