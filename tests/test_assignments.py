"""Assignments and submissions over HTTP: managing assignments, writing, delivering and reopening a
municipality's submission, edit conflicts, attachments, visibility, lateness and escaping.

Helpers here are shared by the other ``tests/test_assignments_*.py`` modules.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from network.assignments import access, services
from network.assignments.models import (
    Assignment, AssignmentMethod, Submission, SubmissionAttachment, SubmissionEvent, SubmissionEventKind,
    SubmissionStatus, Visibility,
)
from network.assignments.services import SubmissionConflict
from network.extensions import db
from network.files.models import StoredFile
from network.groups.models import Group, GroupKind, GroupMember, Grouping
from network.networks.models import Membership, Network
from tests.factories import world
from tests.test_programme import EXE, docx_bytes, pdf_bytes, png_bytes

OSLO = ZoneInfo("Europe/Oslo")
# Far enough ahead that "now" is always before the due date, and behind, for late work.
FUTURE = (date(2030, 9, 10), date(2031, 3, 12), date(2031, 3, 5))   # given, presented, due
PAST = (date(2019, 4, 10), date(2019, 9, 18), date(2019, 9, 11))


# --- helpers shared by the assignment tests ---------------------------------------------


@dataclass
class Setting:
    """``world`` plus two gatherings and one assignment, with ids to look things up again."""

    app: object
    network: Network
    people: dict
    hamar_id: int
    lillehammer_id: int
    hamar_membership: int
    lillehammer_membership: int
    given_id: int
    presented_id: int
    assignment_id: int

    @property
    def base(self) -> str:
        return f"/networks/{self.network.id}/assignments"

    def submission_url(self, organisation_id: int | None = None, assignment_id: int | None = None) -> str:
        return (f"{self.base}/{assignment_id or self.assignment_id}/municipalities/"
                f"{organisation_id or self.hamar_id}")

    def submission(self, membership_id: int | None = None, assignment_id: int | None = None) -> Submission | None:
        """Read inside an app context."""
        return db.session.scalar(select(Submission).where(
            Submission.assignment_id == (assignment_id or self.assignment_id),
            Submission.membership_id == (membership_id or self.hamar_membership)))


def membership_id(app, network_id: int, organisation_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Membership.id).where(
            Membership.network_id == network_id, Membership.organisation_id == organisation_id))


def make_assignment(app, network_id: int, *, title: str = "Våre boligpolitiske mål", due: date = FUTURE[2],
                    given_id: int | None = None, presented_id: int | None = None,
                    visibility: Visibility = Visibility.NETWORK, grouping_id: int | None = None,
                    description: str = "Beskriv **målene** deres.", method: AssignmentMethod = AssignmentMethod.A) -> int:
    with app.app_context():
        assignment = Assignment(network_id=network_id, title=title, description=description, method=method,
                                given_after_id=given_id, presented_at_id=presented_id, due_on=due,
                                visibility=visibility, grouping_id=grouping_id)
        db.session.add(assignment)
        db.session.commit()
        return assignment.id


def setting_for(app, factory, dates=FUTURE, **assignment_fields) -> Setting:
    network, hamar, lillehammer, people = world(factory)
    given = factory.gathering(network, 1, dates[0])
    presented = factory.gathering(network, 2, dates[1])
    assignment_id = make_assignment(app, network.id, due=dates[2], given_id=given.id, presented_id=presented.id,
                                    **assignment_fields)
    return Setting(app, network, people, hamar.id, lillehammer.id, membership_id(app, network.id, hamar.id),
                   membership_id(app, network.id, lillehammer.id), given.id, presented.id, assignment_id)


def save(app, setting: Setting, text: str, *, person_key: str = "participant", deliver: bool = False,
         now: datetime | None = None, membership: int | None = None, assignment_id: int | None = None) -> int:
    """Save (and deliver) through the service, as the form would; returns the new version."""
    with app.test_request_context():
        assignment = db.session.get(Assignment, assignment_id or setting.assignment_id)
        member = db.session.get(Membership, membership or setting.hamar_membership)
        existing = setting.submission(member.id, assignment.id)
        by = db.session.get(type(setting.people[person_key]), setting.people[person_key].id)
        saved = services.save_submission(assignment, member, text=text, expected_version=existing.version if existing else None,
                                         by=by, now=now or datetime.now(timezone.utc), deliver=deliver)
        db.session.commit()
        return saved.version


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def main_of(response) -> str:
    return page(response).split("<main", 1)[1].split("</main>", 1)[0]


def version_in(response) -> str:
    match = re.search(r'name="version"[^>]*value="(\d*)"', response.get_data(as_text=True))
    assert match, "no version field on the page"
    return match.group(1)


@pytest.fixture
def setting(app, factory) -> Setting:
    return setting_for(app, factory)


# --- managing assignments ---------------------------------------------------------------


def _form(setting: Setting, **overrides) -> dict:
    data = {"title": "Erfaringer med planer", "method": "B", "description": "Fortell om **ett** område.",
            "given_after_id": str(setting.given_id), "presented_at_id": str(setting.presented_id),
            "due_on": "2031-03-01", "visibility": "network", "grouping_id": ""}
    data.update(overrides)
    return data


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_coordinator_creates_an_assignment(app, setting, login):
    client = login(setting.people["coordinator"])
    assert client.get(f"{setting.base}/new").status_code == 200
    response = client.post(f"{setting.base}/new", data=_form(setting))
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(Assignment).where(Assignment.title == "Erfaringer med planer"))
        assert response.location.endswith(f"{setting.base}/{created.id}")
        assert created.method is AssignmentMethod.B
        assert created.due_on == date(2031, 3, 1)
        assert (created.given_after_id, created.presented_at_id) == (setting.given_id, setting.presented_id)
        assert created.created_by_id == setting.people["coordinator"].id
    shown = client.get(response.location)
    assert "<strong>ett</strong>" in shown.get_data(as_text=True)


def _grouping(app, network_id: int, groups: list[list[int]], name: str = "Vekstgrupper") -> int:
    with app.app_context():
        grouping = Grouping(network_id=network_id, name=name, basis=GroupKind.GROWTH)
        db.session.add(grouping)
        db.session.flush()
        for position, members in enumerate(groups):
            group = Group(grouping_id=grouping.id, name=f"Gruppe {position + 1}", kind=GroupKind.GROWTH, position=position)
            db.session.add(group)
            db.session.flush()
            db.session.add_all([GroupMember(grouping_id=grouping.id, group_id=group.id, membership_id=m) for m in members])
        db.session.commit()
        return grouping.id


BAD_FORMS = [
    ("no_title", {"title": "  "}, "title", "Skriv en tittel på oppgaven."),
    ("long_title", {"title": "x" * 201}, "title", "Tittelen kan være høyst 200 tegn."),
    ("no_method", {"method": ""}, "method", "Velg arbeidsform A, B eller C."),
    ("unknown_method", {"method": "D"}, "method", "Velg arbeidsform A, B eller C."),
    ("no_due_date", {"due_on": ""}, "due_on", "Skriv fristen for besvarelsene."),
    ("bad_due_date", {"due_on": "31.02.2031"}, "due_on", None),
    ("due_on_presenting_day", {"due_on": "2031-03-12"}, "due_on", "Fristen må være før den første dagen"),
    ("due_after_presenting_day", {"due_on": "2031-04-01"}, "due_on", "Fristen må være før den første dagen"),
    ("due_before_giving_day", {"due_on": "2030-09-09"}, "due_on", "Fristen kan ikke være før den første dagen"),
    ("same_gathering", {"presented_at_id": "{given}"}, "presented_at_id", "samme samling"),
    ("presented_before_given", {"given_after_id": "{presented}", "presented_at_id": "{given}"}, "presented_at_id",
     "må komme etter"),
    ("other_networks_gathering", {"given_after_id": "{other_gathering}"}, "given_after_id", "Velg en samling i dette nettverket."),
    ("unknown_gathering", {"presented_at_id": "999999"}, "presented_at_id", "Velg en samling i dette nettverket."),
    ("no_visibility", {"visibility": "alle"}, "visibility", "Velg hvem som kan lese besvarelsene."),
    ("group_without_grouping", {"visibility": "group"}, "grouping_id", "Velg gruppeinndelingen"),
    ("other_networks_grouping", {"visibility": "group", "grouping_id": "{other_grouping}"}, "grouping_id",
     "Velg en gruppeinndeling i dette nettverket."),
]


@pytest.mark.parametrize("name, overrides, field_name, message", BAD_FORMS, ids=[row[0] for row in BAD_FORMS])
@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_bad_assignment_forms_are_refused_with_the_typed_values_kept(app, factory, setting, login, name, overrides,
                                                                     field_name, message, editing):
    with app.app_context():
        other = db.session.scalar(select(Network).where(Network.name == "Et annet nettverk"))
    other_gathering = factory.gathering(other, 1, date(2030, 10, 1))
    ids = {"given": setting.given_id, "presented": setting.presented_id, "other_gathering": other_gathering.id,
           "other_grouping": _grouping(app, other.id, [])}
    data = _form(setting, **{"title": "Tittel som er skrevet <inn>",
                             **{k: v.format(**ids) for k, v in overrides.items()}})
    url = f"{setting.base}/{setting.assignment_id}/edit" if editing else f"{setting.base}/new"
    with app.app_context():
        before = _count(Assignment)
        original = db.session.get(Assignment, setting.assignment_id).title

    response = login(setting.people["coordinator"]).post(url, data=data)
    assert response.status_code == 422
    body = page(response)
    assert "Rett opp dette før du går videre:" in body
    assert f'href="#{field_name}"' in body
    if message:
        assert message in body
    if name not in ("no_title", "long_title"):
        assert 'value="Tittel som er skrevet <inn>"' in body  # typed text kept (escaped in the HTML)
    assert "Fortell om **ett** område." in body
    with app.app_context():
        assert _count(Assignment) == before
        assert db.session.get(Assignment, setting.assignment_id).title == original


def test_group_visibility_needs_a_grouping_of_this_network(app, setting, login):
    grouping_id = _grouping(app, setting.network.id, [[setting.hamar_membership]])
    response = login(setting.people["coordinator"]).post(
        f"{setting.base}/{setting.assignment_id}/edit",
        data=_form(setting, visibility="group", grouping_id=str(grouping_id)))
    assert response.status_code == 302
    with app.app_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        assert (assignment.visibility, assignment.grouping_id) == (Visibility.GROUP, grouping_id)


def test_edit_form_shows_the_saved_values(setting, login):
    body = page(login(setting.people["coordinator"]).get(f"{setting.base}/{setting.assignment_id}/edit"))
    assert 'value="Våre boligpolitiske mål"' in body
    assert 'value="2031-03-05"' in body
    assert re.search(r'<option selected value="%s">' % setting.given_id, body)
    assert re.search(r'<input checked id="method-0" name="method" type="radio" value="A">', body)


def test_deleting_an_assignment_removes_its_submissions_and_files(app, setting, login):
    client = login(setting.people["participant"])
    client.post(setting.submission_url(), data={"text": "Mål", "version": "", "action": "save",
                                                "files": (io.BytesIO(pdf_bytes()), "plan.pdf")})
    with app.app_context():
        assert _count(StoredFile) >= 1
        files_before = _count(StoredFile)
    response = login(setting.people["coordinator"]).post(f"{setting.base}/{setting.assignment_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and response.location.endswith(setting.base)
    with app.app_context():
        assert db.session.get(Assignment, setting.assignment_id) is None
        assert _count(Submission) == 0 and _count(SubmissionAttachment) == 0
        assert _count(StoredFile) == files_before - 1


# --- the list and the assignment page -----------------------------------------------------


def test_list_shows_own_status_to_the_municipality_and_counts_to_coordinators(app, setting, login):
    save(app, setting, "Levert tekst", deliver=True)
    participant = main_of(login(setting.people["participant"]).get(setting.base))
    assert "Våre boligpolitiske mål" in participant and "A: boligpolitiske mål og innhold" in participant
    assert "Besvarelsen fra Hamar" in participant and "Levert" in participant
    assert "5. mars 2031" in participant
    assert "av 2 levert" not in participant
    lillehammer = main_of(login(setting.people["other_contact"]).get(setting.base))
    assert "Besvarelsen fra Lillehammer" in lillehammer and "Ikke påbegynt" in lillehammer
    observer = main_of(login(setting.people["observer"]).get(setting.base))
    assert "Besvarelsen fra" not in observer
    coordinator = main_of(login(setting.people["coordinator"]).get(setting.base))
    assert "1 av 2 levert" in coordinator and "Oversikt over besvarelser" in coordinator


def test_assignment_page_renders_the_description_and_the_own_submission_link(app, setting, login):
    body = main_of(login(setting.people["participant"]).get(f"{setting.base}/{setting.assignment_id}"))
    assert "Beskriv <strong>målene</strong> deres." in body
    assert "Start besvarelsen" in body and setting.submission_url() in body
    assert "Ingen besvarelser du kan lese, er levert ennå." in body
    save(app, setting, "Vår tekst", deliver=True)
    body = main_of(login(setting.people["other_contact"]).get(f"{setting.base}/{setting.assignment_id}"))
    assert setting.submission_url() in body and "Hamar" in body


# --- writing, delivering and reopening --------------------------------------------------


def test_draft_then_deliver_then_reopen(app, setting, login):
    client = login(setting.people["participant"])
    form = client.get(setting.submission_url())
    assert form.status_code == 200 and "Lagre utkast" in page(form) and version_in(form) == ""
    response = client.post(setting.submission_url(), data={"text": "### Mål\n- flere boliger", "version": "", "action": "save"})
    assert response.status_code == 302 and response.location.endswith(setting.submission_url())
    with app.app_context():
        draft = setting.submission()
        assert (draft.status, draft.version, draft.submitted_at) == (SubmissionStatus.DRAFT, 1, None)
        assert draft.updated_by_id == setting.people["participant"].id

    shown = client.get(setting.submission_url())
    assert "<h3>Mål</h3>" in shown.get_data(as_text=True)  # the preview, rendered (the text's first heading level is h3, under the page's own)
    assert "Utkastet er lagret" in page(shown)
    response = client.post(setting.submission_url(), data={"text": "### Mål\n- flere boliger", "version": version_in(shown),
                                                          "action": "submit", "confirmed": "1"})
    assert response.status_code == 302
    with app.app_context():
        delivered = setting.submission()
        assert delivered.status is SubmissionStatus.SUBMITTED and delivered.submitted_at is not None
        assert delivered.is_late is False
        assert [e.kind for e in delivered.events] == [SubmissionEventKind.EDITED, SubmissionEventKind.SUBMITTED]

    body = page(client.get(setting.submission_url()))
    assert "Lagre utkast" not in body and "Åpne for endringer" in body
    assert "Dag Deltaker" in body and "leverte" in body and "endret teksten" in body

    response = login(setting.people["contact"]).post(setting.submission_url() + "/reopen")
    assert response.status_code == 302
    with app.app_context():
        reopened = setting.submission()
        assert (reopened.status, reopened.submitted_at, reopened.is_late) == (SubmissionStatus.DRAFT, None, False)
        assert reopened.events[-1].kind is SubmissionEventKind.REOPENED
        assert reopened.events[-1].person_id == setting.people["contact"].id
    assert "Lagre utkast" in page(client.get(setting.submission_url()))


def test_delivering_nothing_is_refused(app, setting, login):
    response = login(setting.people["participant"]).post(setting.submission_url(),
                                                         data={"text": "   ", "version": "", "action": "submit"})
    assert response.status_code == 422
    assert "Skriv en tekst eller legg ved en fil før du leverer." in page(response)
    with app.app_context():
        assert setting.submission() is None


def test_a_delivered_submission_cannot_be_saved_over(app, setting, login):
    version = save(app, setting, "Levert", deliver=True)
    response = login(setting.people["participant"]).post(
        setting.submission_url(), data={"text": "Endret", "version": str(version), "action": "save"})
    assert response.status_code == 422
    assert "Åpne den for endringer" in page(response)
    with app.app_context():
        assert setting.submission().text == "Levert"


@pytest.mark.parametrize("key, before_due, allowed", [
    ("participant", True, True), ("contact", True, True), ("executive", True, True),
    ("participant", False, False), ("contact", False, False),
    ("coordinator", True, True), ("coordinator", False, True), ("admin", False, True),
    ("other_contact", True, False), ("observer", True, False),
])
def test_who_may_reopen_when(app, factory, login, key, before_due, allowed):
    setting = setting_for(app, factory, dates=FUTURE if before_due else PAST)
    save(app, setting, "Levert", deliver=True, now=datetime(2019, 9, 1, tzinfo=timezone.utc) if not before_due else None)
    response = login(setting.people[key]).post(setting.submission_url() + "/reopen")
    assert response.status_code == (302 if allowed else 403)
    with app.app_context():
        assert setting.submission().status is (SubmissionStatus.DRAFT if allowed else SubmissionStatus.SUBMITTED)


def test_reopen_page_explains_late_redelivery_to_coordinators(app, factory, login):
    setting = setting_for(app, factory, dates=PAST)
    save(app, setting, "Levert", deliver=True, now=datetime(2019, 9, 1, tzinfo=timezone.utc))
    coordinator = page(login(setting.people["coordinator"]).get(setting.submission_url()))
    assert "merkes den som levert for sent" in coordinator
    own = page(login(setting.people["participant"]).get(setting.submission_url()))
    assert "Åpne for endringer" not in own and "Koordinatorene kan åpne besvarelsen" in own


def test_reopening_a_draft_is_refused(app, setting, login):
    save(app, setting, "Utkast")
    assert login(setting.people["coordinator"]).post(setting.submission_url() + "/reopen").status_code == 403


def test_due_at_is_the_end_of_the_due_day_in_oslo(app, setting):
    with app.app_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        assert access.due_at(assignment) == datetime(2031, 3, 6, 0, 0, tzinfo=OSLO)
        # Winter time: midnight in Oslo is 23:00 UTC the evening before.
        assert access.due_at(assignment).astimezone(timezone.utc) == datetime(2031, 3, 5, 23, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, late", [
    (datetime(2031, 3, 5, 23, 59, 59, tzinfo=OSLO), False),
    (datetime(2031, 3, 5, 22, 59, 59, tzinfo=timezone.utc), False),
    (datetime(2031, 3, 6, 0, 0, 0, tzinfo=OSLO), True),
    (datetime(2031, 3, 5, 23, 0, 0, tzinfo=timezone.utc), True),
    (datetime(2031, 3, 1, 12, tzinfo=OSLO), False),
])
def test_lateness_at_the_due_boundary(app, setting, login, moment, late):
    save(app, setting, "Levert", deliver=True, now=moment)
    with app.app_context():
        delivered = setting.submission()
        assert delivered.is_late is late
        assert delivered.submitted_at == moment
    body = page(login(setting.people["coordinator"]).get(setting.submission_url()))
    assert ("Levert for sent" in body) is late


def test_late_delivery_over_http_is_flagged(app, factory, login):
    setting = setting_for(app, factory, dates=PAST)
    client = login(setting.people["participant"])
    assert "blir merket som levert for sent" in page(client.get(setting.submission_url()))
    client.post(setting.submission_url(), data={"text": "Sent, men godt", "version": "", "action": "submit", "confirmed": "1"})
    with app.app_context():
        assert setting.submission().is_late is True
    assert "Levert for sent" in page(login(setting.people["other_contact"]).get(setting.submission_url()))
    assert "Levert for sent" in page(login(setting.people["observer"]).get(f"{setting.base}/{setting.assignment_id}"))


# --- who may write ----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["other_contact", "coordinator", "admin", "observer"])
def test_writing_another_municipalitys_submission_is_forbidden(app, setting, login, key):
    save(app, setting, "Hamars tekst")
    with app.app_context():
        version = setting.submission().version
    response = login(setting.people[key]).post(setting.submission_url(),
                                               data={"text": "Overskrevet", "version": str(version), "action": "save"})
    assert response.status_code == 403
    with app.app_context():
        assert setting.submission().text == "Hamars tekst"


def test_a_withdrawn_municipality_can_no_longer_write(app, setting, login):
    from network.networks.models import MembershipStatus

    with app.app_context():
        db.session.get(Membership, setting.hamar_membership).status = MembershipStatus.WITHDRAWN
        db.session.commit()
    response = login(setting.people["participant"]).post(setting.submission_url(),
                                                         data={"text": "Mål", "version": "", "action": "save"})
    assert response.status_code == 403


# --- edit conflicts -----------------------------------------------------------------------


def test_edit_conflict_shows_both_texts_and_a_second_save_overwrites(app, setting, login):
    save(app, setting, "Første utkast")
    dag, kari = login(setting.people["participant"]), login(setting.people["contact"])
    dag_form, kari_form = dag.get(setting.submission_url()), kari.get(setting.submission_url())
    loaded = version_in(dag_form)
    assert loaded == version_in(kari_form) == "1"

    assert dag.post(setting.submission_url(), data={"text": "Dags tekst om mål", "version": loaded,
                                                   "action": "save"}).status_code == 302
    conflict = kari.post(setting.submission_url(), data={"text": "Karis tekst om planer", "version": loaded,
                                                        "action": "save"})
    assert conflict.status_code == 409
    body = page(conflict)
    assert "Noen andre har endret besvarelsen mens du skrev" in body
    assert "Dag Deltaker lagret en nyere versjon" in body
    assert body.count("Dags tekst om mål") >= 1          # theirs, shown next to …
    assert body.count("Karis tekst om planer") >= 2      # … yours, and still in the form
    assert re.search(r"<textarea[^>]*>\s*Karis tekst om planer</textarea>", body)
    assert version_in(conflict) == "2"
    with app.app_context():
        assert setting.submission().text == "Dags tekst om mål"

    again = kari.post(setting.submission_url(), data={"text": "Karis tekst om planer", "version": version_in(conflict),
                                                     "action": "save"})
    assert again.status_code == 302
    with app.app_context():
        saved = setting.submission()
        assert (saved.text, saved.version, saved.updated_by_id) == ("Karis tekst om planer", 3, setting.people["contact"].id)


def test_two_people_starting_the_same_submission_get_one_row_and_a_conflict(app, setting, login):
    dag, kari = login(setting.people["participant"]), login(setting.people["contact"])
    assert version_in(dag.get(setting.submission_url())) == version_in(kari.get(setting.submission_url())) == ""
    assert dag.post(setting.submission_url(), data={"text": "Dag var først", "version": "", "action": "save"}).status_code == 302
    second = kari.post(setting.submission_url(), data={"text": "Kari var nest", "version": "", "action": "save"})
    assert second.status_code == 409
    assert "Dag var først" in page(second) and "Kari var nest" in page(second)
    with app.app_context():
        assert _count(Submission) == 1 and setting.submission().text == "Dag var først"


def test_a_first_save_that_loses_the_race_is_a_conflict_not_an_error(app, setting):
    """The row appears between the check and the insert: the savepoint catches the unique key."""
    save(app, setting, "Den andre rakk det")
    with app.test_request_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        membership = db.session.get(Membership, setting.hamar_membership)
        with pytest.raises(SubmissionConflict):
            services._start(assignment, membership, None, datetime.now(timezone.utc))
        # The session is still usable, and the other person's row is intact.
        assert setting.submission().text == "Den andre rakk det"
        db.session.rollback()


def test_a_conflict_when_the_other_person_delivered(app, setting, login):
    version = save(app, setting, "Utkast")
    save(app, setting, "Ferdig og levert", person_key="contact", deliver=True)
    response = login(setting.people["participant"]).post(
        setting.submission_url(), data={"text": "Min endring", "version": str(version), "action": "save"})
    assert response.status_code == 409
    body = page(response)
    assert "Kari Kontakt lagret en nyere versjon" in body and "Besvarelsen er levert" in body
    assert "Min endring" in body and "Ferdig og levert" in body
    assert "Lagre utkast" not in body
    with app.app_context():
        assert setting.submission().text == "Ferdig og levert"


def test_a_form_sent_twice_is_not_a_conflict(app, setting, login):
    """A double click on «Lever»: the second request carries the old version, but asks for what is already done."""
    client = login(setting.people["participant"])
    data = {"text": "Ferdig tekst", "version": "", "action": "submit", "confirmed": "1"}
    assert client.post(setting.submission_url(), data=data).status_code == 302
    again = client.post(setting.submission_url(), data=data)
    assert again.status_code == 302
    assert "Besvarelsen var allerede lagret med denne teksten." in page(client.get(again.location))
    with app.app_context():
        submission = setting.submission()
        assert submission.status is SubmissionStatus.SUBMITTED
        assert [e.kind for e in submission.events] == [SubmissionEventKind.EDITED, SubmissionEventKind.SUBMITTED]


def test_the_edit_form_explains_markdown(setting, login):
    body = page(login(setting.people["participant"]).get(setting.submission_url()))
    assert "Slik formaterer du teksten" in body and "**viktig**" in body
    assert 'name="files"' in body and "multiple" in body
    assert 'enctype="multipart/form-data"' in body


# --- attachments --------------------------------------------------------------------------


def _upload(client, setting, files, text="Med vedlegg", version="", action="save"):
    return client.post(setting.submission_url(), data={"text": text, "version": version, "action": action,
                                                       "confirmed": "1", "files": [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


def test_several_attachments_are_stored_and_downloaded(app, setting, login):
    client = login(setting.people["participant"])
    response = _upload(client, setting, [("plan.pdf", pdf_bytes()), ("kart.png", png_bytes()), ("notat.docx", docx_bytes())])
    assert response.status_code == 302
    with app.app_context():
        submission = setting.submission()
        names = [a.file.filename for a in submission.attachments]
        assert names == ["plan.pdf", "kart.png", "notat.docx"]
        assert [e.detail for e in submission.events if e.kind is SubmissionEventKind.ATTACHMENT_ADDED] == names
        pdf_id = submission.attachments[0].id
    body = page(client.get(setting.submission_url()))
    assert "plan.pdf" in body and "PDF" in body
    download = client.get(f"{setting.submission_url()}/attachments/{pdf_id}")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"  # issue 17: nothing signed-in is stored


@pytest.mark.parametrize("files, message", [
    ([("virus.pdf", EXE)], "Filtypen er ikke tillatt"),
    ([("plan.pdf", pdf_bytes()), ("side.html", b"<!DOCTYPE html><html><script>x</script></html>")], "Filtypen er ikke tillatt"),
    ([("tom.pdf", b"")], "Filen er tom."),
    ([("stor.pdf", pdf_bytes(padding=3000))], "Filen er for stor"),
], ids=["exe", "html_among_good", "empty", "too_large"])
def test_refused_attachments_keep_the_text_and_save_nothing(app, setting, login, files, message):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    save(app, setting, "Lagret før")
    with app.app_context():
        files_before, version = _count(StoredFile), setting.submission().version
    response = _upload(login(setting.people["participant"]), setting, files, text="Ny tekst jeg skrev", version=str(version))
    assert response.status_code == 422
    body = page(response)
    assert message in body and 'href="#files"' in body
    assert re.search(r"<textarea[^>]*>\s*Ny tekst jeg skrev</textarea>", body)
    assert "Velg filene på nytt" in body
    with app.app_context():
        assert _count(StoredFile) == files_before and _count(SubmissionAttachment) == 0
        assert setting.submission().text == "Lagret før"


def test_a_refused_file_on_the_first_save_creates_no_submission(app, setting, login):
    response = _upload(login(setting.people["participant"]), setting, [("virus.pdf", EXE)], text="Første tekst")
    assert response.status_code == 422
    with app.app_context():
        assert setting.submission() is None and _count(SubmissionEvent) == 0


def _attachment(app, setting, login, deliver=False) -> int:
    client = login(setting.people["participant"])
    _upload(client, setting, [("plan.pdf", pdf_bytes())], action="submit" if deliver else "save")
    with app.app_context():
        return setting.submission().attachments[0].id


@pytest.mark.parametrize("deliver, readers", [
    (False, {"participant", "contact", "executive", "coordinator", "admin"}),
    (True, {"participant", "contact", "executive", "coordinator", "admin", "other_contact", "observer"}),
])
def test_attachment_downloads_follow_the_submission(app, setting, login, deliver, readers):
    attachment_id = _attachment(app, setting, login, deliver)
    for key in ("participant", "contact", "executive", "other_contact", "observer", "coordinator", "admin", "outsider"):
        response = login(setting.people[key]).get(f"{setting.submission_url()}/attachments/{attachment_id}")
        assert response.status_code == (200 if key in readers else 403), key


def test_attachment_of_another_submission_is_not_found(app, setting, login):
    attachment_id = _attachment(app, setting, login)
    url = f"{setting.submission_url(setting.lillehammer_id)}/attachments/{attachment_id}"
    save(app, setting, "Lillehammer", person_key="other_contact", membership=setting.lillehammer_membership)
    assert login(setting.people["coordinator"]).get(url).status_code == 404


def test_removing_an_attachment_while_draft_only(app, setting, login):
    attachment_id = _attachment(app, setting, login)
    url = f"{setting.submission_url()}/attachments/{attachment_id}/delete"
    assert login(setting.people["other_contact"]).post(url, data={"confirmed": "1"}).status_code == 403
    assert login(setting.people["coordinator"]).post(url, data={"confirmed": "1"}).status_code == 403
    response = login(setting.people["contact"]).post(url, data={"confirmed": "1"})
    assert response.status_code == 302
    with app.app_context():
        submission = setting.submission()
        assert submission.attachments == [] and _count(StoredFile) == 0
        assert submission.events[-1].kind is SubmissionEventKind.ATTACHMENT_REMOVED
        assert submission.events[-1].detail == "plan.pdf"


def test_a_delivered_submissions_attachments_cannot_be_removed(app, setting, login):
    attachment_id = _attachment(app, setting, login, deliver=True)
    response = login(setting.people["participant"]).post(f"{setting.submission_url()}/attachments/{attachment_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 403
    with app.app_context():
        assert len(setting.submission().attachments) == 1


def test_files_alone_do_not_cause_a_conflict(app, setting, login):
    """Adding a file leaves the version alone, so someone else's text save still goes through."""
    save(app, setting, "Tekst")
    client = login(setting.people["contact"])
    loaded = version_in(client.get(setting.submission_url()))
    _upload(login(setting.people["participant"]), setting, [("plan.pdf", pdf_bytes())], text="Tekst", version=loaded)
    response = client.post(setting.submission_url(), data={"text": "Karis nye tekst", "version": loaded, "action": "save"})
    assert response.status_code == 302
    with app.app_context():
        submission = setting.submission()
        assert submission.text == "Karis nye tekst" and len(submission.attachments) == 1


# --- visibility ---------------------------------------------------------------------------

ALL_KEYS = ("participant", "contact", "executive", "other_contact", "observer", "coordinator", "admin", "outsider")
OWN_AND_COORDINATORS = {"participant", "contact", "executive", "coordinator", "admin"}


@pytest.mark.parametrize("visibility, delivered, readers", [
    (Visibility.NETWORK, True, OWN_AND_COORDINATORS | {"other_contact", "observer"}),
    (Visibility.NETWORK, False, OWN_AND_COORDINATORS),
    (Visibility.COORDINATORS, True, OWN_AND_COORDINATORS),
    (Visibility.GROUP, False, OWN_AND_COORDINATORS),
])
def test_who_reads_hamars_submission(app, factory, login, visibility, delivered, readers):
    setting = setting_for(app, factory)
    if visibility is Visibility.GROUP:
        grouping = _grouping(app, setting.network.id, [[setting.hamar_membership, setting.lillehammer_membership]])
        with app.app_context():
            assignment = db.session.get(Assignment, setting.assignment_id)
            assignment.visibility, assignment.grouping_id = visibility, grouping
            db.session.commit()
    else:
        with app.app_context():
            db.session.get(Assignment, setting.assignment_id).visibility = visibility
            db.session.commit()
    save(app, setting, "Hamars hemmelige mål", deliver=delivered)
    for key in ALL_KEYS:
        response = login(setting.people[key]).get(setting.submission_url())
        assert response.status_code == (200 if key in readers else 403), key
        assert ("Hamars hemmelige mål" in page(response)) is (key in readers), key
        if key != "outsider":
            listed = login(setting.people[key]).get(f"{setting.base}/{setting.assignment_id}").get_data(as_text=True)
            linked = key in {"participant", "contact", "executive"} or (delivered and key in readers)
            assert (f'href="{setting.submission_url()}"' in listed) is linked, key


@pytest.mark.parametrize("same_group, observer_reads", [(True, True), (False, True)])
def test_group_visibility_follows_the_groups(app, factory, login, same_group, observer_reads):
    setting = setting_for(app, factory)
    groups = ([[setting.hamar_membership, setting.lillehammer_membership]] if same_group
              else [[setting.hamar_membership], [setting.lillehammer_membership]])
    grouping = _grouping(app, setting.network.id, groups)
    with app.app_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        assignment.visibility, assignment.grouping_id = Visibility.GROUP, grouping
        db.session.commit()
    save(app, setting, "Hamars gruppetekst", deliver=True)
    assert login(setting.people["other_contact"]).get(setting.submission_url()).status_code == (200 if same_group else 403)
    assert login(setting.people["observer"]).get(setting.submission_url()).status_code == (200 if observer_reads else 403)
    assert login(setting.people["participant"]).get(setting.submission_url()).status_code == 200
    listed = page(login(setting.people["other_contact"]).get(f"{setting.base}/{setting.assignment_id}"))
    assert (setting.submission_url() in listed) is same_group


def test_a_municipality_outside_every_group_reads_no_group_submissions(app, setting, login):
    grouping = _grouping(app, setting.network.id, [[setting.hamar_membership]])
    with app.app_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        assignment.visibility, assignment.grouping_id = Visibility.GROUP, grouping
        db.session.commit()
    save(app, setting, "Tekst", deliver=True)
    assert login(setting.people["other_contact"]).get(setting.submission_url()).status_code == 403


def test_an_unstarted_submission_page_is_for_its_own_people_and_coordinators(setting, login):
    for key in ALL_KEYS:
        response = login(setting.people[key]).get(setting.submission_url())
        assert response.status_code == (200 if key in OWN_AND_COORDINATORS else 403), key
    body = page(login(setting.people["coordinator"]).get(setting.submission_url()))
    assert "Kommunen har ikke begynt på besvarelsen ennå." in body and "Lagre utkast" not in body


def test_unknown_or_non_member_municipality_is_not_found(app, factory, setting, login):
    ringsaker = factory.municipality("3411")
    client = login(setting.people["coordinator"])
    assert client.get(setting.submission_url(ringsaker.id)).status_code == 404
    assert client.get(setting.submission_url(999999)).status_code == 404
    assert client.get(setting.submission_url(assignment_id=999999)).status_code == 404


# --- the gathering page -------------------------------------------------------------------


def test_gathering_page_lists_the_readable_submissions_of_assignments_presented_there(app, setting, login):
    save(app, setting, "Hamar levert", deliver=True)
    save(app, setting, "Lillehammer utkast", person_key="other_contact", membership=setting.lillehammer_membership)
    presented = f"/networks/{setting.network.id}/gatherings/{setting.presented_id}"
    body = main_of(login(setting.people["observer"]).get(presented))
    section = body.split('id="assignments-heading"', 1)[1]
    assert "Legges fram her: Våre boligpolitiske mål" in section
    assert setting.submission_url() in section and "Levert" in section
    assert setting.submission_url(setting.lillehammer_id) not in section  # a draft
    given = main_of(login(setting.people["observer"]).get(f"/networks/{setting.network.id}/gatherings/{setting.given_id}"))
    assert "Gis ut her" in given and f"{setting.base}/{setting.assignment_id}" in given
    assert setting.submission_url() not in given


def test_gathering_page_hides_submissions_the_viewer_may_not_read(app, setting, login):
    with app.app_context():
        db.session.get(Assignment, setting.assignment_id).visibility = Visibility.COORDINATORS
        db.session.commit()
    save(app, setting, "Hamar levert", deliver=True)
    presented = f"/networks/{setting.network.id}/gatherings/{setting.presented_id}"
    assert setting.submission_url() not in page(login(setting.people["other_contact"]).get(presented))
    assert setting.submission_url() in page(login(setting.people["coordinator"]).get(presented))
    assert setting.submission_url() in page(login(setting.people["participant"]).get(presented))


def test_gathering_without_assignments_has_no_section(setting, login, factory):
    other = factory.gathering(setting.network, 3, date(2031, 9, 1))
    body = page(login(setting.people["participant"]).get(f"/networks/{setting.network.id}/gatherings/{other.id}"))
    assert 'id="assignments-heading"' not in body


# --- escaping -------------------------------------------------------------------------------

SCRIPT_TITLE = "<script>alert('tittel')</script> Mål"
EVIL_MARKDOWN = ("Se [denne lenken](javascript:alert('lenke')) og <img src=x onerror=alert('bilde')>\n\n"
                 "<script>alert('tekst')</script>\n\n[ok](https://example.test/plan)")


def _no_active_content(body: str) -> None:
    lowered = body.lower()
    assert "<script>alert" not in lowered
    assert 'href="javascript:' not in lowered
    assert "<img" not in lowered


def test_user_text_is_neutralised_on_every_page(app, setting, login):
    with app.app_context():
        assignment = db.session.get(Assignment, setting.assignment_id)
        assignment.title, assignment.description = SCRIPT_TITLE, EVIL_MARKDOWN
        db.session.commit()
    save(app, setting, EVIL_MARKDOWN, deliver=True)
    coordinator, participant = login(setting.people["coordinator"]), login(setting.people["participant"])
    urls = [setting.base, f"{setting.base}/{setting.assignment_id}", f"{setting.base}/{setting.assignment_id}/edit",
            setting.submission_url(), f"{setting.base}/grid",
            f"/networks/{setting.network.id}/gatherings/{setting.presented_id}",
            f"/networks/{setting.network.id}/gatherings/{setting.given_id}"]
    for url in urls:
        response = coordinator.get(url)
        assert response.status_code == 200, url
        raw = response.get_data(as_text=True)
        _no_active_content(raw)
        assert "&lt;script&gt;" in raw, url  # shown as text, not dropped silently
    raw = coordinator.get(f"{setting.base}/{setting.assignment_id}").get_data(as_text=True)
    assert 'href="https://example.test/plan"' in raw
    # The writer's own edit form shows the raw text inside a textarea, escaped.
    with app.app_context():
        services.reopen(setting.submission(), None, datetime.now(timezone.utc))
        db.session.commit()
    raw = participant.get(setting.submission_url()).get_data(as_text=True)
    _no_active_content(raw)
    assert "&lt;script&gt;alert(" in raw


def test_conflict_page_escapes_both_texts(app, setting, login):
    version = save(app, setting, "<script>alert('deres')</script>")
    save(app, setting, "<script>alert('deres2')</script>", person_key="contact")
    response = login(setting.people["participant"]).post(
        setting.submission_url(), data={"text": "<script>alert('min')</script>", "version": str(version), "action": "save"})
    assert response.status_code == 409
    _no_active_content(response.get_data(as_text=True))


def test_csv_cells_that_look_like_formulas_are_defused(app, setting, login):
    with app.app_context():
        db.session.get(Assignment, setting.assignment_id).title = "=HYPERLINK(\"https://evil.test\")"
        db.session.commit()
    body = login(setting.people["coordinator"]).get(f"{setting.base}/grid.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body
