"""The challenges over HTTP: the catalogue, a municipality's challenges, who shares them, the matrix."""
from __future__ import annotations

import csv
import io
import re
from itertools import zip_longest
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.auth.models import Person
from network.challenges import services
from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
from network.extensions import db
from network.growth import services as growth_services
from network.growth.models import GrowthClass
from network.networks.models import Membership, MembershipStatus, Network, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from tests.factories import world
from tests.query_counter import count_queries
from tests.html import error_summary, field_error, input_value, main, text

PRICES = "Høye priser i knutepunktene"
TURNOVER = "For lite omsetning av eneboliger"
ELDERLY = "Boliger for eldre"
XSS = "<script>alert('x')</script>"


# --- helpers ----------------------------------------------------------------------------












def is_checked(response, field_id: str) -> bool:
    tag = re.search(rf'<input[^>]*\bid="{field_id}"[^>]*>', response.get_data(as_text=True))
    return tag is not None and " checked" in tag.group(0)


def selected(response, field_id: str) -> str | None:
    block = re.search(rf'<select[^>]*\bid="{field_id}"[^>]*>(.*?)</select>', response.get_data(as_text=True), re.S)
    option = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', block.group(1))
    return (option.group(1) or option.group(2)) if option else None


def add_challenges(app, network, *titles, added_by=None) -> list[int]:
    with app.app_context():
        start = db.session.scalar(select(func.count()).select_from(Challenge).where(Challenge.network_id == network.id))
        rows = [Challenge(network_id=network.id, position=start + n, title=title,
                          added_by_organisation_id=added_by.id if added_by else None)
                for n, title in enumerate(titles, start=1)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def membership_id(app, network, organisation) -> int:
    with app.app_context():
        return db.session.scalar(select(Membership.id).where(
            Membership.network_id == network.id, Membership.organisation_id == organisation.id))


def mark(app, network, organisation, challenge_id, priority=ChallengePriority.HIGH, description="", by=None):
    with app.app_context():
        db.session.add(MunicipalityChallenge(
            challenge_id=challenge_id, membership_id=membership_id(app, network, organisation),
            priority=priority, description=description, updated_by_id=by.id if by else None))
        db.session.commit()


def entries(app, network, organisation) -> dict[int, MunicipalityChallenge]:
    with app.app_context():
        rows = db.session.scalars(select(MunicipalityChallenge).where(
            MunicipalityChallenge.membership_id == membership_id(app, network, organisation)))
        result = {row.challenge_id: row for row in rows}
        for row in result.values():
            db.session.expunge(row)
        return result


def titles(app, network) -> list[str]:
    with app.app_context():
        return [c.title for c in services.catalogue(db.session.get(Network, network.id))]


def choices(*rows) -> dict:
    """Form data for the municipality's form: (challenge id, priority, description) per ticked row."""
    data = {}
    for challenge_id, priority, description in rows:
        data[f"c{challenge_id}-applies"] = "y"
        data[f"c{challenge_id}-priority"] = priority
        data[f"c{challenge_id}-description"] = description
    return data


@pytest.fixture
def setting(app, factory):
    network, hamar, lillehammer, people = world(factory)
    ids = add_challenges(app, network, PRICES, TURNOVER, ELDERLY)
    return network, hamar, lillehammer, people, ids


# --- the catalogue ----------------------------------------------------------------------


def test_members_see_the_catalogue_in_order_with_counts(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    own = add_challenges(app, network, "Lange køer til kommunale boliger", added_by=hamar)[0]
    mark(app, network, hamar, prices, ChallengePriority.HIGH)
    mark(app, network, lillehammer, prices, ChallengePriority.HIGH)
    mark(app, network, lillehammer, turnover, ChallengePriority.LOW)
    mark(app, network, hamar, own, ChallengePriority.MEDIUM)

    page = main(login(people["observer"]).get(f"/networks/{network.id}/challenges"))
    assert page.index(PRICES) < page.index(TURNOVER) < page.index(ELDERLY) < page.index("Lange køer")
    assert "lagt til av Hamar" in page
    rows = re.findall(r'<tr id="challenge-(\d+)">(.*?)</tr>', page, re.S)
    counts = {int(cid): re.findall(r'<td class="amount">(\d+)</td>', row)[1:] for cid, row in rows}
    assert counts[prices] == ["2", "2"] and counts[turnover] == ["1", "0"] and counts[elderly] == ["0", "0"]
    assert f"/networks/{network.id}/challenges/{prices}" in page
    # The observer reads; only coordinators keep the catalogue.
    assert "Ny utfordring i katalogen" not in page and "Flytt opp" not in page
    assert "Oversikt over alle kommuner" in page


def test_coordinators_get_the_catalogue_controls_and_team_members_their_edit_link(app, login, setting):
    network, hamar, lillehammer, people, ids = setting
    coordinator_page = main(login(people["coordinator"]).get(f"/networks/{network.id}/challenges"))
    assert "Ny utfordring i katalogen" in coordinator_page
    assert coordinator_page.count("Flytt opp") == 2 and coordinator_page.count("Flytt ned") == 2
    assert "Rediger utfordringene for" not in coordinator_page

    mark(app, network, hamar, ids[1], ChallengePriority.MEDIUM)
    participant_page = main(login(people["participant"]).get(f"/networks/{network.id}/challenges"))
    assert "Rediger utfordringene for Hamar" in participant_page
    assert f"/municipalities/{hamar.id}/challenges" in participant_page
    assert "Ja, prioritet middels" in participant_page
    assert "Ny utfordring i katalogen" not in participant_page and "Oversikt over alle kommuner" not in participant_page


def test_a_coordinator_adds_a_challenge_last(app, login, setting):
    network, hamar, lillehammer, people, ids = setting
    response = login(people["coordinator"]).post(f"/networks/{network.id}/challenges/new", data={
        "title": "  Fragmentert   ansvar for boligpolitikken ", "description": "Ingen eier helheten."})
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/networks/{network.id}/challenges"
    assert titles(app, network)[-1] == "Fragmentert ansvar for boligpolitikken"
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.title == "Fragmentert ansvar for boligpolitikken"))
        assert challenge.added_by_organisation_id is None and challenge.description == "Ingen eier helheten."
        assert challenge.position == 4


@pytest.mark.parametrize("title, message", [
    ("", "Skriv en tittel på utfordringen."),
    ("   ", "Skriv en tittel på utfordringen."),
    ("x" * 301, "Tittelen kan være høyst 300 tegn."),
    (PRICES, f"Utfordringen «{PRICES}» finnes allerede i katalogen."),
    (PRICES.upper(), f"Utfordringen «{PRICES}» finnes allerede i katalogen."),
    (" boliger  FOR eldre ", f"Utfordringen «{ELDERLY}» finnes allerede i katalogen."),
])
def test_a_new_challenge_needs_a_unique_title(app, login, setting, title, message):
    network, hamar, lillehammer, people, ids = setting
    response = login(people["coordinator"]).post(f"/networks/{network.id}/challenges/new",
                                                 data={"title": title, "description": "Beskrivelse som står"})
    assert response.status_code == 422
    assert message in error_summary(response) and field_error(response, "title") == message
    assert input_value(response, "title") == title.strip()
    assert input_value(response, "description") == "Beskrivelse som står"
    assert titles(app, network) == [PRICES, TURNOVER, ELDERLY]


def test_a_taken_title_is_reported_together_with_the_other_errors(app, login, setting):
    network, hamar, lillehammer, people, ids = setting
    response = login(people["coordinator"]).post(f"/networks/{network.id}/challenges/new",
                                                 data={"title": PRICES.lower(), "description": "x" * 2001})
    assert response.status_code == 422
    summary = error_summary(response)
    assert "finnes allerede" in summary and "Beskrivelsen kan være høyst 2000 tegn." in summary
    assert titles(app, network) == [PRICES, TURNOVER, ELDERLY]


def test_a_coordinator_edits_a_challenge_and_may_change_only_its_case(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    http = login(people["coordinator"])
    form = http.get(f"/networks/{network.id}/challenges/{prices}/edit")
    assert input_value(form, "title") == PRICES
    response = http.post(f"/networks/{network.id}/challenges/{prices}/edit",
                         data={"title": PRICES.upper(), "description": "Ny tekst"})
    assert response.status_code == 302
    assert titles(app, network)[0] == PRICES.upper()

    clash = http.post(f"/networks/{network.id}/challenges/{prices}/edit", data={"title": "for lite omsetning av eneboliger"})
    assert clash.status_code == 422
    assert field_error(clash, "title") == f"Utfordringen «{TURNOVER}» finnes allerede i katalogen."
    assert input_value(clash, "title") == "for lite omsetning av eneboliger"
    assert titles(app, network) == [PRICES.upper(), TURNOVER, ELDERLY]


def test_deleting_a_challenge_says_how_many_municipalities_lose_their_marking(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, turnover, description="Hamar om omsetning")
    mark(app, network, lillehammer, turnover)
    mark(app, network, hamar, elderly)
    http = login(people["coordinator"])
    form = main(http.get(f"/networks/{network.id}/challenges/{turnover}/edit"))
    assert "2 kommuner har krysset av for denne utfordringen" in form
    response = http.post(f"/networks/{network.id}/challenges/{turnover}/delete", data={"confirmed": "1"}, follow_redirects=True)
    assert f"«{TURNOVER}» er slettet fra katalogen, sammen med markeringene fra 2 kommuner." in text(response)
    assert titles(app, network) == [PRICES, ELDERLY]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MunicipalityChallenge).where(
            MunicipalityChallenge.challenge_id == turnover)) == 0
        assert db.session.scalar(select(func.count()).select_from(MunicipalityChallenge)) == 1
        assert [c.position for c in services.catalogue(db.session.get(Network, network.id))] == [1, 2]

    lone = http.post(f"/networks/{network.id}/challenges/{prices}/delete", data={"confirmed": "1"}, follow_redirects=True)
    assert f"«{PRICES}» er slettet fra katalogen." in text(lone)


def test_moving_challenges_up_and_down(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    http = login(people["coordinator"])
    response = http.post(f"/networks/{network.id}/challenges/{elderly}/move", data={"direction": "up"})
    assert response.status_code == 302 and urlsplit(response.location).fragment == f"challenge-{elderly}"
    assert titles(app, network) == [PRICES, ELDERLY, TURNOVER]
    http.post(f"/networks/{network.id}/challenges/{prices}/move", data={"direction": "down"})
    assert titles(app, network) == [ELDERLY, PRICES, TURNOVER]
    top = http.post(f"/networks/{network.id}/challenges/{elderly}/move", data={"direction": "up"}, follow_redirects=True)
    assert f"«{ELDERLY}» står allerede øverst." in text(top)
    assert titles(app, network) == [ELDERLY, PRICES, TURNOVER]
    assert http.post(f"/networks/{network.id}/challenges/{elderly}/move", data={"direction": "sideways"}).status_code == 400
    assert titles(app, network) == [ELDERLY, PRICES, TURNOVER]


# --- a municipality's challenges --------------------------------------------------------


def test_a_participant_marks_hamars_challenges_and_the_page_says_who_changed_them(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    http = login(people["participant"])
    form = http.get(f"/networks/{network.id}/municipalities/{hamar.id}/challenges")
    assert form.status_code == 200 and not is_checked(form, f"c{prices}-applies")
    response = http.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges", data=choices(
        (prices, "high", "Prisene ved stasjonen stiger raskt."), (elderly, "low", "")))
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/networks/{network.id}/municipalities/{hamar.id}"
    saved = entries(app, network, hamar)
    assert set(saved) == {prices, elderly}
    assert saved[prices].priority is ChallengePriority.HIGH and saved[prices].description == "Prisene ved stasjonen stiger raskt."
    assert saved[elderly].priority is ChallengePriority.LOW
    assert saved[prices].updated_by_id == people["participant"].id and saved[prices].updated_at is not None

    page = main(http.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    section = page.split('id="challenges-heading"')[1].split("</section>")[0]
    assert section.index(PRICES) < section.index(ELDERLY)  # highest priority first
    assert "Prioritet: høy" in section and "Prisene ved stasjonen stiger raskt." in section
    assert f"/networks/{network.id}/challenges/{prices}" in section
    assert "Sist endret av Dag Deltaker" in section and "Rediger utfordringene for Hamar" in section

    again = http.get(f"/networks/{network.id}/municipalities/{hamar.id}/challenges")
    assert is_checked(again, f"c{prices}-applies") and selected(again, f"c{prices}-priority") == "high"
    assert "Sist endret av Dag Deltaker" in main(again)


def test_saving_again_unticks_and_only_stamps_what_changed(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices, ChallengePriority.HIGH, "Uendret", by=people["participant"])
    mark(app, network, hamar, turnover, ChallengePriority.LOW, "Skal bort", by=people["participant"])
    before = entries(app, network, hamar)[prices].updated_at
    response = login(people["contact"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges", data={
        **choices((prices, "high", "Uendret"), (elderly, "medium", "Ny")),
        # The unticked row still sends its saved text: that is not "typed", so it is simply removed.
        f"c{turnover}-priority": "low", f"c{turnover}-description": "Skal bort",
    })
    assert response.status_code == 302
    saved = entries(app, network, hamar)
    assert set(saved) == {prices, elderly}
    assert saved[prices].updated_by_id == people["participant"].id and saved[prices].updated_at == before
    assert saved[elderly].updated_by_id == people["contact"].id


@pytest.mark.parametrize("row, field, message", [
    (("high-missing", "", "Beskrivelse"), "priority", "Velg prioritet for «{title}»."),
    (("bad", "urgent", "Beskrivelse"), "priority", "Velg prioritet for «{title}»."),
    (("long", "medium", "x" * 1001), "description", "Beskrivelsen kan være høyst 1000 tegn."),
])
def test_bad_choices_are_refused_with_everything_kept(app, login, setting, row, field, message):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, elderly, ChallengePriority.LOW, "Lagret før")
    _label, priority, description = row
    data = choices((prices, priority, description), (turnover, "medium", "Gyldig rad som også holdes"))
    response = login(people["participant"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges", data=data)
    assert response.status_code == 422
    expected = message.format(title=PRICES)
    assert expected in error_summary(response)
    assert field_error(response, f"c{prices}-{field}") == expected
    assert f'href="#c{prices}-{field}"' in response.get_data(as_text=True)
    # Everything typed is kept ...
    assert is_checked(response, f"c{prices}-applies") and is_checked(response, f"c{turnover}-applies")
    assert input_value(response, f"c{prices}-description") == description
    assert input_value(response, f"c{turnover}-description") == "Gyldig rad som også holdes"
    assert selected(response, f"c{turnover}-priority") == "medium"
    assert not is_checked(response, f"c{elderly}-applies")  # unticked in this post, as typed
    # ... and nothing is saved: the old marking is still there, the new ones are not.
    saved = entries(app, network, hamar)
    assert set(saved) == {elderly} and saved[elderly].description == "Lagret før"


@pytest.mark.parametrize("priority, description", [("", "Glemte å krysse av"), ("high", ""), ("low", "Begge deler")])
def test_what_is_given_for_an_unticked_challenge_is_not_thrown_away(app, login, setting, priority, description):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    response = login(people["participant"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges", data={
        f"c{prices}-priority": priority, f"c{prices}-description": description})
    assert response.status_code == 422
    message = f"Du har fylt ut «{PRICES}», men ikke krysset av for at den gjelder dere. Kryss av, eller tøm feltene."
    assert field_error(response, f"c{prices}-applies") == message and message in error_summary(response)
    assert f'href="#c{prices}-applies"' in response.get_data(as_text=True)
    assert input_value(response, f"c{prices}-description") == description
    assert (selected(response, f"c{prices}-priority") or "") == priority
    assert entries(app, network, hamar) == {}


def test_a_municipality_adds_its_own_challenge(app, login, setting):
    network, hamar, lillehammer, people, ids = setting
    http = login(people["executive"])
    response = http.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges/new", data={
        "title": "Lange køer til kommunale boliger", "description": "Ventelistene vokser.",
        "priority": "high", "local_description": "Over hundre søkere venter."})
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/networks/{network.id}/municipalities/{hamar.id}/challenges"
    with app.app_context():
        challenge = db.session.scalar(select(Challenge).where(Challenge.title == "Lange køer til kommunale boliger"))
        assert challenge.added_by_organisation_id == hamar.id and challenge.position == 4
        assert challenge.description == "Ventelistene vokser."
        challenge_id = challenge.id
    saved = entries(app, network, hamar)[challenge_id]
    assert saved.priority is ChallengePriority.HIGH and saved.description == "Over hundre søkere venter."
    assert saved.updated_by_id == people["executive"].id

    # Lillehammer sees it in the catalogue, marked with who added it, and may tick it.
    page = main(login(people["other_contact"]).get(f"/networks/{network.id}/challenges"))
    assert "Lange køer til kommunale boliger" in page and "lagt til av Hamar" in page
    form = login(people["other_contact"]).get(f"/networks/{network.id}/municipalities/{lillehammer.id}/challenges")
    assert f"c{challenge_id}-applies" in form.get_data(as_text=True)


@pytest.mark.parametrize("data, field, message", [
    ({"title": ""}, "title", "Skriv en tittel på utfordringen."),
    ({"title": "x" * 301}, "title", "Tittelen kan være høyst 300 tegn."),
    ({"title": ELDERLY.upper()}, "title", f"Utfordringen «{ELDERLY}» finnes allerede i katalogen."),
    ({"priority": ""}, "priority", "Velg prioritet: høy, middels eller lav."),
    ({"priority": "urgent"}, "priority", "Velg prioritet: høy, middels eller lav."),
    ({"local_description": "x" * 1001}, "local_description", "Beskrivelsen kan være høyst 1000 tegn."),
    ({"description": "x" * 2001}, "description", "Beskrivelsen kan være høyst 2000 tegn."),
])
def test_bad_own_challenges_are_refused_with_everything_kept(app, login, setting, data, field, message):
    network, hamar, lillehammer, people, ids = setting
    form = {"title": "Mangel på tomter", "description": "Lite areal", "priority": "medium",
            "local_description": "Hos oss er det trangt.", **data}
    response = login(people["participant"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges/new", data=form)
    assert response.status_code == 422
    assert message in error_summary(response) and field_error(response, field) == message
    for name in ("title", "description", "local_description"):
        assert input_value(response, name) == form[name].strip()
    if form["priority"] == "medium":
        assert 'value="medium" checked' in response.get_data(as_text=True) or \
            re.search(r'<input[^>]*checked[^>]*value="medium"', response.get_data(as_text=True))
    assert titles(app, network) == [PRICES, TURNOVER, ELDERLY]
    assert entries(app, network, hamar) == {}


def test_a_title_clash_and_a_missing_priority_are_reported_together(app, login, setting):
    network, hamar, lillehammer, people, ids = setting
    response = login(people["participant"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges/new",
                                                 data={"title": PRICES.lower(), "priority": ""})
    summary = error_summary(response)
    assert response.status_code == 422 and "finnes allerede" in summary and "Velg prioritet" in summary


def test_lillehammers_people_cannot_edit_hamars_challenges(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    http = login(people["other_contact"])
    assert http.get(f"/networks/{network.id}/municipalities/{hamar.id}/challenges").status_code == 403
    response = http.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges", data=choices((prices, "high", "Fra Lillehammer")))
    assert response.status_code == 403
    own = http.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges/new",
                    data={"title": "Lillehammers forsøk", "priority": "high"})
    assert own.status_code == 403
    assert entries(app, network, hamar) == {}
    assert "Lillehammers forsøk" not in titles(app, network)
    # Nor does Hamar's page offer them the edit link.
    page = main(http.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    assert "Rediger utfordringene for Hamar" not in page


@pytest.mark.parametrize("role", ["coordinator", "admin", "observer"])
def test_coordinators_and_observers_read_but_do_not_edit_a_municipalitys_challenges(app, login, setting, role):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices, ChallengePriority.HIGH, "Hamars egen tekst")
    http = login(people[role])
    assert http.get(f"/networks/{network.id}/municipalities/{hamar.id}/challenges").status_code == 403
    response = http.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges", data={})
    assert response.status_code == 403
    assert set(entries(app, network, hamar)) == {prices}
    page = main(http.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    assert "Hamars egen tekst" in page and "Rediger utfordringene for Hamar" not in page


# --- who shares a challenge -------------------------------------------------------------


def classes(app, network, *organisations) -> dict[int, GrowthClass]:
    with app.app_context():
        memberships = list(db.session.scalars(select(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id.in_([o.id for o in organisations]))))
        classified = growth_services.classify_all(db.session.get(Network, network.id), memberships)
        return {m.organisation_id: classified[m.id].growth_class for m in memberships}


def test_who_shares_shows_both_municipalities_with_growth_class_priority_and_description(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices, ChallengePriority.LOW, "Hamar: prisene stiger ved stasjonen.")
    mark(app, network, lillehammer, prices, ChallengePriority.HIGH, "Lillehammer: studenter presser leieprisene.")
    growth = classes(app, network, hamar, lillehammer)
    response = login(people["participant"]).get(f"/networks/{network.id}/challenges/{prices}")
    assert response.status_code == 200
    page = main(response)
    assert "Hvem deler denne utfordringen" in page
    assert "2 av 2 kommuner i nettverket har denne utfordringen." in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    # Highest priority first: Lillehammer (high) before Hamar (low).
    assert "Lillehammer" in rows[0] and "Hamar" in rows[1]
    assert "Høy" in rows[0] and "Lav" in rows[1]
    assert growth[lillehammer.id].label in rows[0] and growth[hamar.id].label in rows[1]
    assert "Innlandet" in rows[0] and "Innlandet" in rows[1]
    assert "studenter presser leieprisene" in rows[0] and "prisene stiger ved stasjonen" in rows[1]
    assert f"/networks/{network.id}/municipalities/{lillehammer.id}" in rows[0]
    assert "(din kommune)" in rows[1] and "(din kommune)" not in rows[0]


def test_who_shares_sorts_equal_priorities_by_name_and_filters_by_growth_class(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices, ChallengePriority.MEDIUM, "Hamar")
    mark(app, network, lillehammer, prices, ChallengePriority.MEDIUM, "Lillehammer")
    with app.app_context():
        membership = db.session.get(Membership, membership_id(app, network, lillehammer))
        growth_services.set_override(membership, GrowthClass.DECLINE, "For testen", people["coordinator"])
        db.session.commit()
    hamar_class = classes(app, network, hamar)[hamar.id]
    assert hamar_class is not GrowthClass.DECLINE
    http = login(people["observer"])
    page = main(http.get(f"/networks/{network.id}/challenges/{prices}"))
    assert page.index(">Hamar<") < page.index(">Lillehammer<")

    declining = main(http.get(f"/networks/{network.id}/challenges/{prices}?growth=decline"))
    assert ">Lillehammer<" in declining and ">Hamar<" not in declining
    assert "2 av 2 kommuner i nettverket har denne utfordringen." in declining
    assert "vekstklassen «Nedgang»" in declining

    others = main(http.get(f"/networks/{network.id}/challenges/{prices}?growth={hamar_class.value}"))
    assert ">Hamar<" in others and ">Lillehammer<" not in others
    # An unknown class shows everyone rather than failing.
    anyone = main(http.get(f"/networks/{network.id}/challenges/{prices}?growth=nonsense"))
    assert ">Hamar<" in anyone and ">Lillehammer<" in anyone


def test_who_shares_leaves_out_withdrawn_members(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices)
    mark(app, network, lillehammer, prices)
    with app.app_context():
        db.session.get(Membership, membership_id(app, network, lillehammer)).status = MembershipStatus.WITHDRAWN
        db.session.commit()
    page = main(login(people["participant"]).get(f"/networks/{network.id}/challenges/{prices}"))
    assert "1 av 1 kommuner i nettverket har denne utfordringen." in page and ">Lillehammer<" not in page
    catalogue = main(login(people["participant"]).get(f"/networks/{network.id}/challenges"))
    row = re.search(rf'<tr id="challenge-{prices}">(.*?)</tr>', catalogue, re.S).group(1)
    assert re.findall(r'<td class="amount">(\d+)</td>', row)[1:] == ["1", "1"]


# --- the matrix -------------------------------------------------------------------------


def test_the_matrix_counts_per_challenge_and_municipality(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices, ChallengePriority.HIGH)
    mark(app, network, lillehammer, prices, ChallengePriority.MEDIUM)
    mark(app, network, hamar, elderly, ChallengePriority.LOW)
    response = login(people["coordinator"]).get(f"/networks/{network.id}/challenges/matrix")
    assert response.status_code == 200
    page = main(response)
    matrix = page.split('id="challenge-matrix"')[1].split("</table>")[0]
    assert ">Hamar</a>" in matrix and ">Lillehammer</a>" in matrix
    body_rows = re.findall(r"<tr>\s*<th scope=\"row\" class=\"matrix-challenge\">(.*?)</tr>", matrix, re.S)
    assert len(body_rows) == 3

    def marks(row):
        return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<td class="matrix-cell">(.*?)</td>', row, re.S)]

    def total(row):
        return re.search(r'<td class="amount"><strong>(\d+)</strong>', row).group(1)

    # Municipalities by county, then name: Hamar, then Lillehammer. Letters plus the word for screen readers.
    assert marks(body_rows[0]) == ["HHøy", "MMiddels"] and total(body_rows[0]) == "2"
    assert marks(body_rows[1]) == ["·Nei", "·Nei"] and total(body_rows[1]) == "0"
    assert marks(body_rows[2]) == ["LLav", "·Nei"] and total(body_rows[2]) == "1"
    footer = matrix.split("<tfoot>")[1]
    assert re.findall(r"<strong>(\d+)</strong>", footer) == ["2", "1", "3"]

    chart_table = page.split('id="priority-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", chart_table.split("<tbody>")[1], re.S)
    assert [re.findall(r'class="amount">(?:<strong>)?(\d+)', row) for row in rows] == [
        ["1", "1", "0", "2"], ["0", "0", "0", "0"], ["0", "0", "1", "1"]]
    assert 'aria-labelledby="priority-chart-title"' in page and 'href="#priority-table"' in page


def test_the_matrix_filters_municipalities_by_growth_class(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, prices)
    mark(app, network, lillehammer, prices)
    with app.app_context():
        membership = db.session.get(Membership, membership_id(app, network, lillehammer))
        growth_services.set_override(membership, GrowthClass.DECLINE, "For testen", people["coordinator"])
        db.session.commit()
    page = main(login(people["observer"]).get(f"/networks/{network.id}/challenges/matrix?growth=decline"))
    matrix = page.split('id="challenge-matrix"')[1].split("</table>")[0]
    assert ">Lillehammer</a>" in matrix and ">Hamar</a>" not in matrix
    assert "/challenges/matrix.csv?growth=decline" in page


def test_the_matrix_csv_has_one_row_per_marking(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, lillehammer, prices, ChallengePriority.MEDIUM, "=HYPERLINK(\"http://x\")", by=people["other_contact"])
    mark(app, network, hamar, elderly, ChallengePriority.LOW, "Flere eldre.\nTrenger tilpassede boliger.", by=people["contact"])
    mark(app, network, hamar, prices, ChallengePriority.HIGH, "-2 prosent ledighet")
    response = login(people["observer"]).get(f"/networks/{network.id}/challenges/matrix.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"utfordringer-nettverk-{network.id}.csv" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Kommune", "Kommunenummer", "Fylke", "Vekstklasse", "Utfordring", "Lagt til av", "Prioritet",
                       "Slik er situasjonen", "Sist endret", "Endret av"]
    growth = classes(app, network, hamar, lillehammer)
    assert [row[:8] for row in rows[1:]] == [
        ["Hamar", "3403", "Innlandet", growth[hamar.id].label, PRICES, "Koordinatorene", "Høy", "'-2 prosent ledighet"],
        ["Hamar", "3403", "Innlandet", growth[hamar.id].label, ELDERLY, "Koordinatorene", "Lav",
         "Flere eldre.\nTrenger tilpassede boliger."],
        ["Lillehammer", "3405", "Innlandet", growth[lillehammer.id].label, PRICES, "Koordinatorene", "Middels",
         "'=HYPERLINK(\"http://x\")"],
    ]
    assert rows[2][9] == "Kari Kontakt" and rows[3][9] == "Lise Lillehammer" and rows[1][9] == ""
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[1][8])


# --- escaping ---------------------------------------------------------------------------


def test_script_in_titles_and_descriptions_is_escaped_everywhere(app, login, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    participant = login(people["participant"])
    response = participant.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges/new", data={
        "title": f"Tittel {XSS}", "description": f"Om {XSS}", "priority": "high", "local_description": f"Lokalt {XSS}"})
    assert response.status_code == 302
    with app.app_context():
        own = db.session.scalar(select(Challenge.id).where(Challenge.title == f"Tittel {XSS}"))
    coordinator, observer = login(people["coordinator"]), login(people["observer"])
    pages = [
        (participant, f"/networks/{network.id}/challenges"),
        (participant, f"/networks/{network.id}/challenges/{own}"),
        (participant, f"/networks/{network.id}/municipalities/{hamar.id}"),
        (participant, f"/networks/{network.id}/municipalities/{hamar.id}/challenges"),
        (coordinator, f"/networks/{network.id}/challenges/{own}/edit"),
        (coordinator, f"/networks/{network.id}/challenges/matrix"),
        (observer, f"/networks/{network.id}/challenges/{own}"),
    ]
    for http, path in pages:
        page = http.get(path)
        assert page.status_code == 200, path
        raw = page.get_data(as_text=True)
        assert "<script>alert" not in raw, path
        assert "&lt;script&gt;alert" in raw, path
    # A refused form shows what was typed, escaped too.
    refused = participant.post(f"/networks/{network.id}/municipalities/{hamar.id}/challenges/new",
                               data={"title": f"Annen {XSS}", "priority": ""})
    assert refused.status_code == 422 and "<script>alert" not in refused.get_data(as_text=True)


# --- the services others use ------------------------------------------------------------


def test_the_shared_services_keep_their_contract(app, setting):
    network, hamar, lillehammer, people, (prices, turnover, elderly) = setting
    mark(app, network, hamar, elderly, ChallengePriority.LOW)
    mark(app, network, hamar, turnover, ChallengePriority.HIGH)
    mark(app, network, lillehammer, turnover, ChallengePriority.MEDIUM)
    hamar_membership = membership_id(app, network, hamar)
    with app.app_context():
        net = db.session.get(Network, network.id)
        assert [c.id for c in services.catalogue(net)] == [prices, turnover, elderly]
        by_membership = services.challenges_by_membership([hamar_membership])
        assert [e.challenge_id for e in by_membership[hamar_membership]] == [turnover, elderly]
        sharing = services.memberships_sharing(db.session.get(Challenge, turnover))
        assert {e.membership.organisation.name for e in sharing} == {"Hamar", "Lillehammer"}


# --- a bounded number of queries ----------------------------------------------------------


def network_of_size(app, factory, size: int):
    """A network with ``size`` municipalities from different counties, each with a participant,
    and three challenges each marked by every municipality."""
    network = factory.network(f"Utfordringsnettverk med {size}")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    with app.app_context():
        rows = db.session.execute(select(Organisation.county_id, Organisation.kommunenummer).where(
            Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.kommunenummer)).all()
    by_county: dict[int, list[str]] = {}
    for county_id, number in rows:
        by_county.setdefault(county_id, []).append(number)
    numbers = [number for group in zip_longest(*by_county.values()) for number in group if number][:size]
    ids = add_challenges(app, network, PRICES, TURNOVER, ELDERLY)
    participant = None
    for index, number in enumerate(numbers):
        municipality = factory.municipality(number)
        factory.member(network, municipality)
        person = factory.member_with_role(network, RoleKind.PARTICIPANT, municipality)
        participant = participant or person
        for n, challenge_id in enumerate(ids):
            mark(app, network, municipality, challenge_id, list(ChallengePriority)[(index + n) % 3], f"Tekst {index}",
                 by=person)
    return network, coordinator, participant, ids


@pytest.mark.parametrize("page, who", [
    ("/challenges", "coordinator"),
    ("/challenges", "participant"),
    ("/challenges/{challenge}", "participant"),
    ("/challenges/{challenge}?growth=strong_growth", "participant"),
    ("/challenges/matrix", "coordinator"),
    ("/challenges/matrix.csv", "coordinator"),
])
def test_pages_load_in_a_bounded_number_of_queries(app, factory, login, page, who):
    counts = []
    for size in (3, 12):
        network, coordinator, participant, ids = network_of_size(app, factory, size)
        client = login(coordinator if who == "coordinator" else participant)
        with count_queries(app) as statements:
            response = client.get(f"/networks/{network.id}" + page.format(challenge=ids[0]))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 3 municipalities, {counts[1]} for 12"
    assert counts[0] <= 15


def test_the_municipality_page_section_is_bounded_too(app, factory, login):
    counts = []
    for size in (3, 12):
        network, coordinator, participant, ids = network_of_size(app, factory, size)
        add_challenges(app, network, *(f"Ekstra utfordring {n}" for n in range(size)))
        with app.app_context():
            organisation_id = db.session.get(Person, participant.id).organisation_id
            membership = db.session.scalar(select(Membership.id).where(
                Membership.network_id == network.id, Membership.organisation_id == organisation_id))
            extra = db.session.scalars(select(Challenge.id).where(Challenge.title.like("Ekstra%"),
                                                                  Challenge.network_id == network.id)).all()
            for challenge_id in extra:
                db.session.add(MunicipalityChallenge(challenge_id=challenge_id, membership_id=membership,
                                                     priority=ChallengePriority.LOW, updated_by_id=participant.id))
            db.session.commit()
        client = login(participant)
        with count_queries(app) as statements:
            assert client.get(f"/networks/{network.id}/municipalities/{organisation_id}/challenges").status_code == 200
        edit_count = len(statements)
        with count_queries(app) as statements:
            assert client.get(f"/networks/{network.id}/municipalities/{organisation_id}").status_code == 200
        counts.append((edit_count, sum(1 for s in statements if "municipality_challenge" in s)))
    assert counts[0] == counts[1]
    assert counts[0][1] == 1  # the section's one query
