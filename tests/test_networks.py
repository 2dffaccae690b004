"""The networks capability over HTTP: networks, members, the team checks, anchoring, people and roles."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape
from itertools import zip_longest
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.auth.models import Person
from network.extensions import db
from network.main import clock
from network.networks.models import Membership, MembershipStatus, Network, NetworkRole, NetworkStatus, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from network.outbox.models import OutboxMessage
from tests.factories import world
from tests.query_counter import count_queries
from tests.html import error_summary, field_error, input_value, text

DANGER = "Bare 1 deltaker er registrert. Hver kommune skal ha minst 2, helst 3."
INFO = "2 deltakere er registrert. Helst 3, så laget dekker bredden i boligpolitikken."
NO_ANCHORING = "Forankringen hos kommunedirektøren (rådmannen) er ikke registrert."


# --- helpers ----------------------------------------------------------------------------










def select_options(response, field_id: str) -> list[tuple[str, str]]:
    html = response.get_data(as_text=True)
    block = re.search(rf'<select[^>]*\bid="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    return [(value, unescape(label)) for value, label in re.findall(r'value="([^"]*)"[^>]*>([^<]*)</option>', block.group(1))]


def member_table(response) -> list[str]:
    """Organisation names in the members table, top to bottom."""
    tbody = re.search(r"<tbody>(.*?)</tbody>", response.get_data(as_text=True), re.S).group(1)
    return [unescape(name) for name in re.findall(r'<tr>\s*<td><a class="ds-link" href="[^"]*">([^<]*)</a>', tbody)]


def section(response, heading_id: str) -> str:
    """The text of the <section> labelled by ``heading_id``."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""


def network_form(**overrides) -> dict:
    data = {
        "name": "Klimanettverket", "topic": "Klimatilpasning", "description": "Om klima.", "framing": "Ikke energi.",
        "starts_on": "2021-02-01", "ends_on": "2022-06-30", "ks_contact_name": "Siri Saksbehandler",
        "ks_contact_email": "siri@ks.test", "feedback_email": "klima@ks.test", "status": "planned",
    }
    data.update(overrides)
    return data


def get_membership(network_id: int, organisation_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.network_id == network_id, Membership.organisation_id == organisation_id))


def roles_of(network_id: int, person_id: int) -> set[RoleKind]:
    return set(db.session.scalars(select(NetworkRole.role).where(
        NetworkRole.network_id == network_id, NetworkRole.person_id == person_id)))


def outbox_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def anchor(app, network, organisation, name="Rita Rådmann", decided_on=date(2019, 3, 1)):
    with app.app_context():
        membership = get_membership(network.id, organisation.id)
        membership.executive_name = name
        membership.anchoring_decided_on = decided_on
        db.session.commit()


def add_people(factory, network, organisation, count, role=RoleKind.PARTICIPANT):
    return [factory.member_with_role(network, role, organisation) for _ in range(count)]


# --- creating and editing networks ------------------------------------------------------


def test_admin_creates_a_network_and_becomes_its_coordinator(app, factory, login):
    admin = factory.person(name="Ada Admin", is_admin=True)
    client = login(admin)
    assert "Opprett nettverk" in text(client.get("/networks/"))
    response = client.post("/networks/new", data=network_form())
    assert response.status_code == 302
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == "Klimanettverket"))
        assert network.topic == "Klimatilpasning"
        assert (network.starts_on, network.ends_on) == (date(2021, 2, 1), date(2022, 6, 30))
        assert network.status is NetworkStatus.PLANNED
        assert roles_of(network.id, admin.id) == {RoleKind.COORDINATOR}
    assert response.location == f"/networks/{network.id}"
    page = text(client.get(response.location))
    assert "Nettverket er lagret." in page
    assert "Klimanettverket" in page and "Siri Saksbehandler" in page
    assert "Klimanettverket" in text(client.get("/me"))


def test_only_admins_see_the_create_button(factory, login):
    network, _, _, people = world(factory)
    assert "Opprett nettverk" not in text(login(people["coordinator"]).get("/networks/"))
    assert login(people["coordinator"]).get("/networks/new").status_code == 403


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Gi nettverket et navn."),
    ("topic", "", "Skriv nettverkets tema."),
    ("ks_contact_email", "ikke-en-adresse", "Skriv en gyldig e-postadresse, for eksempel navn@ks.no."),
    ("feedback_email", "klima@", "Skriv en gyldig e-postadresse, for eksempel navn@ks.no."),
    ("ends_on", "2021-01-31", "Sluttdatoen kan ikke være før startdatoen."),
    ("starts_on", "første februar", "Ikke en gyldig datoverdi"),
])
def test_bad_network_input_is_explained_in_norwegian(app, factory, login, field, value, message):
    admin = factory.person(is_admin=True)
    data = network_form(**{field: value})
    response = login(admin).post("/networks/new", data=data)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert message in error_summary(response)
    assert f'href="#{field}"' in response.get_data(as_text=True)  # the summary links to the field
    # What was typed is kept, the bad value too.
    for name in ("name", "topic", "ks_contact_name", "ks_contact_email", "feedback_email", "starts_on", "ends_on"):
        assert input_value(response, name) == data[name], name
    assert input_value(response, "description") == data["description"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Network)) == 0


def test_coordinator_edits_the_network(app, factory, login):
    network, _, _, people = world(factory)
    client = login(people["coordinator"])
    form = client.get(f"/networks/{network.id}/edit")
    assert input_value(form, "name") == "Bolignettverket"
    assert input_value(form, "starts_on") == "2019-04-10"
    assert '<option selected value="active">' in form.get_data(as_text=True)

    response = client.post(f"/networks/{network.id}/edit", data=network_form(
        name="Bolignettverket 2019–2020", topic="Helhetlig boligpolitikk", status="completed",
        starts_on="2019-04-10", ends_on="2020-10-14"))
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}"
    with app.app_context():
        saved = db.session.get(Network, network.id)
        assert (saved.name, saved.topic, saved.status) == ("Bolignettverket 2019–2020", "Helhetlig boligpolitikk",
                                                           NetworkStatus.COMPLETED)
        assert saved.ks_contact_email == "siri@ks.test"
    page = text(client.get(response.location))
    assert "Bolignettverket 2019–2020" in page and "Fullført" in page
    assert "Avsluttet" not in page  # that word is for a network closed by a KS administrator


def test_editing_with_bad_dates_changes_nothing(app, factory, login):
    network, _, _, people = world(factory)
    response = login(people["admin"]).post(f"/networks/{network.id}/edit",
                                           data=network_form(starts_on="2020-01-01", ends_on="2019-01-01"))
    assert response.status_code == 422
    assert "Sluttdatoen kan ikke være før startdatoen." in field_error(response, "ends_on")
    with app.app_context():
        assert db.session.get(Network, network.id).name == "Bolignettverket"


# --- members ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["3403", "Hamar", "hamar", "  HAMAR "])
def test_search_finds_a_municipality_by_name_or_number(factory, login, query):
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    response = login(coordinator).get(f"/networks/{network.id}/members", query_string={"q": query})
    assert response.status_code == 200
    results = section(response, "add-heading")
    assert "Legg til Hamar" in results
    assert "3403" in results and "Innlandet" in results and "31\u00a0369" in results


@pytest.mark.parametrize("query", ["Ålesund", "ålesund", "ÅLESUND", "lesund"])
def test_search_handles_norwegian_letters(factory, login, query):
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    response = login(coordinator).get(f"/networks/{network.id}/members", query_string={"q": query})
    assert "Legg til Ålesund" in section(response, "add-heading")


def test_search_leaves_out_active_members_and_says_when_nothing_matches(factory, login):
    network, _, _, people = world(factory)
    client = login(people["coordinator"])
    results = section(client.get(f"/networks/{network.id}/members?q=3403"), "add-heading")
    assert "Legg til Hamar" not in results
    assert "Ingen treff for «3403» blant dem som ikke alt er med." in results
    assert "Ingen treff" in section(client.get(f"/networks/{network.id}/members?q=%25"), "add-heading")


def test_add_withdraw_and_add_again(app, factory, login):
    network, _, _, people = world(factory)
    client = login(people["coordinator"])
    ringsaker = factory.municipality("3411")
    members_url = f"/networks/{network.id}/members"

    response = client.post(members_url, data={"organisation_id": ringsaker.id})
    assert response.status_code == 302 and response.location == members_url
    page = client.get(members_url)
    assert "Ringsaker er lagt til i nettverket." in text(page)
    assert member_table(page) == ["Hamar", "Lillehammer", "Ringsaker"]
    with app.app_context():
        membership = get_membership(network.id, ringsaker.id)
        assert membership.status is MembershipStatus.ACTIVE and membership.joined_on == clock.oslo_today()
        membership_id = membership.id

    # Adding it again is a message, not an error.
    response = client.post(members_url, data={"organisation_id": ringsaker.id})
    assert response.status_code == 302
    assert "Ringsaker er allerede med i nettverket." in text(client.get(members_url))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == ringsaker.id)) == 1

    response = client.post(f"/networks/{network.id}/members/{membership_id}/withdraw", data={"confirmed": "1"})
    assert response.status_code == 302
    page = client.get(members_url)
    assert "Ringsaker er fjernet fra nettverket." in text(page)
    assert member_table(page) == ["Hamar", "Lillehammer"]
    assert "Ringsaker" in section(page, "withdrawn-heading")
    assert "Tidligere medlemmer" in section(page, "withdrawn-heading")
    assert "Ringsaker" not in section(client.get(f"/networks/{network.id}"), "members-heading")
    # Withdrawn members can be found again.
    assert "Legg til Ringsaker" in section(client.get(members_url + "?q=Ringsaker"), "add-heading")

    response = client.post(members_url, data={"organisation_id": ringsaker.id})
    assert response.status_code == 302
    page = client.get(members_url)
    assert member_table(page) == ["Hamar", "Lillehammer", "Ringsaker"]
    assert section(page, "withdrawn-heading") == ""
    with app.app_context():
        again = get_membership(network.id, ringsaker.id)
        assert again.id == membership_id  # the same membership, history kept
        assert again.status is MembershipStatus.ACTIVE


def sorting_network(app, factory):
    """Six municipalities and one other organisation with different teams, anchoring and notices.

    ========== ================ ============ ======== =======
    name       county           participants anchored notices
    ========== ================ ============ ======== =======
    Arendal    Agder            2            yes      1
    Bodø       Nordland         1            no       2
    Hamar      Innlandet        3            yes      0
    Lillehammer Innlandet       0            yes      1
    Øksnes     Nordland         3            no       1
    Ålesund    Møre og Romsdal  2            no       2
    Boligstiftelsen –           0            no       0
    ========== ================ ============ ======== =======
    """
    network = factory.network("Sorteringsnettverket")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    plan = {"4203": (2, True), "1804": (1, False), "3403": (3, True), "3405": (0, True), "1868": (3, False),
            "1507": (2, False)}
    for number, (participants, anchored) in plan.items():
        municipality = factory.municipality(number)
        factory.member(network, municipality)
        add_people(factory, network, municipality, participants)
        factory.member_with_role(network, RoleKind.EXECUTIVE, municipality)  # executives don't count
        if anchored:
            anchor(app, network, municipality)
    factory.member(network, factory.organisation("Boligstiftelsen"))
    return network, coordinator


SORTED = {
    "name": ["Arendal", "Bodø", "Boligstiftelsen", "Hamar", "Lillehammer", "Øksnes", "Ålesund"],
    "county": ["Arendal", "Hamar", "Lillehammer", "Ålesund", "Bodø", "Øksnes", "Boligstiftelsen"],
    "participants": ["Boligstiftelsen", "Lillehammer", "Bodø", "Arendal", "Ålesund", "Hamar", "Øksnes"],
    "anchoring": ["Bodø", "Boligstiftelsen", "Øksnes", "Ålesund", "Arendal", "Hamar", "Lillehammer"],
    "notices": ["Bodø", "Ålesund", "Arendal", "Lillehammer", "Øksnes", "Boligstiftelsen", "Hamar"],
}


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("sort", list(SORTED))
def test_members_sort_by_each_column(app, factory, login, sort, direction):
    network, coordinator = sorting_network(app, factory)
    response = login(coordinator).get(f"/networks/{network.id}/members", query_string={"sort": sort, "dir": direction})
    expected = SORTED[sort] if direction == "asc" else SORTED[sort][::-1]
    assert member_table(response) == expected
    html = response.get_data(as_text=True)
    assert f'aria-sort="{"ascending" if direction == "asc" else "descending"}"' in html
    # The column's link turns the order around.
    assert f"sort={sort}&amp;dir={'desc' if direction == 'asc' else 'asc'}" in html


def test_members_default_and_unknown_sort_is_by_county(app, factory, login):
    network, coordinator = sorting_network(app, factory)
    client = login(coordinator)
    assert member_table(client.get(f"/networks/{network.id}/members")) == SORTED["county"]
    assert member_table(client.get(f"/networks/{network.id}/members?sort=drop+table")) == SORTED["county"]


def test_members_csv(app, factory, login):
    network, coordinator = sorting_network(app, factory)
    response = login(coordinator).get(f"/networks/{network.id}/members.csv?sort=name")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufeff")  # so that Excel reads æ, ø and å
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0] == ["Organisasjon", "Type", "Kommunenummer", "Fylke", "Deltakere", "Forankret",
                       "Kommunedirektør", "Merknader"]
    assert [row[0] for row in rows[1:]] == SORTED["name"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Hamar"][1:7] == ["Kommune", "3403", "Innlandet", "3", "Ja", "Rita Rådmann"]
    assert by_name["Bodø"][4:6] == ["1", "Nei"]
    assert "Bare 1 deltaker" in by_name["Bodø"][7] and NO_ANCHORING in by_name["Bodø"][7]
    assert by_name["Boligstiftelsen"][1:4] == ["Annen organisasjon", "", ""]


def test_members_csv_does_not_let_a_spreadsheet_run_a_name_as_a_formula(app, factory, login):
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    factory.member(network, factory.organisation('=HYPERLINK("https://evil.test","Klikk")'))
    raw = login(coordinator).get(f"/networks/{network.id}/members.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[1][0] == '\'=HYPERLINK("https://evil.test","Klikk")'


# --- new organisations ------------------------------------------------------------------


def test_coordinator_creates_an_organisation_from_the_members_page(app, factory, login):
    network, _, _, people = world(factory)
    client = login(people["coordinator"])
    page = client.get(f"/networks/{network.id}/members")
    assert "Finner du ikke organisasjonen? Opprett en ny" in text(page)
    assert ("municipality", "Kommune") not in select_options(page, "kind")
    innlandet = dict((label, value) for value, label in select_options(page, "county_id"))["Innlandet"]

    response = client.post(f"/networks/{network.id}/organisations", data={
        "name": " Husbanken region øst ", "kind": "husbanken", "county_id": innlandet, "org_number": "986294538"})
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/members"
    page = client.get(response.location)
    assert "Husbanken region øst er opprettet og lagt til i nettverket." in text(page)
    assert "Husbanken region øst" in member_table(page)
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == "Husbanken region øst"))
        assert organisation.kind is OrganisationKind.HUSBANKEN
        assert organisation.county.name == "Innlandet" and organisation.org_number == "986294538"
        assert get_membership(network.id, organisation.id).status is MembershipStatus.ACTIVE
    # Other members are listed apart on the front page, without team checks.
    front = client.get(f"/networks/{network.id}")
    assert "Husbanken region øst" in section(front, "members-heading")
    assert "Husbanken region øst" not in section(front, "followup-heading")


@pytest.mark.parametrize("field, data, message", [
    ("org_number", {"org_number": "12345"}, "Organisasjonsnummeret må ha 9 sifre og et gyldig kontrollsiffer"),
    ("org_number", {"org_number": "98629453X"}, "Organisasjonsnummeret må ha 9 sifre og et gyldig kontrollsiffer"),
    ("name", {"name": ""}, "Skriv navnet på organisasjonen."),
    ("kind", {"kind": "municipality"}, "Ikke et gyldig valg"),
])
def test_bad_organisation_input_is_refused_with_a_message(app, factory, login, field, data, message):
    network, _, _, people = world(factory)
    form = {"name": "Boligstiftelsen", "kind": "other", "county_id": "", "org_number": "", **data}
    response = login(people["coordinator"]).post(f"/networks/{network.id}/organisations", data=form)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert message in error_summary(response)
    assert input_value(response, "name") == form["name"]
    assert input_value(response, "org_number") == form["org_number"]
    with app.app_context():
        assert db.session.scalar(select(Organisation.id).where(Organisation.name == "Boligstiftelsen")) is None


# --- the team checks --------------------------------------------------------------------
# In world(), Hamar has a participant and a contact (2: "Helst 3"), Lillehammer only its contact
# (1: "Bare 1"), and neither has anchoring.


def test_coordinator_sees_the_checks_everywhere(factory, login):
    network, hamar, lillehammer, people = world(factory)
    client = login(people["coordinator"])

    members = client.get(f"/networks/{network.id}/members")
    rows = text(members).split("<tbody>")[1]
    hamar_row = re.search(r"Hamar</a>.*?</tr>", rows, re.S).group(0)
    lillehammer_row = re.search(r"Lillehammer</a>.*?</tr>", rows, re.S).group(0)
    assert INFO in hamar_row and NO_ANCHORING in hamar_row and "Bare" not in hamar_row
    assert DANGER in lillehammer_row and NO_ANCHORING in lillehammer_row
    assert 'class="notice notice--danger"' in members.get_data(as_text=True)

    followup = section(client.get(f"/networks/{network.id}"), "followup-heading")
    assert "Til oppfølging" in followup
    assert DANGER in followup and NO_ANCHORING in followup
    assert INFO not in followup  # "3 preferred" stays on the members page

    page = text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    assert INFO in page and NO_ANCHORING in page and DANGER not in page
    assert DANGER in text(client.get(f"/networks/{network.id}/municipalities/{lillehammer.id}"))


@pytest.mark.parametrize("viewer, sees_hamar, sees_lillehammer", [
    ("admin", True, True),
    ("coordinator", True, True),
    ("contact", True, False),
    ("other_contact", False, True),
    ("participant", False, False),
    ("executive", False, False),
    ("observer", False, False),
])
def test_checks_show_only_to_coordinators_and_the_municipality_contact(factory, login, viewer, sees_hamar,
                                                                        sees_lillehammer):
    network, hamar, lillehammer, people = world(factory)
    client = login(people[viewer])
    hamar_page = text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    assert (INFO in hamar_page) is sees_hamar
    assert (NO_ANCHORING in hamar_page) is sees_hamar
    lillehammer_page = text(client.get(f"/networks/{network.id}/municipalities/{lillehammer.id}"))
    assert (DANGER in lillehammer_page) is sees_lillehammer
    front = text(client.get(f"/networks/{network.id}"))
    is_coordinator = viewer in ("admin", "coordinator")
    assert ("Til oppfølging" in front) is is_coordinator
    assert (DANGER in front) is is_coordinator


@pytest.mark.parametrize("participants, contacts, notice", [
    (0, 0, "Ingen deltakere er registrert. Hver kommune skal ha minst 2, helst 3."),
    (1, 0, DANGER),
    (0, 1, DANGER),
    (1, 1, INFO),
    (2, 0, INFO),
    (3, 0, None),
    (2, 1, None),
])
def test_team_size_check(app, factory, login, participants, contacts, notice):
    network = factory.network()
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    hamar = factory.municipality("3403")
    factory.member(network, hamar)
    add_people(factory, network, hamar, participants)
    add_people(factory, network, hamar, contacts, RoleKind.CONTACT)
    add_people(factory, network, hamar, 2, RoleKind.EXECUTIVE)  # executives and observers are not the team
    add_people(factory, network, hamar, 1, RoleKind.OBSERVER)
    anchor(app, network, hamar)
    client = login(coordinator)
    page = text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    front = client.get(f"/networks/{network.id}")
    if notice is None:
        assert "Hver kommune skal ha minst" not in page and "Helst 3" not in page
        assert "Til oppfølging" not in text(front)
    elif notice == INFO:  # "3 preferred" is shown on the page, not listed for follow-up
        assert notice in page
        assert "Til oppfølging" not in text(front)
    else:
        assert notice in page
        assert notice in section(front, "followup-heading")
    assert NO_ANCHORING not in page


def test_no_anchoring_check_goes_away_when_anchoring_is_recorded(app, factory, login):
    network, hamar, _, people = world(factory)
    add_people(factory, network, hamar, 1)
    client = login(people["coordinator"])
    assert NO_ANCHORING in text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    anchor(app, network, hamar)
    page = text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    assert NO_ANCHORING not in page
    assert "Hamar" not in section(client.get(f"/networks/{network.id}"), "followup-heading")


# --- anchoring --------------------------------------------------------------------------


ANCHORING = {"executive_name": "Rune Rådmann", "decided_on": "2019-03-01", "note": "Sak 12/19 i formannskapet.",
             "document_url": "https://hamar.kommune.test/sak/12-19"}


def test_contact_records_anchoring(app, factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["contact"])
    url = f"/networks/{network.id}/municipalities/{hamar.id}/anchoring"
    assert "Registrer forankring" in text(client.get(f"/networks/{network.id}/municipalities/{hamar.id}"))
    # Hamar has a person with the executive role: the form asks for her, not for a typed name.
    assert select_options(client.get(url), "executive_id") == [("", "Velg kommunedirektør"),
                                                                  (str(people["executive"].id), "Rita Rådmann")]
    response = client.post(url, data={**ANCHORING, "executive_id": str(people["executive"].id)})
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/municipalities/{hamar.id}"
    page = text(client.get(response.location))
    assert "Forankringen er registrert." in page
    assert "Deltakelsen er forankret hos kommunedirektør Rita Rådmann, 1. mars 2019." in page
    assert "Sak 12/19 i formannskapet." in page
    assert 'href="https://hamar.kommune.test/sak/12-19"' in page
    assert NO_ANCHORING not in page
    with app.app_context():
        membership = get_membership(network.id, hamar.id)
        assert membership.is_anchored
        assert (membership.executive_id, membership.anchoring_decided_on) == (people["executive"].id, date(2019, 3, 1))
    # The form shows what is recorded.
    form = client.get(url)
    assert f'<option selected value="{people["executive"].id}">' in form.get_data(as_text=True)
    assert input_value(form, "decided_on") == "2019-03-01"
    assert input_value(form, "note") == "Sak 12/19 i formannskapet."
    assert input_value(form, "document_url") == "https://hamar.kommune.test/sak/12-19"


@pytest.mark.parametrize("field, value, message", [
    # "{tomorrow}" is worked out when the test runs: a date taken at collection goes stale at midnight.
    ("decided_on", "{tomorrow}", "Datoen for vedtaket kan ikke være frem i tid."),
    ("decided_on", "", "Skriv en gyldig dato."),
    ("decided_on", "1. mars", "Skriv en gyldig dato."),
    ("document_url", "ikke en lenke", "Skriv en fullstendig lenke som begynner med https://."),
    ("document_url", "hamar.kommune.test/sak", "Skriv en fullstendig lenke som begynner med https://."),
    ("document_url", "javascript://hamar.kommune.test/%0Aalert(1)", "Skriv en fullstendig lenke som begynner med https://."),
    ("executive_id", "", "Velg kommunedirektøren (rådmannen)."),
    ("executive_id", "{outsider}", "Velg kommunedirektøren (rådmannen)."),
])
def test_bad_anchoring_is_refused_and_what_was_typed_is_kept(app, factory, login, field, value, message):
    network, hamar, _, people = world(factory)
    value = value.replace("{tomorrow}", (clock.oslo_today() + timedelta(days=1)).isoformat())
    value = value.replace("{outsider}", str(people["other_contact"].id))  # not Hamar's executive
    data = {**ANCHORING, "executive_id": str(people["executive"].id), field: value}
    response = login(people["contact"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/anchoring", data=data)
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert message in error_summary(response)
    for name in ("decided_on", "note", "document_url"):
        assert input_value(response, name) == data[name], name
    with app.app_context():
        membership = get_membership(network.id, hamar.id)
        assert membership.executive_id is None and membership.anchoring_decided_on is None


def test_anchoring_without_an_executive_in_the_network_takes_a_typed_name(app, factory, login):
    network, _, lillehammer, people = world(factory)
    client = login(people["coordinator"])
    url = f"/networks/{network.id}/municipalities/{lillehammer.id}/anchoring"
    form = client.get(url)
    assert input_value(form, "executive_name") == "" and 'id="executive_id"' not in form.get_data(as_text=True)
    response = client.post(url, data={**ANCHORING, "executive_name": ""})
    assert response.status_code == 422
    assert "Skriv navnet på kommunedirektøren (rådmannen)." in field_error(response, "executive_name")
    assert client.post(url, data=ANCHORING).status_code == 302
    with app.app_context():
        membership = get_membership(network.id, lillehammer.id)
        assert (membership.executive_name, membership.executive_id) == ("Rune Rådmann", None)
        assert membership.is_anchored


def test_todays_date_is_not_in_the_future(app, factory, login):
    network, hamar, _, people = world(factory)
    response = login(people["coordinator"]).post(f"/networks/{network.id}/municipalities/{hamar.id}/anchoring",
                                                 data={**ANCHORING, "executive_id": str(people["executive"].id),
                                                       "decided_on": clock.oslo_today().isoformat()})
    assert response.status_code == 302


# --- inviting people and roles ----------------------------------------------------------


def invite(client, network, organisation, roles=("participant",), email="nora.ny@example.test", name="Nora Ny",
           **extra):
    data = {"name": name, "email": email, "job_title": "Boligkonsulent", "phone": "+47 900 00 000",
            "organisation_id": str(organisation.id), "roles": list(roles), **extra}
    return client.post(f"/networks/{network.id}/people/invite", data=data)


@pytest.mark.parametrize("inviter", ["coordinator", "admin", "contact"])
def test_inviting_a_new_person_creates_an_account_and_queues_an_invitation(app, factory, login, client, inviter):
    network, hamar, _, people = world(factory)
    inviter_client = login(people[inviter])
    response = invite(inviter_client, network, hamar, roles=["participant", "executive"])
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/municipalities/{hamar.id}"
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "nora.ny@example.test"))
        assert person.name == "Nora Ny" and person.organisation_id == hamar.id
        assert (person.job_title, person.phone) == ("Boligkonsulent", "+4790000000")  # stored in E.164
        assert not person.has_password
        assert roles_of(network.id, person.id) == {RoleKind.PARTICIPANT, RoleKind.EXECUTIVE}
        [mail] = outbox_to("nora.ny@example.test")
        assert "Bolignettverket" in mail.subject
        assert people[inviter].name in mail.body_text
        link = re.search(r"https?://\S*/invitation/\S+", mail.body_text).group(0)
    page = text(inviter_client.get(response.location))
    assert "Nora Ny er invitert. Invitasjonen er sendt til nora.ny@example.test." in page
    assert "Nora Ny" in page
    # The link in the mail lets Nora choose a password.
    invitation = client.get(urlsplit(link).path)
    assert invitation.status_code == 200
    assert "Velkommen, Nora Ny" in text(invitation)


def test_inviting_an_existing_person_adds_roles_and_tells_them(app, factory, login):
    network, hamar, _, people = world(factory)
    dag = people["participant"]
    client = login(people["coordinator"])
    response = invite(client, network, hamar, roles=["participant", "executive"],
                      email=dag.email, name="Et annet navn")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person).where(Person.email == dag.email)) == 1
        assert db.session.get(Person, dag.id).name == "Dag Deltaker"  # the name is not overwritten
        assert roles_of(network.id, dag.id) == {RoleKind.PARTICIPANT, RoleKind.EXECUTIVE}
        [mail] = outbox_to(dag.email)
        assert mail.subject == "Du har fått en ny rolle i Bolignettverket"
        # Only the new role is named.
        assert "Du har fått nye roller i Bolignettverket: Kommunedirektør (rådmann)." in mail.body_text
        assert "/invitation/" not in mail.body_text
    assert "Dag Deltaker har fått nye roller." in text(client.get(response.location))


def test_inviting_someone_to_roles_they_have_sends_nothing(app, factory, login):
    network, hamar, _, people = world(factory)
    client = login(people["coordinator"])
    response = invite(client, network, hamar, roles=["participant"], email=people["participant"].email)
    assert response.status_code == 302
    assert "Dag Deltaker hadde allerede disse rollene." in text(client.get(response.location))
    with app.app_context():
        assert outbox_to(people["participant"].email) == []


@pytest.mark.parametrize("typed", ["KARI@Example.test", " kari@EXAMPLE.TEST "])
def test_invitation_email_is_case_insensitive(app, factory, login, typed):
    network, hamar, _, people = world(factory)
    kari = factory.person(name="Kari Nordmann", email="kari@example.test", organisation=hamar)
    response = invite(login(people["contact"]), network, hamar, roles=["participant"], email=typed)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person).where(
            func.lower(Person.email) == "kari@example.test")) == 1
        assert roles_of(network.id, kari.id) == {RoleKind.PARTICIPANT}
        assert [mail.subject for mail in outbox_to("kari@example.test")] == ["Du har fått en ny rolle i Bolignettverket"]


@pytest.mark.parametrize("role", ["coordinator", "observer"])
def test_contact_may_not_grant_coordinator_or_observer(app, factory, login, role):
    network, hamar, _, people = world(factory)
    response = invite(login(people["contact"]), network, hamar, roles=["participant", role])
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Person).where(Person.email == "nora.ny@example.test")) is None
        assert outbox_to("nora.ny@example.test") == []


def test_contact_may_only_pick_their_own_municipality(app, factory, login):
    network, hamar, lillehammer, people = world(factory)
    client = login(people["contact"])
    form = client.get(f"/networks/{network.id}/people/invite")
    assert form.status_code == 200
    # The empty first choice makes the list valid HTML; their only organisation is chosen for them.
    assert select_options(form, "organisation_id") == [("", "Velg organisasjon"), (str(hamar.id), "Hamar")]
    assert '<option selected value="%d">' % hamar.id in form.get_data(as_text=True)
    html = form.get_data(as_text=True)
    assert 'value="participant"' in html and 'value="executive"' in html and 'value="contact"' in html
    assert 'value="coordinator"' not in html and 'value="observer"' not in html

    response = invite(client, network, lillehammer, roles=["participant"])
    assert response.status_code == 403
    # An organisation that is not in the network at all is just a bad choice.
    response = invite(client, network, factory.municipality("3411"), roles=["participant"])
    assert response.status_code == 422
    assert "Ikke et gyldig valg" in field_error(response, "organisation_id")
    with app.app_context():
        assert db.session.scalar(select(Person).where(Person.email == "nora.ny@example.test")) is None


def test_the_invite_form_preselects_no_organisation_when_there_is_a_choice(factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    html = login(people["coordinator"]).get(f"/networks/{network.id}/people/invite").get_data(as_text=True)
    assert "<option selected" not in html  # nobody is invited to "Agder …" by not choosing


def test_coordinator_may_pick_every_member_and_role(factory, login):
    network, hamar, lillehammer, people = world(factory)
    form = login(people["coordinator"]).get(f"/networks/{network.id}/people/invite?organisation_id={lillehammer.id}")
    options = dict(select_options(form, "organisation_id"))
    assert {options[str(hamar.id)], options[str(lillehammer.id)]} == {"Hamar", "Lillehammer"}
    assert "KS" in options.values()  # the coordinator's own organisation
    html = form.get_data(as_text=True)
    assert '<option value="">Velg organisasjon</option>' in html
    assert '<option selected value="%d">' % lillehammer.id in html
    for role in RoleKind:
        assert f'value="{role.value}"' in html


def test_coordinator_invites_an_observer_to_their_own_organisation(app, factory, login):
    network, _, _, people = world(factory)
    with app.app_context():
        ks = db.session.get(Person, people["coordinator"].id).organisation
        db.session.expunge(ks)
    response = invite(login(people["coordinator"]), network, ks, roles=["observer"], email="ola@ks.test")
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/people"
    with app.app_context():
        ola = db.session.scalar(select(Person).where(Person.email == "ola@ks.test"))
        assert roles_of(network.id, ola.id) == {RoleKind.OBSERVER}


def test_an_email_from_another_organisation_is_refused_on_the_form(app, factory, login):
    network, hamar, _, people = world(factory)
    lise = people["other_contact"]  # Lillehammer
    response = invite(login(people["contact"]), network, hamar, roles=["participant"], email=lise.email.upper())
    assert response.status_code == 422
    message = f"{lise.email} kan ikke inviteres for Hamar."  # issue 17: nothing about where Lise is
    assert message in field_error(response, "email")
    assert message in error_summary(response)
    assert input_value(response, "name") == "Nora Ny"
    with app.app_context():
        assert roles_of(network.id, lise.id) == {RoleKind.CONTACT}
        assert db.session.get(Person, lise.id).organisation_id != hamar.id
        assert outbox_to(lise.email) == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Skriv navnet på personen."),
    ("email", "", "Skriv e-postadressen."),
    ("email", "nora@", "Skriv en gyldig e-postadresse"),
    ("roles", [], "Velg minst én rolle."),
])
def test_bad_invitation_input_is_explained(app, factory, login, field, value, message):
    network, hamar, _, people = world(factory)
    response = invite(login(people["contact"]), network, hamar, **{field: value})
    assert response.status_code == 422
    assert message in field_error(response, field)
    assert message in error_summary(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_people_page_lists_everyone_with_their_roles(factory, login):
    network, hamar, _, people = world(factory)
    factory.role(network, people["participant"], RoleKind.EXECUTIVE)
    page = text(login(people["observer"]).get(f"/networks/{network.id}/people"))
    rows = {re.sub(r"<[^>]+>", "", row.split("</td>")[0]).strip(): re.sub(r"<[^>]+>", " ", row)
            for row in page.split("<tbody>")[1].split("<tr>")[1:]}
    assert set(rows) == {"Dag Deltaker", "Kari Kontakt", "Rita Rådmann", "Lise Lillehammer", "Olav Observatør",
                         "Kristin Koordinator"}
    assert "Deltaker, Kommunedirektør (rådmann)" in rows["Dag Deltaker"]
    assert "Hamar" in rows["Dag Deltaker"]
    assert "Koordinator" in rows["Kristin Koordinator"]
    assert "Observatør" in rows["Olav Observatør"]
    assert "Ulla Utenfor" not in page and "Ada Admin" not in page
    assert list(rows) == sorted(rows)  # by name
    # Member organisations link to their page; KS is not a member, so it has none.
    html = page.split("<tbody>")[1]
    assert f'href="/networks/{network.id}/municipalities/{hamar.id}">Hamar</a>' in html
    assert "<td>KS</td>" in html
    assert "/municipalities/" not in rows["Kristin Koordinator"]


@pytest.mark.parametrize("viewer, may_invite", [
    ("coordinator", True), ("admin", True), ("contact", True), ("other_contact", True),
    ("participant", False), ("executive", False), ("observer", False),
])
def test_people_page_offers_invitations_to_those_who_may_invite(factory, login, viewer, may_invite):
    network, _, _, people = world(factory)
    page = text(login(people[viewer]).get(f"/networks/{network.id}/people"))
    assert ("Inviter personer" in page) is may_invite


@pytest.mark.parametrize("actor", ["coordinator", "contact"])
def test_revoking_a_role(app, factory, login, actor):
    network, hamar, _, people = world(factory)
    with app.app_context():
        role_id = db.session.scalar(select(NetworkRole.id).where(NetworkRole.person_id == people["participant"].id))
    client = login(people[actor])
    page_url = f"/networks/{network.id}/municipalities/{hamar.id}"
    assert f"/roles/{role_id}/revoke" in client.get(page_url).get_data(as_text=True)
    response = client.post(f"/networks/{network.id}/roles/{role_id}/revoke", data={"back": page_url, "confirmed": "1"})
    assert response.status_code == 302
    assert response.location == page_url
    page = text(client.get(page_url))
    assert "Dag Deltaker har ikke lenger rollen deltaker." in page
    with app.app_context():
        assert db.session.get(NetworkRole, role_id) is None
        assert db.session.get(Person, people["participant"].id) is not None  # the account stays


def test_revoke_does_not_follow_a_link_off_the_site(app, factory, login):
    network, _, _, people = world(factory)
    with app.app_context():
        role_id = db.session.scalar(select(NetworkRole.id).where(NetworkRole.person_id == people["observer"].id))
    response = login(people["coordinator"]).post(f"/networks/{network.id}/roles/{role_id}/revoke",
                                                 data={"back": "https://evil.test/", "confirmed": "1"})
    assert response.location == f"/networks/{network.id}/people"


def test_revoke_buttons_show_only_what_the_viewer_may_revoke(app, factory, login):
    network, hamar, lillehammer, people = world(factory)
    hamar_coordinator = factory.member_with_role(network, RoleKind.COORDINATOR, hamar, name="Hans Hamar")
    with app.app_context():
        coordinator_role = db.session.scalar(select(NetworkRole.id).where(NetworkRole.person_id == hamar_coordinator.id))
        participant_role = db.session.scalar(select(NetworkRole.id).where(NetworkRole.person_id == people["participant"].id))
    hamar_page = f"/networks/{network.id}/municipalities/{hamar.id}"
    contact_view = login(people["contact"]).get(hamar_page).get_data(as_text=True)
    assert f"/roles/{participant_role}/revoke" in contact_view
    assert f"/roles/{coordinator_role}/revoke" not in contact_view
    for viewer in ("other_contact", "participant", "observer"):
        assert "/revoke" not in login(people[viewer]).get(hamar_page).get_data(as_text=True), viewer
    coordinator_view = login(people["coordinator"]).get(hamar_page).get_data(as_text=True)
    assert f"/roles/{coordinator_role}/revoke" in coordinator_view


# --- front page and my page -------------------------------------------------------------


def test_front_page_groups_municipalities_by_county_and_lists_gatherings(app, factory, login):
    network, hamar, lillehammer, people = world(factory)
    for number in ("1507", "4203", "1804", "1868"):  # Ålesund, Arendal, Bodø, Øksnes
        factory.member(network, factory.municipality(number))
    factory.member(network, factory.organisation("Husbanken", OrganisationKind.HUSBANKEN))
    factory.gathering(network, 2, date(2019, 9, 12), title="Boligsosial samling")
    factory.gathering(network, 1, date(2019, 4, 10), title="Oppstart")
    response = login(people["participant"]).get(f"/networks/{network.id}")
    assert response.status_code == 200
    members = section(response, "members-heading")
    groups = re.findall(r'<h3 class="ds-heading" data-size="2xs">([^<]*)</h3>\s*<ul class="ds-list">(.*?)</ul>',
                        members, re.S)
    by_county = [(county, re.findall(r'<a class="ds-link" href="[^"]*">([^<]*)</a>', items)) for county, items in groups]
    assert by_county == [
        ("Agder", ["Arendal"]),
        ("Innlandet", ["Hamar", "Lillehammer"]),
        ("Møre og Romsdal", ["Ålesund"]),
        ("Nordland", ["Bodø", "Øksnes"]),
        ("Andre deltakende organisasjoner", ["Husbanken"]),
    ]
    gatherings = section(response, "gatherings-heading")
    assert gatherings.index("1. Oppstart 1") < gatherings.index("2. Boligsosial samling 2")
    assert "10. april 2019" in gatherings and "12. september 2019" in gatherings
    about = section(response, "about-heading")
    assert "Kontakt i KS" in about
    assert "Kari Koordinator" in about and 'href="mailto:kontakt@ks.test"' in about
    page = text(response)
    assert "Boligpolitikk · 10. april 2019–14. oktober 2020 · Pågår" in page
    assert "Rediger nettverket" not in page  # participants don't edit


def test_front_page_without_gatherings_members_or_dates(factory, login):
    network = factory.network("Tomt nettverk", starts_on=None, ends_on=None, status=NetworkStatus.PLANNED)
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    client = login(coordinator)
    page = text(client.get(f"/networks/{network.id}"))
    assert "Ingen samlinger er lagt inn ennå." in page
    assert "Ingen kommuner er med ennå." in page
    assert "Rediger nettverket" in page
    assert "Boligpolitikk · Planlagt" in page  # no lone dash for an unknown period
    assert "Ikke fastsatt" in text(client.get("/networks/"))


def test_my_page_lists_my_networks_and_roles(app, factory, login):
    network, hamar, _, people = world(factory)
    second = factory.network("Klimanettverket", status=NetworkStatus.PLANNED)
    factory.role(second, people["contact"], RoleKind.OBSERVER)
    factory.role(network, people["contact"], RoleKind.EXECUTIVE)
    page = text(login(people["contact"]).get("/me"))
    assert "Kari Kontakt" in page and people["contact"].email in page and "Hamar" in page
    networks = section(login(people["contact"]).get("/me"), "networks-heading")
    items = re.findall(r"<li>(.*?)</li>", networks, re.S)
    assert len(items) == 2
    [bolig] = [item for item in items if "Bolignettverket" in item]
    [klima] = [item for item in items if "Klimanettverket" in item]
    assert "Roller: Kontaktperson, Kommunedirektør (rådmann)" in bolig and "Pågår" in bolig
    assert f"/networks/{network.id}/municipalities/{hamar.id}" in bolig  # "Min kommune: Hamar"
    assert "Roller: Observatør" in klima and "Planlagt" in klima
    # Hamar is not a member of the other network, so no link to a page that isn't there.
    assert "Min kommune" not in klima
    assert "Et annet nettverk" not in networks


def test_my_page_for_admins_and_people_without_networks(factory, login):
    network, _, _, people = world(factory)
    admin_page = section(login(people["admin"]).get("/me"), "networks-heading")
    assert "Bolignettverket" in admin_page and "Et annet nettverk" in admin_page and "KS-administrator" in admin_page
    loner = factory.person(name="Nils Ny")
    assert "Du er ikke med i noe nettverk ennå." in text(login(loner).get("/me"))
    outsider_page = text(login(people["outsider"]).get("/me"))
    assert "Et annet nettverk" in outsider_page and "Bolignettverket" not in outsider_page


def test_network_list_shows_my_roles(factory, login):
    network, _, _, people = world(factory)
    page = text(login(people["other_contact"]).get("/networks/"))
    assert "Bolignettverket" in page and "Kontaktperson" in page and "Et annet nettverk" not in page


# --- a bounded number of SQL queries ----------------------------------------------------




def network_of_size(app, factory, size: int):
    """A network with ``size`` municipalities, each with a team, half of them anchored,
    plus another organisation, a withdrawn member and two gatherings."""
    network = factory.network(f"Nettverk med {size}")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    with app.app_context():
        # One from each county in turn, so that more members also means more counties.
        rows = db.session.execute(select(Organisation.county_id, Organisation.kommunenummer).where(
            Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.kommunenummer)).all()
    by_county: dict[int, list[str]] = {}
    for county_id, number in rows:
        by_county.setdefault(county_id, []).append(number)
    numbers = [number for group in zip_longest(*by_county.values()) for number in group if number][:size + 1]
    for index, number in enumerate(numbers[:size]):
        municipality = factory.municipality(number)
        factory.member(network, municipality)
        factory.member_with_role(network, RoleKind.PARTICIPANT, municipality)
        contact = factory.member_with_role(network, RoleKind.CONTACT, municipality)
        factory.role(network, contact, RoleKind.EXECUTIVE)
        if index % 2:
            anchor(app, network, municipality)
    factory.member(network, factory.organisation(f"Husbanken {size}", OrganisationKind.HUSBANKEN))
    factory.member(network, factory.municipality(numbers[size]), status=MembershipStatus.WITHDRAWN)
    factory.gathering(network, 1, date(2019, 4, 10))
    factory.gathering(network, 2, date(2019, 9, 12))
    return network, coordinator


PAGES = ["", "/members", "/members?sort=notices&dir=desc&q=Oslo", "/members.csv", "/people"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_load_in_a_bounded_number_of_queries(app, factory, login, page):
    counts = []
    for size in (3, 15):
        network, coordinator = network_of_size(app, factory, size)
        client = login(coordinator)
        with count_queries(app) as statements:
            response = client.get(f"/networks/{network.id}{page}")
        assert response.status_code == 200
        if page in ("", "/members"):
            assert text(response).count("/municipalities/") >= size
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page or 'front page'}: {counts[0]} queries for 3 members, {counts[1]} for 15"
    assert 0 < counts[0] <= 15


def test_front_page_for_participants_is_bounded_too(app, factory, login):
    counts = []
    for size in (3, 15):
        network, _ = network_of_size(app, factory, size)
        with app.app_context():
            participant = db.session.scalar(select(Person).join(NetworkRole).where(
                NetworkRole.network_id == network.id, NetworkRole.role == RoleKind.PARTICIPANT))
            db.session.expunge(participant)
        client = login(participant)
        with count_queries(app) as statements:
            assert client.get(f"/networks/{network.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("stored", ["javascript:alert(1)", "data:text/html,<b>x</b>", "hamar.kommune.test/sak"])
def test_a_stored_anchoring_address_that_is_not_http_is_never_a_link(app, factory, login, stored):
    """Forms refuse such addresses; a row from before that rule, or written another way, is shown as no link."""
    network, hamar, _, people = world(factory)
    with app.app_context():
        membership = get_membership(network.id, hamar.id)
        membership.executive_name, membership.anchoring_decided_on = "Rune Rådmann", date(2019, 3, 1)
        membership.anchoring_document_url = stored
        db.session.commit()
    page = login(people["coordinator"]).get(f"/networks/{network.id}/municipalities/{hamar.id}").get_data(as_text=True)
    assert "Rune Rådmann" in page
    assert "Dokument om forankringen" not in page and 'href="javascript' not in page and 'href="data:' not in page
