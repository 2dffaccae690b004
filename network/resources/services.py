"""The rules of the shared resources: slide sets with scripts, reports and competence environments.

Slides are edited as one text: each slide starts with a line "## Title" (a number in front,
"## 3. Title", is allowed and ignored), and the script follows as Markdown. Slides are numbered
in the order they stand, so moving a slide is cut and paste.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload, undefer

from network.extensions import db
from network.validators import is_web_address
from network.files.models import StoredFile
from network.files.services import PDF, PPTX, UploadError, store_upload
from network.networks.models import Network
from network.networks.services import norwegian_key
from network.resources.models import CompetenceEnvironment, Report, ReportKind, Slide, SlideSet

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
SCRIPT_MAX = 10_000
SLIDES_MAX = 200
REPORT_TITLE_MAX = 300
PUBLISHER_MAX = 200
AUTHORS_MAX = 300
YEAR_MIN, YEAR_MAX = 1900, 2100
URL_MAX = 500
NAME_MAX = 200
OFFER_MAX = 2000

# A slide set's file is what the presenter opens: a PDF or a PowerPoint file.
SLIDE_FILES = (PDF, PPTX)


class ResourceError(ValueError):
    """A rule was broken; the message is shown on the form, next to ``field`` when given."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class Upload:
    filename: str
    data: bytes


# --- small checks -----------------------------------------------------------------------


def _text(value: str | None, maximum: int, message: str, field_name: str) -> str:
    value = (value or "").strip()
    if len(value) > maximum:
        raise ResourceError(message, field=field_name)
    return value


def _required(value: str | None, maximum: int, missing: str, too_long: str, field_name: str) -> str:
    value = _text(value, maximum, too_long, field_name)
    if not value:
        raise ResourceError(missing, field=field_name)
    return value


def check_web_address(url: str | None, field_name: str = "url") -> str | None:
    """A full http or https address, or None when empty. Other schemes (javascript:, data:) are refused."""
    url = (url or "").strip()
    if not url:
        return None
    if not is_web_address(url):
        raise ResourceError(_("Skriv en fullstendig lenke som begynner med https:// eller http://."), field=field_name)
    if len(url) > URL_MAX:
        raise ResourceError(_("Lenken kan være høyst %(n)s tegn.", n=URL_MAX), field=field_name)
    return url


def is_link(url: str | None) -> bool:
    """For pages: only a safe address of allowed length becomes a link, whatever the database holds."""
    return is_web_address(url) and len(url) <= URL_MAX


def check_year(year: int | None) -> int | None:
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
        raise ResourceError(_("Årstallet må være mellom %(min)s og %(max)s.", min=YEAR_MIN, max=YEAR_MAX), field="year")
    return year


# --- slides as text ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlideText:
    title: str
    script: str


_SLIDE_HEADING = re.compile(r"^##(?!#)(.*)$")
_SLIDE_NUMBER = re.compile(r"^\d{1,3}[.)](?:[ \t]+|$)")


def parse_slides(text: str | None) -> list[SlideText]:
    """The slides in the text, in order. An empty text is no slides."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    slides: list[SlideText] = []
    title: str | None = None
    body: list[str] = []

    def finish() -> None:
        script = "\n".join(body).strip()
        if len(script) > SCRIPT_MAX:
            raise ResourceError(_("Manuset til lysark %(n)s («%(title)s») er for langt. Det kan være høyst %(max)s tegn.",
                                  n=len(slides) + 1, title=title, max=SCRIPT_MAX), field="slides")
        slides.append(SlideText(title, script))

    for line_number, line in enumerate(lines, start=1):
        heading = _SLIDE_HEADING.match(line)
        if heading is None:
            if title is not None:
                body.append(line)
            elif line.strip():
                raise ResourceError(_("Linje %(line)s står før det første lysarket. Begynn hvert lysark med en linje "
                                      "som «## 1. Tittel på lysarket», og skriv manuset på linjene under.",
                                      line=line_number), field="slides")
            continue
        if title is not None:
            finish()
        title, body = _SLIDE_NUMBER.sub("", heading.group(1).strip(), count=1).strip(), []
        if not title:
            raise ResourceError(_("Lysark %(n)s på linje %(line)s mangler tittel. Skriv tittelen etter «##».",
                                  n=len(slides) + 1, line=line_number), field="slides")
        if len(title) > TITLE_MAX:
            raise ResourceError(_("Tittelen på lysark %(n)s (linje %(line)s) er for lang. Den kan være høyst %(max)s tegn.",
                                  n=len(slides) + 1, line=line_number, max=TITLE_MAX), field="slides")
    if title is not None:
        finish()
    if len(slides) > SLIDES_MAX:
        raise ResourceError(_("Et lysarksett kan ha høyst %(max)s lysark.", max=SLIDES_MAX), field="slides")
    return slides


def format_slides(slides) -> str:
    """The text the edit form starts from; ``parse_slides`` reads it back unchanged."""
    return "\n\n".join(f"## {number}. {slide.title}\n\n{slide.script}".rstrip()
                       for number, slide in enumerate(slides, start=1)) + ("\n" if slides else "")


# --- slide sets: reading ----------------------------------------------------------------


@dataclass
class SlideSetEntry:
    """A slide set on the resources page, with the versions municipalities made of it."""

    slide_set: SlideSet
    slide_count: int
    adaptations: list[SlideSetEntry] = field(default_factory=list)
    # For a version built on another municipality's version: that version.
    builds_on: SlideSet | None = None


def _set_order(slide_set: SlideSet) -> tuple:
    organisation = slide_set.organisation
    return (organisation is not None, norwegian_key(organisation.name if organisation else ""),
            norwegian_key(slide_set.title), slide_set.id)


def slide_set_overview(network: Network) -> list[SlideSetEntry]:
    """Every slide set in the network in two queries: KS's own first, each with its adapted versions
    (and versions of those) listed under it. A version whose original was deleted stands on its own."""
    sets = list(db.session.scalars(
        select(SlideSet).where(SlideSet.network_id == network.id)
        .options(joinedload(SlideSet.organisation), joinedload(SlideSet.file))
    ).unique())
    counts = dict(db.session.execute(
        select(Slide.slide_set_id, func.count()).join(SlideSet, Slide.slide_set_id == SlideSet.id)
        .where(SlideSet.network_id == network.id).group_by(Slide.slide_set_id)
    ).all())
    by_id = {s.id: s for s in sets}
    entries = {s.id: SlideSetEntry(s, counts.get(s.id, 0)) for s in sets}

    def root(slide_set: SlideSet) -> SlideSet:
        seen = {slide_set.id}
        while slide_set.based_on_id in by_id and slide_set.based_on_id not in seen:
            slide_set = by_id[slide_set.based_on_id]
            seen.add(slide_set.id)
        return slide_set

    top = []
    for slide_set in sorted(sets, key=_set_order):
        first = root(slide_set)
        if first is slide_set:
            top.append(entries[slide_set.id])
            continue
        entry = entries[slide_set.id]
        if slide_set.based_on_id != first.id:
            entry.builds_on = by_id[slide_set.based_on_id]
        entries[first.id].adaptations.append(entry)
    return top


def get_slide_set(network: Network, slide_set_id: int) -> SlideSet | None:
    """The set with its municipality, file details, original and slides."""
    return db.session.scalar(
        select(SlideSet).where(SlideSet.id == slide_set_id, SlideSet.network_id == network.id)
        .options(joinedload(SlideSet.organisation), joinedload(SlideSet.file),
                 joinedload(SlideSet.based_on).joinedload(SlideSet.organisation), selectinload(SlideSet.slides))
    )


def adaptations_of(slide_set: SlideSet) -> list[SlideSet]:
    """The versions built directly on this set, with their municipalities, in one query."""
    versions = list(db.session.scalars(
        select(SlideSet).where(SlideSet.based_on_id == slide_set.id).options(joinedload(SlideSet.organisation))
    ))
    return sorted(versions, key=_set_order)


def file_for_download(slide_set: SlideSet) -> StoredFile | None:
    if slide_set.file_id is None:
        return None
    return db.session.scalar(select(StoredFile).where(StoredFile.id == slide_set.file_id).options(undefer(StoredFile.data)))


# --- slide sets: changes ----------------------------------------------------------------


def _lock(slide_set: SlideSet) -> None:
    """Two people saving the same set at once take turns (a no-op on SQLite)."""
    db.session.execute(select(SlideSet.id).where(SlideSet.id == slide_set.id).with_for_update())


def _store(upload: Upload, person_id: int | None) -> StoredFile:
    try:
        return store_upload(upload.filename, upload.data, person_id, allowed=SLIDE_FILES)
    except UploadError as error:
        raise ResourceError(str(error), field="file") from None


def _clean_set_fields(title: str, description: str) -> tuple[str, str]:
    title = _required(title, TITLE_MAX, _("Skriv en tittel på lysarksettet."),
                      _("Tittelen kan være høyst %(max)s tegn.", max=TITLE_MAX), "title")
    description = _text(description, DESCRIPTION_MAX,
                        _("Beskrivelsen kan være høyst %(max)s tegn.", max=DESCRIPTION_MAX), "description")
    return title, description


def _needs_content() -> ResourceError:
    return ResourceError(_("Legg inn minst ett lysark med manus, eller last opp en fil."), field="slides")


def create_slide_set(network: Network, *, title: str, description: str = "", slides_text: str = "",
                     upload: Upload | None = None, created_by_id: int | None = None,
                     organisation_id: int | None = None, based_on: SlideSet | None = None) -> SlideSet:
    """KS's own set (no organisation), or a municipality's version of ``based_on``."""
    title, description = _clean_set_fields(title, description)
    slides = parse_slides(slides_text)
    stored = _store(upload, created_by_id) if upload is not None else None
    if not slides and stored is None:
        raise _needs_content()
    if based_on is not None and based_on.network_id != network.id:
        raise ResourceError(_("Lysarksettet du vil tilpasse, hører til et annet nettverk."))
    slide_set = SlideSet(
        network_id=network.id, title=title, description=description, organisation_id=organisation_id,
        based_on_id=based_on.id if based_on is not None else None, file=stored, created_by_id=created_by_id,
        slides=[Slide(number=number, title=slide.title, script=slide.script)
                for number, slide in enumerate(slides, start=1)],
    )
    db.session.add(slide_set)
    db.session.flush()
    return slide_set


def _replace_slides(slide_set: SlideSet, slides: list[SlideText]) -> None:
    """Rewrite the slides in place. Numbers stay 1..n, so row k keeps number k and no two rows
    ever share a number, whatever order the database applies the changes in."""
    existing = list(slide_set.slides)
    for index, text in enumerate(slides):
        if index < len(existing):
            existing[index].title, existing[index].script = text.title, text.script
        else:
            slide_set.slides.append(Slide(number=index + 1, title=text.title, script=text.script))
    for extra in existing[len(slides):]:
        slide_set.slides.remove(extra)


def update_slide_set(slide_set: SlideSet, *, title: str, description: str = "", slides_text: str = "",
                     upload: Upload | None = None, remove_file: bool = False, person_id: int | None = None) -> None:
    """Change the set. A new file replaces the old one; ``remove_file`` drops it without a new one."""
    _lock(slide_set)
    title, description = _clean_set_fields(title, description)
    slides = parse_slides(slides_text)
    stored = _store(upload, person_id) if upload is not None else None
    old_file_id = slide_set.file_id
    replaces_file = stored is not None or remove_file
    if not slides and stored is None and (old_file_id is None or remove_file):
        raise _needs_content()
    slide_set.title, slide_set.description = title, description
    _replace_slides(slide_set, slides)
    if replaces_file:
        slide_set.file = stored
        if old_file_id is not None:
            db.session.delete(db.session.get(StoredFile, old_file_id))
    db.session.flush()


def delete_slide_set(slide_set: SlideSet) -> int:
    """Delete the set, its slides and its file. Versions built on it stay, standing on their own.
    Returns how many versions lost their original."""
    orphaned = db.session.execute(
        update(SlideSet).where(SlideSet.based_on_id == slide_set.id).values(based_on_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    stored_id = slide_set.file_id
    db.session.delete(slide_set)
    if stored_id is not None:
        db.session.delete(db.session.get(StoredFile, stored_id))
    db.session.flush()
    return orphaned or 0


# --- reports ----------------------------------------------------------------------------


REPORT_SORTS = ("year", "title", "publisher")


def _blank_last(items: list, value, descending: bool) -> list:
    """Sort by ``value`` keeping the current order among equals; rows without a value go last either way."""
    known = [item for item in items if value(item) not in (None, "")]
    blank = [item for item in items if value(item) in (None, "")]
    return sorted(known, key=value, reverse=descending) + blank


def reports_for(network: Network, sort: str = "year", descending: bool = True,
                kind: ReportKind | None = None) -> list[Report]:
    """The network's reports in one query, sorted by year, title or publisher (ties by title)."""
    query = select(Report).where(Report.network_id == network.id)
    if kind is not None:
        query = query.where(Report.kind == kind)
    reports = sorted(db.session.scalars(query), key=lambda r: (norwegian_key(r.title), r.id))
    if sort == "title":
        return sorted(reports, key=lambda r: norwegian_key(r.title), reverse=descending)
    if sort == "publisher":
        return _blank_last(reports, lambda r: norwegian_key(r.publisher), descending)
    return _blank_last(reports, lambda r: r.year, descending)


def get_report(network: Network, report_id: int) -> Report | None:
    return db.session.scalar(select(Report).where(Report.id == report_id, Report.network_id == network.id))


def save_report(report: Report | None, network: Network, *, title: str, publisher: str = "", year: int | None = None,
                authors: str = "", kind: ReportKind = ReportKind.REPORT, url: str | None = None) -> Report:
    """Add a report (``report`` None) or change one."""
    title = _required(title, REPORT_TITLE_MAX, _("Skriv tittelen på rapporten."),
                      _("Tittelen kan være høyst %(max)s tegn.", max=REPORT_TITLE_MAX), "title")
    publisher = _text(publisher, PUBLISHER_MAX, _("Utgiveren kan være høyst %(max)s tegn.", max=PUBLISHER_MAX), "publisher")
    authors = _text(authors, AUTHORS_MAX, _("Forfatterfeltet kan være høyst %(max)s tegn.", max=AUTHORS_MAX), "authors")
    year = check_year(year)
    if not isinstance(kind, ReportKind):
        raise ResourceError(_("Velg hva slags publikasjon det er."), field="kind")
    url = check_web_address(url)
    if report is None:
        report = Report(network_id=network.id)
        db.session.add(report)
    report.title, report.publisher, report.year, report.authors, report.kind, report.url = (
        title, publisher, year, authors, kind, url)
    db.session.flush()
    return report


def delete_report(report: Report) -> None:
    db.session.delete(report)
    db.session.flush()


# --- competence environments ------------------------------------------------------------


def environments_for(network: Network) -> list[CompetenceEnvironment]:
    environments = db.session.scalars(select(CompetenceEnvironment).where(CompetenceEnvironment.network_id == network.id))
    return sorted(environments, key=lambda e: (norwegian_key(e.name), e.id))


def get_environment(network: Network, environment_id: int) -> CompetenceEnvironment | None:
    return db.session.scalar(select(CompetenceEnvironment).where(
        CompetenceEnvironment.id == environment_id, CompetenceEnvironment.network_id == network.id))


def _check_unique_name(network: Network, name: str, exclude: CompetenceEnvironment | None) -> None:
    """Names are unique in a network whatever their case ("NOVA" and "Nova" are one environment)."""
    wanted = name.casefold()
    for environment in environments_for(network):
        if environment is not exclude and environment.name.casefold() == wanted:
            raise ResourceError(_("«%(name)s» står allerede i oversikten over kompetansemiljøer.",
                                  name=environment.name), field="name")


def save_environment(environment: CompetenceEnvironment | None, network: Network, *, name: str,
                     offer: str = "", url: str | None = None) -> CompetenceEnvironment:
    """Add a competence environment (``environment`` None) or change one."""
    name = _required(name, NAME_MAX, _("Skriv navnet på kompetansemiljøet."),
                     _("Navnet kan være høyst %(max)s tegn.", max=NAME_MAX), "name")
    offer = _text(offer, OFFER_MAX, _("Beskrivelsen kan være høyst %(max)s tegn.", max=OFFER_MAX), "offer")
    url = check_web_address(url)
    _check_unique_name(network, name, environment)
    if environment is None:
        environment = CompetenceEnvironment(network_id=network.id)
        db.session.add(environment)
    environment.name, environment.offer, environment.url = name, offer, url
    # The database's unique constraint backs the check up when two coordinators save at once.
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ResourceError(_("Et kompetansemiljø med det navnet står allerede i oversikten."), field="name") from None
    return environment


def delete_environment(environment: CompetenceEnvironment) -> None:
    db.session.delete(environment)
    db.session.flush()
