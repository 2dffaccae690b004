"""With CSRF protection on, the thread's forms carry a working token, and a post without one is refused."""
import re

import pytest
from sqlalchemy import func, select

from network.assignments.models import Comment, NotificationPreference
from network.extensions import db
from tests.comment_helpers import add_comment, install_thread_page, setup
from tests.conftest import INSTALL


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, INSTALL: (install_thread_page,)}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _comments(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


def test_comment_reply_and_delete_need_the_token(app, factory, login):
    s = setup(app, factory)
    http = login(s.people["other_contact"])
    assert http.post(s.url("/comments"), data={"body": "Uten nøkkel"}).status_code == 400
    assert _comments(app) == 0

    token = _token(http.get(s.thread_page()).get_data(as_text=True))
    assert http.post(s.url("/comments"), data={"body": "Med nøkkel", "csrf_token": token}).status_code == 302
    first = add_comment(app, s.submission_id, s.people["participant"], "Til svar")
    page = http.get(s.thread_page()).get_data(as_text=True)
    reply_token = _token(page.split(f'id="reply-{first}-body"')[0].rsplit("<form", 1)[1])
    response = http.post(s.url("/comments"), data={"body": "Svar", "parent_id": str(first), "csrf_token": reply_token})
    assert response.status_code == 302
    assert _comments(app) == 3

    with app.app_context():
        own = db.session.scalar(select(Comment.id).where(Comment.body == "Svar"))
    assert http.post(s.url(f"/comments/{own}/delete")).status_code == 400
    assert http.post(s.url(f"/comments/{own}/delete"), data={"csrf_token": token, "confirmed": "1"}).status_code == 302
    assert _comments(app) == 2


def test_preferences_need_the_token(app, factory, login):
    s = setup(app, factory)
    http = login(s.people["participant"])
    assert http.post("/me/notifications", data={"comment_mode": "daily"}).status_code == 400
    token = _token(http.get("/me/notifications").get_data(as_text=True))
    assert http.post("/me/notifications", data={"comment_mode": "daily", "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 1
