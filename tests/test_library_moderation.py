"""Review of examples open to all (issue 12, item 8): the municipality asks, and an example is at
/examples only once a coordinator has approved it. The queue, approving and sending back with a
comment (refused without one), the mail to the person who asked, what the municipality sees in
each state, edits that send an approved example back for review, coordinators approving in one
step, the demo and the archive. Through the HTTP client and a real database."""
from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from sqlalchemy import select

from network.archive import services as archive_services
from network.archive.importer import import_archive
from network.extensions import db
from network.library import services
from network.library.models import REVIEW_COMMENT_MAX, Example, ExampleReview, ExampleStatus
from network.outbox.models import OutboxMessage
from tests.factories import world
from tests.html import error_summary, field_error, input_value, main, text
from tests.library_helpers import get_example, main_of, make_example
from tests.query_counter import count_queries
from tests.test_archive import empty_database, exported, rezip, unzip

COMMENT = "Skriv hva planen har ført til under «Resultat», og legg inn lenke til planen."


@pytest.fixture
def setup(app, factory):
    network, hamar, lillehammer, people = world(factory)
    return {"network": network, "hamar": hamar, "lillehammer": lillehammer, "people": people,
            "library": f"/networks/{network.id}/library"}


def _titles(response) -> list[str]:
    return re.findall(r'<h3 class="ds-heading" data-size="xs" id="example-\d+-title"><a [^>]*>([^<]+)</a>',
                      response.get_data(as_text=True))


def _mails(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def _asked(app, setup, title="Boligmøte for eldre", role="contact") -> int:
    """A published example of Hamar's, for members, that Hamar's contact then asks to open to all."""
    example_id = make_example(app, setup["network"], setup["hamar"], title=title, by=setup["people"][role])
    response = _login(setup, role).post(f"{setup['library']}/{example_id}/public", data={"value": "on"})
    assert response.status_code == 302
    return example_id


def _login(setup, role):
    return setup["login"](setup["people"][role])


@pytest.fixture(autouse=True)
def _with_login(setup, login):
    setup["login"] = login


# --- asking -----------------------------------------------------------------------------


def test_a_contacts_request_waits_and_is_nowhere_public(app, client, login, setup):
    example_id = _asked(app, setup)
    example = get_example(app, example_id)
    assert example.is_public and example.review is ExampleReview.PENDING
    assert example.review_requested_by_id == setup["people"]["contact"].id and example.review_requested_at
    # Not on the open list, in its search, nor at its own address.
    assert "Boligmøte for eldre" not in main(client.get("/examples"))
    assert "Boligmøte for eldre" not in main(client.get("/examples?q=Boligmøte"))
    assert client.get(f"/examples/{example_id}").status_code == 404
    # In the network: members read it, and it is marked for members only for those outside Hamar.
    observer = main_of(login(setup["people"]["observer"]).get(setup["library"]))
    card = observer.split("Boligmøte for eldre", 1)[1].split("</li>\n  </ul>", 1)[0]
    assert "Bare for medlemmer" in card and "Åpent for alle" not in card and "Venter på godkjenning" not in card
    # The author and Hamar's other people see that it waits.
    for role in ("contact", "participant"):
        page = main_of(login(setup["people"][role]).get(f"{setup['library']}/{example_id}"))
        assert "Venter på godkjenning" in page and "Dere får en e-post når det er vurdert." in page
        assert f"/examples/{example_id}" not in page  # no open address yet
        assert ">Godkjenn for alle</button>" not in page
    assert _mails(app) == []  # the coordinators find it in their queue


def test_the_flash_says_it_waits_and_a_draft_asks_when_published(app, login, setup):
    http = login(setup["people"]["participant"])
    draft_id = make_example(app, setup["network"], setup["hamar"], title="Et utkast", published=False)
    response = http.post(f"{setup['library']}/{draft_id}/public", data={"value": "on"}, follow_redirects=True)
    assert "sendt til godkjenning hos koordinatorene når du publiserer det" in text(response)
    draft = get_example(app, draft_id)
    assert draft.is_public and draft.review is ExampleReview.NONE  # nothing for the queue yet
    assert "Det sendes til godkjenning hos koordinatorene når det er publisert." in main(response)

    response = http.post(f"{setup['library']}/{draft_id}/publish", follow_redirects=True)
    assert "Det blir åpent for alle når en koordinator har godkjent det." in text(response)
    published = get_example(app, draft_id)
    assert published.status is ExampleStatus.PUBLISHED and published.review is ExampleReview.PENDING
    assert published.review_requested_by_id == setup["people"]["participant"].id


def test_withdrawing_or_members_only_takes_it_out_of_the_queue(app, login, setup):
    coordinator = login(setup["people"]["coordinator"])
    first, second = _asked(app, setup, "Første"), _asked(app, setup, "Andre")
    assert "Første" in main(coordinator.get(f"{setup['library']}/review"))
    contact = login(setup["people"]["contact"])
    contact.post(f"{setup['library']}/{first}/unpublish")
    contact.post(f"{setup['library']}/{second}/public", data={"value": "off"})
    assert get_example(app, first).review is ExampleReview.NONE
    assert get_example(app, second).review is ExampleReview.NONE and not get_example(app, second).is_public
    assert "Ingen eksempler venter på godkjenning." in main(coordinator.get(f"{setup['library']}/review"))
    # Published again (still meant to be open to all), the first asks again.
    contact.post(f"{setup['library']}/{first}/publish")
    assert get_example(app, first).review is ExampleReview.PENDING


# --- the coordinators' queue ------------------------------------------------------------


def test_the_queue_lists_waiting_examples_oldest_first_and_is_linked(app, login, setup):
    first = _asked(app, setup, "Først spurt")
    second = _asked(app, setup, "Sist spurt", role="participant")
    make_example(app, setup["network"], setup["hamar"], title="Allerede godkjent", public=True)
    make_example(app, setup["network"], setup["lillehammer"], title="Bare for medlemmer-eksempel")
    coordinator = login(setup["people"]["coordinator"])
    page = main(coordinator.get(f"{setup['library']}/review"))
    assert "2 eksempler venter" in page
    assert page.index("Først spurt") < page.index("Sist spurt")
    assert "Allerede godkjent" not in page and "Bare for medlemmer-eksempel" not in page
    assert "Kari Kontakt ba om godkjenning" in page and "Dag Deltaker ba om godkjenning" in page
    for example_id in (first, second):
        assert f'action="{setup["library"]}/{example_id}/approve"' in page
        assert f'href="{setup["library"]}/{example_id}/send-back"' in page
    # Linked from the library, with the count, and counted on the dashboard.
    library = main(coordinator.get(setup["library"]))
    assert f'href="{setup["library"]}/review"' in library and "Til godkjenning: 2 eksempler venter" in library
    dashboard = main(coordinator.get(f"/networks/{setup['network'].id}/dashboard"))
    assert "2 eksempler venter på godkjenning før de blir åpne for alle." in dashboard
    assert f'href="{setup["library"]}/review"' in dashboard
    # Members who are not coordinators get no link.
    assert "/review" not in main(login(setup["people"]["contact"]).get(setup["library"]))


def test_the_queue_takes_a_fixed_number_of_queries(app, login, setup):
    coordinator = login(setup["people"]["coordinator"])

    def queries() -> int:
        with count_queries(app) as statements:
            assert coordinator.get(f"{setup['library']}/review").status_code == 200
        return len(statements)

    _asked(app, setup, "Ett")
    one = queries()
    for number in range(4):
        _asked(app, setup, f"Flere {number}", role=("participant", "executive")[number % 2])
    assert queries() == one


# --- approving --------------------------------------------------------------------------


def test_approving_opens_it_to_all_and_mails_the_person_who_asked(app, client, login, setup):
    example_id = _asked(app, setup)
    response = login(setup["people"]["coordinator"]).post(f"{setup['library']}/{example_id}/approve")
    assert response.status_code == 302 and response.location == f"{setup['library']}/review"
    example = get_example(app, example_id)
    assert example.review is ExampleReview.APPROVED and example.reviewed_by_id == setup["people"]["coordinator"].id
    assert client.get(f"/examples/{example_id}").status_code == 200
    assert "Boligmøte for eldre" in main(client.get("/examples"))

    [mail] = _mails(app)
    assert mail.recipient == setup["people"]["contact"].email
    assert mail.subject == "Eksempelet ditt er godkjent: Boligmøte for eldre"
    assert f"http://localhost/examples/{example_id}" in mail.body_text
    assert f'href="http://localhost/examples/{example_id}"' in mail.body_html

    page = main_of(login(setup["people"]["contact"]).get(f"{setup['library']}/{example_id}"))
    assert "Godkjent for alle av Kristin Koordinator" in page and f"/examples/{example_id}" in page
    # Approving twice is refused, and mails no one again.
    again = login(setup["people"]["coordinator"]).post(f"{setup['library']}/{example_id}/approve",
                                                       follow_redirects=True)
    assert "Eksempelet venter ikke på godkjenning." in text(again)
    assert len(_mails(app)) == 1


def test_no_mail_when_the_person_who_asked_has_left(app, login, setup):
    example_id = _asked(app, setup)
    with app.app_context():
        db.session.get(Example, example_id).review_requested_by_id = None
        db.session.commit()
    login(setup["people"]["coordinator"]).post(f"{setup['library']}/{example_id}/approve")
    assert get_example(app, example_id).review is ExampleReview.APPROVED
    assert _mails(app) == []


# --- sending back -----------------------------------------------------------------------


@pytest.mark.parametrize("comment, message", [
    ("", "Skriv hva kommunen bør endre før eksempelet kan bli åpent for alle."),
    ("   \r\n  ", "Skriv hva kommunen bør endre før eksempelet kan bli åpent for alle."),
    ("x" * (REVIEW_COMMENT_MAX + 1), f"Kommentaren kan være høyst {REVIEW_COMMENT_MAX} tegn."),
])
def test_sending_back_needs_a_comment(app, login, setup, comment, message):
    example_id = _asked(app, setup)
    coordinator = login(setup["people"]["coordinator"])
    page = coordinator.get(f"{setup['library']}/{example_id}/send-back")
    assert page.status_code == 200 and "Boligmøte for eldre" in main(page)
    response = coordinator.post(f"{setup['library']}/{example_id}/send-back", data={"comment": comment})
    assert response.status_code == 422
    assert message in error_summary(response)
    assert field_error(response, "comment") == message
    if comment.strip():
        assert input_value(response, "comment") == comment  # kept
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert get_example(app, example_id).review is ExampleReview.PENDING
    assert _mails(app) == []


def test_sent_back_the_author_sees_the_comment_and_gets_a_mail(app, client, login, setup):
    example_id = _asked(app, setup)
    response = login(setup["people"]["coordinator"]).post(f"{setup['library']}/{example_id}/send-back",
                                                         data={"comment": COMMENT})
    assert response.status_code == 302 and response.location == f"{setup['library']}/review"
    example = get_example(app, example_id)
    assert example.review is ExampleReview.RETURNED and example.review_comment == COMMENT
    assert example.status is ExampleStatus.PUBLISHED  # still for members
    assert client.get(f"/examples/{example_id}").status_code == 404

    [mail] = _mails(app)
    assert mail.recipient == setup["people"]["contact"].email
    assert mail.subject == "Eksempelet ditt er sendt tilbake: Boligmøte for eldre"
    assert "> Skriv hva planen har ført til" in mail.body_text
    assert f"http://localhost{setup['library']}/{example_id}/edit" in mail.body_text

    contact = login(setup["people"]["contact"])
    page = main_of(contact.get(f"{setup['library']}/{example_id}"))
    assert "Sendt tilbake" in page and "Kristin Koordinator sendte eksempelet tilbake" in page
    assert "Skriv hva planen har ført til under «Resultat»" in page
    assert ">Be om ny vurdering uten endringer</button>" in page
    edit = main_of(contact.get(f"{setup['library']}/{example_id}/edit"))
    assert "Skriv hva planen har ført til under «Resultat»" in edit
    assert "Når du lagrer endringene, sendes eksempelet til ny vurdering." in edit
    # In the list the municipality sees it was sent back; others see an example for members.
    assert "Sendt tilbake</li>" in main_of(contact.get(setup["library"]))
    assert "Sendt tilbake</li>" not in main_of(login(setup["people"]["other_contact"]).get(setup["library"]))


def test_a_sent_back_example_goes_to_review_again_when_edited_or_asked(app, login, setup):
    example_id = _asked(app, setup)
    coordinator = login(setup["people"]["coordinator"])
    coordinator.post(f"{setup['library']}/{example_id}/send-back", data={"comment": COMMENT})
    contact = login(setup["people"]["contact"])
    response = contact.post(f"{setup['library']}/{example_id}/edit", data={
        "title": "Boligmøte for eldre", "summary": "Kommunen laget sin første helhetlige plan for boligpolitikken.",
        "result": "Boligplanen fikk et eget avsnitt om eldre.",
    }, follow_redirects=True)
    assert "venter på godkjenning fra en koordinator" in text(response)
    assert get_example(app, example_id).review is ExampleReview.PENDING
    assert "Boligmøte for eldre" in main(coordinator.get(f"{setup['library']}/review"))

    coordinator.post(f"{setup['library']}/{example_id}/send-back", data={"comment": "Fortsatt for kort."})
    contact.post(f"{setup['library']}/{example_id}/public", data={"value": "on"})  # "Be om ny vurdering"
    assert get_example(app, example_id).review is ExampleReview.PENDING


# --- editing an approved example --------------------------------------------------------


def test_editing_an_approved_example_sends_it_back_for_review(app, client, login, setup):
    example_id = make_example(app, setup["network"], setup["hamar"], title="Godkjent eksempel", public=True,
                              by=setup["people"]["participant"])
    assert client.get(f"/examples/{example_id}").status_code == 200
    participant = login(setup["people"]["participant"])
    form = main_of(participant.get(f"{setup['library']}/{example_id}/edit"))
    assert "Endrer du innholdet, tas det bort fra den åpne siden til en koordinator har godkjent endringene." in form

    unchanged = {"title": "Godkjent eksempel",
                 "summary": "Kommunen laget sin første helhetlige plan for boligpolitikken."}
    participant.post(f"{setup['library']}/{example_id}/edit", data=unchanged)
    assert get_example(app, example_id).review is ExampleReview.APPROVED  # nothing changed, nothing to review
    assert client.get(f"/examples/{example_id}").status_code == 200

    response = participant.post(f"{setup['library']}/{example_id}/edit",
                                data={**unchanged, "tips": "Start tidlig."}, follow_redirects=True)
    assert "venter på godkjenning fra en koordinator før det blir åpent for alle igjen" in text(response)
    example = get_example(app, example_id)
    assert example.review is ExampleReview.PENDING and example.tips == "Start tidlig."
    assert example.review_requested_by_id == setup["people"]["participant"].id
    assert client.get(f"/examples/{example_id}").status_code == 404
    assert "Godkjent eksempel" not in main(client.get("/examples"))


# --- coordinators -----------------------------------------------------------------------


def test_coordinators_approve_in_the_same_step(app, client, login, setup):
    coordinator = login(setup["people"]["coordinator"])
    example_id = make_example(app, setup["network"], setup["lillehammer"], title="KS skrev", published=False)
    coordinator.post(f"{setup['library']}/{example_id}/public", data={"value": "on"})
    assert get_example(app, example_id).review is ExampleReview.APPROVED
    response = coordinator.post(f"{setup['library']}/{example_id}/publish", follow_redirects=True)
    assert "Eksempelet er publisert og åpent for alle." in text(response)
    assert client.get(f"/examples/{example_id}").status_code == 200
    # A coordinator's edit keeps it open; the buttons to feature and hide are still there.
    coordinator.post(f"{setup['library']}/{example_id}/edit", data={
        "title": "KS skrev", "organisation_id": str(setup["lillehammer"].id), "summary": "Et nytt sammendrag."})
    assert get_example(app, example_id).review is ExampleReview.APPROVED
    page = main_of(coordinator.get(f"{setup['library']}/{example_id}"))
    assert ">Fremhev</button>" in page and ">Skjul</button>" in page
    assert "Endrer du innholdet" not in main_of(coordinator.get(f"{setup['library']}/{example_id}/edit"))
    assert _mails(app) == []


def test_a_coordinator_reviews_from_the_example_page(app, login, setup):
    example_id = _asked(app, setup)
    page = main_of(login(setup["people"]["coordinator"]).get(f"{setup['library']}/{example_id}"))
    assert ">Godkjenn for alle</button>" in page
    assert f'href="{setup["library"]}/{example_id}/send-back"' in page


def test_send_back_of_an_example_that_does_not_wait_goes_back_to_it(app, login, setup):
    example_id = make_example(app, setup["network"], setup["hamar"])
    response = login(setup["people"]["coordinator"]).get(f"{setup['library']}/{example_id}/send-back")
    assert response.status_code == 302 and response.location == f"{setup['library']}/{example_id}"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_review_actions_need_the_csrf_token(app, login, setup, app_config):
    example_id = make_example(app, setup["network"], setup["hamar"], public=True, approved=False,
                              by=setup["people"]["contact"])
    coordinator = login(setup["people"]["coordinator"])
    assert coordinator.post(f"{setup['library']}/{example_id}/approve").status_code == 400
    response = coordinator.post(f"{setup['library']}/{example_id}/send-back", data={"comment": COMMENT})
    assert response.status_code == 400
    assert get_example(app, example_id).review is ExampleReview.PENDING
    assert _mails(app) == []
    page = coordinator.get(f"{setup['library']}/review").get_data(as_text=True)
    token = re.search(r'action="[^"]*/approve".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1)
    assert coordinator.post(f"{setup['library']}/{example_id}/approve", data={"csrf_token": token}).status_code == 302
    assert get_example(app, example_id).review is ExampleReview.APPROVED


# --- the archive ------------------------------------------------------------------------


def test_the_archive_carries_the_review_and_older_archives_still_import(app, login, setup):
    approved = make_example(app, setup["network"], setup["hamar"], title="Godkjent", public=True)
    returned = _asked(app, setup, "Sendt tilbake")
    login(setup["people"]["coordinator"]).post(f"{setup['library']}/{returned}/send-back", data={"comment": COMMENT})
    make_example(app, setup["network"], setup["hamar"], title="For medlemmer")
    with app.app_context():
        data = exported(setup["network"].id)
    records = {e["title"]: e for e in json.loads(unzip(data)["examples.json"])["examples"]}
    assert records["Sendt tilbake"]["review"] == "returned" and records["Sendt tilbake"]["review_comment"] == COMMENT
    assert records["Godkjent"]["review"] == "approved" and records["For medlemmer"]["review"] == "none"
    assert records["Godkjent"]["id"] == approved

    # An archive written before the review existed: public examples were open to all, and stay so.
    contents = unzip(data)
    manifest = json.loads(contents.pop(archive_services.MANIFEST))
    document = json.loads(contents["examples.json"])
    for record in document["examples"]:
        for key in ("review", "review_comment", "review_requested_at", "review_requested_by_id", "reviewed_at",
                    "reviewed_by_id"):
            record.pop(key)
    contents["examples.json"] = json.dumps(document).encode()
    manifest["files"]["examples.json"] = hashlib.sha256(contents["examples.json"]).hexdigest()
    old = rezip({archive_services.MANIFEST: json.dumps(manifest).encode(), **contents})
    with app.app_context():
        empty_database()
        result = import_archive(io.BytesIO(old))
        db.session.commit()
        reviews = {e.title: (e.is_public, e.review) for e in db.session.scalars(
            select(Example).where(Example.network_id == result.network_id))}
    assert reviews == {"Godkjent": (True, ExampleReview.APPROVED), "Sendt tilbake": (True, ExampleReview.APPROVED),
                       "For medlemmer": (False, ExampleReview.NONE)}


# --- the demo ---------------------------------------------------------------------------


def test_the_demo_has_an_example_in_each_state(app, runner, login):
    from network.auth.models import Person
    from network.demo import content
    from network.networks.models import Network

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == content.NETWORK["name"]))
        contact = db.session.scalar(select(Person).where(Person.email == "kontakt.hamar@demo.test"))
        coordinator = db.session.scalar(select(Person).where(Person.email == "koordinator@demo.test"))
        hamar = db.session.scalar(select(Example).where(Example.network_id == network.id,
                                                        Example.title == "Felles boligmøte for eldre i Hamar"))
        db.session.expunge_all()
    library = f"/networks/{network.id}/library"
    page = main_of(login(contact).get(f"{library}/{hamar.id}"))
    assert "Venter på godkjenning" in page
    queue = main(login(coordinator).get(f"{library}/review"))
    assert "Felles boligmøte for eldre i Hamar" in queue and "1 eksempel venter" in queue
    assert _mails(app) == []  # loading the demo mails no one
