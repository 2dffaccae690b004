"""Planning-status profiles over HTTP: saving a municipality's profile, the rules on what is typed,
who may edit, the municipality page's section, and the network comparison with its CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from html import unescape

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.main import clock
from network.networks.models import Membership, MembershipStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.planning.models import AdviceAssessment, PlanningStatus, PlanningStep, PlanStatus, StrategicAdvice
from tests.factories import world
from tests.query_counter import count_queries

STEPS = [step.value for step in PlanningStep]
ADVICE = [advice.value for advice in StrategicAdvice]


def this_year() -> int:
    # Read when a test runs, never at collection: a run may cross New Year.
    return clock.oslo_today().year

# A whole profile as the form posts it.
PROFILE = {
    "status_planning_strategy": "adopted", "year_planning_strategy": "2019",
    "url_planning_strategy": "https://hamar.kommune.test/planstrategi",
    "status_community_part": "adopted", "year_community_part": "2015", "url_community_part": "",
    "status_land_use_part": "in_progress", "year_land_use_part": "2021", "url_land_use_part": "",
    "status_housing_plan": "not_started", "year_housing_plan": "", "url_housing_plan": "",
    "status_zoning_plan": "", "year_zoning_plan": "", "url_zoning_plan": "",
    "status_economic_plan": "adopted", "year_economic_plan": "2020", "url_economic_plan": "http://hamar.kommune.test/okonomi",
    "score_knowledge_and_direction": "3", "comment_knowledge_and_direction": "Boligmeldingen ble vedtatt i 2019.",
    "score_governance_and_planning": "2", "comment_governance_and_planning": "",
    "score_responsibility_and_organisation": "4", "comment_responsibility_and_organisation": "Egen boligkoordinator.",
    "score_property_actor": "1", "comment_property_actor": "",
    "score_cooperation_and_dialogue": "2", "comment_cooperation_and_dialogue": "",
    # housing_quality: not assessed (no score posted)
    "comment_housing_quality": "",
}


# --- helpers ----------------------------------------------------------------------------


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def main(response) -> str:
    body = response.get_data(as_text=True)
    return unescape(body.split("<main", 1)[1].split("</main>", 1)[0])


def plain(html: str) -> str:
    """The text of some HTML, with spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def error_summary(response) -> str:
    match = re.search(r'<div class="ds-error-summary".*?</ul>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""


def field_error(response, field_id: str) -> str:
    match = re.search(rf'<div class="ds-validation-message" data-field="validation" id="{field_id}-error">(.*?)</div>',
                      response.get_data(as_text=True), re.S)
    return unescape(match.group(1)) if match else ""


def input_value(response, name: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True))
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else ""


def selected_option(response, name: str) -> str | None:
    match = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', response.get_data(as_text=True), re.S)
    chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                       match.group(1)) if match else None
    return (chosen.group(1) if chosen.group(1) is not None else chosen.group(2)) if chosen else None


def checked_radio(response, name: str) -> str | None:
    for tag in re.findall(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True)):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'\bvalue="([^"]*)"', tag).group(1)
    return None


def textarea(response, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', response.get_data(as_text=True), re.S)
    return unescape(match.group(1)).lstrip("\r\n") if match else None


def edit_url(network, organisation) -> str:
    return f"/networks/{network.id}/municipalities/{organisation.id}/planning"


def membership_id(network_id: int, organisation_id: int) -> int:
    return db.session.scalar(select(Membership.id).where(
        Membership.network_id == network_id, Membership.organisation_id == organisation_id))


def stored(app, network, organisation) -> tuple[dict, dict]:
    """What the database holds for the municipality: {step: (status, year, url, who)}, {advice: (score, comment, who)}."""
    with app.app_context():
        mid = membership_id(network.id, organisation.id)
        steps = {row.step.value: (row.status.value, row.year, row.document_url, row.updated_by_id)
                 for row in db.session.scalars(select(PlanningStatus).where(PlanningStatus.membership_id == mid))}
        advice = {row.advice.value: (row.score, row.comment, row.updated_by_id)
                  for row in db.session.scalars(select(AdviceAssessment).where(AdviceAssessment.membership_id == mid))}
    return steps, advice


def row_count(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(PlanningStatus.id))),
                db.session.scalar(select(func.count(AdviceAssessment.id))))


def seed(app, network_id: int, organisation_id: int, steps: dict | None = None, scores: dict | None = None) -> None:
    """Store a profile straight in the database: steps {step: (status, year)}, scores {advice: score}."""
    with app.app_context():
        mid = membership_id(network_id, organisation_id)
        for step, (status, year) in (steps or {}).items():
            db.session.add(PlanningStatus(membership_id=mid, step=PlanningStep(step), status=PlanStatus(status), year=year,
                                          document_url=f"https://kommune.test/{organisation_id}/{step}"))
        for advice, score in (scores or {}).items():
            db.session.add(AdviceAssessment(membership_id=mid, advice=StrategicAdvice(advice), score=score))
        db.session.commit()


# --- saving a profile -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["participant", "contact", "executive"])
def test_the_municipalitys_own_people_save_its_profile(app, factory, login, role):
    network, hamar, _, people = world(factory)
    person = people[role]
    client = login(person)
    page = text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    assert "Oppdater planstatus og egenvurdering" in page
    assert "Sist oppdatert" not in page
    before = datetime.now(timezone.utc)

    response = client.post(edit_url(network, hamar), data=PROFILE)

    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/municipalities/{hamar.id}#planning-heading"
    steps, advice = stored(app, network, hamar)
    assert steps == {
        "planning_strategy": ("adopted", 2019, "https://hamar.kommune.test/planstrategi", person.id),
        "community_part": ("adopted", 2015, None, person.id),
        "land_use_part": ("in_progress", 2021, None, person.id),
        "housing_plan": ("not_started", None, None, person.id),
        "economic_plan": ("adopted", 2020, "http://hamar.kommune.test/okonomi", person.id),
    }  # the zoning plan is "not recorded": no row
    assert advice == {
        "knowledge_and_direction": (3, "Boligmeldingen ble vedtatt i 2019.", person.id),
        "governance_and_planning": (2, "", person.id),
        "responsibility_and_organisation": (4, "Egen boligkoordinator.", person.id),
        "property_actor": (1, "", person.id),
        "cooperation_and_dialogue": (2, "", person.id),
    }
    with app.app_context():
        times = db.session.scalars(select(PlanningStatus.updated_at)).all() + \
            db.session.scalars(select(AdviceAssessment.updated_at)).all()
    assert all(before - timedelta(seconds=1) <= moment <= datetime.now(timezone.utc) for moment in times)

    page = main(client.get(response.location))
    assert "Planstatus og egenvurdering er lagret." in page
    section = plain(page.split('id="planning-heading"')[1].split("</section>")[0])
    assert f"Sist oppdatert av {person.name} " in section
    assert "1. Kommunal planstrategi Vedtatt 2019" in section
    assert "3. Kommuneplanens arealdel Under arbeid 2021" in section
    assert "5. Reguleringsplan Ikke registrert" in section
    assert "1. Bygg kunnskap og velg politisk retning 3 av 4 Boligmeldingen ble vedtatt i 2019." in section
    assert "6. Sørg for kvalitet i boliger og bomiljø Ikke registrert" in section
    assert 'href="https://hamar.kommune.test/planstrategi"' in page

    # The form shows what is stored.
    form = client.get(edit_url(network, hamar))
    assert f"Sist oppdatert av {person.name} " in text(form)
    assert selected_option(form, "status_planning_strategy") == "adopted"
    assert selected_option(form, "status_zoning_plan") == ""
    assert input_value(form, "year_community_part") == "2015"
    assert input_value(form, "url_planning_strategy") == "https://hamar.kommune.test/planstrategi"
    assert checked_radio(form, "score_responsibility_and_organisation") == "4"
    assert checked_radio(form, "score_housing_quality") is None
    assert textarea(form, "comment_knowledge_and_direction") == "Boligmeldingen ble vedtatt i 2019."


def test_saving_again_changes_the_rows_instead_of_adding_new_ones(app, factory, login):
    network, hamar, _, people = world(factory)
    login(people["participant"]).post(edit_url(network, hamar), data=PROFILE)
    changes = {**PROFILE,
               "status_land_use_part": "adopted", "year_land_use_part": "2022",  # moved on
               "status_housing_plan": "",  # back to "not recorded"
               "score_property_actor": "2", "comment_property_actor": "Tomteselskap under etablering.",
               "score_knowledge_and_direction": "", "comment_knowledge_and_direction": ""}  # assessment withdrawn
    response = login(people["contact"]).post(edit_url(network, hamar), data=changes)
    assert response.status_code == 302

    steps, advice = stored(app, network, hamar)
    participant, contact = people["participant"].id, people["contact"].id
    assert steps["land_use_part"] == ("adopted", 2022, None, contact)
    assert steps["planning_strategy"][3] == participant  # unchanged rows keep who saved them
    assert "housing_plan" not in steps
    assert advice["property_actor"] == (2, "Tomteselskap under etablering.", contact)
    assert advice["governance_and_planning"][2] == participant
    assert "knowledge_and_direction" not in advice
    assert row_count(app) == (4, 4)
    with app.app_context():
        for model, key in ((PlanningStatus, PlanningStatus.step), (AdviceAssessment, AdviceAssessment.advice)):
            duplicates = db.session.execute(select(key, func.count()).group_by(model.membership_id, key)
                                            .having(func.count() > 1)).all()
            assert duplicates == []


def test_saving_nothing_new_says_so(app, factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["participant"])
    client.post(edit_url(network, hamar), data=PROFILE)
    response = client.post(edit_url(network, hamar), data=PROFILE, follow_redirects=True)
    assert "Ingen endringer å lagre." in text(response)


LONG_COMMENT = "x" * 1001
BAD_INPUT = [
    # (field, value, other changes, the field that gets the message, message)
    ("year_planning_strategy", "1964", {}, "year_planning_strategy",
     "Kommunal planstrategi: året må være mellom 1965 og 2100."),
    ("year_land_use_part", "2101", {}, "year_land_use_part", "Kommuneplanens arealdel: året må være mellom 1965 og 2100."),
    ("year_planning_strategy", "{next_year}", {}, "year_planning_strategy",
     "Kommunal planstrategi: en vedtatt plan kan ikke ha et vedtaksår fram i tid ({next_year})."),
    ("year_community_part", "", {}, "year_community_part", "Kommuneplanens samfunnsdel: skriv året planen ble vedtatt."),
    ("year_planning_strategy", "tjue nitten", {}, "year_planning_strategy",
     "Kommunal planstrategi: skriv året med fire sifre, for eksempel 2019."),
    ("year_planning_strategy", "2019.5", {}, "year_planning_strategy",
     "Kommunal planstrategi: skriv året med fire sifre, for eksempel 2019."),
    ("url_planning_strategy", "javascript:alert(1)", {}, "url_planning_strategy",
     "Kommunal planstrategi: skriv en fullstendig lenke som begynner med https://."),
    ("url_planning_strategy", "javascript://hamar.kommune.test/%0Aalert(1)", {}, "url_planning_strategy",
     "Kommunal planstrategi: skriv en fullstendig lenke som begynner med https://."),
    ("url_economic_plan", "hamar.kommune.test/okonomi", {}, "url_economic_plan",
     "Økonomiplan med handlingsdel: skriv en fullstendig lenke som begynner med https://."),
    ("url_economic_plan", "https://" + "a" * 500 + ".test", {}, "url_economic_plan",
     "Økonomiplan med handlingsdel: skriv en fullstendig lenke som begynner med https://."),
    ("status_planning_strategy", "approved", {}, "status_planning_strategy",
     "Kommunal planstrategi: velg en av statusene i listen."),
    ("year_zoning_plan", "2018", {}, "status_zoning_plan", "Reguleringsplan: velg status, eller fjern år og lenke."),
    ("score_property_actor", "0", {}, "score_property_actor", "Vær en strategisk eiendomsaktør: velg et tall fra 1 til 4."),
    ("score_property_actor", "5", {}, "score_property_actor", "Vær en strategisk eiendomsaktør: velg et tall fra 1 til 4."),
    ("score_property_actor", "x", {}, "score_property_actor", "Vær en strategisk eiendomsaktør: velg et tall fra 1 til 4."),
    ("comment_housing_quality", "Vi har ikke vurdert dette ennå.", {}, "score_housing_quality",
     "Sørg for kvalitet i boliger og bomiljø: velg et tall fra 1 til 4 for å lagre kommentaren."),
    ("comment_property_actor", LONG_COMMENT, {}, "comment_property_actor",
     "Vær en strategisk eiendomsaktør: kommentaren kan ha høyst 1000 tegn (nå 1001)."),
]


@pytest.mark.parametrize("name, value, extra, error_field, message", BAD_INPUT,
                         ids=[f"{name}={value[:20]}" for name, value, *_ in BAD_INPUT])
def test_bad_input_is_refused_with_what_was_typed_kept(app, factory, login, name, value, extra, error_field, message):
    network, hamar, _, people = world(factory)
    value, message = (words.replace("{next_year}", str(this_year() + 1)) for words in (value, message))
    data = {**PROFILE, **extra, name: value}
    response = login(people["contact"]).post(edit_url(network, hamar), data=data)

    assert response.status_code == 422
    assert message in field_error(response, error_field)
    assert message in error_summary(response)
    assert f'href="#{error_field}"' in error_summary(response)
    body = response.get_data(as_text=True)
    assert f'id="{error_field}"' in body  # the summary's link has somewhere to go
    # Everything typed is still there, the bad value too.
    for step in STEPS:
        if data[f"status_{step}"] in {s.value for s in PlanStatus} | {""}:
            assert selected_option(response, f"status_{step}") == data[f"status_{step}"], step
        assert input_value(response, f"year_{step}") == data[f"year_{step}"], step
        assert input_value(response, f"url_{step}") == data[f"url_{step}"], step
    for advice in ADVICE:
        posted = data.get(f"score_{advice}")
        assert checked_radio(response, f"score_{advice}") == (posted if posted in ("1", "2", "3", "4") else None), advice
        assert textarea(response, f"comment_{advice}") == data[f"comment_{advice}"], advice
    assert row_count(app) == (0, 0)


def test_a_refused_change_leaves_the_stored_profile_alone(app, factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["participant"])
    client.post(edit_url(network, hamar), data=PROFILE)
    before = stored(app, network, hamar)
    response = client.post(edit_url(network, hamar), data={**PROFILE, "status_zoning_plan": "adopted",
                                                           "score_property_actor": "9"})
    assert response.status_code == 422
    assert "Reguleringsplan: skriv året planen ble vedtatt." in error_summary(response)
    assert "Vær en strategisk eiendomsaktør: velg et tall fra 1 til 4." in error_summary(response)
    assert stored(app, network, hamar) == before


def test_the_year_this_year_is_fine_for_an_adopted_plan(app, factory, login):
    network, hamar, _, people = world(factory)
    year = this_year()
    response = login(people["participant"]).post(edit_url(network, hamar), data={
        **PROFILE, "year_planning_strategy": str(year), "status_housing_plan": "in_progress",
        "year_housing_plan": str(year + 2)})  # a plan under way may name the year it is expected
    assert response.status_code == 302
    steps, _ = stored(app, network, hamar)
    assert steps["planning_strategy"][1] == year
    assert steps["housing_plan"][:2] == ("in_progress", year + 2)


# --- who may edit -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["other_contact", "coordinator", "admin", "observer", "outsider"])
def test_only_the_municipalitys_own_people_may_edit(app, factory, login, role):
    network, hamar, _, people = world(factory)
    client = login(people[role])
    assert client.get(edit_url(network, hamar)).status_code == 403
    assert client.post(edit_url(network, hamar), data=PROFILE).status_code == 403
    assert row_count(app) == (0, 0)
    if role != "outsider":
        page = text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
        assert "Oppdater planstatus og egenvurdering" not in page
        assert "Sammenlign med resten av nettverket" in page


def test_a_withdrawn_municipality_can_no_longer_edit(app, factory, login):
    network, hamar, _, people = world(factory)
    with app.app_context():
        db.session.get(Membership, membership_id(network.id, hamar.id)).status = MembershipStatus.WITHDRAWN
        db.session.commit()
    assert login(people["contact"]).post(edit_url(network, hamar), data=PROFILE).status_code == 403
    assert row_count(app) == (0, 0)


def test_unknown_or_non_member_municipality_is_404(app, factory, login):
    network, _, _, people = world(factory)
    ringsaker = factory.municipality("3411")
    client = login(people["contact"])
    assert client.get(f"/networks/{network.id}/municipalities/{ringsaker.id}/planning").status_code == 404
    assert client.post(f"/networks/{network.id}/municipalities/999999/planning", data=PROFILE).status_code == 404


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_post_without_the_csrf_token_is_refused(app, factory, login):
    network, hamar, _, people = world(factory)
    response = login(people["contact"]).post(edit_url(network, hamar), data=PROFILE)
    assert response.status_code in (400, 422)
    assert row_count(app) == (0, 0)


# --- the municipality page --------------------------------------------------------------


def test_municipality_page_shows_not_recorded_and_hides_scores_from_other_municipalities(app, factory, login):
    network, hamar, _, people = world(factory)
    seed(app, network.id, hamar.id, {"housing_plan": ("in_progress", None)}, {"property_actor": 3})
    url = f"/networks/{network.id}/municipalities/{hamar.id}"

    own = plain(main(login(people["participant"]).get(url)).split('id="planning-heading"')[1].split("</section>")[0])
    assert "1. Kommunal planstrategi Ikke registrert" in own
    assert "4. Temaplan for boligpolitikk Under arbeid" in own
    assert "4. Vær en strategisk eiendomsaktør 3 av 4" in own
    assert "1. Bygg kunnskap og velg politisk retning Ikke registrert" in own

    for role in ("coordinator", "observer"):
        section = plain(main(login(people[role]).get(url)).split('id="planning-heading"')[1].split("</section>")[0])
        assert "4. Vær en strategisk eiendomsaktør 3 av 4" in section, role

    other = plain(main(login(people["other_contact"]).get(url)).split('id="planning-heading"')[1].split("</section>")[0])
    assert "4. Temaplan for boligpolitikk Under arbeid" in other  # plan status is for everyone in the network
    assert "3 av 4" not in other and "Vær en strategisk eiendomsaktør" not in other


def test_the_section_does_not_show_a_stored_script_link(app, factory, login):
    """Links are checked when saved; one that got into the database anyway is not made a link."""
    network, hamar, _, people = world(factory)
    with app.app_context():
        db.session.add(PlanningStatus(membership_id=membership_id(network.id, hamar.id), step=PlanningStep.ZONING_PLAN,
                                      status=PlanStatus.ADOPTED, year=2019, document_url="javascript:alert(1)"))
        db.session.commit()
    client = login(people["participant"])
    assert "javascript:" not in client.get(f"/networks/{network.id}/municipalities/{hamar.id}").get_data(as_text=True)
    assert "javascript:" not in client.get(f"/networks/{network.id}/planning").get_data(as_text=True)


# --- the comparison ---------------------------------------------------------------------


def three_municipalities(app, factory):
    """Hamar, Lillehammer and Gjøvik with known profiles, plus a withdrawn member and a
    non-municipal member whose rows must not count."""
    network, hamar, lillehammer, people = world(factory)
    gjovik = factory.municipality("3407")
    ringsaker = factory.municipality("3411")
    factory.member(network, gjovik)
    factory.member(network, ringsaker, status=MembershipStatus.WITHDRAWN)
    seed(app, network.id, hamar.id,
         {"planning_strategy": ("adopted", 2019), "housing_plan": ("in_progress", None), "economic_plan": ("adopted", 2020)},
         {"knowledge_and_direction": 3, "governance_and_planning": 4, "property_actor": 2})
    seed(app, network.id, lillehammer.id,
         {"planning_strategy": ("adopted", 2020), "housing_plan": ("not_started", None)},
         {"knowledge_and_direction": 2, "governance_and_planning": 1, "property_actor": 2})
    seed(app, network.id, gjovik.id,
         {"planning_strategy": ("in_progress", 2025)},
         {"knowledge_and_direction": 2, "property_actor": 3})
    seed(app, network.id, ringsaker.id,
         {step: ("adopted", 2010) for step in STEPS}, {advice: 1 for advice in ADVICE})
    return network, hamar, lillehammer, gjovik, people


# {step: (adopted, in progress, not started, not recorded)} for the three above.
EXPECTED_COUNTS = {
    "1. Kommunal planstrategi": (2, 1, 0, 0),
    "2. Kommuneplanens samfunnsdel": (0, 0, 0, 3),
    "3. Kommuneplanens arealdel": (0, 0, 0, 3),
    "4. Temaplan for boligpolitikk": (0, 1, 1, 1),
    "5. Reguleringsplan": (0, 0, 0, 3),
    "6. Økonomiplan med handlingsdel": (1, 0, 0, 2),
}
# {advice: (average, answers, how many gave 1, 2, 3, 4)}
EXPECTED_ADVICE = {
    "1. Bygg kunnskap og velg politisk retning": ("2,3", 3, 0, 2, 1, 0),
    "2. Bruk styringssystemet og plan- og bygningsloven": ("2,5", 2, 1, 0, 0, 1),
    "3. Avklar administrativt ansvar og organisering": ("–", 0, 0, 0, 0, 0),
    "4. Vær en strategisk eiendomsaktør": ("2,3", 3, 0, 2, 1, 0),
    "5. Skap retning og tillit gjennom samarbeid og dialog": ("–", 0, 0, 0, 0, 0),
    "6. Sørg for kvalitet i boliger og bomiljø": ("–", 0, 0, 0, 0, 0),
}


def table(page: str, table_id: str) -> list[list[str]]:
    """A table's body rows as lists of cell texts (row header first)."""
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [[plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_comparison_counts_statuses_and_averages_scores(app, factory, login):
    network, *_, people = three_municipalities(app, factory)
    response = login(people["coordinator"]).get(f"/networks/{network.id}/planning")
    assert response.status_code == 200
    page = main(response)

    counts = {row[0]: tuple(int(cell) for cell in row[1:]) for row in table(page, "step-counts")}
    assert counts == EXPECTED_COUNTS
    advice = {row[0]: (row[1], *(int(cell) for cell in row[2:7])) for row in table(page, "advice-table")}
    assert advice == EXPECTED_ADVICE

    municipalities = table(page, "planning-municipalities")
    assert [row[0] for row in municipalities] == ["Gjøvik", "Hamar", "Lillehammer"]  # not the withdrawn Ringsaker
    hamar_row = municipalities[1]
    assert hamar_row[2] == "Vedtatt 2019 Dokument for kommunal planstrategi i Hamar"
    assert hamar_row[5] == "Under arbeid Dokument for temaplan for boligpolitikk i Hamar"
    assert hamar_row[3] == "Ikke registrert"
    assert hamar_row[-1] == "2"  # adopted steps
    assert "Ringsaker" not in page


def test_the_charts_show_the_same_numbers_as_their_tables(app, factory, login):
    network, *_, people = three_municipalities(app, factory)
    page = main(login(people["participant"]).get(f"/networks/{network.id}/planning"))

    status_chart = page.split('id="status-chart-title"', 1)[1].split("</figure>", 1)[0]
    bars = re.findall(r'<li class="chart__bar[^"]*">(.*?)</li>', status_chart, re.S)
    labels = ("Vedtatt", "Under arbeid", "Ikke startet", "Ikke registrert")
    from_chart = {}
    for bar in bars:
        label = plain(re.search(r'<span class="chart__label">(.*?)</span>', bar, re.S).group(1))
        segments = dict(re.findall(r"<title>([^<:]+): ([0-9]+)</title>", bar))
        from_chart[label] = tuple(int(segments.get(name, 0)) for name in labels)
    assert from_chart == EXPECTED_COUNTS
    assert 'aria-describedby="status-chart-note"' in page and 'href="#step-counts"' in page

    advice_chart = page.split('id="advice-chart-title"', 1)[1].split("</figure>", 1)[0]
    averages = {}
    for bar in re.findall(r'<li class="chart__bar[^"]*">(.*?)</li>', advice_chart, re.S):
        label = plain(re.search(r'<span class="chart__label">(.*?)</span>', bar, re.S).group(1))
        averages[label] = plain(re.search(r'<span class="chart__value">(.*?)</span>', bar, re.S).group(1))
    assert averages == {name: expected[0] for name, expected in EXPECTED_ADVICE.items()}
    assert 'href="#advice-table"' in page


def test_the_viewers_own_municipality_is_shown_against_the_network(app, factory, login):
    network, hamar, lillehammer, _, people = three_municipalities(app, factory)
    client = login(people["participant"])
    page = main(client.get(f"/networks/{network.id}/planning"))

    assert "Hamar er din kommune og er uthevet i tabellene." in plain(page)
    own_rows = re.findall(r'<tr class="planning-own">(.*?)</tr>', page, re.S)
    assert len(own_rows) == 1 and "Hamar" in own_rows[0] and "(din kommune)" in own_rows[0]
    # Markers on the averages' bars at Hamar's scores, with the scores in words.
    markers = re.findall(r'<line class="chart__marker"[^>]*><title>([^<]*)</title>', page)
    assert markers == ["Hamar: 3", "Hamar: 4", "Hamar: 2"]
    compared = [row[-1] for row in table(page, "advice-table")]
    assert compared[0] == "Hamar: 3 · snittet i nettverket: 2,3"
    assert compared[1] == "Hamar: 4 · snittet i nettverket: 2,5"
    assert compared[2] == "Hamar: ikke vurdert · snittet i nettverket: –"
    assert '<th scope="col" class="planning-own">Hamar mot nettverket</th>' in page

    # A municipality's people cannot look at another municipality's scores this way.
    other = main(client.get(f"/networks/{network.id}/planning?municipality={lillehammer.id}"))
    assert "Lillehammer: 2" not in other
    assert re.findall(r'<line class="chart__marker"[^>]*><title>([^<]*)</title>', other) == markers
    assert 'name="municipality"' not in other


@pytest.mark.parametrize("role", ["coordinator", "observer"])
def test_coordinators_and_observers_choose_a_municipality_to_compare(app, factory, login, role):
    network, hamar, lillehammer, _, people = three_municipalities(app, factory)
    client = login(people[role])
    plain_page = main(client.get(f"/networks/{network.id}/planning"))
    assert "chart__marker" not in plain_page
    assert "mot nettverket" not in plain_page
    assert 'name="municipality"' in plain_page and 'for="municipality"' in plain_page

    page = main(client.get(f"/networks/{network.id}/planning?municipality={lillehammer.id}"))
    assert [row[-1] for row in table(page, "advice-table")][:2] == [
        "Lillehammer: 2 · snittet i nettverket: 2,3", "Lillehammer: 1 · snittet i nettverket: 2,5"]
    assert re.findall(r'<line class="chart__marker"[^>]*><title>([^<]*)</title>', page) == [
        "Lillehammer: 2", "Lillehammer: 1", "Lillehammer: 2"]
    assert f'<option value="{lillehammer.id}" selected>' in page
    assert "(din kommune)" not in page
    # An id that is no member here compares nothing rather than failing.
    assert client.get(f"/networks/{network.id}/planning?municipality=999999").status_code == 200
    assert client.get(f"/networks/{network.id}/planning?municipality=abc").status_code == 200


@pytest.mark.parametrize("sort, direction, expected", [
    ("name", "asc", ["Gjøvik", "Hamar", "Lillehammer"]),
    ("name", "desc", ["Lillehammer", "Hamar", "Gjøvik"]),
    ("adopted", "desc", ["Hamar", "Lillehammer", "Gjøvik"]),
    ("planning_strategy", "desc", ["Lillehammer", "Hamar", "Gjøvik"]),  # adopted, latest year first
    ("housing_plan", "asc", ["Gjøvik", "Lillehammer", "Hamar"]),  # not recorded, not started, in progress
    ("nonsense", "asc", ["Gjøvik", "Hamar", "Lillehammer"]),
])
def test_the_municipality_table_sorts(app, factory, login, sort, direction, expected):
    network, *_, people = three_municipalities(app, factory)
    page = main(login(people["coordinator"]).get(f"/networks/{network.id}/planning?sort={sort}&dir={direction}"))
    assert [row[0] for row in table(page, "planning-municipalities")] == expected
    if sort != "nonsense":
        assert re.search(rf'<th scope="col" aria-sort="{direction}ending">\s*<a class="ds-link" href="[^"]*sort={sort}', page)


def test_the_csv_has_one_row_per_municipality_with_statuses_and_scores(app, factory, login):
    network, hamar, lillehammer, gjovik, people = three_municipalities(app, factory)
    response = login(people["observer"]).get(f"/networks/{network.id}/planning.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Kommune", "Kommunenummer", "Fylke", "1. Kommunal planstrategi: status",
                          "1. Kommunal planstrategi: år", "1. Kommunal planstrategi: lenke"]
    assert len(header) == 3 + 6 * 3 + 6
    by_name = {row[0]: dict(zip(header, row)) for row in body}
    assert set(by_name) == {"Hamar", "Lillehammer", "Gjøvik"}
    hamar_row = by_name["Hamar"]
    assert hamar_row["Kommunenummer"] == "3403"
    assert hamar_row["1. Kommunal planstrategi: status"] == "Vedtatt"
    assert hamar_row["1. Kommunal planstrategi: år"] == "2019"
    assert hamar_row["1. Kommunal planstrategi: lenke"] == f"https://kommune.test/{hamar.id}/planning_strategy"
    assert hamar_row["2. Kommuneplanens samfunnsdel: status"] == "Ikke registrert"
    assert hamar_row["4. Temaplan for boligpolitikk: status"] == "Under arbeid"
    scores = [key for key in header if key.startswith("Råd ")]
    assert [hamar_row[key] for key in scores] == ["3", "4", "", "2", "", ""]
    assert [by_name["Gjøvik"][key] for key in scores] == ["2", "", "", "3", "", ""]
    # The counts on the page follow from the file.
    for name, expected in EXPECTED_COUNTS.items():
        column = [row[f"{name}: status"] for row in by_name.values()]
        assert (column.count("Vedtatt"), column.count("Under arbeid"), column.count("Ikke startet"),
                column.count("Ikke registrert")) == expected


@pytest.mark.parametrize("role", ["participant", "other_contact"])
def test_municipal_people_cannot_download_every_municipalitys_scores(app, factory, login, role):
    network, *_, people = three_municipalities(app, factory)
    assert login(people[role]).get(f"/networks/{network.id}/planning.csv").status_code == 403
    assert "Last ned som CSV" not in text(login(people[role]).get(f"/networks/{network.id}/planning"))


def test_an_empty_network_has_an_empty_comparison(app, factory, login):
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    response = login(coordinator).get(f"/networks/{network.id}/planning")
    assert response.status_code == 200
    assert "Ingen kommuner er med i nettverket ennå." in text(response)


def network_of_size(app, factory, size: int):
    """A network of ``size`` municipalities with whole profiles, and its coordinator."""
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    with app.app_context():
        organisation_ids = db.session.scalars(
            select(Organisation.id).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
            .order_by(Organisation.kommunenummer).limit(size)).all()
        for organisation_id in organisation_ids:
            db.session.add(Membership(network_id=network.id, organisation_id=organisation_id, joined_on=date(2019, 4, 10)))
        db.session.commit()
    for n, organisation_id in enumerate(organisation_ids):
        seed(app, network.id, organisation_id, {step: ("adopted", 2000 + n) for step in STEPS},
             {advice: 1 + n % 4 for advice in ADVICE})
    return network, coordinator, organisation_ids


@pytest.mark.parametrize("viewer", ["coordinator", "team"])
def test_the_comparison_takes_the_same_number_of_queries_however_many_members(app, factory, login, viewer):
    counts = []
    for size in (3, 15):
        network, coordinator, organisation_ids = network_of_size(app, factory, size)
        person = coordinator
        if viewer == "team":
            with app.app_context():
                organisation = db.session.get(Organisation, organisation_ids[0])
                db.session.expunge(organisation)
            person = factory.member_with_role(network, RoleKind.PARTICIPANT, organisation)
        client = login(person)
        url = f"/networks/{network.id}/planning" + (f"?municipality={organisation_ids[1]}" if viewer == "coordinator" else "")
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200
        assert len(table(main(response), "planning-municipalities")) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{counts[0]} queries for 3 members, {counts[1]} for 15"
    assert counts[0] <= 10


def test_the_municipality_section_takes_a_fixed_number_of_queries(app, factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["participant"])
    url = f"/networks/{network.id}/municipalities/{hamar.id}"
    with count_queries(app) as empty:
        client.get(url)
    seed(app, network.id, hamar.id, {step: ("adopted", 2019) for step in STEPS}, {advice: 2 for advice in ADVICE})
    with count_queries(app) as full:
        client.get(url)
    assert len(full) == len(empty)
