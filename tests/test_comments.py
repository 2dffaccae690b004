"""Comments on submissions over HTTP: posting and replying, validation, who may comment and delete,
the thread on the submission page, notification preferences, and the thread's query count.
Mail is in tests/test_comments_mail.py."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.assignments.models import (
    Comment,
    NotificationMode,
    NotificationPreference,
    PendingCommentNotice,
    SubmissionStatus,
    Visibility,
)
from network.comments import services
from network.extensions import db
from network.networks.models import RoleKind
from tests.comment_helpers import (
    add_comment,
    error_summary,
    install_thread_page,
    main,
    make_assignment,
    make_grouping,
    make_submission,
    membership_id,
    set_mode,
    set_visibility,
    setup,
    text,
    textarea_value,
)
from tests.conftest import INSTALL
from tests.query_counter import count_queries

XSS_BODIES = [
    "<script>alert('x')</script>",
    "[klikk her](javascript:alert(1))",
    '<a href="javascript:alert(1)">lenke</a>',
    '<img src="x" onerror="alert(1)">',
    "<b>fet med HTML</b>",
]


@pytest.fixture
def app_config():
    return {INSTALL: (install_thread_page,)}  # the thread on a page of its own, added before the first request


@pytest.fixture
def s(app, factory):
    return setup(app, factory)


def comments(app, submission_id=None) -> list[Comment]:
    with app.app_context():
        query = select(Comment).order_by(Comment.id)
        if submission_id is not None:
            query = query.where(Comment.submission_id == submission_id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def post(http, s, body, parent_id=None, submission_id=None):
    data = {"body": body}
    if parent_id is not None:
        data["parent_id"] = str(parent_id)
    return http.post(s.url("/comments", submission_id), data=data)


# --- posting and replying -------------------------------------------------------------------


def test_a_comment_is_saved_and_shown_in_the_thread(app, s, login):
    http = login(s.people["other_contact"])
    response = post(http, s, "Godt svar! **Spesielt** målet om utleieboliger.")
    [comment] = comments(app)
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == s.submission_path()
    assert location.fragment == f"comment-{comment.id}"
    assert comment.author_id == s.people["other_contact"].id
    assert comment.parent_id is None
    assert comment.body == "Godt svar! **Spesielt** målet om utleieboliger."

    page = login(s.people["participant"]).get(s.thread_page())
    body = main(page)
    assert page.status_code == 200
    assert "Kommentarer (1)" in re.sub(r"<[^>]+>", "", body)
    assert 'id="comment-%d"' % comment.id in body
    assert "Lise Lillehammer" in body and "Lillehammer" in body
    assert "<strong>Spesielt</strong>" in body
    assert "<time datetime=" in body


def test_the_flash_and_redirect_say_a_reply_was_published(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Hvordan har dere forankret dette?")
    http = login(s.people["participant"])
    response = post(http, s, "I formannskapet i mars.", parent_id=first)
    assert response.status_code == 302
    reply = comments(app)[-1]
    assert reply.parent_id == first
    followed = http.get(s.thread_page())
    assert "Svaret ditt er publisert." in text(followed)


def test_replies_are_shown_under_the_top_level_comment_and_replies_to_replies_are_flattened(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Første kommentar", minutes=1)
    second = add_comment(app, s.submission_id, s.people["observer"], "Andre kommentar", minutes=2)
    reply = add_comment(app, s.submission_id, s.people["participant"], "Svar på den første", parent_id=first, minutes=3)
    nested = add_comment(app, s.submission_id, s.people["other_contact"], "Svar på svaret", parent_id=reply, minutes=4)

    body = main(login(s.people["coordinator"]).get(s.thread_page()))
    threads = re.findall(r'<li class="comments__thread">(.*?)(?=<li class="comments__thread">|</ol>\s*</section>|$)',
                         body, re.S)
    assert len(threads) == 2
    assert "Første kommentar" in threads[0] and "Svar på den første" in threads[0] and "Svar på svaret" in threads[0]
    assert "Andre kommentar" in threads[1] and "Svar på svaret" not in threads[1]
    # One level of replies; the reply to a reply says whom it answers, with a link to it.
    replies = body.split('class="comments__replies"')[1].split("</ol>")[0]
    assert f'id="comment-{reply}"' in replies and f'id="comment-{nested}"' in replies
    assert f'href="#comment-{reply}">svar til Dag Deltaker</a>' in replies
    # Headings in order: h2 for the thread, h3 for a top-level comment, h4 for replies.
    assert f'<h3 class="ds-heading comment__heading" data-size="2xs" id="comment-{first}-heading">' in body
    assert f'<h4 class="ds-heading comment__heading" data-size="2xs" id="comment-{nested}-heading">' in body
    assert body.index(f'id="comment-{first}"') < body.index(f'id="comment-{second}"')
    assert "Kommentarer (4)" in re.sub(r"<[^>]+>", "", body)
    assert second  # shown as its own thread above


def test_a_reply_to_a_reply_keeps_its_real_parent(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Første")
    reply = add_comment(app, s.submission_id, s.people["participant"], "Svar", parent_id=first)
    response = post(login(s.people["observer"]), s, "Svar på svaret", parent_id=reply)
    assert response.status_code == 302
    assert comments(app)[-1].parent_id == reply


def test_the_thread_has_a_labelled_form_and_reply_forms(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Første")
    body = main(login(s.people["participant"]).get(s.thread_page()))
    assert '<label class="ds-label" for="comment-body">Kommentar</label>' in body
    assert 'id="comment-body"' in body and 'name="body"' in body
    assert f'<label class="ds-label" for="reply-{first}-body">Ditt svar til Lise Lillehammer</label>' in body
    assert f'<input type="hidden" name="parent_id" value="{first}">' in body
    assert f'action="/networks/{s.network.id}/submissions/{s.submission_id}/comments"' in body
    assert 'name="csrf_token"' in body
    assert "<summary>Svar Lise Lillehammer</summary>" in body


def test_the_dedicated_page_shows_the_form_and_the_comment_answered(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Hvordan **gjorde** dere det?")
    http = login(s.people["participant"])
    page = http.get(s.url("/comments/new"))
    assert page.status_code == 200
    assert "Kommenter besvarelsen fra Hamar" in main(page)
    answer = http.get(s.url(f"/comments/new?reply_to={first}"))
    body = main(answer)
    assert answer.status_code == 200
    assert "Svar Lise Lillehammer" in body
    assert "<strong>gjorde</strong>" in body
    assert re.search(rf'<input[^>]*name="parent_id"[^>]*value="{first}"', answer.get_data(as_text=True))


@pytest.mark.parametrize("reply_to", ["999999", "abc", ""])
def test_the_dedicated_page_404s_for_an_unknown_comment(app, s, login, reply_to):
    response = login(s.people["participant"]).get(s.url(f"/comments/new?reply_to={reply_to}"))
    assert response.status_code == 404


def test_the_dedicated_page_404s_for_a_comment_on_another_submission(app, s, login, factory):
    other = make_submission(app, make_assignment(app, s.network, "Oppgave to"), membership_id(app, s.network, s.lillehammer))
    elsewhere = add_comment(app, other, s.people["participant"], "Et annet sted")
    response = login(s.people["participant"]).get(s.url(f"/comments/new?reply_to={elsewhere}"))
    assert response.status_code == 404


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("body, message", [
    ("", "Skriv en kommentar."),
    ("   \r\n  ", "Skriv en kommentar."),
    ("x" * 5001, "Kommentaren kan være høyst 5000 tegn."),
    ("ord " * 1300, "Kommentaren kan være høyst 5000 tegn."),
])
def test_a_bad_comment_is_shown_again_with_the_message_and_nothing_is_saved(app, s, login, body, message):
    response = post(login(s.people["other_contact"]), s, body)
    assert response.status_code == 422
    assert message in error_summary(response)
    assert 'href="#body"' in response.get_data(as_text=True)
    assert textarea_value(response, "body") == body.replace("\r\n", "\n").strip()
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert comments(app) == []
    assert count(app, PendingCommentNotice) == 0


def test_a_bad_reply_keeps_the_comment_it_answers(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Første")
    response = post(login(s.people["participant"]), s, "", parent_id=first)
    assert response.status_code == 422
    assert re.search(rf'<input[^>]*name="parent_id"[^>]*value="{first}"', response.get_data(as_text=True))
    assert "Svar Lise Lillehammer" in main(response)
    assert len(comments(app)) == 1


def test_exactly_5000_characters_is_allowed_and_crlf_counts_as_one(app, s, login):
    body = ("a" * 99 + "\r\n") * 50  # 5000 characters as typed, 5050 as sent
    response = post(login(s.people["other_contact"]), s, body)
    assert response.status_code == 302
    assert len(comments(app)[0].body) == 4999  # the last line break is trimmed


@pytest.mark.parametrize("parent", ["other_submission", "999999", "not-a-number"])
def test_a_reply_must_answer_a_comment_on_the_same_submission(app, s, login, parent):
    other = make_submission(app, make_assignment(app, s.network, "Oppgave to"), membership_id(app, s.network, s.lillehammer))
    parent_id = add_comment(app, other, s.people["participant"], "Et annet sted") if parent == "other_submission" else parent
    typed = "Dette svaret hører hjemme her."
    response = post(login(s.people["other_contact"]), s, typed, parent_id=parent_id)
    assert response.status_code == 422
    assert "Kommentaren du svarer på, finnes ikke på denne besvarelsen." in error_summary(response)
    assert textarea_value(response, "body") == typed
    # The broken reference is not offered again: sent once more, it becomes a new comment.
    assert re.search(r'<input[^>]*name="parent_id"[^>]*value=""', response.get_data(as_text=True))
    assert len(comments(app, s.submission_id)) == 0


def test_a_deleted_comment_cannot_be_answered(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Første")
    add_comment(app, s.submission_id, s.people["participant"], "Svar", parent_id=first)
    login(s.people["other_contact"]).post(s.url(f"/comments/{first}/delete"), data={"confirmed": "1"})
    response = post(login(s.people["observer"]), s, "Enda et svar", parent_id=first)
    assert response.status_code == 422
    assert "Kommentaren du svarer på, er slettet." in error_summary(response)
    assert textarea_value(response, "body") == "Enda et svar"
    assert len(comments(app)) == 2


# --- who may comment -----------------------------------------------------------------------

ALL_MEMBERS = ["participant", "contact", "executive", "other_contact", "observer", "coordinator", "admin"]


@pytest.mark.parametrize("visibility, allowed", [
    (Visibility.NETWORK, set(ALL_MEMBERS)),
    (Visibility.COORDINATORS, {"participant", "contact", "executive", "coordinator", "admin"}),
])
@pytest.mark.parametrize("role", ALL_MEMBERS + ["outsider"])
def test_who_may_comment_depends_on_the_assignments_visibility(app, s, login, visibility, allowed, role):
    set_visibility(app, s.assignment_id, visibility)
    http = login(s.people[role])
    response = post(http, s, f"Kommentar fra {role}")
    assert response.status_code == (302 if role in allowed else 403), role
    assert len(comments(app)) == (1 if role in allowed else 0)
    form_page = http.get(s.url("/comments/new"))
    assert form_page.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("same_group", [True, False])
def test_with_group_visibility_the_group_and_observers_may_comment(app, s, login, same_group):
    hamar, lillehammer = membership_id(app, s.network, s.hamar), membership_id(app, s.network, s.lillehammer)
    groups = [[hamar, lillehammer]] if same_group else [[hamar], [lillehammer]]
    set_visibility(app, s.assignment_id, Visibility.GROUP, make_grouping(app, s.network, groups))
    assert post(login(s.people["other_contact"]), s, "Fra gruppa").status_code == (302 if same_group else 403)
    assert post(login(s.people["observer"]), s, "Fra observatøren").status_code == 302
    assert post(login(s.people["participant"]), s, "Fra Hamar").status_code == 302


@pytest.mark.parametrize("role", ["contact", "other_contact", "coordinator", "admin", "observer"])
def test_a_draft_cannot_be_commented(app, s, login, role):
    own_draft = make_submission(app, make_assignment(app, s.network, "Oppgave to"), membership_id(app, s.network, s.hamar),
                                SubmissionStatus.DRAFT)
    http = login(s.people[role])
    assert post(http, s, "Tidlig kommentar", submission_id=own_draft).status_code == 403
    assert post(http, s, "Tidlig kommentar", submission_id=s.draft_id).status_code == 403
    assert http.get(s.url("/comments/new", own_draft)).status_code == 403
    assert comments(app) == []


def test_the_thread_on_a_draft_says_why_there_is_no_form(app, s, login):
    page = login(s.people["other_contact"]).get(s.thread_page(s.draft_id))
    body = main(page)
    assert page.status_code == 200
    assert 'id="comment-body"' not in body
    assert "Den kan kommenteres når kommunen har levert den." in body


def test_a_submission_of_another_network_is_404(app, s, login, factory):
    other_network = factory.network("Tredje nettverk")
    factory.member(other_network, s.hamar)
    other = make_submission(app, make_assignment(app, other_network), membership_id(app, other_network, s.hamar))
    for role in ("coordinator", "admin", "participant"):
        http = login(s.people[role])
        assert post(http, s, "Feil sted", submission_id=other).status_code == 404
        assert http.get(s.url("/comments/new", other)).status_code == 404
        assert post(http, s, "Ukjent", submission_id=999999).status_code == 404
    assert comments(app) == []


def test_anonymous_people_are_sent_to_sign_in(app, s, client):
    response = post(client, s, "Anonym")
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    assert comments(app) == []


# --- deleting -------------------------------------------------------------------------------


def test_the_author_deletes_a_comment_nobody_answered(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Angrer på denne")
    http = login(s.people["other_contact"])
    page = main(http.get(s.thread_page()))
    assert f'action="/networks/{s.network.id}/submissions/{s.submission_id}/comments/{first}/delete"' in page
    response = http.post(s.url(f"/comments/{first}/delete"), data={"confirmed": "1"})
    assert response.status_code == 302
    assert urlsplit(response.location).path == s.submission_path()
    assert urlsplit(response.location).fragment == "comments"
    assert comments(app) == []


def test_a_deleted_comment_with_replies_stays_as_a_placeholder(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Hemmelig kommentar")
    reply = add_comment(app, s.submission_id, s.people["participant"], "Svaret står igjen", parent_id=first)
    assert login(s.people["other_contact"]).post(s.url(f"/comments/{first}/delete"), data={"confirmed": "1"}).status_code == 302
    placeholder, kept = comments(app)
    assert services.is_deleted(placeholder) and placeholder.author_id is None
    assert kept.id == reply and kept.parent_id == first
    body = main(login(s.people["observer"]).get(s.thread_page()))
    assert "Kommentaren er slettet." in body
    assert "Hemmelig kommentar" not in body
    assert "Svaret står igjen" in body
    assert "Kommentarer (1)" in re.sub(r"<[^>]+>", "", body)
    # A placeholder is gone for good: it can't be deleted again.
    assert login(s.people["coordinator"]).post(s.url(f"/comments/{first}/delete"), data={"confirmed": "1"}).status_code == 404

    # When its last reply goes, the placeholder goes too.
    assert login(s.people["participant"]).post(s.url(f"/comments/{reply}/delete"), data={"confirmed": "1"}).status_code == 302
    assert comments(app) == []


def test_a_deleted_comment_leaves_no_pending_notice(app, s, login):
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    post(login(s.people["other_contact"]), s, "Skal slettes")
    [comment] = comments(app)
    assert count(app, PendingCommentNotice) == 1
    login(s.people["other_contact"]).post(s.url(f"/comments/{comment.id}/delete"), data={"confirmed": "1"})
    assert count(app, PendingCommentNotice) == 0


@pytest.mark.parametrize("role, allowed", [
    ("other_contact", True), ("coordinator", True), ("admin", True),
    ("participant", False), ("contact", False), ("observer", False), ("outsider", False),
])
def test_only_the_author_and_coordinators_may_delete(app, s, login, role, allowed):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "Kommentar")
    http = login(s.people[role])
    page = http.get(s.thread_page())
    if page.status_code == 200:
        assert (f"/comments/{first}/delete" in page.get_data(as_text=True)) is allowed
    response = http.post(s.url(f"/comments/{first}/delete"), data={"confirmed": "1"})
    assert response.status_code == (302 if allowed else 403)
    assert len(comments(app)) == (0 if allowed else 1)


def test_a_comment_is_deleted_only_through_its_own_submission(app, s, login):
    other = make_submission(app, make_assignment(app, s.network, "Oppgave to"), membership_id(app, s.network, s.lillehammer))
    elsewhere = add_comment(app, other, s.people["other_contact"], "Et annet sted")
    for path in (s.url(f"/comments/{elsewhere}/delete"), s.url("/comments/999999/delete")):
        assert login(s.people["coordinator"]).post(path).status_code == 404
    assert len(comments(app)) == 1


# --- safe text ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", XSS_BODIES)
def test_html_and_script_links_in_a_comment_are_neutralised_on_the_page(app, s, login, body):
    assert post(login(s.people["other_contact"]), s, body).status_code == 302
    html = login(s.people["participant"]).get(s.thread_page()).get_data(as_text=True)
    thread = html.split('id="comments"')[1]
    assert "<script>alert" not in thread
    assert not re.search(r"<a[^>]*href\s*=\s*[\"']?\s*javascript", thread, re.I)
    assert "<img" not in thread and "<b>" not in thread
    # Whatever HTML was typed is shown as text.
    if body.startswith("<"):
        assert "&lt;" in thread


def test_the_markdown_of_a_comment_is_rendered_with_safe_links(app, s, login):
    post(login(s.people["other_contact"]), s, "Se [rapporten](https://www.husbanken.no) og\n\n- én\n- to")
    html = login(s.people["participant"]).get(s.thread_page()).get_data(as_text=True)
    assert '<a href="https://www.husbanken.no" rel="noopener noreferrer nofollow">rapporten</a>' in html
    assert "<li>én</li>" in html


# --- the thread's query count ----------------------------------------------------------------


def _add_many(app, s, factory, start: int, n: int) -> None:
    """n comments by n different people from different organisations, half of them replies."""
    last = None
    for i in range(start, start + n):
        organisation = factory.organisation(f"Organisasjon for kommentar {i}")
        author = factory.member_with_role(s.network, RoleKind.OBSERVER, organisation, name=f"Kommentator {i}")
        last = add_comment(app, s.submission_id, author, f"Kommentar nummer {i}", parent_id=last if i % 2 else None,
                           minutes=i)


def _thread_queries(app, s, login) -> int:
    http = login(s.people["coordinator"])
    with count_queries(app) as statements:
        response = http.get(s.thread_page())
    assert response.status_code == 200
    return len(statements)


def test_the_thread_takes_a_fixed_number_of_queries(app, s, login, factory):
    _add_many(app, s, factory, 0, 2)
    few = _thread_queries(app, s, login)
    _add_many(app, s, factory, 2, 12)
    many = _thread_queries(app, s, login)
    assert "Kommentator 13" in main(login(s.people["coordinator"]).get(s.thread_page()))
    assert many == few


def test_the_thread_query_count_does_not_grow_with_the_viewers_own_comments(app, s, login):
    """With group visibility, reading rights take queries; they are asked once per thread."""
    hamar, lillehammer = membership_id(app, s.network, s.hamar), membership_id(app, s.network, s.lillehammer)
    set_visibility(app, s.assignment_id, Visibility.GROUP, make_grouping(app, s.network, [[hamar, lillehammer]]))
    author = s.people["other_contact"]
    add_comment(app, s.submission_id, author, "Min første")

    def queries():
        with count_queries(app) as statements:
            assert login(author).get(s.thread_page()).status_code == 200
        return len(statements)

    few = queries()
    for i in range(6):
        add_comment(app, s.submission_id, author, f"Min kommentar {i}", minutes=i + 1)
    assert queries() == few


def test_comment_counts_for_a_list_of_submissions(app, s, login):
    first = add_comment(app, s.submission_id, s.people["other_contact"], "En")
    add_comment(app, s.submission_id, s.people["participant"], "To", parent_id=first)
    with app.app_context():
        assert services.comment_counts([s.submission_id, s.draft_id]) == {s.submission_id: 2, s.draft_id: 0}


# --- preferences ------------------------------------------------------------------------------


def _checked(response) -> list[str]:
    return re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*checked',
                      response.get_data(as_text=True))


def test_preferences_default_to_immediate_and_save_daily(app, s, login):
    person = s.people["participant"]
    http = login(person)
    page = http.get("/me/notifications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<fieldset class="ds-fieldset" id="comment_mode"' in html
    assert "<legend" in html and "Hvordan vil du få vite om nye kommentarer?" in text(page)
    assert [v for pair in _checked(page) for v in pair if v] == ["immediate"]
    assert 'type="radio"' in html

    response = http.post("/me/notifications", data={"comment_mode": "daily"})
    assert response.status_code == 302 and urlsplit(response.location).path == "/me/notifications"
    with app.app_context():
        assert db.session.get(NotificationPreference, person.id).comment_mode is NotificationMode.DAILY
    again = http.get("/me/notifications")
    assert "Varslingene dine er lagret." in text(again)
    assert [v for pair in _checked(again) for v in pair if v] == ["daily"]

    # And back.
    http.post("/me/notifications", data={"comment_mode": "immediate"})
    with app.app_context():
        assert db.session.get(NotificationPreference, person.id).comment_mode is NotificationMode.IMMEDIATE


@pytest.mark.parametrize("data", [{}, {"comment_mode": "weekly"}, {"comment_mode": ""}])
def test_a_bad_preference_is_refused_with_a_message(app, s, login, data):
    response = login(s.people["participant"]).post("/me/notifications", data=data)
    assert response.status_code == 422
    assert "Velg hvordan du vil få e-post om nye kommentarer." in error_summary(response)
    assert count(app, NotificationPreference) == 0


def test_preferences_show_how_many_comments_wait_for_the_digest(app, s, login):
    set_mode(app, s.people["contact"], NotificationMode.DAILY)
    post(login(s.people["other_contact"]), s, "En")
    post(login(s.people["observer"]), s, "To")
    page = login(s.people["contact"]).get("/me/notifications")
    assert "2 kommentarer venter på neste samlede e-post." in text(page)


def test_preferences_need_sign_in(client):
    response = client.get("/me/notifications")
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_adds_a_conversation_once(app, s, login):
    from network.comments.demo import load_demo
    from network.networks.models import Network

    with app.app_context():
        network = db.session.get(Network, s.network.id)
        coordinator = db.session.get(type(s.people["coordinator"]), s.people["coordinator"].id)
        assert load_demo(network, coordinator) == 4
        db.session.commit()
        assert load_demo(network, coordinator) == 0
        db.session.commit()
    rows = sorted(comments(app, s.submission_id), key=lambda row: row.created_at)
    assert len(rows) == 4
    assert comments(app, s.draft_id) == []
    assert {row.author_id for row in rows} == {s.people["coordinator"].id, s.people["participant"].id,
                                               s.people["other_contact"].id}
    assert [row.parent_id for row in rows] == [None, rows[0].id, None, rows[2].id]
    assert count(app, PendingCommentNotice) == 0
    page = main(login(s.people["observer"]).get(s.thread_page()))
    assert "Kommentarer (4)" in re.sub(r"<[^>]+>", "", page)


def test_the_demo_runs_after_the_main_demo_loader(app, runner):
    """With the demo network loaded (and no submissions from the assignments demo yet), nothing breaks."""
    from network.auth.models import Person
    from network.comments.demo import load_demo
    from network.networks.models import Network, NetworkRole

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network = db.session.scalars(select(Network).order_by(Network.id)).first()
        coordinator = db.session.scalar(select(Person).join(NetworkRole).where(
            NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.COORDINATOR))
        before = db.session.scalar(select(func.count()).select_from(Comment))
        load_demo(network, coordinator)
        load_demo(network, coordinator)
        db.session.commit()
        added = db.session.scalar(select(func.count()).select_from(Comment)) - before
        assert 0 <= added <= 4 * 3  # three answers at most, whatever the assignments demo has made
        assert load_demo(network, coordinator) == 0


# --- on the assignments capability's submission page ------------------------------------------

_SUBMISSION_TEMPLATE = Path(__file__).resolve().parent.parent / "network" / "templates" / "assignments" / "submission.html"


@pytest.mark.skipif(not _SUBMISSION_TEMPLATE.exists() or "comments/_thread.html" not in _SUBMISSION_TEMPLATE.read_text(),
                    reason="the submission page does not include the thread yet")
def test_the_submission_page_shows_the_thread_and_the_redirect_lands_on_it(app, s, login):
    http = login(s.people["other_contact"])
    response = post(http, s, "Kommentar på den ekte siden")
    page = http.get(response.location.split("#")[0])
    assert page.status_code == 200
    body = main(page)
    assert "Kommentar på den ekte siden" in body
    assert 'id="comment-body"' in body
