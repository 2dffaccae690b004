"""Attendance: everyone registered came unless marked otherwise. One button marks them all, the
page lists only the exceptions, and a person is found by name or municipality to be marked."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from network.evaluations.models import EvaluationInvitation
from network.extensions import db
from network.gatherings import services
from network.gatherings.models import Gathering, GatheringStatus, Registration, RegistrationStatus
from tests.conftest import built_once
from tests.factories import world
from tests.gathering_helpers import FUTURE, open_gathering, register
from tests.html import text

PAST = date(2020, 3, 12)


def build(app, factory):
    """A closed gathering that took place (Hamar: three registered; Lillehammer: one, and one who
    cancelled), and one still to come."""
    network, hamar, lillehammer, people = world(factory)
    held = open_gathering(factory, network, number=1, day=PAST, title="Oppstart")
    coming = open_gathering(factory, network, number=2, day=FUTURE, title="Neste")
    ids = {"network": network.id, "held": held.id, "coming": coming.id}
    for key in ("participant", "contact", "executive", "other_contact", "observer"):
        ids[key] = register(app, held.id, people[key].id)
    ids["coming_reg"] = register(app, coming.id, people["participant"].id)
    with app.app_context():
        db.session.get(Registration, ids["observer"]).status = RegistrationStatus.CANCELLED
        db.session.get(Gathering, held.id).status = GatheringStatus.CLOSED
        db.session.commit()
    return ids, people


built = built_once(build)


def url(ids, gathering="held", tail=""):
    return f"/networks/{ids['network']}/gatherings/{ids[gathering]}/attendance{tail}"


def statuses(app, ids, *keys) -> list[RegistrationStatus]:
    with app.app_context():
        return [db.session.get(Registration, ids[key]).status for key in keys]


def form_fields(html: str) -> int:
    """Inputs, selects and textareas a person could fill in or tick (hidden ones and the search aside)."""
    fields = re.findall(r"<(input|select|textarea)\b([^>]*)>", html)
    return len([tag for tag, attrs in fields if 'type="hidden"' not in attrs and 'type="search"' not in attrs])


def test_the_page_starts_from_attended_and_marks_everyone_in_one_go(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    page = client.get(url(ids))
    assert page.status_code == 200
    body = text(page)
    assert "4 påmeldte er ikke registrert ennå, og regnes som møtt til du merker noe annet." in body
    assert "Merk alle påmeldte som møtt" in body
    # No drop-down per person: only the search box and buttons.
    assert "<select" not in body and form_fields(body) == 0
    response = client.post(url(ids, tail="/all"))
    assert response.status_code == 302 and response.location == url(ids)
    assert statuses(app, ids, "participant", "contact", "executive", "other_contact", "observer") == [
        RegistrationStatus.ATTENDED] * 4 + [RegistrationStatus.CANCELLED]
    body = text(client.get(response.location))
    assert "4 påmeldte er merket som møtt." in body
    assert "4 er registrert som møtt." in body and "Merk alle påmeldte som møtt" not in body
    assert "Ingen er registrert som ikke møtt." in body
    # Who cancelled is listed apart, not among the exceptions to fix.
    assert re.search(r'<ul class="followup-names" id="cancelled">\s*<li>Olav Observatør', body)


def test_one_person_is_found_by_municipality_and_marked_as_not_attended(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    client.post(url(ids, tail="/all"))
    body = text(client.get(url(ids, tail="?q=lilleHAMMER")))
    found = re.search(r'<table[^>]*id="found".*?</table>', body, re.S).group(0)
    assert "Lise Lillehammer" in found and "Dag Deltaker" not in found
    assert "1 treff for «lilleHAMMER»" in found
    response = client.post(url(ids), data={f"status-{ids['other_contact']}": "no_show", "q": "lilleHAMMER"})
    assert response.status_code == 302 and response.location == url(ids, tail="?q=lilleHAMMER")
    assert statuses(app, ids, "other_contact", "participant") == [RegistrationStatus.NO_SHOW, RegistrationStatus.ATTENDED]
    body = text(client.get(url(ids)))
    no_show = re.search(r'<table[^>]*id="no-show".*?</table>', body, re.S).group(0)
    assert "1 person møtte ikke" in no_show and "Lise Lillehammer" in no_show
    assert "3 er registrert som møtt." in body
    # Marked by mistake: "Møtte likevel" puts it right.
    client.post(url(ids), data={f"status-{ids['other_contact']}": "attended"})
    assert statuses(app, ids, "other_contact") == [RegistrationStatus.ATTENDED]


def test_a_name_search_finds_people_whatever_the_case_and_says_when_nobody_matches(built, login):
    ids, people = built
    client = login(people["coordinator"])
    found = text(client.get(url(ids, tail="?q=rita+hamar")))
    assert "Rita Rådmann" in found and "Ikke registrert (møtte)" in found
    assert "Ingen påmeldte med plass passer med «Zorro»." in text(client.get(url(ids, tail="?q=Zorro")))
    # The cancelled are not found: they had no seat to attend.
    assert "Ingen påmeldte med plass" in text(client.get(url(ids, tail="?q=Olav")))


def test_nothing_is_marked_before_the_gathering_has_started(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    body = text(client.get(url(ids, "coming")))
    assert "Oppmøte kan registreres når samlingen har startet." in body
    assert "Merk alle påmeldte som møtt" not in body and 'id="q"' not in body
    response = client.post(url(ids, "coming", "/all"))
    assert response.status_code == 302
    assert "Oppmøte kan registreres når samlingen har startet." in text(client.get(response.location))
    assert statuses(app, ids, "coming_reg") == [RegistrationStatus.CONFIRMED]


def test_only_seats_can_be_marked_and_bad_values_are_refused(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    response = client.post(url(ids), data={f"status-{ids['observer']}": "attended"})
    assert response.status_code == 302
    assert "Oppmøte kan bare registreres for dem som har plass." in text(client.get(response.location))
    assert client.post(url(ids), data={f"status-{ids['participant']}": "vet ikke"}).status_code == 400
    assert statuses(app, ids, "observer", "participant") == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]


def test_the_registrations_page_links_to_attendance_instead_of_a_drop_down_per_person(built, login):
    ids, people = built
    body = text(login(people["coordinator"]).get(f"/networks/{ids['network']}/gatherings/{ids['held']}/registrations"))
    assert f'href="{url(ids)}"' in body and "<select class=\"ds-input\" id=\"status-" not in body


def test_a_gathering_marked_in_one_go_counts_the_attended_for_the_evaluation(app, built, login):
    """The statuses are the ones evaluations and costs read: held invites those who attended."""
    ids, people = built
    client = login(people["coordinator"])
    client.post(url(ids, tail="/all"))
    client.post(url(ids), data={f"status-{ids['other_contact']}": "no_show"})
    with app.test_request_context():
        gathering = db.session.get(Gathering, ids["held"])
        services.change_status(gathering, GatheringStatus.HELD)
        db.session.commit()
        invited = set(db.session.scalars(select(EvaluationInvitation.person_id)
                                         .where(EvaluationInvitation.gathering_id == ids["held"])))
    assert invited == {people["participant"].id, people["contact"].id, people["executive"].id}
