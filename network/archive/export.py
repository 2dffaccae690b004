"""Export a network as one ZIP: JSON per kind of record, CSV copies for spreadsheets, the uploaded
files under their own names (``files/uploads/Program.pdf``; each record says which file is its
own, ``file``, and its ``sha256``), and a manifest with the format, the counts and each file's sha256.
Entry times are Oslo time, as ZIP programs show them as they are (the format has no time zone).

The records are read table by table (one query each, whatever the network's size), then nested
and written; nothing here changes the database.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import func, select

from network.archive import services
from network.archive.services import KINDS, KINDS_BY_NAME, Kind
from network.assignments.models import SubmissionStatus
from network.costs import export as cost_export
from network.costs.services import invoice_basis
from network.evaluations import services as evaluation_services
from network.extensions import db
from network.feedback.models import FeedbackStatus, FeedbackTopic
from network.gatherings.models import RegistrationStatus
from network.main import clock
from network.main.clock import OSLO
from network.main.spreadsheets import csv_text
from network.networks.models import MembershipStatus, Network, RoleKind
from network.networks.services import norwegian_key
from network.organisations.models import OrganisationKind


@dataclass
class Snapshot:
    """Every record of the network, as rows of Python values keyed by kind; the files by sha256."""

    network: Network
    rows: dict[str, list[dict]] = field(default_factory=dict)
    links: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, key) → own id → [other ids]
    files: dict[str, bytes] = field(default_factory=dict)  # path in the ZIP → uploaded file
    taken: dict[str, set] = field(default_factory=dict)  # folder → names in use (case-folded)

    def by_id(self, kind: str) -> dict:
        return {row["id"]: row for row in self.rows[kind]}


# --- reading --------------------------------------------------------------------------


def _scope(kind: Kind, network_id: int):
    """The WHERE clause that picks the network's rows of a kind (not for collected kinds)."""
    if kind.within is None:
        return kind.table.c.id == network_id
    column, target = kind.within
    return kind.table.c[column].in_(_ids(KINDS_BY_NAME[target], network_id))


def _ids(kind: Kind, network_id: int):
    return select(kind.table.c.id).where(_scope(kind, network_id))


COLLECTED_ORDER = {
    "people": lambda row: (row["email"], row["id"]),
    "organisations": lambda row: (row["kind"].value, row["kommunenummer"] or "", norwegian_key(row["name"]), row["id"]),
    "counties": lambda row: (row["number"], row["id"]),
    "files": lambda row: row["id"],
}


def snapshot(network: Network) -> Snapshot:
    result = Snapshot(network)
    session = db.session
    for kind in KINDS:
        if kind.collected:
            continue
        result.rows[kind.name] = [dict(row) for row in session.execute(
            select(kind.table).where(_scope(kind, network.id)).order_by(*kind.pk)).mappings()]
        for link in kind.links:
            listed: dict = defaultdict(list)
            query = (select(link.table.c[link.own], link.table.c[link.other])
                     .where(link.table.c[link.own].in_(_ids(kind, network.id)))
                     .order_by(link.table.c[link.own], link.table.c[link.other]))
            for own, other in session.execute(query):
                listed[own].append(other)
            result.links[(kind.name, link.key)] = listed
    for name in services.COLLECT_ORDER:
        kind = KINDS_BY_NAME[name]
        wanted = _referred_to(result, name)
        rows = [dict(row) for row in session.execute(
            select(kind.table).where(kind.table.c.id.in_(sorted(wanted)))).mappings()] if wanted else []
        result.rows[name] = sorted(rows, key=COLLECTED_ORDER[name])
    return result


def _referred_to(result: Snapshot, target: str) -> set:
    wanted = set()
    for name, rows in result.rows.items():
        columns = [column for column, kind in KINDS_BY_NAME[name].references.items() if kind == target]
        for row in rows:
            wanted.update(row[column] for column in columns if row[column] is not None)
    return wanted


# --- writing records ------------------------------------------------------------------


def _record(kind: Kind, row: dict, result: Snapshot) -> dict:
    record = {}
    binary = {column.name for column in kind.binary}
    for column in kind.columns:
        if column.name in binary:
            continue
        record[column.name] = services.to_json(column, row[column.name])
    for column in kind.binary:
        data = row[column.name]
        digest = hashlib.sha256(data).hexdigest()
        path = _file_path(result, kind, row.get("filename") or "")
        result.files[path] = data
        record["sha256"] = digest  # stored files keep their own sha256 column; the data's hash is the truth
        record["file"] = path
    for link in kind.links:
        record[link.key] = result.links[(kind.name, link.key)].get(row["id"], [])
    if kind.name == "feedback" and row["anonymous"]:
        for name in services.SENDER_FIELDS:
            record.pop(name, None)
    return record


# Uploaded files by the kind of record they belong to.
UPLOAD_FOLDERS = {"files": "uploads", "feedback_attachments": "feedback"}
UNSAFE_IN_NAME = re.compile(r"[^\w .,()+-]+")
MAX_NAME = 100


def safe_filename(name: str) -> str:
    """The uploaded name as a file name any unzip program accepts: no folders, no control or
    reserved characters, no leading dot, at most 100 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSAFE_IN_NAME.sub("_", name).strip(" .") or "fil"
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = name, ""
    stem = stem[:MAX_NAME - len(extension) - 1].rstrip(" .") or "fil"
    return f"{stem}.{extension}" if extension else stem


def _file_path(result: Snapshot, kind: Kind, filename: str) -> str:
    """``files/<folder>/<name>``, made unique within the folder (``name (2).pdf``), also for
    systems that don't tell upper from lower case."""
    folder = f"{services.FILES_DIR}{UPLOAD_FOLDERS.get(kind.name, kind.name)}/"
    taken = result.taken.setdefault(folder, set())
    name = safe_filename(filename)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    number = 1
    while name.casefold() in taken:
        number += 1
        name = f"{stem} ({number}).{extension}" if extension else f"{stem} ({number})"
    taken.add(name.casefold())
    return folder + name


def _comparable(value):
    """A record's values, field by field, compared as what they are (the order of anonymous
    records): a number as a number. As text (the JSON), a reference to question 9 sorted after one
    to question 10, so two answers that differ only there swapped places when an import gave the
    questions new ids."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, dict):
        return (3, tuple((key, _comparable(item)) for key, item in sorted(value.items())))
    if isinstance(value, (list, tuple)):
        return (4, tuple(_comparable(item) for item in value))
    return (5, str(value))


def records(result: Snapshot) -> dict[str, dict]:
    """Every JSON file's content: its top-level kinds, each record with its nested records."""
    built: dict[str, list[dict]] = {}
    by_parent: dict[str, dict] = {}
    # Children first, so that each parent can take its own when it is built.
    for kind in reversed(KINDS):
        built[kind.name] = []
        grouped: dict = defaultdict(list)
        for row in result.rows[kind.name]:
            record = _record(kind, row, result)
            for child in services.children(kind):
                record[child.record_key] = by_parent[child.name].get(row["id"], [])
            if kind.nested:
                grouped[row[kind.parent_column]].append(record)
            else:
                built[kind.name].append(record)
        if kind.anonymous:
            # In the order of their values, never of their ids or of storage, which could follow
            # the order of answering.
            built[kind.name].sort(key=_comparable)
            for records_of_parent in grouped.values():
                records_of_parent.sort(key=_comparable)
        by_parent[kind.name] = grouped
    files = {}
    for file in services.json_files():
        content = {}
        for kind in services.top_level(file):
            if kind.name == "network":
                content["network"] = built["network"][0]
            else:
                content[kind.record_key] = built[kind.name]
        files[file] = content
    return files


# --- CSV copies -----------------------------------------------------------------------


def _sorted(rows):
    """Rows in alphabetical order by every column in turn, so that the order never depends on ids."""
    return sorted(rows, key=lambda row: tuple((norwegian_key(v), v) if isinstance(v, str) else (v, "") for v in row))


def csv_files(result: Snapshot) -> dict[str, str]:
    organisations = result.by_id("organisations")
    counties = result.by_id("counties")
    people = result.by_id("people")
    gatherings = result.by_id("gatherings")
    memberships = result.by_id("memberships")
    assignments = result.by_id("assignments")

    def organisation_name(organisation_id):
        return organisations[organisation_id]["name"] if organisation_id in organisations else ""

    members = _sorted(
        (org["name"], OrganisationKind(org["kind"]).label, org["kommunenummer"] or "",
         counties[org["county_id"]]["name"] if org["county_id"] in counties else "",
         MembershipStatus(m["status"]).label, m["joined_on"].isoformat(), m["executive_name"] or "",
         m["anchoring_decided_on"].isoformat() if m["anchoring_decided_on"] else "", m["anchoring_note"] or "")
        for m in result.rows["memberships"] for org in [organisations[m["organisation_id"]]])

    roles: dict = defaultdict(list)
    for role in result.rows["roles"]:
        roles[role["person_id"]].append(RoleKind(role["role"]).label)
    people_rows = _sorted(
        (p["name"], p["email"], organisation_name(p["organisation_id"]), p["job_title"] or "", p["phone"] or "",
         ", ".join(sorted(roles[p["id"]])))
        for p in result.rows["people"] if p["id"] in roles)

    days_of = result.links[("registrations", "days")]
    registrations = _sorted(
        (gatherings[r["gathering_id"]]["number"], gatherings[r["gathering_id"]]["title"], person["name"],
         person["email"], organisation_name(person["organisation_id"]), RegistrationStatus(r["status"]).label,
         len(days_of.get(r["id"], [])), r["diet"], r["allergies"], r["accessibility"], r["comment"],
         clock.oslo_date(r["created_at"]).isoformat())
        for r in result.rows["registrations"] for person in [people[r["person_id"]]])

    submissions = _sorted(
        (assignments[s["assignment_id"]]["title"], organisation_name(memberships[s["membership_id"]]["organisation_id"]),
         SubmissionStatus(s["status"]).label, clock.oslo_date(s["submitted_at"]).isoformat() if s["submitted_at"] else "",
         _("Ja") if s["is_late"] else _("Nei"), s["text"])
        for s in result.rows["submissions"])

    attachment_count: dict = defaultdict(int)
    for attachment in result.rows["feedback_attachments"]:
        attachment_count[attachment["feedback_id"]] += 1
    feedback = []
    for f in result.rows["feedback"]:
        sender_name, sender_email = "", ""
        if not f["anonymous"]:
            sender = people.get(f["sender_id"])
            sender_name = sender["name"] if sender else f["sender_name"]
            sender_email = sender["email"] if sender else f["sender_email"]
        feedback.append((f["received_on"].isoformat(), FeedbackTopic(f["topic"]).label, FeedbackStatus(f["status"]).label,
                         _("Ja") if f["anonymous"] else _("Nei"), sender_name, sender_email, f["works"],
                         f["does_not_work"], f["suggestion"], attachment_count[f["id"]]))

    questions = result.by_id("evaluation_questions")
    answers: dict = defaultdict(list)
    for answer in result.rows["evaluation_answers"]:
        question = questions[answer["question_id"]]
        value = answer["rating"] if answer["rating"] is not None else answer["text"]
        answers[answer["response_id"]].append((question["position"], f"{question['text']}: {value}"))
    # The spreadsheet copy follows the results pages: a gathering with too few answers to show gets
    # one line saying so. (evaluations.json keeps every response, so that an import loses nothing.)
    answered = Counter(r["gathering_id"] for r in result.rows["evaluation_responses"])
    minimum = evaluation_services.min_answers()
    evaluations = _sorted(
        (gatherings[r["gathering_id"]]["number"], r["relevance"], r["usefulness"], r["organisation"], r["best"],
         r["improve"], " | ".join(text for _position, text in sorted(answers[r["id"]])), "")
        for r in result.rows["evaluation_responses"] if answered[r["gathering_id"]] >= minimum)
    evaluations += sorted((gatherings[gathering_id]["number"], "", "", "", "", "", "",
                           evaluation_services.withheld_message(count))
                          for gathering_id, count in answered.items() if count < minimum)

    return {
        "csv/members.csv": csv_text(
            [_("Organisasjon"), _("Type"), _("Kommunenummer"), _("Fylke"), _("Status"), _("Med fra"),
             _("Kommunedirektør"), _("Forankret dato"), _("Merknad om forankring")], members),
        "csv/people.csv": csv_text(
            [_("Navn"), _("E-post"), _("Organisasjon"), _("Stilling"), _("Telefon"), _("Roller")], people_rows),
        "csv/registrations.csv": csv_text(
            [_("Samling"), _("Tittel"), _("Deltaker"), _("E-post"), _("Organisasjon"), _("Status"), _("Dager"),
             _("Kosthold"), _("Allergier"), _("Tilrettelegging"), _("Kommentar"), _("Påmeldt dato")], registrations),
        "csv/submissions.csv": csv_text(
            [_("Oppgave"), _("Kommune"), _("Status"), _("Levert dato"), _("For sent"), _("Tekst")], submissions),
        "csv/feedback.csv": csv_text(
            [_("Mottatt"), _("Tema"), _("Status"), _("Anonym"), _("Avsender"), _("E-post"), _("Hva fungerer"),
             _("Hva fungerer ikke"), _("Forslag"), _("Vedlegg")], _sorted(feedback)),
        "csv/evaluations.csv": csv_text(
            [_("Samling"), _("Relevans"), _("Nytte for kommunen"), _("Organisering"), _("Det beste"),
             _("Kan bli bedre"), _("Tilleggsspørsmål"), _("Merknad")], evaluations),
        # The invoice basis, computed by the costs rules from the registrations and prices in the archive.
        "costs.csv": cost_export.to_csv(invoice_basis(result.network)),
    }


# --- the ZIP --------------------------------------------------------------------------


def _json_bytes(content) -> bytes:
    return (json.dumps(content, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_archive(network: Network, target: IO[bytes], now: datetime | None = None) -> dict:
    """Write the network's archive as a ZIP into ``target``. Returns the manifest."""
    now = now or clock.utc_now()
    result = snapshot(network)
    contents: dict[str, bytes] = {}
    for path, content in records(result).items():
        contents[path] = _json_bytes(content)
    for path, text in csv_files(result).items():
        contents[path] = text.encode("utf-8")
    for path, data in sorted(result.files.items()):
        contents[path] = data
    manifest = {
        "format": services.FORMAT,
        "version": services.VERSION,
        "exported_at": now.isoformat(),
        "network": {"id": network.id, "name": network.name},
        "counts": {kind.name: len(result.rows[kind.name]) for kind in KINDS},
        "files": {path: hashlib.sha256(data).hexdigest() for path, data in contents.items()},
        "kinds": services.describe(),
        "not_archived": services.NOT_ARCHIVED,
    }
    # ZIP times have no zone and are read as local time: Oslo time, as in the archive's file name.
    stamp = now.astimezone(OSLO).timetuple()[:6]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in [(services.MANIFEST, _json_bytes(manifest)), *contents.items()]:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return manifest


def summary(network: Network) -> list[tuple[str, int]]:
    """What the archive page lists: the main kinds of records, with a count each."""
    labels = (
        ("memberships", _("Medlemmer")), ("roles", _("Roller")), ("gatherings", _("Samlinger")),
        ("registrations", _("Påmeldinger")), ("assignments", _("Oppgaver")), ("submissions", _("Besvarelser")),
        ("examples", _("Erfaringer")), ("feedback", _("Tilbakemeldinger")),
        ("evaluation_responses", _("Svar på evalueringer")),
    )
    counts = []
    for name, label in labels:
        kind = KINDS_BY_NAME[name]
        count = db.session.scalar(select(func.count()).select_from(kind.table).where(_scope(kind, network.id)))
        counts.append((label, count))
    return counts
