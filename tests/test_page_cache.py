"""The page cache (network/main/page_cache.py) against a real Redis: a page seen again is served
without being made, and never once anything it shows has changed, for someone else, in another
language, to a revoked sign-in, or later than its period of the clock."""
from __future__ import annotations

import io
import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, text, update

from network.archive.importer import import_archive
from network.auth import sessions
from network.auth.models import Person
from network.extensions import db
from network.gatherings.models import Gathering
from network.networks.models import Network
from network.main import page_cache
from network.main.page_cache import CACHED_ENDPOINTS
from network.main.undo import OFFER_KEY
from network.privacy.models import ExportLog
from tests.factories import world
from tests.test_archive import exported, small_network
from tests.gathering_helpers import open_gathering
from tests.query_counter import count_queries
from tests.test_jobs_queue import REDIS_URL, forget_keys, require_redis

KEY_PREFIX = f"test-pages-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
WITH_CACHE = {"PAGE_CACHE_URL": REDIS_URL, "PAGE_CACHE_KEY_PREFIX": KEY_PREFIX, "PAGE_CACHE_SECONDS": 60}
# Nothing listens here: the cache is configured, and down.
CACHE_DOWN = {"PAGE_CACHE_URL": "redis://127.0.0.1:1/0", "PAGE_CACHE_KEY_PREFIX": KEY_PREFIX, "PAGE_CACHE_SECONDS": 60}


@pytest.fixture(scope="module", autouse=True)
def store():
    client = require_redis()
    yield client
    forget_keys(client, KEY_PREFIX)


@pytest.fixture
def app_config():
    return WITH_CACHE


@pytest.fixture
def setting(app, factory):
    network, _, _, people = world(factory)
    gathering = open_gathering(factory, network, title="Samling om boligsosialt arbeid")
    return {"path": f"/networks/{network.id}/gatherings/{gathering.id}", "gathering": gathering.id,
            "people": people}


def get(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def queries(statements: list[str]) -> int:
    """Statements sent, without the suite's own savepoints."""
    return sum(not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")) for statement in statements)


def seen(client, path, **headers):
    """The page as kept: the browser's first page also gives it its CSRF secret, so it changes the
    session and is not kept; the second is."""
    get(client, path, **headers)
    return get(client, path, **headers)


def rename(app, gathering_id: int, title: str) -> None:
    with app.app_context():
        db.session.get(Gathering, gathering_id).title = title
        db.session.commit()


def test_a_page_seen_again_is_served_without_being_made(app, login, setting):
    client = login(setting["people"]["participant"])
    with count_queries(app) as made:
        get(client, setting["path"])
    kept = get(client, setting["path"])
    with count_queries(app) as served:
        again = get(client, setting["path"])
    assert again == kept
    assert queries(made) > 3
    assert queries(served) == 1  # the person and the sign-in, checked on every request


def test_a_page_served_from_the_cache_keeps_its_headers(app, login, setting):
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    response = client.get(setting["path"], headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Encoding"] == "gzip"


def test_a_change_by_the_orm_shows_at_once(app, login, setting):
    client = login(setting["people"]["participant"])
    assert "Samling om boligsosialt arbeid" in seen(client, setting["path"])
    rename(app, setting["gathering"], "Samling om bostedsløse")
    page = get(client, setting["path"])
    assert "Samling om bostedsløse" in page and "Samling om boligsosialt arbeid" not in page


@pytest.mark.parametrize("how", ["update statement", "plain SQL"])
def test_a_change_by_a_statement_shows_at_once(app, login, setting, how):
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    with app.app_context():
        if how == "update statement":
            db.session.execute(update(Gathering).where(Gathering.id == setting["gathering"])
                               .values(title="Samling om startlån"))
        else:
            db.session.execute(text("UPDATE gathering SET title = 'Samling om startlån' WHERE id = :id"),
                               {"id": setting["gathering"]})
        db.session.commit()
    assert "Samling om startlån" in get(client, setting["path"])


def test_a_rolled_back_change_never_showed_and_the_page_stays_cached(app, login, setting):
    client = login(setting["people"]["participant"])
    first = seen(client, setting["path"])
    with app.app_context():
        db.session.get(Gathering, setting["gathering"]).title = "Aldri lagret"
        db.session.flush()
        db.session.rollback()
    with count_queries(app) as served:
        assert get(client, setting["path"]) == first
    assert queries(served) == 1


def test_each_person_gets_their_own_page(app, login, setting):
    participant, contact = setting["people"]["participant"], setting["people"]["contact"]
    assert participant.name in get(login(participant), setting["path"])
    page = get(login(contact), setting["path"])
    assert contact.name in page and participant.name not in page


def test_each_sign_in_gets_its_own_page(app, login, setting):
    """A page holds the sign-in's CSRF token: a second browser of the same person never gets it."""
    person = setting["people"]["participant"]
    first_browser, second_browser = login(person), login(person)
    seen(first_browser, setting["path"])
    get(second_browser, "/me")  # its CSRF secret
    with count_queries(app) as made:
        get(second_browser, setting["path"])
    assert queries(made) > 1


def test_another_language_is_another_page(app, login, setting):
    client = login(setting["people"]["participant"])
    assert 'lang="nb"' in seen(client, setting["path"])
    assert 'lang="en"' in get(client, setting["path"], **{"Accept-Language": "en"})
    assert 'lang="nn"' in get(client, setting["path"], **{"Accept-Language": "nn"})


def test_a_revoked_sign_in_gets_no_page_from_the_cache(app, login, setting):
    person = setting["people"]["participant"]
    client = login(person)
    get(client, setting["path"])
    with app.app_context():
        sessions.end_all(db.session.get(Person, person.id))
        db.session.commit()
    response = client.get(setting["path"])
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_message_to_flash_is_shown_once_and_never_cached(app, login, setting):
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Lagret, og vist én gang")]
    assert "Lagret, og vist én gang" in get(client, setting["path"])
    assert "Lagret, og vist én gang" not in get(client, setting["path"])


def test_an_undo_offer_is_shown_once_and_never_cached(app, login, setting):
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    with client.session_transaction() as session:
        session[OFFER_KEY] = {"message": "Fjernet fra nettverket", "url": "/", "button": "Angre fjerningen",
                              "until": (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat(), "fields": {}}
    assert "Angre fjerningen" in get(client, setting["path"])
    assert "Angre fjerningen" not in get(client, setting["path"])


def test_the_clock_moving_to_a_new_period_makes_the_page_again(app, login, setting):
    client = login(setting["people"]["participant"])
    # 10 seconds into this minute (the sign-in is real, and expires in real time)
    app.config["CLOCK_NOW"] = datetime.now(timezone.utc).replace(second=10, microsecond=0)
    seen(client, setting["path"])
    app.config["CLOCK_NOW"] += timedelta(seconds=30)
    with count_queries(app) as same_period:
        get(client, setting["path"])
    app.config["CLOCK_NOW"] += timedelta(seconds=60)
    with count_queries(app) as next_period:
        get(client, setting["path"])
    assert queries(same_period) == 1 and queries(next_period) > 1


def test_pages_not_in_the_list_are_always_made(app, login, setting):
    client = login(setting["people"]["participant"])
    seen(client, "/me/profile")
    with count_queries(app) as made:
        get(client, "/me/profile")
    assert queries(made) > 1


def test_every_cached_page_exists_and_none_is_logged_as_an_export(app):
    assert CACHED_ENDPOINTS <= app.view_functions.keys()
    assert not [endpoint for endpoint in CACHED_ENDPOINTS if hasattr(app.view_functions[endpoint], "export_kind")]


def test_a_logged_list_is_made_and_logged_every_time_and_leaves_other_pages_cached(app, login, setting, store):
    """Neither the export log nor someone's sign-in is shown on a cached page: writing them
    leaves everyone's kept pages as they are."""
    registrations = setting["path"] + "/registrations"
    participant = login(setting["people"]["participant"])
    seen(participant, setting["path"])
    generation = store.get(KEY_PREFIX + "generation")
    coordinator = login(setting["people"]["coordinator"])  # a sign-in: a row written and committed
    for _ in range(3):
        get(coordinator, registrations)
    with app.app_context():
        logged = db.session.scalars(select(ExportLog.path).where(ExportLog.path == registrations)).all()
    assert len(logged) == 3
    assert store.get(KEY_PREFIX + "generation") == generation
    with count_queries(app) as served:
        get(participant, setting["path"])
    assert queries(served) == 1


def test_signed_out_visitors_are_not_cached(app, client, setting):
    response = client.get(setting["path"])
    assert response.status_code == 302


@pytest.mark.parametrize("app_config", [CACHE_DOWN])
def test_with_redis_down_pages_are_made_as_without_a_cache(app, login, setting, app_config):
    client = login(setting["people"]["participant"])
    assert "Samling om boligsosialt arbeid" in get(client, setting["path"])
    rename(app, setting["gathering"], "Samling om bostedsløse")  # the write can't be counted: it still commits
    assert "Samling om bostedsløse" in get(client, setting["path"])


@pytest.mark.parametrize("app_config", [{}])
def test_without_a_cache_configured_every_page_is_made(app, login, setting, app_config):
    assert "page_cache" not in app.extensions
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    with count_queries(app) as made:
        get(client, setting["path"])
    assert queries(made) > 3


def test_a_write_by_another_instance_shows(app, login, setting, store):
    """The generation lives in Redis, not in the process: a write counted by any instance, worker
    or command makes every instance's kept pages old."""
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    store.incr(KEY_PREFIX + "generation")  # as another instance's commit does
    with count_queries(app) as made:
        get(client, setting["path"])
    assert queries(made) > 1


# --- the closed networks, remembered until a network row is written ---------------------------


def close(app, network_id: int, how: str = "orm", closed: bool = True) -> None:
    moment = datetime(2030, 1, 1, tzinfo=timezone.utc) if closed else None
    with app.app_context():
        if how == "orm":
            db.session.get(Network, network_id).closed_at = moment
        else:
            db.session.execute(text("UPDATE network SET closed_at = :moment WHERE id = :id"),
                               {"moment": moment, "id": network_id})
        db.session.commit()


@pytest.fixture
def closed_list_forgotten(store):
    """Tests roll their commits back, which no version counts: start each with no list kept."""
    store.delete(KEY_PREFIX + "memo:closed-networks")


@pytest.mark.parametrize("how", ["orm", "plain SQL"])
def test_a_network_closed_and_reopened_refuses_and_takes_posts_at_once(app, login, setting, how,
                                                                       closed_list_forgotten):
    client = login(setting["people"]["coordinator"])
    network_id = int(setting["path"].split("/")[2])
    days_url = setting["path"] + "/days"
    assert client.post(days_url, data={}).status_code != 403  # open: the view answers (its own checks)
    close(app, network_id, how)
    refused = client.post(days_url, data={})
    assert refused.status_code == 403 and "Nettverket er avsluttet" in refused.get_data(as_text=True)
    close(app, network_id, how, closed=False)
    assert client.post(days_url, data={}).status_code != 403


def test_a_post_asks_the_database_about_closed_networks_once_per_change_to_them(app, login, setting,
                                                                                 closed_list_forgotten):
    client = login(setting["people"]["coordinator"])
    days_url = setting["path"] + "/days"

    def asked() -> int:
        with count_queries(app) as statements:
            client.post(days_url, data={})
        # the list of closed networks, or the one network's closed_at (without the cache)
        return sum("closed_at IS NOT NULL" in statement or statement.startswith("SELECT network.closed_at")
                   for statement in statements)

    assert asked() == 1
    assert asked() == 0
    rename(app, setting["gathering"], "Samling om bostedsløse")  # not a network row: the list stands
    assert asked() == 0
    with app.app_context():
        db.session.get(Network, int(setting["path"].split("/")[2])).name = "Boligsosialt nettverk"
        db.session.commit()
    assert asked() == 1


@pytest.mark.parametrize("app_config", [{**WITH_CACHE, "PAGE_CACHE_SECONDS": 0}])
def test_an_instance_that_keeps_no_pages_still_counts_its_writes(app, login, setting, store, app_config):
    """Another instance may keep pages: a write here must make them old all the same."""
    client = login(setting["people"]["participant"])
    seen(client, setting["path"])
    with count_queries(app) as made:
        get(client, setting["path"])
    assert queries(made) > 1
    generation = int(store.get(KEY_PREFIX + "generation") or 0)
    rename(app, setting["gathering"], "Samling om bostedsløse")
    assert int(store.get(KEY_PREFIX + "generation")) == generation + 1


def test_a_rolled_back_transaction_counts_nothing_at_its_next_commit(app, login, setting, store):
    """What a rolled-back transaction flushed never happened: the next commit (here only a sign-in
    row, which no kept page shows) leaves the generation as it is."""
    with app.app_context():
        db.session.get(Gathering, setting["gathering"]).title = "Aldri lagret"
        db.session.flush()
        db.session.rollback()
        generation = store.get(KEY_PREFIX + "generation")
        login(setting["people"]["participant"])  # commits a sign-in
        assert store.get(KEY_PREFIX + "generation") == generation


def test_an_archive_import_makes_kept_pages_and_the_closed_list_old(app, factory, store):
    """The importer writes through the session's connection, which the session's hooks don't see:
    it says so itself (an archived network is usually closed)."""
    network_id = small_network(app, factory)
    with app.app_context():
        data = exported(network_id)
        db.session.execute(delete(Network))  # an installation without a network takes an archive
        db.session.commit()
        counts = store.mget([KEY_PREFIX + "generation", KEY_PREFIX + "version:network"])
        import_archive(io.BytesIO(data))
        db.session.commit()
        after = store.mget([KEY_PREFIX + "generation", KEY_PREFIX + "version:network"])
    assert [int(n or 0) for n in after] == [int(n or 0) + 1 for n in counts]
