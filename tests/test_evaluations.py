"""Evaluations after a gathering: invitations (and their mail, to a real SMTP server) when it is
marked held, answering once, "Min side", the gathering page, and the coordinators' questions."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from network.evaluations.models import EvaluationAnswer, EvaluationQuestion, EvaluationResponse, QuestionKind
from network.extensions import db
from network.gatherings.models import Gathering
from network.outbox.models import OutboxMessage
from tests.comment_helpers import mail_parts, subject
from tests.evaluation_helpers import (
    INVITED, VALID, add_question, hold, hold_quietly, invitations, invite_and_answer, question_ids, response_count,
    setup,
)
from tests.html import error_summary, field_error, input_value, main
from tests.smtp_server import app_config, smtp  # noqa: F401  (fixtures: a real SMTP server)



@pytest.fixture
def s(app, factory):
    return setup(app, factory)


@pytest.fixture
def held(app, s, login):
    hold(login(s.people["coordinator"]), s)
    return s


def checked(response, name: str) -> str | None:
    """The value of the chosen radio button in the group ``name``."""
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', response.get_data(as_text=True)):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def ids(s, *roles) -> set[int]:
    return {s.people[role].id for role in roles}


# --- invitations ------------------------------------------------------------------------


def test_marking_held_invites_the_confirmed_and_attended_and_mails_them(app, s, login, smtp):
    http = login(s.people["coordinator"])
    for status in ("open", "closed"):  # other moves invite nobody
        http.post(s.gathering_url + "/status", data={"status": status})
        assert invitations(app, s.gathering_id) == {}
    assert smtp.messages == []

    hold(http, s)
    assert invitations(app, s.gathering_id) == {s.people["participant"].id: False, s.people["contact"].id: False}
    assert sorted(m["To"] for m in smtp.messages) == sorted(s.people[role].email for role in INVITED)
    mail = next(m for m in smtp.messages if m["To"] == s.people["participant"].email)
    assert subject(mail) == "Hvordan var samling 2? Gi en anonym evaluering"
    parts = mail_parts(mail)
    for part in (parts["text/plain"], parts["text/html"]):
        assert "Hei, Dag Deltaker!" in part
        assert "samling 2: Boligpolitiske mål 2 i Bolignettverket" in part
        assert f"http://localhost{s.url}" in part
        assert "http://localhost/me#evaluations" in part
        assert "anonymt" in part


def test_inviting_again_adds_nobody_and_sends_nothing(app, held, smtp):
    from network.evaluations import services

    def queued():
        return len(db.session.scalars(select(OutboxMessage.id)).all())

    with app.test_request_context():
        before = queued()
        assert services.invite_attendees(db.session.get(Gathering, held.gathering_id)) == []
        db.session.commit()
        assert queued() == before
    assert len(invitations(app, held.gathering_id)) == 2


def test_someone_confirmed_later_is_invited_by_the_next_run_alone(app, held, factory):
    from network.evaluations import services
    from network.gatherings.models import Registration, RegistrationStatus

    late = factory.person(name="Sen Påmelding")
    with app.test_request_context():
        db.session.add(Registration(gathering_id=held.gathering_id, person_id=late.id, status=RegistrationStatus.ATTENDED))
        new = services.invite_attendees(db.session.get(Gathering, held.gathering_id))
        assert [i.person_id for i in new] == [late.id]
        db.session.commit()
    assert set(invitations(app, held.gathering_id)) == ids(held, *INVITED) | {late.id}


# --- answering --------------------------------------------------------------------------


def test_the_form_says_it_is_anonymous_and_once_and_has_named_rating_groups(held, login):
    response = login(held.people["participant"]).get(held.url)
    assert response.status_code == 200
    page = main(response)
    assert "Svaret ditt er anonymt, og du kan svare én gang" in page
    assert page.count("<fieldset") == 3 and page.count("<legend") == 3
    assert "Hvor relevant var samlingen for deg?" in page
    assert "Hvor nyttig var samlingen for din kommune?" in page
    assert "Hvor godt var samlingen organisert?" in page
    assert page.count('type="radio"') == 15
    assert '<label class="ds-label" data-weight="regular" for="relevance-0">1 (lavest)</label>' in page


def test_answering_once_thanks_then_already_answered(app, held, login):
    http = login(held.people["participant"])
    response = http.post(held.url, data=VALID)
    assert response.status_code == 302 and response.location.endswith(held.url + "/thanks")
    assert "Takk for svaret!" in main(http.get(held.url + "/thanks"))
    with app.app_context():
        row = db.session.scalar(select(EvaluationResponse).where(EvaluationResponse.gathering_id == held.gathering_id))
        assert (row.relevance, row.usefulness, row.organisation, row.best, row.improve) == \
            (4, 3, 5, "Gruppearbeidet om boligbehovet.", "Lengre pauser.")
    assert invitations(app, held.gathering_id)[held.people["participant"].id] is True
    assert invitations(app, held.gathering_id)[held.people["contact"].id] is False

    again = http.get(held.url)
    assert again.status_code == 200 and "Du har allerede svart" in main(again)
    assert 'type="radio"' not in main(again)
    second = http.post(held.url, data={**VALID, "relevance": "1"})
    assert second.status_code == 409 and "Du har allerede svart" in main(second)
    assert response_count(app, held.gathering_id) == 1


def test_the_thanks_page_before_answering_sends_you_to_the_form(held, login):
    response = login(held.people["contact"]).get(held.url + "/thanks")
    assert response.status_code == 302 and response.location.endswith(held.url)


@pytest.mark.parametrize("role", ["executive", "other_contact", "cancelled", "observer", "coordinator", "admin"])
def test_people_not_invited_may_not_answer(app, held, login, role):
    http = login(held.people[role])
    assert http.get(held.url).status_code == 403
    assert http.post(held.url, data=VALID).status_code == 403
    assert http.get(held.url + "/thanks").status_code == 403
    assert response_count(app, held.gathering_id) == 0


LONG = "x" * 2001


@pytest.mark.parametrize("change, field, message", [
    ({"relevance": ""}, "relevance", "Velg en karakter fra 1 til 5 for «Hvor relevant var samlingen for deg?»."),
    ({"usefulness": "0"}, "usefulness", "Velg en karakter fra 1 til 5 for «Hvor nyttig var samlingen for din kommune?»."),
    ({"organisation": "6"}, "organisation", "Velg en karakter fra 1 til 5 for «Hvor godt var samlingen organisert?»."),
    ({"relevance": "tre"}, "relevance", "Velg en karakter fra 1 til 5 for «Hvor relevant var samlingen for deg?»."),
    ({"relevance": "-1"}, "relevance", "Velg en karakter fra 1 til 5 for «Hvor relevant var samlingen for deg?»."),
    ({"best": LONG}, "best", "Svaret på «Hva var det beste med samlingen?» kan være høyst 2000 tegn. Nå er det 2001."),
    ({"improve": LONG}, "improve", "Svaret på «Hva kan bli bedre?» kan være høyst 2000 tegn. Nå er det 2001."),
])
def test_bad_answers_are_refused_with_the_typed_text_kept(app, held, login, change, field, message):
    response = login(held.people["participant"]).post(held.url, data={**VALID, **change})
    assert response.status_code == 422
    assert message in error_summary(response)
    assert field_error(response, field) == message
    assert input_value(response, "best") == (change.get("best") or VALID["best"])
    for name in ("relevance", "usefulness", "organisation"):  # the ratings chosen stay chosen
        assert checked(response, name) == (None if name == field else VALID[name])
    assert response_count(app, held.gathering_id) == 0
    assert invitations(app, held.gathering_id)[held.people["participant"].id] is False


def test_a_missing_rating_and_a_missing_form_list_every_problem(held, login):
    response = login(held.people["participant"]).post(held.url, data={})
    assert response.status_code == 422
    assert error_summary(response).count("Velg en karakter fra 1 til 5") == 3


def test_added_questions_are_asked_optional_and_stored(app, s, login):
    rating = add_question(app, s.gathering_id, "Hvor nyttig var gruppearbeidet?")
    free = add_question(app, s.gathering_id, "Hva vil du ta opp neste gang?", QuestionKind.TEXT)
    hold(login(s.people["coordinator"]), s)
    http = login(s.people["participant"])
    page = main(http.get(s.url))
    assert "Flere spørsmål fra koordinatorene" in page
    assert page.count("<fieldset") == 4 and "Hvor nyttig var gruppearbeidet?" in page
    assert f'<textarea class="ds-input" id="question_{free}"' in page

    bad = http.post(s.url, data={**VALID, f"question_{rating}": "9", f"question_{free}": "Tomter"})
    assert bad.status_code == 422
    assert field_error(bad, f"question_{rating}") == "Velg en karakter fra 1 til 5 for «Hvor nyttig var gruppearbeidet?»."
    assert input_value(bad, f"question_{free}") == "Tomter"

    assert http.post(s.url, data={**VALID, f"question_{rating}": "5", f"question_{free}": "Tomter"}).status_code == 302
    assert login(s.people["contact"]).post(s.url, data=VALID).status_code == 302  # the added ones are optional
    with app.app_context():
        answers = db.session.execute(select(EvaluationAnswer.question_id, EvaluationAnswer.rating, EvaluationAnswer.text)).all()
        assert sorted(answers) == sorted([(rating, 5, ""), (free, None, "Tomter")])


# --- Min side and the gathering page ----------------------------------------------------


def test_my_page_lists_open_evaluations_until_answered(app, held, login, factory):
    http = login(held.people["participant"])
    page = main(http.get("/me"))
    assert "Evalueringer du kan svare på" in page
    assert f'href="{held.url}"' in page and "Evaluer samling 2: Boligpolitiske mål 2" in page
    http.post(held.url, data=VALID)
    assert "Evalueringer du kan svare på" not in main(http.get("/me"))
    assert "Evalueringer du kan svare på" not in main(login(held.people["executive"]).get("/me"))


def test_my_page_leaves_out_networks_the_person_has_left(app, held, login):
    from network.networks.models import NetworkRole

    with app.app_context():
        for role in db.session.scalars(select(NetworkRole).where(NetworkRole.person_id == held.people["contact"].id)):
            db.session.delete(role)
        db.session.commit()
    assert "Evalueringer du kan svare på" not in main(login(held.people["contact"]).get("/me"))


def test_the_gathering_page_shows_counts_to_coordinators_and_observers_and_a_link_to_the_invited(app, held, login):
    login(held.people["contact"]).post(held.url, data=VALID)
    for role in ("coordinator", "observer"):
        page = main(login(held.people[role]).get(held.gathering_url))
        counts = page.split('id="evaluation-counts"')[1].split("</dl>")[0]
        assert "<dd>2</dd>" in counts and "<dd>1</dd>" in counts and "50\u00a0%" in counts
        assert f'href="{held.url}/results"' in page
        assert (f'href="{held.url}/questions"' in page) is (role == "coordinator")
    invited = main(login(held.people["participant"]).get(held.gathering_url))
    assert "Du er invitert til å evaluere samlingen" in invited and f'href="{held.url}"' in invited
    assert "Du har evaluert samlingen. Takk!" in main(login(held.people["contact"]).get(held.gathering_url))
    assert 'id="evaluation-heading"' not in main(login(held.people["executive"]).get(held.gathering_url))


# --- the coordinators' questions --------------------------------------------------------


def test_coordinators_add_edit_move_and_delete_questions(app, s, login):
    http = login(s.people["coordinator"])
    questions_url = s.url + "/questions"
    assert "Ingen egne spørsmål ennå" in main(http.get(questions_url))
    for text_, kind in (("Første spørsmål?", "rating"), ("Andre spørsmål?", "text")):
        assert http.post(questions_url, data={"text": text_, "kind": kind}).status_code == 302
    first, second = question_ids(app, s.gathering_id)

    response = http.post(f"{questions_url}/{second}/move", data={"direction": "up"})
    assert response.status_code == 302
    assert question_ids(app, s.gathering_id) == [second, first]
    http.post(f"{questions_url}/{second}/move", data={"direction": "up"})  # already first
    assert question_ids(app, s.gathering_id) == [second, first]

    assert http.get(f"{questions_url}/{first}/edit").status_code == 200
    assert http.post(f"{questions_url}/{first}/edit", data={"text": "Første, rettet?", "kind": "text"}).status_code == 302
    with app.app_context():
        question = db.session.get(EvaluationQuestion, first)
        assert (question.text, question.kind) == ("Første, rettet?", QuestionKind.TEXT)

    assert http.post(f"{questions_url}/{second}/delete", data={"confirmed": "1"}).status_code == 302
    assert question_ids(app, s.gathering_id) == [first]


@pytest.mark.parametrize("data, field, message", [
    ({"text": "", "kind": "rating"}, "text", "Skriv spørsmålet."),
    ({"text": "x" * 301, "kind": "rating"}, "text", "Spørsmålet kan være høyst 300 tegn. Nå er det 301."),
    ({"text": "Et spørsmål?", "kind": "yes-no"}, "kind",
     "Velg om spørsmålet skal besvares med en karakter eller med fritekst."),
])
def test_bad_questions_are_refused(app, s, login, data, field, message):
    http = login(s.people["coordinator"])
    response = http.post(s.url + "/questions", data=data)
    assert response.status_code == 422
    assert message in error_summary(response)
    assert input_value(response, "text") == data["text"]
    assert question_ids(app, s.gathering_id) == []
    question = add_question(app, s.gathering_id, "Før?")
    edit = http.post(f"{s.url}/questions/{question}/edit", data=data)
    assert edit.status_code == 422 and message in error_summary(edit)
    with app.app_context():
        assert db.session.get(EvaluationQuestion, question).text == "Før?"


def test_once_answered_questions_cannot_be_deleted_or_change_kind_but_new_ones_can_be_added(app, s, login):
    question = add_question(app, s.gathering_id, "Nyttig?")
    invite_and_answer(app, s.network_id, s.gathering_id, [{**VALID, f"question_{question}": "4"}])
    http = login(s.people["coordinator"])
    page = main(http.get(s.url + "/questions"))
    assert "Evalueringen har 1 svar" in page and "/delete" not in page

    response = http.post(f"{s.url}/questions/{question}/delete", follow_redirects=True)
    assert "Spørsmålet kan ikke slettes fordi evalueringen allerede har svar." in main(response)
    assert question_ids(app, s.gathering_id) == [question]

    changed = http.post(f"{s.url}/questions/{question}/edit", data={"text": "Nyttig?", "kind": "text"})
    assert changed.status_code == 422
    assert "svarformen kan ikke endres" in error_summary(changed)
    assert http.post(f"{s.url}/questions/{question}/edit", data={"text": "Hvor nyttig?", "kind": "rating"}).status_code == 302
    assert http.post(s.url + "/questions", data={"text": "Et nytt?", "kind": "text"}).status_code == 302
    assert len(question_ids(app, s.gathering_id)) == 2


def test_quiet_hold_queues_the_mail_in_the_outbox(app, s):
    hold_quietly(app, s.gathering_id)
    with app.app_context():
        recipients = set(db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.subject == "Hvordan var samling 2? Gi en anonym evaluering")))
    assert recipients == {s.people[role].email for role in INVITED}
