"""The experience library: writing, publishing, browsing, filtering and searching examples, and
the public pages. Search runs on both databases: PostgreSQL's Norwegian full-text search, and
the LIKE fallback on SQLite."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import inspect, select

from network.extensions import db
from network.library import services
from network.library.models import Example, ExampleReview, ExampleStatus, MunicipalitySize
from network.networks.models import RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.planning.models import PlanningStep, StrategicAdvice
from tests.factories import world
from tests.library_helpers import add_challenge, example_count, get_example, main_of, make_example, municipality
from tests.query_counter import count_queries

LONG_TEXT_MAX = services.TEXT_MAX


def _is_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.fixture
def setup(app, factory):
    network, hamar, lillehammer, people = world(factory)
    challenge_id = add_challenge(app, network, "Nok boliger til vanskeligstilte", 1)
    other_challenge_id = add_challenge(app, network, "Boliger for eldre", 2)
    return {"network": network, "hamar": hamar, "lillehammer": lillehammer, "people": people,
            "challenge": challenge_id, "other_challenge": other_challenge_id}


def _form(**overrides) -> dict:
    data = {
        "title": "Tilvisningsavtaler med private utbyggere",
        "responsible_unit": "Boligkontoret",
        "summary": "Kommunen avtalte med utbyggere at den kan tildele en del av utleieboligene.",
        "result": "Flere utleieboliger for dem som trenger det.",
        "steps": ["housing_plan", "zoning_plan"],
        "advice": ["property_actor"],
    }
    data.update(overrides)
    return data


# --- writing ----------------------------------------------------------------------------


def test_a_participant_writes_an_example_for_their_own_municipality(app, login, setup):
    http = login(setup["people"]["participant"])
    page = http.get(f"/networks/{setup['network'].id}/library/new")
    assert page.status_code == 200
    body = main_of(page)
    assert "Hamar" in body
    assert 'name="organisation_id"' not in body  # their own municipality, no choice
    for legend in ("Om eksempelet", "Oppsummert", "Bakgrunn og mål", "Gjennomføring", "Erfaringer", "Stikkord"):
        assert f">{legend}</legend>" in body

    response = http.post(f"/networks/{setup['network'].id}/library/new",
                         data=_form(challenges=[str(setup["challenge"])], organisation_id=str(setup["lillehammer"].id)))
    assert response.status_code == 302
    with app.app_context():
        example = db.session.scalar(select(Example))
        assert response.location == f"/networks/{setup['network'].id}/library/{example.id}"
        assert example.organisation_id == setup["hamar"].id  # a tampered municipality is ignored
        assert example.status is ExampleStatus.DRAFT and not example.is_public
        assert example.size is MunicipalitySize.for_population(example.organisation.population_2020)
        assert example.size is MunicipalitySize.LARGE  # Hamar: about 31,000 people
        assert example.responsible_unit == "Boligkontoret"
        assert [c.id for c in example.challenges] == [setup["challenge"]]
        assert {row.step for row in example.steps} == {PlanningStep.HOUSING_PLAN, PlanningStep.ZONING_PLAN}
        assert [row.advice for row in example.advice] == [StrategicAdvice.PROPERTY_ACTOR]
        assert example.updated_by_id == setup["people"]["participant"].id


def test_a_coordinator_writes_on_behalf_of_a_municipality_outside_the_network(app, login, setup):
    tromso = municipality(app, "5401")
    http = login(setup["people"]["coordinator"])
    page = main_of(http.get(f"/networks/{setup['network'].id}/library/new"))
    assert '<optgroup label="Troms og Finnmark">' in page
    assert f'<option value="{tromso.id}">Tromsø</option>' in page

    response = http.post(f"/networks/{setup['network'].id}/library/new",
                         data=_form(organisation_id=str(tromso.id), size=""))
    assert response.status_code == 302
    with app.app_context():
        example = db.session.scalar(select(Example))
        assert example.organisation.name == "Tromsø"
        assert example.organisation.county.name == "Troms og Finnmark"
        assert example.size is MunicipalitySize.CITY  # 76,974 people in 2020


def test_a_coordinator_may_override_the_size(app, login, setup):
    http = login(setup["people"]["coordinator"])
    http.post(f"/networks/{setup['network'].id}/library/new",
              data=_form(organisation_id=str(setup["hamar"].id), size="city"))
    with app.app_context():
        example = db.session.scalar(select(Example))
        assert example.size is MunicipalitySize.CITY
    edit = main_of(http.get(f"/networks/{setup['network'].id}/library/{example.id}/edit"))
    assert '<option selected value="city">' in edit


def test_the_municipality_edits_and_the_tags_follow(app, login, setup):
    example_id = make_example(app, setup["network"], setup["hamar"], published=False,
                              challenge_ids=[setup["challenge"]], steps=[PlanningStep.HOUSING_PLAN],
                              advice=[StrategicAdvice.HOUSING_QUALITY])
    http = login(setup["people"]["contact"])
    page = main_of(http.get(f"/networks/{setup['network'].id}/library/{example_id}/edit"))
    assert re.search(r'<input checked id="steps-\d" name="steps" type="checkbox" value="housing_plan">', page)
    assert re.search(r'<input id="steps-\d" name="steps" type="checkbox" value="zoning_plan">', page)
    response = http.post(f"/networks/{setup['network'].id}/library/{example_id}/edit", data=_form(
        title="Ny tittel", challenges=[str(setup["other_challenge"])], steps=["housing_plan", "economic_plan"],
        advice=[], tips="Start tidlig."))
    assert response.status_code == 302
    with app.app_context():
        example = db.session.get(Example, example_id)
        assert example.title == "Ny tittel"
        assert example.tips == "Start tidlig."
        assert [c.id for c in example.challenges] == [setup["other_challenge"]]
        assert {row.step for row in example.steps} == {PlanningStep.HOUSING_PLAN, PlanningStep.ECONOMIC_PLAN}
        assert example.advice == []
        assert example.updated_by_id == setup["people"]["contact"].id


def _other_network_challenge(app, factory):
    other = factory.network("Et tredje nettverk")
    return add_challenge(app, other, "Fremmed utfordring")


BAD_INPUT = [
    ("empty title", {"title": "  "}, "title", "Skriv en tittel på eksempelet."),
    ("long title", {"title": "T" * 201}, "title", "Tittelen kan være høyst 200 tegn."),
    ("long unit", {"responsible_unit": "E" * 201}, "responsible_unit", "Ansvarlig enhet kan være høyst 200 tegn."),
    ("long summary", {"summary": "s" * (LONG_TEXT_MAX + 1)}, "summary", "Teksten kan være høyst 10000 tegn."),
    ("long tips", {"tips": "t" * (LONG_TEXT_MAX + 1)}, "tips", "Teksten kan være høyst 10000 tegn."),
    ("unknown step", {"steps": ["housing_plan", "bogus"]}, "steps", "Velg steg fra listen over planprosessen."),
    ("unknown advice", {"advice": ["<script>"]}, "advice", "Velg blant de seks strategiske rådene."),
    ("challenge of another network", {"challenges": "{foreign}"}, "challenges",
     "Velg utfordringer fra nettverkets liste."),
    ("challenge that does not exist", {"challenges": ["999999"]}, "challenges",
     "Velg utfordringer fra nettverkets liste."),
    ("challenge that is not a number", {"challenges": ["abc"]}, "challenges",
     "Velg utfordringer fra nettverkets liste."),
]


@pytest.mark.parametrize("name, overrides, field, message", BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input_is_refused_and_kept(app, factory, login, setup, name, overrides, field, message):
    foreign = _other_network_challenge(app, factory)
    overrides = {key: ([str(foreign)] if value == "{foreign}" else value) for key, value in overrides.items()}
    data = _form(result="Dette skrev jeg, og det skal stå her igjen.", **overrides)
    response = login(setup["people"]["participant"]).post(f"/networks/{setup['network'].id}/library/new", data=data)
    assert response.status_code == 422
    body = unescape(main_of(response))
    assert "Rett opp dette før du går videre" in body
    assert f'href="#{field}">{message}' in body
    assert "Dette skrev jeg, og det skal stå her igjen." in body  # what was typed is kept
    if field != "title":
        assert f'value="{data["title"]}"' in body
    assert example_count(app) == 0


@pytest.mark.parametrize("name, overrides, field, message", BAD_INPUT[:5], ids=[row[0] for row in BAD_INPUT[:5]])
def test_bad_input_on_edit_changes_nothing(app, login, setup, name, overrides, field, message):
    example_id = make_example(app, setup["network"], setup["hamar"], title="Original", published=False)
    response = login(setup["people"]["contact"]).post(
        f"/networks/{setup['network'].id}/library/{example_id}/edit", data=_form(**overrides))
    assert response.status_code == 422
    assert message in unescape(main_of(response))
    example = get_example(app, example_id)
    assert example.title == "Original"
    assert example.result == ""


@pytest.mark.parametrize("organisation_id, size, field", [
    ("", "", "organisation_id"), ("999999", "", "organisation_id"), ("abc", "", "organisation_id"),
    ("{ks}", "", "organisation_id"), ("{hamar}", "huge", "size"),
])
def test_a_coordinator_must_choose_a_municipality_from_the_list(app, factory, login, setup, organisation_id, size, field):
    with app.app_context():
        ks = db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.KS))
    value = organisation_id.format(ks=ks.id, hamar=setup["hamar"].id)
    response = login(setup["people"]["coordinator"]).post(
        f"/networks/{setup['network'].id}/library/new", data=_form(organisation_id=value, size=size))
    assert response.status_code == 422
    body = unescape(main_of(response))
    assert f'href="#{field}">' in body
    assert "Tilvisningsavtaler med private utbyggere" in body
    assert example_count(app) == 0


def test_observers_and_other_municipalities_cannot_write_or_edit(app, login, setup):
    example_id = make_example(app, setup["network"], setup["hamar"], published=False)
    network_id = setup["network"].id
    observer = login(setup["people"]["observer"])
    assert observer.get(f"/networks/{network_id}/library/new").status_code == 403
    assert observer.post(f"/networks/{network_id}/library/new", data=_form()).status_code == 403
    lillehammer = login(setup["people"]["other_contact"])
    assert lillehammer.get(f"/networks/{network_id}/library/{example_id}/edit").status_code == 403
    assert lillehammer.post(f"/networks/{network_id}/library/{example_id}/edit",
                            data=_form(title="Kapret")).status_code == 403
    assert lillehammer.get(f"/networks/{network_id}/library/{example_id}").status_code == 403  # a draft
    assert get_example(app, example_id).title == "Boligpolitisk handlingsplan"
    assert example_count(app) == 1


# --- publishing -------------------------------------------------------------------------


def test_publish_and_withdraw(app, login, setup):
    example_id = make_example(app, setup["network"], setup["hamar"], published=False)
    network_id = setup["network"].id
    http = login(setup["people"]["executive"])
    page = main_of(http.get(f"/networks/{network_id}/library/{example_id}"))
    assert "Utkast" in page and ">Publiser</button>" in page

    assert http.post(f"/networks/{network_id}/library/{example_id}/publish").status_code == 302
    example = get_example(app, example_id)
    assert example.status is ExampleStatus.PUBLISHED and example.published_at is not None
    assert example.updated_by_id == setup["people"]["executive"].id
    others = login(setup["people"]["other_contact"])
    assert others.get(f"/networks/{network_id}/library/{example_id}").status_code == 200
    assert "Boligpolitisk handlingsplan" in main_of(others.get(f"/networks/{network_id}/library"))

    page = main_of(http.get(f"/networks/{network_id}/library/{example_id}"))
    assert ">Trekk tilbake</button>" in page
    http.post(f"/networks/{network_id}/library/{example_id}/unpublish")
    example = get_example(app, example_id)
    assert example.status is ExampleStatus.DRAFT and example.published_at is None
    assert others.get(f"/networks/{network_id}/library/{example_id}").status_code == 403
    assert "Boligpolitisk handlingsplan" not in main_of(others.get(f"/networks/{network_id}/library"))


def test_publishing_needs_a_summary_and_happens_once(app, login, setup):
    network_id = setup["network"].id
    example_id = make_example(app, setup["network"], setup["hamar"], published=False, summary="")
    http = login(setup["people"]["participant"])
    response = http.post(f"/networks/{network_id}/library/{example_id}/publish", follow_redirects=True)
    assert "Skriv et sammendrag før du publiserer eksempelet." in response.get_data(as_text=True)
    assert get_example(app, example_id).status is ExampleStatus.DRAFT

    published_id = make_example(app, setup["network"], setup["hamar"], title="Allerede ute")
    response = http.post(f"/networks/{network_id}/library/{published_id}/publish", follow_redirects=True)
    assert "Eksempelet er allerede publisert." in response.get_data(as_text=True)
    response = http.post(f"/networks/{network_id}/library/{example_id}/unpublish", follow_redirects=True)
    assert "Eksempelet er allerede et utkast." in response.get_data(as_text=True)


def test_public_toggle_by_the_municipality(app, client, login, setup):
    """The municipality asks; the example is open to all once a coordinator has approved it
    (tests/test_library_moderation.py has the whole review)."""
    network_id = setup["network"].id
    example_id = make_example(app, setup["network"], setup["hamar"])
    assert client.get(f"/examples/{example_id}").status_code == 404
    http = login(setup["people"]["contact"])
    assert http.post(f"/networks/{network_id}/library/{example_id}/public", data={"value": "on"}).status_code == 302
    assert get_example(app, example_id).is_public
    assert client.get(f"/examples/{example_id}").status_code == 404  # waits for a coordinator
    login(setup["people"]["coordinator"]).post(f"/networks/{network_id}/library/{example_id}/approve")
    assert client.get(f"/examples/{example_id}").status_code == 200
    page = main_of(http.get(f"/networks/{network_id}/library/{example_id}"))
    assert f"/examples/{example_id}" in page and "Gjør det bare for medlemmer" in page
    http.post(f"/networks/{network_id}/library/{example_id}/public", data={"value": "off"})
    assert not get_example(app, example_id).is_public
    assert client.get(f"/examples/{example_id}").status_code == 404
    assert http.post(f"/networks/{network_id}/library/{example_id}/public", data={"value": "maybe"}).status_code == 400


def test_coordinators_feature_and_hide(app, client, login, setup):
    network_id = setup["network"].id
    first = make_example(app, setup["network"], setup["hamar"], title="Det eldste eksempelet", public=True)
    make_example(app, setup["network"], setup["lillehammer"], title="Et nyere eksempel")
    coordinator = login(setup["people"]["coordinator"])
    listing = main_of(coordinator.get(f"/networks/{network_id}/library"))
    assert listing.index("Et nyere eksempel") < listing.index("Det eldste eksempelet")

    coordinator.post(f"/networks/{network_id}/library/{first}/featured", data={"value": "on"})
    assert get_example(app, first).is_featured
    listing = main_of(login(setup["people"]["observer"]).get(f"/networks/{network_id}/library"))
    assert listing.index("Det eldste eksempelet") < listing.index("Et nyere eksempel")  # featured first
    assert "Fremhevet" in listing

    coordinator.post(f"/networks/{network_id}/library/{first}/hidden", data={"value": "on"})
    assert get_example(app, first).is_hidden
    # Hidden: gone for other members and the public, still there (marked) for its own and coordinators.
    for role in ("observer", "other_contact"):
        http = login(setup["people"][role])
        assert "Det eldste eksempelet" not in main_of(http.get(f"/networks/{network_id}/library"))
        assert http.get(f"/networks/{network_id}/library/{first}").status_code == 403
    assert client.get(f"/examples/{first}").status_code == 404
    assert "Det eldste eksempelet" not in main_of(client.get("/examples"))
    for role in ("participant", "coordinator"):
        http = login(setup["people"][role])
        listing = main_of(http.get(f"/networks/{network_id}/library"))
        assert "Det eldste eksempelet" in listing and "Skjult" in listing
        page = main_of(http.get(f"/networks/{network_id}/library/{first}"))
        assert "En koordinator har skjult eksempelet." in page

    coordinator.post(f"/networks/{network_id}/library/{first}/hidden", data={"value": "off"})
    coordinator.post(f"/networks/{network_id}/library/{first}/featured", data={"value": "off"})
    example = get_example(app, first)
    assert not example.is_hidden and not example.is_featured
    assert client.get(f"/examples/{first}").status_code == 200


def test_municipal_people_cannot_feature_or_hide(app, login, setup):
    network_id = setup["network"].id
    example_id = make_example(app, setup["network"], setup["hamar"])
    http = login(setup["people"]["contact"])
    assert http.post(f"/networks/{network_id}/library/{example_id}/featured", data={"value": "on"}).status_code == 403
    assert http.post(f"/networks/{network_id}/library/{example_id}/hidden", data={"value": "on"}).status_code == 403
    example = get_example(app, example_id)
    assert not example.is_featured and not example.is_hidden
    page = main_of(http.get(f"/networks/{network_id}/library/{example_id}"))
    assert ">Fremhev</button>" not in page and ">Skjul</button>" not in page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_state_changes_need_the_csrf_token(app, login, setup, app_config):
    network_id = setup["network"].id
    example_id = make_example(app, setup["network"], setup["hamar"], published=False)
    http = login(setup["people"]["participant"])
    assert http.post(f"/networks/{network_id}/library/{example_id}/publish").status_code == 400
    assert get_example(app, example_id).status is ExampleStatus.DRAFT
    page = http.get(f"/networks/{network_id}/library/{example_id}").get_data(as_text=True)
    token = re.search(r'action="[^"]*/publish".*?name="csrf_token" value="([^"]+)"', page, re.S).group(1)
    assert http.post(f"/networks/{network_id}/library/{example_id}/publish",
                     data={"csrf_token": token}).status_code == 302
    assert get_example(app, example_id).status is ExampleStatus.PUBLISHED


# --- browsing ---------------------------------------------------------------------------


def test_drafts_are_listed_for_their_municipality_and_the_coordinators(app, login, setup):
    network_id = setup["network"].id
    make_example(app, setup["network"], setup["hamar"], title="Hamars utkast", published=False)
    make_example(app, setup["network"], setup["lillehammer"], title="Lillehammers utkast", published=False)
    coordinator = main_of(login(setup["people"]["coordinator"]).get(f"/networks/{network_id}/library"))
    assert "Hamars utkast" in coordinator and "Lillehammers utkast" in coordinator
    assert 'id="drafts-heading"' in coordinator
    hamar = main_of(login(setup["people"]["participant"]).get(f"/networks/{network_id}/library"))
    assert "Hamars utkast" in hamar and "Lillehammers utkast" not in hamar
    observer = main_of(login(setup["people"]["observer"]).get(f"/networks/{network_id}/library"))
    assert "utkast" not in observer.lower().replace("ingen eksempler", "")
    assert "Ingen eksempler er publisert ennå." in observer


def test_the_example_page_shows_the_filled_sections_as_markdown(app, login, setup):
    network_id = setup["network"].id
    example_id = make_example(
        app, setup["network"], setup["hamar"], challenge_ids=[setup["challenge"]],
        steps=[PlanningStep.ECONOMIC_PLAN, PlanningStep.HOUSING_PLAN], advice=[StrategicAdvice.PROPERTY_ACTOR],
        tips="- Skaff **forankring** tidlig\n- Hold planen", reports_and_links="[Planen](https://example.test/plan)",
    )
    page = main_of(login(setup["people"]["observer"]).get(f"/networks/{network_id}/library/{example_id}"))
    assert "<li>Skaff <strong>forankring</strong> tidlig</li>" in page
    assert '<a href="https://example.test/plan" rel="noopener noreferrer nofollow">Planen</a>' in page
    assert ">Tips til andre</h2>" in page and ">Rapporter og lenker</h2>" in page
    assert ">Bakgrunn</h2>" not in page and ">Finansiering</h2>" not in page  # empty sections are left out
    assert "Hamar" in page and "Innlandet" in page and "20 000–49 999 innbyggere" in page
    assert f'href="/networks/{network_id}/library?challenge={setup["challenge"]}"' in page
    assert page.index("4. Temaplan for boligpolitikk") < page.index("6. Økonomiplan med handlingsdel")
    assert f'href="/networks/{network_id}/library?advice=property_actor"' in page
    assert ">Rediger</a>" not in page  # an observer reads


def _filter_world(app, setup):
    network = setup["network"]
    stavanger = municipality(app, "1103")
    ids = {
        "hamar": make_example(app, network, setup["hamar"], title="Hamar-eksempelet", challenge_ids=[setup["challenge"]],
                              steps=[PlanningStep.HOUSING_PLAN], advice=[StrategicAdvice.PROPERTY_ACTOR]),
        "lillehammer": make_example(app, network, setup["lillehammer"], title="Lillehammer-eksempelet",
                                    challenge_ids=[setup["other_challenge"]], steps=[PlanningStep.HOUSING_PLAN],
                                    advice=[StrategicAdvice.HOUSING_QUALITY], size=MunicipalitySize.MEDIUM),
        "stavanger": make_example(app, network, stavanger, title="Stavanger-eksempelet",
                                  challenge_ids=[setup["challenge"]], steps=[PlanningStep.ZONING_PLAN],
                                  advice=[StrategicAdvice.PROPERTY_ACTOR]),
    }
    with app.app_context():
        innlandet = db.session.get(Organisation, setup["hamar"].id).county_id
    return ids, innlandet


def _titles(response) -> list[str]:
    return re.findall(r'-title"><a class="ds-link" href="[^"]+">([^<]+)</a>', main_of(response))


def test_each_filter_and_their_combination(app, login, setup):
    ids, innlandet = _filter_world(app, setup)
    http = login(setup["people"]["observer"])
    base = f"/networks/{setup['network'].id}/library"
    cases = [
        (f"county={innlandet}", {"Hamar-eksempelet", "Lillehammer-eksempelet"}),
        ("size=large", {"Hamar-eksempelet"}),
        ("size=city", {"Stavanger-eksempelet"}),
        (f"challenge={setup['challenge']}", {"Hamar-eksempelet", "Stavanger-eksempelet"}),
        ("step=housing_plan", {"Hamar-eksempelet", "Lillehammer-eksempelet"}),
        ("advice=property_actor", {"Hamar-eksempelet", "Stavanger-eksempelet"}),
        (f"county={innlandet}&challenge={setup['challenge']}", {"Hamar-eksempelet"}),
        ("step=housing_plan&advice=housing_quality", {"Lillehammer-eksempelet"}),
        (f"county={innlandet}&size=city", set()),
        ("", {"Hamar-eksempelet", "Lillehammer-eksempelet", "Stavanger-eksempelet"}),
        # An edited address is ignored, not an error.
        ("county=abc&size=huge&challenge=999999&step=bogus&advice=%27", {"Hamar-eksempelet", "Lillehammer-eksempelet",
                                                                         "Stavanger-eksempelet"}),
    ]
    for query, expected in cases:
        response = http.get(f"{base}?{query}")
        assert response.status_code == 200, query
        assert set(_titles(response)) == expected, query
    page = main_of(http.get(f"{base}?county={innlandet}&step=housing_plan&advice=property_actor"))
    assert f'<option selected value="{innlandet}">Innlandet</option>' in page
    assert '<option selected value="housing_plan">' in page
    assert '<option selected value="property_actor">' in page
    assert "Fjern søk og filtre" in page
    assert "Ingen eksempler passer med søket og filtrene." in main_of(http.get(f"{base}?county={innlandet}&size=city"))


def test_tags_on_the_example_page_lead_to_the_filtered_list(app, login, setup):
    ids, innlandet = _filter_world(app, setup)
    http = login(setup["people"]["participant"])
    page = main_of(http.get(f"/networks/{setup['network'].id}/library/{ids['hamar']}"))
    links = re.findall(r'href="(/networks/\d+/library\?[^"]+)"', page)
    assert f"/networks/{setup['network'].id}/library?county={innlandet}" in links
    filtered = http.get(unescape(next(link for link in links if "step=" in link)))
    assert set(_titles(filtered)) == {"Hamar-eksempelet", "Lillehammer-eksempelet"}


# --- search -----------------------------------------------------------------------------


def _search_world(app, setup):
    network = setup["network"]
    make_example(app, network, setup["hamar"], title="Boligsosial handlingsplan",
                 summary="Kommunen skaffet en ny bolig til hver familie som trengte det.",
                 financing="Økonomiplan og tilskudd fra Husbanken.")
    make_example(app, network, setup["lillehammer"], title="Leie før eie",
                 summary="Familier leier i fem år og kjøper deretter boligen.", tips="Samarbeid med NAV.")
    make_example(app, network, municipality(app, "1103"), title="Fortetting rundt knutepunkter",
                 summary="Planer for tettere byutvikling nær stasjonene.", goals="100% flere leiligheter_nær sentrum")


def _search(http, setup, q) -> set[str]:
    response = http.get(f"/networks/{setup['network'].id}/library", query_string={"q": q})
    assert response.status_code == 200, q
    return set(_titles(response))


def test_search_finds_words_in_any_text_and_needs_all_of_them(app, login, setup):
    _search_world(app, setup)
    http = login(setup["people"]["observer"])
    assert _search(http, setup, "handlingsplan") == {"Boligsosial handlingsplan"}
    assert _search(http, setup, "NAV") == {"Leie før eie"}                  # in tips
    assert _search(http, setup, "husbanken") == {"Boligsosial handlingsplan"}  # in financing, any case
    assert _search(http, setup, "familie leier") == {"Leie før eie"}      # both words must match
    assert _search(http, setup, "stasjonene knutepunkter") == {"Fortetting rundt knutepunkter"}
    assert _search(http, setup, "ingenting-som-finnes") == set()
    page = main_of(http.get(f"/networks/{setup['network'].id}/library?q=leie+f%C3%B8r"))
    assert 'value="leie før"' in page  # the query stays in the box


@pytest.mark.parametrize("q", ['"', "'", "&", "!", ":*", "a & | b", "'; DROP TABLE example; --", "%", "_", "\\",
                               "(", "<>", "   ", "ø" * 300])
def test_odd_queries_do_not_fail(app, login, setup, q):
    _search_world(app, setup)
    http = login(setup["people"]["observer"])
    response = http.get(f"/networks/{setup['network'].id}/library", query_string={"q": q})
    assert response.status_code == 200
    public = login(setup["people"]["outsider"]).get("/examples", query_string={"q": q})
    assert public.status_code == 200
    assert example_count(app) == 3


def test_like_wildcards_are_taken_literally(app, login, setup):
    _search_world(app, setup)
    http = login(setup["people"]["observer"])
    if _is_postgresql(app):
        pytest.skip("the LIKE fallback runs on SQLite only")
    assert _search(http, setup, "%") == {"Fortetting rundt knutepunkter"}   # only the text with a real %
    assert _search(http, setup, "r_nær") == {"Fortetting rundt knutepunkter"}
    assert _search(http, setup, "le_e") == set()


def test_sqlite_fallback_ignores_case_also_for_norwegian_letters(app, login, setup):
    if _is_postgresql(app):
        pytest.skip("the LIKE fallback runs on SQLite only")
    _search_world(app, setup)
    http = login(setup["people"]["observer"])
    assert _search(http, setup, "økonomiplan") == {"Boligsosial handlingsplan"}
    assert _search(http, setup, "ØKONOMIPLAN") == {"Boligsosial handlingsplan"}
    assert _search(http, setup, "FØR") == {"Leie før eie"}


def test_postgresql_stems_norwegian_words(app, login, setup):
    if not _is_postgresql(app):
        pytest.skip("Norwegian full-text search needs PostgreSQL")
    _search_world(app, setup)
    http = login(setup["people"]["observer"])
    assert _search(http, setup, "boliger") == {"Boligsosial handlingsplan", "Leie før eie"}  # bolig, boligen
    assert _search(http, setup, "familiene") == {"Boligsosial handlingsplan", "Leie før eie"}  # familie, familier
    assert _search(http, setup, "planen") >= {"Fortetting rundt knutepunkter"}  # planer
    assert _search(http, setup, '"leie før eie"') == {"Leie før eie"}  # a phrase, websearch style
    assert _search(http, setup, "leie -nav") == set()  # minus excludes


def test_postgresql_ranks_title_matches_first(app, login, setup):
    if not _is_postgresql(app):
        pytest.skip("ranking needs PostgreSQL")
    network = setup["network"]
    make_example(app, network, setup["hamar"], title="Om samarbeid",
                 summary="Litt om kommunen.", tips="Tilvisningsavtale nevnes her i tipsene.")
    make_example(app, network, setup["lillehammer"], title="Tilvisningsavtale med utbyggere", summary="Kort.")
    response = login(setup["people"]["observer"]).get(f"/networks/{network.id}/library?q=tilvisningsavtaler")
    assert _titles(response) == ["Tilvisningsavtale med utbyggere", "Om samarbeid"]


def test_the_search_index_exists_on_postgresql_only(app):
    with app.app_context():
        dialect = db.engine.dialect.name
        names = {index["name"] for index in inspect(db.engine).get_indexes("example")}
    assert ("ix_example_search" in names) is (dialect == "postgresql")


# --- paging and queries -----------------------------------------------------------------


def _many(app, setup, count, *, public=False, start=0):
    with app.app_context():
        organisations = list(db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
            .order_by(Organisation.kommunenummer).offset(start).limit(count)))
        for organisation in organisations:
            db.session.expunge(organisation)
    for number, organisation in enumerate(organisations):
        make_example(app, setup["network"], organisation, title=f"Eksempel nummer {start + number:03d}",
                     public=public, challenge_ids=[setup["challenge"]], steps=[PlanningStep.HOUSING_PLAN])


def test_the_list_is_paged(app, login, setup):
    _many(app, setup, 25)
    http = login(setup["people"]["observer"])
    base = f"/networks/{setup['network'].id}/library"
    first = http.get(base)
    assert len(_titles(first)) == 20
    page = main_of(first)
    assert "25 eksempler." in page and "Viser 1–20, side 1 av 2." in page
    assert '<nav class="ds-pagination" aria-label="Sider med eksempler">' in page
    assert f'href="{base}?page=2" rel="next"' in page
    assert 'aria-current="true"><span class="ds-sr-only">Side </span>1</a>' in page
    second = http.get(f"{base}?page=2")
    assert len(_titles(second)) == 5
    assert not set(_titles(first)) & set(_titles(second))
    assert set(_titles(http.get(f"{base}?page=999"))) == set(_titles(second))  # past the end: the last page
    assert set(_titles(http.get(f"{base}?page=abc"))) == set(_titles(first))
    step_page = main_of(http.get(f"{base}?step=housing_plan&q=eksempel"))
    assert "page=2" in step_page and "step=housing_plan" in step_page.split('rel="next"')[0].rsplit("href=", 1)[1]


@pytest.mark.parametrize("path, role", [
    ("/networks/{network}/library", "coordinator"),
    ("/networks/{network}/library?q=eksempel&step=housing_plan&challenge={challenge}", "participant"),
    ("/examples", "anonymous"),
    ("/examples?q=eksempel&step=housing_plan", "anonymous"),
])
def test_query_count_does_not_grow_with_examples_or_municipalities(app, client, login, setup, path, role):
    http = client if role == "anonymous" else login(setup["people"][role])
    url = path.format(network=setup["network"].id, challenge=setup["challenge"])
    _many(app, setup, 3, public=True)
    make_example(app, setup["network"], setup["hamar"], title="Et utkast", published=False)
    http.get(url)  # warm up (roles, first-request work)
    with count_queries(app) as few:
        assert http.get(url).status_code == 200
    _many(app, setup, 40, public=True, start=3)
    make_example(app, setup["network"], setup["lillehammer"], title="Et utkast til", published=False)
    with count_queries(app) as many:
        response = http.get(url)
    assert response.status_code == 200
    assert len(_titles(response)) >= 20  # a full page (and on the network's page, the drafts)
    assert len(many) == len(few), (len(few), len(many))


# --- the public library -----------------------------------------------------------------


def test_public_examples_are_open_and_members_only_ones_never_leak(app, client, setup):
    network = setup["network"]
    public_id = make_example(app, network, setup["hamar"], title="Åpent eksempel", public=True,
                             challenge_ids=[setup["challenge"]], steps=[PlanningStep.HOUSING_PLAN],
                             by=setup["people"]["participant"])
    members_id = make_example(app, network, setup["lillehammer"], title="Bare for medlemmer-eksempel")
    draft_id = make_example(app, network, setup["hamar"], title="Offentlig utkast", published=False, public=True)
    hidden_id = make_example(app, network, setup["hamar"], title="Skjult offentlig", public=True, hidden=True)

    listing = client.get("/examples")
    assert listing.status_code == 200
    assert _titles(listing) == ["Åpent eksempel"]
    for example_id in (members_id, draft_id, hidden_id, 999999):
        assert client.get(f"/examples/{example_id}").status_code == 404
    page = client.get(f"/examples/{public_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Åpent eksempel" in body and "Hamar" in body and "Innlandet" in body
    assert "Nok boliger til vanskeligstilte" in body  # the challenge, as text
    assert "/networks/" not in main_of(page) and "Bolignettverket" not in body  # not the network
    assert "Dag Deltaker" not in body and "Sist endret" not in body  # nor who wrote it
    assert 'href="/examples?step=housing_plan"' in body
    assert "Logg inn" in body


def test_public_filters_leave_out_challenges(app, client, setup):
    ids, innlandet = _filter_world(app, setup)
    with app.app_context():
        for example in db.session.scalars(select(Example)):
            example.is_public, example.review = True, ExampleReview.APPROVED
        db.session.commit()
    page = main_of(client.get("/examples"))
    assert 'name="challenge"' not in page
    assert set(_titles(client.get(f"/examples?county={innlandet}"))) == {"Hamar-eksempelet", "Lillehammer-eksempelet"}
    assert set(_titles(client.get(f"/examples?county={innlandet}&size=medium"))) == {"Lillehammer-eksempelet"}
    assert set(_titles(client.get("/examples?advice=property_actor&step=zoning_plan"))) == {"Stavanger-eksempelet"}
    assert len(_titles(client.get(f"/examples?challenge={setup['other_challenge']}"))) == 3  # ignored
    assert set(_titles(client.get("/examples?q=Stavanger"))) <= {"Stavanger-eksempelet"}


def test_an_example_page_in_the_network_needs_a_member(app, client, login, setup):
    example_id = make_example(app, setup["network"], setup["hamar"], public=True)
    path = f"/networks/{setup['network'].id}/library/{example_id}"
    assert client.get(path).status_code == 302
    assert login(setup["people"]["outsider"]).get(path).status_code == 403


# --- never run the user's HTML ----------------------------------------------------------

PAYLOADS = ['<script>alert("x")</script>', '[klikk](javascript:alert(1))', '<img src=x onerror=alert(1)>',
            '<a href="javascript:alert(1)">lenke</a>']
FIELDS = ["title", *services.TEXT_FIELDS, "responsible_unit"]


def _assert_inert(body: str) -> None:
    """The payloads may be shown as text, never as markup."""
    assert "<script" not in body
    assert not re.search(r"<img\b", body)
    assert not re.search(r"<a\b[^>]*href\s*=\s*[\"']?\s*javascript:", body, re.I)
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", body, re.I)


@pytest.mark.parametrize("field", FIELDS)
def test_user_html_is_shown_as_text_everywhere(app, client, login, setup, field):
    payload = " ".join(PAYLOADS)
    title = f"Tittel {payload}" if field == "title" else "Et trygt eksempel"
    texts = {field: payload} if field not in ("title", "summary", "responsible_unit") else {}
    summary = payload if field == "summary" else "Et sammendrag."
    with app.app_context():
        example = services.save_example(
            None, db.session.get(type(setup["network"]), setup["network"].id),
            organisation=db.session.get(Organisation, setup["hamar"].id), title=title[:200],
            responsible_unit=payload[:200] if field == "responsible_unit" else "", texts={"summary": summary, **texts})
        services.publish(example)
        services.set_public(example, True, approve=True)
        db.session.commit()
        example_id = example.id
    http = login(setup["people"]["observer"])
    for response in (http.get(f"/networks/{setup['network'].id}/library"),
                     http.get(f"/networks/{setup['network'].id}/library/{example_id}"),
                     client.get("/examples"), client.get(f"/examples/{example_id}")):
        assert response.status_code == 200
        _assert_inert(main_of(response))
    if field not in ("responsible_unit",):
        shown = main_of(http.get(f"/networks/{setup['network'].id}/library/{example_id}"))
        assert "&lt;script&gt;" in shown


# --- the demo ---------------------------------------------------------------------------


def test_the_demo_examples_load_once(app, runner):
    from network.auth.models import Person
    from network.demo import content
    from network.library.demo import load_demo
    from network.networks.models import Network

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == content.NETWORK["name"]))
        coordinator = db.session.scalar(select(Person).where(Person.email == "koordinator@demo.test"))
        # `flask demo` loaded the seven examples; another run adds nothing.
        assert load_demo(network, coordinator) == 0
        db.session.commit()
        examples = list(db.session.scalars(select(Example).where(Example.network_id == network.id)))
        assert len(examples) == 7
        assert all(e.status is ExampleStatus.PUBLISHED for e in examples)
        by_place = {e.organisation.name: e for e in examples}
        assert {"Tromsø", "Ringsaker", "Gjøvik", "Sør-Varanger", "Hamar"} <= set(by_place)
        # Each state of the review: approved, waiting (asked for by Hamar's contact), sent back.
        reviews = sorted((e.organisation.name, e.review.value) for e in examples if e.is_public)
        assert reviews == [("Gjøvik", "approved"), ("Hamar", "pending"), ("Ringsaker", "approved"),
                           ("Sør-Varanger", "returned"), ("Tromsø", "approved")]
        assert by_place["Hamar"].review_requested_by.email == "kontakt.hamar@demo.test"
        assert by_place["Sør-Varanger"].review_comment and by_place["Sør-Varanger"].reviewed_by == coordinator
        assert not by_place["Bodø"].is_public and by_place["Bodø"].review is ExampleReview.NONE
        tromso = by_place["Tromsø"]
        assert "2015–2018" in tromso.title and tromso.is_featured
        assert tromso.size is MunicipalitySize.CITY and tromso.organisation.county.name == "Troms og Finnmark"
        assert by_place["Vegårshei"].size is MunicipalitySize.SMALL
        assert all(e.challenges and e.steps and e.advice for e in examples)
        assert all(e.summary and e.background and e.tips for e in examples)
        public_titles = {e.title for e in examples if e.review is ExampleReview.APPROVED}
        assert len(public_titles) == 3
        tromso_id = tromso.id
    client = app.test_client()
    assert set(_titles(client.get("/examples"))) == public_titles
    assert client.get(f"/examples/{tromso_id}").status_code == 200


def test_demo_texts_are_not_copied_from_the_seeds(app, runner):
    """Facts may come from the seeds; sentences may not. No run of eight words is shared."""
    from pathlib import Path

    from network.library import demo

    seeds = " ".join(path.read_text(encoding="utf-8") for path in Path("/work/shared/seeds").glob("*.txt"))
    words = re.findall(r"\w+", seeds.lower())
    shingles = {" ".join(words[i:i + 8]) for i in range(len(words) - 7)}
    for example in demo.EXAMPLES:
        for value in example.values():
            if isinstance(value, str):
                ours = re.findall(r"\w+", value.lower())
                shared = [" ".join(ours[i:i + 8]) for i in range(len(ours) - 7) if " ".join(ours[i:i + 8]) in shingles]
                assert not shared, shared[:3]


def test_people_of_another_network_cannot_read_this_library(app, factory, login, setup):
    """A participant of another network reads neither this network's library nor its examples."""
    other = factory.network("Annet bibliotek")
    stranger = factory.member_with_role(other, RoleKind.PARTICIPANT, setup["hamar"], name="Stine Stranger")
    example_id = make_example(app, setup["network"], setup["hamar"])
    http = login(stranger)
    assert http.get(f"/networks/{setup['network'].id}/library").status_code == 403
    assert http.get(f"/networks/{setup['network'].id}/library/{example_id}").status_code == 403
    assert http.get(f"/networks/{other.id}/library/{example_id}").status_code == 404
