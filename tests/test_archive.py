"""A network's archive: the round trip loses nothing, a broken archive changes nothing, anonymous
feedback stays anonymous, and people come back without passwords."""
from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from network.archive import services
from network.archive.export import write_archive
from network.archive.importer import import_archive
from network.archive.services import KINDS, NOT_ARCHIVED, ArchiveError
from network.assignments.models import Assignment, AssignmentReminder, Submission, SubmissionAttachment
from network.auth.models import Person
from network.demo.content import NETWORK as DEMO_NETWORK
from network.evaluations import services as evaluation_services
from network.evaluations.models import (
    EvaluationAnswer, EvaluationInvitation, EvaluationQuestion, EvaluationResponse, QuestionKind,
)
from network.extensions import db
from network.feedback.models import (
    Feedback, FeedbackAttachment, FeedbackNote, FeedbackReply, FeedbackStatus, FeedbackTopic,
)
from network.files.models import StoredFile
from network.gatherings.models import Gathering, Material, ProgrammeItem, Registration, RegistrationStatus
from network.growth.models import GrowthClass, GrowthOverride, GrowthSettings
from network.networks.models import Membership, Network, NetworkRole, RoleKind
from network.organisations.models import Organisation
from network.organisations.services import import_national_list
from tests.factories import world

PROGRAMME_PDF = b"%PDF-1.4\n% programmet for samlingen\n%%EOF\n"
PLAN_PDF = b"%PDF-1.4\n% boligplanen i utkast\n%%EOF\n"
SLIDES_PDF = b"%PDF-1.4\n% egne lysark fra en kommune\n%%EOF\n"
ANONYMOUS_TEXT = "Lysarkene om tomtepolitikk var for mange til én økt."


# --- building a network with a bit of everything -----------------------------------------


def _stored(data: bytes, name: str, uploader: Person | None) -> StoredFile:
    return StoredFile(filename=name, content_type="application/pdf", size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), data=data,
                      uploaded_by_id=uploader.id if uploader else None)


def enrich(network_id: int) -> None:
    """Add, through the models, what the demo may lack: feedback (named with a note and a reply,
    anonymous with an attachment, and from a visitor), an evaluation with added questions,
    files, a programme item, growth settings and an override, a reminder and a late cancellation."""
    network = db.session.get(Network, network_id)
    coordinator = db.session.scalar(select(Person).join(NetworkRole).where(
        NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.COORDINATOR).order_by(Person.id))
    team = list(db.session.scalars(select(Person).join(NetworkRole).where(
        NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.CONTACT).order_by(Person.email)))
    participant = team[0]
    gathering, last = network.gatherings[0], network.gatherings[-1]
    first_day, last_days = gathering.days[0], list(last.days)
    membership = db.session.scalar(select(Membership).where(
        Membership.network_id == network.id, Membership.organisation_id == participant.organisation_id))

    named = Feedback(network=network, topic=FeedbackTopic.GATHERING, gathering=gathering, sender=participant,
                     works="Gruppearbeidet på tvers av kommunene.", suggestion="Mer tid til gruppene.",
                     status=FeedbackStatus.ANSWERED, received_on=date(2019, 4, 12))
    named.notes.append(FeedbackNote(author=coordinator, body="Tas med i planen for neste samling."))
    named.replies.append(FeedbackReply(author=coordinator, recipient=participant.email, body="Takk, vi gir gruppene mer tid."))
    anonymous = Feedback(network=network, topic=FeedbackTopic.SLIDES, anonymous=True, does_not_work=ANONYMOUS_TEXT,
                         received_on=date(2019, 4, 15))
    anonymous.attachments.append(FeedbackAttachment(filename="våre-lysark.pdf", content_type="application/pdf",
                                                    size=len(SLIDES_PDF), data=SLIDES_PDF))
    visitor = Feedback(network=network, topic=FeedbackTopic.PLATFORM, sender_name="Vera Besøkende",
                       sender_email="vera@example.test", suggestion="En kalender å abonnere på.",
                       received_on=date(2019, 5, 2), status=FeedbackStatus.ARCHIVED)
    db.session.add_all([named, anonymous, visitor])

    rating = EvaluationQuestion(gathering=gathering, position=1, text="Hvor nyttig var gruppearbeidet?",
                                kind=QuestionKind.RATING)
    free = EvaluationQuestion(gathering=gathering, position=2, text="Hva vil du høre mer om?", kind=QuestionKind.TEXT)
    db.session.add_all([rating, free])
    invited = set(db.session.scalars(select(EvaluationInvitation.person_id).where(
        EvaluationInvitation.gathering_id == gathering.id)))  # the demo's own invitations
    for index, person in enumerate(p for p in team if p.id not in invited):
        if index == 3:
            break
        db.session.add(EvaluationInvitation(gathering=gathering, person=person, answered=index < 2))
    db.session.add_all([
        EvaluationResponse(gathering=gathering, relevance=5, usefulness=4, organisation=3, best="Kommunenes innlegg.",
                           improve="Kortere dager.", answers=[EvaluationAnswer(question=rating, rating=4),
                                                              EvaluationAnswer(question=free, text="Tomtepolitikk")]),
        EvaluationResponse(gathering=gathering, relevance=4, usefulness=4, organisation=5,
                           answers=[EvaluationAnswer(question=rating, rating=5)]),
    ])

    item = ProgrammeItem(gathering=gathering, day=first_day, position=0, title="Velkommen", presenter="KS")
    db.session.add_all([
        item,
        Material(gathering=gathering, programme_item=item, title="Programmet",
                 file=_stored(PROGRAMME_PDF, "program.pdf", coordinator), added_by_id=coordinator.id),
        Material(gathering=gathering, title="Husbankens veileder", url="https://example.test/veileder"),
        GrowthSettings(network=network, strong_growth_min=Decimal("1.20"), growth_min=Decimal("0.40"),
                       stable_min=Decimal("0.00"), updated_by=coordinator),
        GrowthOverride(membership=membership, growth_class=GrowthClass.GROWTH, reason="Stor tomtereserve.",
                       set_by=coordinator),
        Registration(gathering=last, person=participant, status=RegistrationStatus.CANCELLED,
                     late_cancellation=True, cancelled_at=datetime(2020, 10, 1, 8, tzinfo=timezone.utc),
                     days=last_days, diet="Vegetar"),
    ])
    submission = db.session.scalar(select(Submission).join(Assignment).where(
        Assignment.network_id == network.id).order_by(Submission.id))
    if submission is not None:
        db.session.add(SubmissionAttachment(submission=submission, file=_stored(PLAN_PDF, "boligplan.pdf", participant),
                                            added_by=participant))
        db.session.add(AssignmentReminder(assignment_id=submission.assignment_id, membership_id=submission.membership_id))
    db.session.commit()


def demo_network(app, runner) -> int:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network_id = db.session.scalar(select(Network.id).where(Network.name == DEMO_NETWORK["name"]))
        enrich(network_id)
    return network_id


def small_network(app, factory) -> int:
    network, _hamar, _lillehammer, _people = world(factory)
    factory.gathering(network, 1, date(2019, 4, 10), days=2)
    with app.app_context():
        enrich(network.id)
    return network.id


def exported(network_id: int) -> bytes:
    buffer = io.BytesIO()
    write_archive(db.session.get(Network, network_id), buffer)
    return buffer.getvalue()


def empty_database() -> None:
    """Drop every table and create the schema again, then seed counties and municipalities as a new
    installation does. All inside the test's transaction, which is rolled back afterwards."""
    db.session.commit()
    db.session.expunge_all()
    connection = db.session.connection()
    db.metadata.drop_all(connection)
    db.metadata.create_all(connection)
    import_national_list()
    db.session.commit()


def submission_texts() -> dict[tuple[str, str], str]:
    rows = db.session.execute(select(Assignment.title, Membership.organisation_id, Submission.text)
                              .join(Submission.assignment).join(Submission.membership))
    names = {o.id: o.name for o in db.session.scalars(select(Organisation))}
    return {(title, names[organisation_id]): text for title, organisation_id, text in rows}


def evaluation_counts(network_id: int) -> dict[int, tuple[int, int]]:
    """Gathering number → (invited, answered), as the results pages show them."""
    gatherings = {g.id: g.number for g in db.session.scalars(select(Gathering).where(Gathering.network_id == network_id))}
    return {gatherings[gathering_id]: counts
            for gathering_id, counts in evaluation_services.invitation_counts(list(gatherings)).items()}


def row_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


# --- reading archives in tests ----------------------------------------------------------


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def normalised(data: bytes) -> dict:
    """The archive with exported ids renumbered by position, and the export time left out: two
    exports of the same network, before and after an import, must then be equal."""
    contents = unzip(data)
    manifest = json.loads(contents.pop(services.MANIFEST))
    kinds = manifest["kinds"]
    documents = {path: json.loads(body) for path, body in contents.items() if path.endswith(".json")}

    def each(visit):
        def walk(kind, record):
            visit(kind, record)
            for child, spec in kinds.items():
                if spec.get("in") == kind:
                    for nested in record[spec["key"]]:
                        walk(child, nested)
        for name, spec in kinds.items():
            if "file" in spec:
                found = documents[spec["file"]][spec["key"]]
                for record in [found] if name == "network" else found:
                    walk(name, record)

    numbers: dict[str, dict] = defaultdict(dict)

    def number(kind, record):
        if isinstance(record.get("id"), int):
            numbers[kind][record["id"]] = len(numbers[kind])

    def renumber(kind, record):
        spec = kinds[kind]
        if isinstance(record.get("id"), int):
            record["id"] = numbers[kind][record["id"]]
        for column, target in spec["references"].items():
            if isinstance(record.get(column), int):
                record[column] = numbers[target][record[column]]
        for key, target in spec.get("links", {}).items():
            record[key] = [numbers[target][value] for value in record[key]]

    each(number)
    each(renumber)
    manifest.pop("exported_at")
    manifest["network"].pop("id")
    manifest["files"] = {path: digest for path, digest in manifest["files"].items() if not path.endswith(".json")}
    others = {path: body for path, body in contents.items() if not path.endswith(".json")}
    return {"manifest": manifest, "documents": documents, "others": others}


def document(data: bytes, path: str) -> dict:
    return json.loads(unzip(data)[path])


# --- the round trip ---------------------------------------------------------------------


def test_round_trip_of_the_demo_network_loses_nothing(app, runner):
    network_id = demo_network(app, runner)
    with app.app_context():
        started = time.perf_counter()
        first = exported(network_id)
        seconds = time.perf_counter() - started
        print(f"Exported the demo network in {seconds:.2f} s ({len(first) // 1024} KB)")
        assert seconds < 10
        before = json.loads(unzip(first)[services.MANIFEST])["counts"]
        texts = submission_texts()
        assert len(texts) == before["submissions"] and any(texts.values())
        counts_before = evaluation_counts(network_id)
        assert any(answered < invited for invited, answered in counts_before.values())

        empty_database()
        assert db.session.scalar(select(func.count()).select_from(Network)) == 0
        result = import_archive(io.BytesIO(first))
        db.session.commit()
        assert result.counts == before
        second = exported(result.network_id)

    a, b = normalised(first), normalised(second)
    assert set(a["documents"]) == set(b["documents"])
    for path in a["documents"]:
        assert a["documents"][path] == b["documents"][path], path
    assert a["others"].keys() == b["others"].keys()
    for path in a["others"]:
        assert a["others"][path] == b["others"][path], path
    assert a["manifest"] == b["manifest"]
    uploads = {body for path, body in a["others"].items() if path.startswith("files/")}
    assert {PROGRAMME_PDF, PLAN_PDF, SLIDES_PDF} <= uploads

    with app.app_context():
        network = db.session.get(Network, result.network_id)
        assert network.name == DEMO_NETWORK["name"]
        assert db.session.scalar(select(func.count()).select_from(Registration).join(Gathering).where(
            Gathering.network_id == network.id)) == before["registrations"]
        assert submission_texts() == texts
        anonymous = db.session.scalar(select(Feedback).where(Feedback.does_not_work == ANONYMOUS_TEXT))
        assert anonymous.does_not_work == ANONYMOUS_TEXT
        assert (anonymous.sender_id, anonymous.sender_name, anonymous.sender_email) == (None, "", "")
        assert anonymous.attachments[0].data == SLIDES_PDF
        named = db.session.scalar(select(Feedback).where(Feedback.works == "Gruppearbeidet på tvers av kommunene."))
        assert named.sender.email == named.replies[0].recipient and named.notes[0].author is not None
        response = db.session.scalar(select(EvaluationResponse).where(EvaluationResponse.best == "Kommunenes innlegg."))
        assert (response.relevance, response.usefulness, response.organisation) == (5, 4, 3)
        assert sorted((a.text, a.rating or 0) for a in response.answers) == [("", 4), ("Tomtepolitikk", 0)]
        # Invited and answered per gathering are as before; the archive never said who answered, so
        # every invitation comes back closed: nobody can answer twice, nor answer an archived network.
        assert evaluation_counts(network.id) == counts_before
        assert db.session.scalar(select(func.count()).select_from(EvaluationInvitation).where(
            EvaluationInvitation.answered.is_(False))) == 0
        # People come back without passwords: they choose one with "forgot password".
        assert db.session.scalar(select(func.count()).select_from(Person).where(Person.password_hash.is_not(None))) == 0
        coordinator = db.session.scalar(select(Person).where(Person.email == "koordinator@demo.test"))
        assert coordinator.calendar_token is None and not coordinator.is_admin
        assert coordinator.organisation.name == "KS"
        assert RoleKind.COORDINATOR in {r.role for r in coordinator.roles if r.network_id == network.id}


def test_people_and_organisations_that_exist_are_matched_not_copied(app, factory):
    network_id = small_network(app, factory)
    with app.app_context():
        data = exported(network_id)
        db.session.execute(delete(Network))  # the installation has no network, but keeps its people
        db.session.commit()
        people, organisations = row_counts()["person"], row_counts()["organisation"]
        coordinator = db.session.scalar(select(Person).where(Person.name == "Kristin Koordinator"))
        result = import_archive(io.BytesIO(data))
        db.session.commit()
        assert result.matched["people"] == 6 and result.matched["organisations"] == 3
        assert row_counts()["person"] == people and row_counts()["organisation"] == organisations
        role = db.session.scalar(select(NetworkRole).where(NetworkRole.network_id == result.network_id,
                                                            NetworkRole.role == RoleKind.COORDINATOR))
        assert role.person_id == coordinator.id
        assert db.session.get(Person, coordinator.id).password_hash is not None  # left as it was


# --- what the archive holds ------------------------------------------------------------


def test_anonymous_feedback_has_no_sender_and_people_no_secrets(app, factory):
    network_id = small_network(app, factory)
    with app.app_context():
        db.session.execute(Person.__table__.update().where(Person.name == "Dag Deltaker")
                           .values(calendar_token="hemmelig-kalender"))
        db.session.commit()
        data = exported(network_id)
    feedback = document(data, "feedback.json")["feedback"]
    anonymous = [f for f in feedback if f["anonymous"]]
    assert len(anonymous) == 1
    record = anonymous[0]
    assert not set(services.SENDER_FIELDS) & set(record)
    references = json.loads(unzip(data)[services.MANIFEST])["kinds"]

    def people_references(kind, record):
        spec = references[kind]
        found = [record[c] for c, target in spec["references"].items() if target == "people" and record.get(c)]
        for child, child_spec in references.items():
            if child_spec.get("in") == kind:
                for nested in record[child_spec["key"]]:
                    found += people_references(child, nested)
        return found

    assert people_references("feedback", record) == []
    assert record["does_not_work"] == ANONYMOUS_TEXT and record["received_on"] == "2019-04-15"
    attachment = record["attachments"][0]
    assert unzip(data)[attachment["file"]] == SLIDES_PDF
    assert attachment["file"] == "files/feedback/" + attachment["filename"]
    named = next(f for f in feedback if f["topic"] == "gathering")
    assert named["sender_id"] is not None and named["notes"] and named["replies"]

    people = document(data, "people.json")["people"]
    assert people and not {"password_hash", "calendar_token", "is_admin", "last_login_at"} & set(people[0])
    raw = b"".join(unzip(data).values())
    assert b"hemmelig-kalender" not in raw and b"$argon2" not in raw
    csv = unzip(data)["csv/feedback.csv"].decode("utf-8-sig")
    anonymous_line = next(line for line in csv.splitlines() if ANONYMOUS_TEXT in line)
    assert ";Ja;;;" in anonymous_line


def test_every_table_is_archived_or_left_out_on_purpose():
    import network.models  # noqa: F401  (every table, also when this test runs first or alone)

    archived = {kind.table.name for kind in KINDS} | {link.table.name for kind in KINDS for link in kind.links}
    assert archived | set(NOT_ARCHIVED) == set(db.metadata.tables)
    for kind in KINDS:
        assert kind.references is not None  # every foreign key points at a kind in the archive


def test_the_archive_lists_and_checks_every_file(app, factory):
    network_id = small_network(app, factory)
    with app.app_context():
        data = exported(network_id)
    contents = unzip(data)
    manifest = json.loads(contents[services.MANIFEST])
    assert (manifest["format"], manifest["version"]) == (services.FORMAT, services.VERSION)
    assert manifest["network"]["name"] == "Bolignettverket"
    assert set(manifest["files"]) == set(contents) - {services.MANIFEST}
    assert all(hashlib.sha256(contents[p]).hexdigest() == digest for p, digest in manifest["files"].items())
    assert {"network.json", "people.json", "memberships.json", "gatherings.json", "registrations.json", "costs.csv",
            "submissions.json", "examples.json", "feedback.json", "evaluations.json", "csv/members.csv",
            "csv/registrations.csv", "csv/submissions.csv", "csv/feedback.csv", "csv/evaluations.csv"} <= set(contents)
    assert manifest["counts"]["evaluation_answers"] == 3 and manifest["counts"]["feedback"] == 3
    gathering = document(data, "gatherings.json")["gatherings"][0]
    assert {"days", "programme", "materials"} <= set(gathering) and gathering["price_per_day"] == "900.00"
    evaluations = document(data, "evaluations.json")
    # Who was invited, but never who answered; the responses have no id and come in the order of
    # their answers, so nothing lines them up with the invitations or with the order of answering.
    assert evaluations["invitations"] and not any("answered" in i for i in evaluations["invitations"])
    responses = evaluations["responses"]
    assert responses and not any({"id", "person_id", "invitation_id"} & set(response) for response in responses)
    assert [json.dumps(r, sort_keys=True) for r in responses] == sorted(json.dumps(r, sort_keys=True) for r in responses)
    assert manifest["kinds"]["evaluation_responses"]["id"] is None
    assert "Vegetar" in contents["csv/registrations.csv"].decode("utf-8-sig")
    assert "Avmeldt etter fristen" in contents["costs.csv"].decode("utf-8-sig")


# --- refusals -----------------------------------------------------------------------------


def test_import_refuses_an_installation_that_has_a_network(app, factory):
    network_id = small_network(app, factory)
    with app.app_context():
        data = exported(network_id)
        before = row_counts()
        with pytest.raises(ArchiveError, match="allerede et nettverk"):
            import_archive(io.BytesIO(data))
        assert row_counts() == before


def _tamper_missing_json(contents, manifest):
    del contents["registrations.json"]


def _tamper_missing_upload(contents, manifest):
    del contents[next(path for path in contents if path.startswith("files/"))]


def _tamper_changed_file(contents, manifest):
    contents["people.json"] = contents["people.json"].replace("Dag Deltaker".encode(), "Dag Endret".encode())


def _tamper_version(contents, manifest):
    manifest["version"] = 99


def _tamper_bad_json(contents, manifest):
    contents["people.json"] = b'{"people": [ {'
    manifest["files"]["people.json"] = hashlib.sha256(contents["people.json"]).hexdigest()


def _tamper_dangling_reference(contents, manifest):
    # A consistent archive (hashes updated) whose last record points nowhere: the import writes
    # much before it meets it, and must take all of that back.
    documents = json.loads(contents["evaluations.json"])
    documents["invitations"][-1]["person_id"] = 999999
    contents["evaluations.json"] = json.dumps(documents).encode()
    manifest["files"]["evaluations.json"] = hashlib.sha256(contents["evaluations.json"]).hexdigest()


def _tamper_anonymous_sender(contents, manifest):
    # The database refuses anonymous feedback with a sender; the import must roll back.
    documents = json.loads(contents["feedback.json"])
    next(f for f in documents["feedback"] if f["anonymous"])["sender_name"] = "Avslørt Avsender"
    contents["feedback.json"] = json.dumps(documents).encode()
    manifest["files"]["feedback.json"] = hashlib.sha256(contents["feedback.json"]).hexdigest()


def _tamper_not_a_zip(contents, manifest):
    contents.clear()


def _edit(contents, manifest, path, change):
    documents = json.loads(contents[path])
    change(documents)
    contents[path] = json.dumps(documents).encode()
    manifest["files"][path] = hashlib.sha256(contents[path]).hexdigest()


def _tamper_answered_flag(contents, manifest):
    # An archive from elsewhere that says who has answered: lined up with the responses, that names them.
    _edit(contents, manifest, "evaluations.json", lambda d: d["invitations"][0].update(answered=True))


def _tamper_person_on_response(contents, manifest):
    people = json.loads(contents["people.json"])["people"]
    _edit(contents, manifest, "evaluations.json", lambda d: d["responses"][0].update(person_id=people[0]["id"]))


def _tamper_response_id(contents, manifest):
    _edit(contents, manifest, "evaluations.json", lambda d: d["responses"][0].update(id="0" * 32))


def _tamper_person_on_answer(contents, manifest):
    people = json.loads(contents["people.json"])["people"]
    _edit(contents, manifest, "evaluations.json",
          lambda d: next(r for r in d["responses"] if r["answers"])["answers"][0].update(person_id=people[0]["id"]))


TAMPERINGS = [
    (_tamper_missing_json, "registrations.json mangler"),
    (_tamper_missing_upload, "mangler i arkivet"),
    (_tamper_changed_file, "kontrollsummen stemmer ikke"),
    (_tamper_version, "formatversjon 99"),
    (_tamper_bad_json, "ikke gyldig JSON"),
    (_tamper_dangling_reference, "viser til en post som ikke finnes"),
    (_tamper_anonymous_sender, "Databasen godtok ikke arkivet"),
    (_tamper_not_a_zip, "ikke et ZIP-arkiv"),
    (_tamper_answered_flag, "hvem som har svart"),
    (_tamper_person_on_response, "hvem som har svart"),
    (_tamper_response_id, "hvem som har svart"),
    (_tamper_person_on_answer, "hvem som har svart"),
]


@pytest.mark.parametrize("tamper, message", [
    pytest.param(tamper, message, id=tamper.__name__.removeprefix("_tamper_")) for tamper, message in TAMPERINGS])
def test_a_broken_archive_fails_clearly_and_writes_nothing(app, factory, tamper, message):
    network_id = small_network(app, factory)
    with app.app_context():
        contents = unzip(exported(network_id))
        db.session.execute(delete(Network))
        db.session.commit()
        before = row_counts()
        manifest = json.loads(contents[services.MANIFEST])
        tamper(contents, manifest)
        data = rezip({**contents, services.MANIFEST: json.dumps(manifest).encode()}) if contents else b"not a zip"
        with pytest.raises(ArchiveError, match=message):
            import_archive(io.BytesIO(data))
        assert row_counts() == before


# --- the command line ---------------------------------------------------------------------


def test_the_commands_export_and_import(app, factory, runner, tmp_path):
    network_id = small_network(app, factory)
    target = tmp_path / "arkiv.zip"
    result = runner.invoke(args=["archive", "export", str(network_id), str(target)])
    assert result.exit_code == 0, result.output
    assert "Exported 'Bolignettverket'" in result.output and "3 feedback" in result.output
    assert zipfile.is_zipfile(target)

    refused = runner.invoke(args=["archive", "import", str(target)])
    assert refused.exit_code == 1 and "allerede et nettverk" in refused.output

    unknown = runner.invoke(args=["archive", "export", "999999", str(tmp_path / "x.zip")])
    assert unknown.exit_code == 1 and "no network" in unknown.output and not (tmp_path / "x.zip").exists()

    with app.app_context():
        empty_database()
    imported = runner.invoke(args=["archive", "import", str(target)])
    assert imported.exit_code == 0, imported.output
    assert "Imported 'Bolignettverket'" in imported.output
    with app.app_context():
        assert db.session.scalar(select(Network.name)) == "Bolignettverket"


# --- the page and the download -----------------------------------------------------------


def test_the_coordinator_downloads_the_archive(app, factory, login):
    network_id = small_network(app, factory)
    with app.app_context():
        coordinator = db.session.scalar(select(Person).where(Person.name == "Kristin Koordinator"))
    http = login(coordinator)
    page = http.get(f"/networks/{network_id}/archive")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Anonyme tilbakemeldinger er anonyme også i arkivet" in body
    assert "men ikke hvem som har svart" in body
    assert "uten passord" in body
    assert f'href="/networks/{network_id}/archive.zip"' in body

    response = http.get(f"/networks/{network_id}/archive.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"].split(", ")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "nettverksarkiv-bolignettverket-" in disposition and disposition.endswith('.zip')
    manifest = json.loads(unzip(response.data)[services.MANIFEST])
    assert manifest["network"]["name"] == "Bolignettverket"


@pytest.mark.parametrize("name, expected", [
    ("Lærings- og utviklingsnettverk – helhetlig kommunal boligpolitikk",
     "nettverksarkiv-laerings-og-utviklingsnettverk-helhetlig-kommunal-boligpolit-2020-10-14.zip"),
    ("Sør-Varanger / Øksnes", "nettverksarkiv-sor-varanger-oksnes-2020-10-14.zip"),
    ("«»", "nettverksarkiv-nettverk-2020-10-14.zip"),
])
def test_archive_filename(name, expected):
    assert services.archive_filename(name, date(2020, 10, 14)) == expected


def test_the_chief_executive_goes_with_the_archive_and_an_archive_without_it_still_imports(app, factory):
    """The anchoring's executive is a person: exported as a reference to them, matched on import.
    An archive written before the column existed imports with no executive person (the name stays)."""
    network_id = small_network(app, factory)
    with app.app_context():
        rita = db.session.scalar(select(Person).where(Person.name == "Rita Rådmann"))
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == network_id, Membership.organisation_id == rita.organisation_id))
        membership.executive_id, membership.executive_name = rita.id, "Rita Rådmann"
        db.session.commit()
        data = exported(network_id)
        contents = unzip(data)
        manifest = json.loads(contents.pop(services.MANIFEST))
        memberships = json.loads(contents["memberships.json"])
        assert any(m.get("executive_id") is not None for m in memberships["memberships"])
        for record in memberships["memberships"]:
            record.pop("executive_id")
        contents["memberships.json"] = json.dumps(memberships).encode()
        manifest["files"]["memberships.json"] = hashlib.sha256(contents["memberships.json"]).hexdigest()
        older = rezip({services.MANIFEST: json.dumps(manifest).encode(), **contents})

        for archive, executive in ((data, "Rita Rådmann"), (older, None)):
            empty_database()
            result = import_archive(io.BytesIO(archive))
            db.session.commit()
            imported = db.session.scalar(select(Membership).where(
                Membership.network_id == result.network_id, Membership.executive_name.is_not(None)))
            assert (imported.executive.name if imported.executive else None) == executive
            assert imported.executive_name == "Rita Rådmann"
