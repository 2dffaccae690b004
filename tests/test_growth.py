"""Growth classes: the real network's municipalities, the thresholds, overrides and the pages."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from network.extensions import db
from network.growth import services
from network.growth.models import GrowthClass, GrowthOverride, GrowthSettings
from network.growth.services import GrowthError, Thresholds
from network.growth.views import growth_percent
from network.networks.models import Membership, MembershipStatus, Network, RoleKind
from network.organisations.models import Organisation, OrganisationKind
from tests.factories import world
from tests.query_counter import count_queries

STRONG, GROWTH, STABLE, DECLINE, UNKNOWN = (GrowthClass.STRONG_GROWTH, GrowthClass.GROWTH, GrowthClass.STABLE,
                                            GrowthClass.DECLINE, GrowthClass.UNKNOWN)
D = Decimal

# The 2019–2020 network, from SSB's figures (network/data/network_2019.csv): kommunenummer, name,
# change 2010–2020 in percent, average yearly change in percent, class under the default thresholds.
NETWORK_2019 = [
    ("3031", "Nittedal", "15.81", "1.48", STRONG),
    ("3054", "Lunner", "5.21", "0.51", GROWTH),
    ("3049", "Lier", "15.23", "1.43", STRONG),
    ("1103", "Stavanger", "9.84", "0.94", GROWTH),
    ("1149", "Karmøy", "6.47", "0.63", GROWTH),
    ("5444", "Sør-Varanger", "4.31", "0.42", STABLE),
    ("1840", "Saltdal", "-0.45", "-0.04", DECLINE),
    ("1868", "Øksnes", "-0.63", "-0.06", DECLINE),
    ("3443", "Vestre Toten", "5.14", "0.50", GROWTH),  # 0.5029 a year: exactly at the threshold once rounded
    ("3403", "Hamar", "10.67", "1.02", STRONG),
    ("3405", "Lillehammer", "7.44", "0.72", GROWTH),
    ("5060", "Nærøysund", "5.61", "0.55", GROWTH),
    ("4218", "Iveland", "6.14", "0.60", GROWTH),
    ("4203", "Arendal", "8.03", "0.78", GROWTH),
    ("4204", "Kristiansand", "14.21", "1.34", STRONG),
    ("4205", "Lindesnes", "6.75", "0.66", GROWTH),
    ("3801", "Horten", "6.52", "0.63", GROWTH),
]
DATA_FILE = Path(__file__).resolve().parent.parent / "network" / "data" / "network_2019.csv"
NO_2010_FIGURE = ["1806", "1875", "5055", "5056", "5059"]  # Narvik, Hamarøy, Heim, Hitra, Orkland

ORDER_MESSAGE = ("Grensene må være i stigende rekkefølge: nedgang under stabil, stabil under vekst, "
                 "vekst under sterk vekst, så klassene ikke overlapper.")
RANGE_MESSAGE = "Grensene må ligge mellom -20 og 20 prosent per år."
NUMBER_MESSAGE = "Skriv et tall, for eksempel 0,5 eller -0,25."
BLANK_MESSAGE = "Fyll ut grensen, for eksempel 0,5."
DECIMALS_MESSAGE = "Bruk høyst to desimaler."
FIELDS = ("strong_growth_min", "growth_min", "stable_min")


# --- helpers ----------------------------------------------------------------------------


# Page text is compared with plain spaces: the helpers below turn no-break spaces into spaces.


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def plain(response) -> str:
    """The page's main content as text, tags removed and whitespace collapsed."""
    main = response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).replace(" .", ".").replace(" ,", ",")


def section(response, element_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', response.get_data(as_text=True), re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(0))))


def table_rows(response, table_class: str = "growth-table") -> list[list[str]]:
    table = re.search(rf'<table class="ds-table {table_class}".*?</table>', response.get_data(as_text=True), re.S)
    assert table, table_class
    body = table.group(0).split("<tbody>", 1)[1]
    return [[re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", cell))).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', response.get_data(as_text=True), re.S)
    return unescape(match.group(1)).strip() if match else None


def input_value(response, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', response.get_data(as_text=True))
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return unescape(value.group(1)) if value else None


def checked(response, value: str) -> bool:
    radio = re.search(rf'<input[^>]*type="radio" value="{value}"[^>]*>', response.get_data(as_text=True))
    return radio is not None and " checked" in radio.group(0)


def error_summary(response) -> str:
    match = re.search(r'<div class="ds-error-summary".*?</ul>', response.get_data(as_text=True), re.S)
    return unescape(match.group(0)) if match else ""


def class_counts(response, table_id: str = "growth-counts") -> dict[str, int]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</tbody>', response.get_data(as_text=True), re.S).group(0)
    cells = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>\s*<td class="amount">(\d+)</td>', table, re.S)
    return {re.sub(r"<[^>]+>", "", label).strip(): int(count) for label, count in cells}


def network_2019(factory, numbers=None):
    """A network with the 2019–2020 municipalities (or ``numbers``), and its coordinator."""
    network = factory.network("Boligpolitikk 2019–2020")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR, name="Kristin Koordinator")
    organisations = {}
    for number in numbers if numbers is not None else [row[0] for row in NETWORK_2019]:
        organisations[number] = factory.municipality(number)
        factory.member(network, organisations[number])
    return network, coordinator, organisations


def settings_row(app, network):
    with app.app_context():
        settings = db.session.get(GrowthSettings, network.id)
        return None if settings is None else (settings.strong_growth_min, settings.growth_min, settings.stable_min)


def override_row(app, network, organisation):
    with app.app_context():
        override = db.session.scalar(select(GrowthOverride).join(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == organisation.id))
        if override is None:
            return None
        return override.growth_class, override.reason, override.set_by.name if override.set_by else None


def save_settings(app, network, strong, growth, stable):
    with app.app_context():
        db.session.add(GrowthSettings(network_id=network.id, strong_growth_min=D(strong), growth_min=D(growth),
                                      stable_min=D(stable)))
        db.session.commit()


def add_override(app, network, organisation, growth_class, reason="Kjent lokal utvikling."):
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(
            Membership.network_id == network.id, Membership.organisation_id == organisation.id))
        db.session.add(GrowthOverride(membership_id=membership.id, growth_class=growth_class, reason=reason))
        db.session.commit()


def synthetic(population_2010, population_2020, centrality_class=3) -> Organisation:
    return Organisation(name="Testkommune", kind=OrganisationKind.MUNICIPALITY, population_2010=population_2010,
                        population_2020=population_2020, centrality_class=centrality_class)


# --- the real network's municipalities --------------------------------------------------


def test_the_list_is_the_network_of_2019():
    with DATA_FILE.open(encoding="utf-8") as file:
        in_file = {row["kommunenummer"]: row["name"] for row in csv.DictReader(file)}
    assert in_file == {number: name for number, name, *_rest in NETWORK_2019}


@pytest.mark.parametrize("number, name, change, yearly, growth_class", NETWORK_2019,
                         ids=[row[1] for row in NETWORK_2019])
def test_each_network_municipality_is_classified_from_ssb_figures(app, number, name, change, yearly, growth_class):
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == number))
        figures = services.figures_for(organisation)
    assert organisation.name == name
    assert figures.change_percent == D(change)
    assert figures.yearly_percent == D(yearly)
    assert Thresholds().classify(figures.yearly_percent) is growth_class


def test_the_overview_of_the_2019_network(factory, login):
    network, coordinator, _ = network_2019(factory)
    response = login(coordinator).get(f"/networks/{network.id}/growth?sort=name")
    assert response.status_code == 200
    assert class_counts(response) == {"Sterk vekst": 4, "Vekst": 10, "Stabil": 1, "Nedgang": 2, "Ukjent": 0}
    rows = {row[0]: row for row in table_rows(response)}
    assert len(rows) == 17
    for _number, name, change, yearly, growth_class in NETWORK_2019:
        row = rows[name]
        sign = "+" if D(change) > 0 else ""
        assert row[4] == f"{sign}{change.replace('.', ',')} %", name
        assert row[5] == f"{sign}{yearly.replace('.', ',')} %", name
        assert row[7] == growth_class.label and row[9] == growth_class.label, name
    assert rows["Hamar"][1:4] == ["Innlandet", "28 344", "31 369"]
    assert rows["Hamar"][6] == "2"


# --- the thresholds and rounding --------------------------------------------------------


@pytest.mark.parametrize("yearly, expected", [
    ("5.00", STRONG), ("1.01", STRONG), ("1.00", STRONG), ("0.99", GROWTH),
    ("0.51", GROWTH), ("0.50", GROWTH), ("0.49", STABLE),
    ("0.01", STABLE), ("0.00", STABLE), ("-0.00", STABLE), ("-0.01", DECLINE), ("-3.00", DECLINE),
    (None, UNKNOWN),
])
def test_default_thresholds_include_their_lower_limit(yearly, expected):
    assert Thresholds().classify(None if yearly is None else D(yearly)) is expected


@pytest.mark.parametrize("yearly, expected", [
    ("1.50", STRONG), ("1.49", GROWTH), ("0.75", GROWTH), ("0.74", STABLE),
    ("-0.20", STABLE), ("-0.21", DECLINE),
])
def test_custom_thresholds_classify(yearly, expected):
    assert Thresholds(D("1.50"), D("0.75"), D("-0.20")).classify(D(yearly)) is expected


@pytest.mark.parametrize("start, end, yearly, expected", [
    (100000, 110408, "1.00", STRONG),    # 0.99504… rounds up to the threshold
    (100000, 110407, "0.99", GROWTH),    # 0.99495… stays below
    (100000, 105062, "0.50", GROWTH),    # 0.49503…: 0.495 → 0.50
    (100000, 105061, "0.49", STABLE),    # 0.49493…
    (100000, 100000, "0.00", STABLE),
    (100000, 99951, "0.00", STABLE),     # -0.0049…: rounds to zero, which is not a decline
    (100000, 99950, "-0.01", DECLINE),   # -0.0050…: half up rounds away from zero
    (0, 5000, None, UNKNOWN),
    (None, 5000, None, UNKNOWN),
])
def test_the_rounded_figure_decides_the_class(start, end, yearly, expected):
    figures = services.figures_for(synthetic(start, end))
    assert figures.yearly_percent == (None if yearly is None else D(yearly))
    assert Thresholds().classify(figures.yearly_percent) is expected
    assert figures.centrality_class == 3


@pytest.mark.parametrize("number", NO_2010_FIGURE)
def test_municipalities_without_a_2010_figure_are_unknown(app, number):
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == number))
        figures = services.figures_for(organisation)
    assert organisation.population_2010 is None and organisation.population_2020 > 0
    assert (figures.change_percent, figures.yearly_percent) == (None, None)
    assert Thresholds().classify(figures.yearly_percent) is UNKNOWN


def test_narvik_is_explained_on_its_page_and_in_the_overview(factory, login):
    network, coordinator, organisations = network_2019(factory, ["1806", "3403"])
    client = login(coordinator)
    page = section(client.get(f"/networks/{network.id}/municipalities/{organisations['1806'].id}"), "growth")
    assert "Vekstklasse: Ukjent" in page
    assert "SSB har ikke et folketall for 2010 på kommunens nåværende grenser" in page
    assert "Innbyggere 1. januar 2020 21 845" in page
    assert "klasse 4 (indeks 686)" in page
    overview = client.get(f"/networks/{network.id}/growth")
    narvik = next(row for row in table_rows(overview) if row[0] == "Narvik")
    assert narvik[2] == "Ukjent" and narvik[4] == "Ukjent" and narvik[9] == "Ukjent"
    assert class_counts(overview)["Ukjent"] == 1


@pytest.mark.parametrize("number, sentence", [
    ("3443", "Gjennomsnittlig årlig endring 0,50 % er minst grensen for vekst (0,50 %) og under grensen "
             "for sterk vekst (1,00 %)."),
    ("3403", "Gjennomsnittlig årlig endring 1,02 % er minst grensen for sterk vekst (1,00 %)."),
    ("5444", "Gjennomsnittlig årlig endring 0,42 % er minst grensen for stabil (0,00 %) og under grensen "
             "for vekst (0,50 %)."),
    ("1840", "Gjennomsnittlig årlig endring -0,04 % er under grensen for stabil (0,00 %)."),
])
def test_the_municipality_page_says_how_the_class_was_found(factory, login, number, sentence):
    network, coordinator, organisations = network_2019(factory, [number])
    page = section(login(coordinator).get(f"/networks/{network.id}/municipalities/{organisations[number].id}"),
                   "growth")
    assert sentence in page
    assert "Sentralitet vises som bakgrunn, men brukes ikke når klassen beregnes." in page
    assert "Kilde: SSB, tabell 07459, og SSBs sentralitetsindeks." in page


def test_the_municipality_page_shows_the_figures(factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    hamar = factory.municipality("3403")
    page = section(login(people["participant"]).get(f"/networks/{network.id}/municipalities/{hamar.id}"), "growth")
    for text in ("Vekstklasse: Sterk vekst", "Innbyggere 1. januar 2010 (2020-grenser) 28 344",
                 "Innbyggere 1. januar 2020 31 369", "Endring 2010–2020 +10,67 %",
                 "Gjennomsnittlig endring per år +1,02 %", "klasse 2 (indeks 873)", "Beregnet klasse Sterk vekst"):
        assert text in page
    # A participant sees the classes but may not override them.
    assert "Overstyr vekstklassen" not in page
    assert "Se vekstklassene for alle kommunene i nettverket" in page


def test_members_that_are_no_municipality_have_no_growth_section(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    husbanken = factory.organisation("Husbanken", OrganisationKind.HUSBANKEN)
    factory.member(network, husbanken)
    response = login(people["coordinator"]).get(f"/networks/{network.id}/municipalities/{husbanken.id}")
    assert response.status_code == 200
    assert 'id="growth-heading"' not in response.get_data(as_text=True)
    overview = login(people["coordinator"]).get(f"/networks/{network.id}/growth")
    assert [row[0] for row in table_rows(overview)] == ["Hamar", "Lillehammer"]


def test_withdrawn_members_are_left_out(factory, login):
    network, coordinator, organisations = network_2019(factory, ["3403"])
    factory.member(network, factory.municipality("3405"), status=MembershipStatus.WITHDRAWN)
    rows = table_rows(login(coordinator).get(f"/networks/{network.id}/growth"))
    assert [row[0] for row in rows] == ["Hamar"]


def test_the_overview_states_the_thresholds_in_words(factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    page = plain(login(people["observer"]).get(f"/networks/{network.id}/growth"))
    for text in ("Sterk vekst: en gjennomsnittlig årlig endring på minst 1,00 %.",
                 "Vekst: minst 0,50 %, men under 1,00 %.", "Stabil: minst 0,00 %, men under 0,50 %.",
                 "Nedgang: under 0,00 %.", "Sentralitet vises som bakgrunn, men brukes ikke når klassen beregnes."):
        assert text in page
    # The observer may download, not edit.
    assert "Last ned som CSV" in page and "Endre grensene" not in page and "Overstyr Hamar" not in page


def test_coordinators_get_the_links_to_settings_and_overrides(factory, login):
    network, hamar, _lillehammer, people = world(factory)
    body = html(login(people["coordinator"]).get(f"/networks/{network.id}/growth"))
    assert f'href="/networks/{network.id}/growth/settings"' in body
    assert f'href="/networks/{network.id}/municipalities/{hamar.id}/growth"' in body
    participant = html(login(people["participant"]).get(f"/networks/{network.id}/growth"))
    assert "/growth/settings" not in participant and "growth.csv" not in participant


def test_the_chart_has_its_table(factory, login):
    network, coordinator, _ = network_2019(factory)
    body = login(coordinator).get(f"/networks/{network.id}/growth").get_data(as_text=True)
    assert '<figure class="chart"' in body and 'href="#growth-counts"' in body and 'id="growth-counts"' in body
    assert re.findall(r"<title>Kommuner: (\d+)</title>", body) == ["4", "10", "1", "2"]  # no bar for zero


# --- settings ---------------------------------------------------------------------------


def post_thresholds(client, network, strong, growth, stable, action="save"):
    return client.post(f"/networks/{network.id}/growth/settings",
                       data={"strong_growth_min": strong, "growth_min": growth, "stable_min": stable, "action": action})


def test_the_settings_page_shows_the_thresholds_and_the_counts(factory, login):
    network, coordinator, _ = network_2019(factory)
    response = login(coordinator).get(f"/networks/{network.id}/growth/settings")
    assert response.status_code == 200
    assert [input_value(response, name) for name in FIELDS] == ["1,00", "0,50", "0,00"]
    assert class_counts(response, "growth-preview") == {"Sterk vekst": 4, "Vekst": 10, "Stabil": 1, "Nedgang": 2,
                                                        "Ukjent": 0}
    assert "Tilbakestill" not in plain(response)  # the defaults are in force


def test_custom_thresholds_change_the_classes(app, factory, login):
    network, coordinator, organisations = network_2019(factory)
    client = login(coordinator)
    response = post_thresholds(client, network, "1,5", "0.75", "0")
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/growth"
    assert settings_row(app, network) == (D("1.50"), D("0.75"), D("0.00"))
    overview = client.get(f"/networks/{network.id}/growth")
    assert class_counts(overview) == {"Sterk vekst": 0, "Vekst": 6, "Stabil": 9, "Nedgang": 2, "Ukjent": 0}
    assert "Sterk vekst: en gjennomsnittlig årlig endring på minst 1,50 %." in plain(overview)
    hamar = section(client.get(f"/networks/{network.id}/municipalities/{organisations['3403'].id}"), "growth")
    assert ("Gjennomsnittlig årlig endring 1,02 % er minst grensen for vekst (0,75 %) og under grensen "
            "for sterk vekst (1,50 %).") in hamar
    with app.app_context():
        settings = db.session.get(GrowthSettings, network.id)
        assert settings.updated_by.name == "Kristin Koordinator"


@pytest.mark.parametrize("strong, growth, stable, expected", [
    ("1,5", "0,75", "0", ("1.50", "0.75", "0.00")),
    ("1.5", "0.75", "0.0", ("1.50", "0.75", "0.00")),
    (" 1,50 ", "0,7", "-0,25", ("1.50", "0.70", "-0.25")),
    ("1,5 %", ",5", "\u22120,25", ("1.50", "0.50", "-0.25")),  # percent sign, no leading zero, a real minus
    ("2,000", "1", "+0", ("2.00", "1.00", "0.00")),
    ("20", "0", "-20", ("20.00", "0.00", "-20.00")),            # the limits themselves are allowed
])
def test_thresholds_are_read_with_comma_or_point(app, factory, login, strong, growth, stable, expected):
    network, _hamar, _lillehammer, people = world(factory)
    response = post_thresholds(login(people["admin"]), network, strong, growth, stable)
    assert response.status_code == 302
    assert settings_row(app, network) == tuple(D(value) for value in expected)


BAD_THRESHOLDS = [
    # (id, strong, growth, stable, where the message goes: field name or None for the form, message)
    ("equal", "0,5", "0,5", "0", None, ORDER_MESSAGE),
    ("overlapping_stable_and_growth", "1", "0,5", "0,5", None, ORDER_MESSAGE),
    ("growth_above_strong", "0,2", "0,5", "0", None, ORDER_MESSAGE),
    ("stable_above_growth", "1", "0,3", "0,4", None, ORDER_MESSAGE),
    ("reversed", "0", "0,5", "1", None, ORDER_MESSAGE),
    ("blank", "", "0,5", "0", "strong_growth_min", BLANK_MESSAGE),
    ("only_spaces", "1", "   ", "0", "growth_min", BLANK_MESSAGE),
    ("word", "en", "0,5", "0", "strong_growth_min", NUMBER_MESSAGE),
    ("two_commas", "1,2,3", "0,5", "0", "strong_growth_min", NUMBER_MESSAGE),
    ("exponent", "1e1", "0,5", "0", "strong_growth_min", NUMBER_MESSAGE),
    ("not_a_number", "1", "NaN", "0", "growth_min", NUMBER_MESSAGE),
    ("infinity", "Infinity", "0,5", "0", "strong_growth_min", NUMBER_MESSAGE),
    ("thousands", "1 000", "0,5", "0", "strong_growth_min", RANGE_MESSAGE),
    ("too_high", "25", "0,5", "0", "strong_growth_min", RANGE_MESSAGE),
    ("just_too_low", "1", "0,5", "-20,01", "stable_min", RANGE_MESSAGE),
    ("far_too_high", "99999999999", "0,5", "0", "strong_growth_min", RANGE_MESSAGE),
    ("beyond_any_precision", "1" + "0" * 40, "0,5", "0", "strong_growth_min", RANGE_MESSAGE),
    ("three_decimals", "1", "0,505", "0", "growth_min", DECIMALS_MESSAGE),
]


@pytest.mark.parametrize("name, strong, growth, stable, field, message", BAD_THRESHOLDS,
                         ids=[row[0] for row in BAD_THRESHOLDS])
@pytest.mark.parametrize("action", ["save", "preview"])
def test_bad_thresholds_are_refused(app, factory, login, name, strong, growth, stable, field, message, action):
    network, _hamar, _lillehammer, people = world(factory)
    save_settings(app, network, "2.00", "1.00", "0.10")
    response = post_thresholds(login(people["coordinator"]), network, strong, growth, stable, action)
    assert response.status_code == 422
    assert message in error_summary(response)
    if field:
        assert field_error(response, field) == message
        assert 'aria-invalid="true"' in re.search(rf'<input[^>]*id="{field}"[^>]*>', html(response)).group(0)
    else:
        assert all(field_error(response, one) is None for one in FIELDS)
    assert [input_value(response, one) for one in FIELDS] == [value.strip() for value in (strong, growth, stable)]
    assert settings_row(app, network) == (D("2.00"), D("1.00"), D("0.10"))


def test_several_bad_fields_get_a_message_each(app, factory, login):
    network, _hamar, _lillehammer, people = world(factory)
    response = post_thresholds(login(people["coordinator"]), network, "", "x", "")
    assert response.status_code == 422
    assert [field_error(response, one) for one in FIELDS] == [BLANK_MESSAGE, NUMBER_MESSAGE, BLANK_MESSAGE]
    assert settings_row(app, network) is None


def test_the_service_refuses_what_the_form_would_let_through(app, factory):
    """validate_thresholds and save_thresholds hold the rules whatever calls them."""
    network = factory.network()
    with app.app_context():
        network = db.session.get(Network, network.id)
        with pytest.raises(GrowthError) as blank:
            services.validate_thresholds(Thresholds(D("1"), None, None))
        assert blank.value.fields == ("growth_min", "stable_min")
        with pytest.raises(GrowthError) as outside:
            services.validate_thresholds(Thresholds(D("21"), D("0.5"), D("-21")))
        assert outside.value.fields == ("strong_growth_min", "stable_min")
        with pytest.raises(GrowthError, match="stigende rekkefølge"):
            services.save_thresholds(network, Thresholds(D("1"), D("1"), D("0")), None)
        # 0.504 > 0.501, but both would be stored as 0.50: refused as unordered, not left to the database.
        with pytest.raises(GrowthError, match="stigende rekkefølge"):
            services.save_thresholds(network, Thresholds(D("1"), D("0.504"), D("0.501")), None)
        db.session.flush()
        assert db.session.get(GrowthSettings, network.id) is None


@pytest.mark.parametrize("strong, growth, stable", [("0.50", "1.00", "0.00"), ("1.00", "1.00", "0.00"),
                                                    ("1.00", "0.00", "0.00"), ("1.00", "0.00", "0.50")])
def test_the_database_refuses_unordered_thresholds(app, factory, strong, growth, stable):
    network = factory.network()
    with app.app_context():
        db.session.add(GrowthSettings(network_id=network.id, strong_growth_min=D(strong), growth_min=D(growth),
                                      stable_min=D(stable)))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_preview_shows_the_counts_without_saving(app, factory, login):
    network, coordinator, _ = network_2019(factory)
    response = post_thresholds(login(coordinator), network, "1,5", "0,75", "0", action="preview")
    assert response.status_code == 200
    table = re.search(r'<table[^>]*id="growth-preview".*?</tbody>', response.get_data(as_text=True), re.S).group(0)
    rows = re.findall(r'<th scope="row">.*?>([^<>]+)</span></th>\s*<td class="amount">(\d+)</td>\s*'
                      r'<td class="amount">(\d+)</td>', table, re.S)
    assert rows == [("Sterk vekst", "4", "0"), ("Vekst", "10", "6"), ("Stabil", "1", "9"), ("Nedgang", "2", "2"),
                    ("Ukjent", "0", "0")]
    assert [input_value(response, one) for one in FIELDS] == ["1,5", "0,75", "0"]
    assert settings_row(app, network) is None


def test_reset_to_the_defaults(app, factory, login):
    network, coordinator, _ = network_2019(factory, ["3403"])
    save_settings(app, network, "2.00", "1.00", "0.10")
    client = login(coordinator)
    page = client.get(f"/networks/{network.id}/growth/settings")
    assert [input_value(page, one) for one in FIELDS] == ["2,00", "1,00", "0,10"]
    assert "Tilbakestill til standardgrensene" in plain(page)
    response = client.post(f"/networks/{network.id}/growth/settings/reset", data={"confirmed": "1"})
    assert response.status_code == 302
    assert settings_row(app, network) == (D("1.00"), D("0.50"), D("0.00"))
    assert "Grensene er satt tilbake til standardverdiene." in plain(client.get(response.location))


# --- overrides --------------------------------------------------------------------------


def override_url(network, organisation):
    return f"/networks/{network.id}/municipalities/{organisation.id}/growth"


def test_override_is_shown_beside_the_computed_class(app, factory, login):
    network, hamar, _lillehammer, people = world(factory)
    client = login(people["coordinator"])
    form = client.get(override_url(network, hamar))
    assert form.status_code == 200
    assert "Gjennomsnittlig årlig endring 1,02 % er minst grensen for sterk vekst (1,00 %)." in plain(form)
    response = client.post(override_url(network, hamar), data={
        "growth_class": "growth", "reason": "  Veksten har flatet ut etter 2020.  "})
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/municipalities/{hamar.id}#growth"
    assert override_row(app, network, hamar) == (GROWTH, "Veksten har flatet ut etter 2020.", "Kristin Koordinator")

    page = section(login(people["participant"]).get(f"/networks/{network.id}/municipalities/{hamar.id}"), "growth")
    assert "Vekstklasse: Vekst (overstyrt)" in page
    assert "Beregnet klasse Sterk vekst Overstyrt til Vekst" in page
    assert "En koordinator har satt klassen til vekst i stedet for den beregnede klassen sterk vekst." in page
    assert "Begrunnelse: Veksten har flatet ut etter 2020." in page
    assert "Satt av Kristin Koordinator," in page
    # The computed class is still explained.
    assert "er minst grensen for sterk vekst (1,00 %)" in page

    overview = login(people["participant"]).get(f"/networks/{network.id}/growth")
    row = next(row for row in table_rows(overview) if row[0] == "Hamar")
    assert row[7:10] == ["Sterk vekst", "Vekst Veksten har flatet ut etter 2020.", "Vekst"]
    assert class_counts(overview) == {"Sterk vekst": 0, "Vekst": 2, "Stabil": 0, "Nedgang": 0, "Ukjent": 0}


def test_an_override_can_be_changed(app, factory, login):
    network, hamar, _lillehammer, people = world(factory)
    add_override(app, network, hamar, STABLE, "Første begrunnelse.")
    client = login(people["admin"])
    form = client.get(override_url(network, hamar))
    assert checked(form, "stable") and not checked(form, "growth")
    assert "Første begrunnelse." in html(form)
    assert client.post(override_url(network, hamar), data={"growth_class": "decline", "reason": "Ny."}).status_code == 302
    assert override_row(app, network, hamar) == (DECLINE, "Ny.", "Ada Admin")
    with app.app_context():
        assert db.session.scalar(select(func.count(GrowthOverride.id))) == 1


def test_an_unknown_class_can_be_overridden(app, factory, login):
    network, coordinator, organisations = network_2019(factory, ["1806"])
    narvik = organisations["1806"]
    response = login(coordinator).post(override_url(network, narvik), data={
        "growth_class": "stable", "reason": "Tall for gamle Narvik og Ballangen viser liten endring."})
    assert response.status_code == 302
    page = section(login(coordinator).get(f"/networks/{network.id}/municipalities/{narvik.id}"), "growth")
    assert "Vekstklasse: Stabil (overstyrt)" in page and "Beregnet klasse Ukjent Overstyrt til Stabil" in page


BAD_OVERRIDES = [
    ("no_reason", {"growth_class": "growth", "reason": ""}, "reason", "Skriv hvorfor klassen overstyres."),
    ("blank_reason", {"growth_class": "growth", "reason": "   "}, "reason", "Skriv hvorfor klassen overstyres."),
    ("long_reason", {"growth_class": "growth", "reason": "x" * 501}, "reason", "Begrunnelsen kan ha høyst 500 tegn."),
    ("no_class", {"reason": "Fordi."}, "growth_class", "Velg en vekstklasse."),
    ("unknown_class", {"growth_class": "unknown", "reason": "Fordi."}, "growth_class",
     "Velg en av vekstklassene i listen."),
    ("tampered_class", {"growth_class": "hyper_growth", "reason": "Fordi."}, "growth_class",
     "Velg en av vekstklassene i listen."),
]


@pytest.mark.parametrize("name, data, field, message", BAD_OVERRIDES, ids=[row[0] for row in BAD_OVERRIDES])
def test_bad_overrides_are_refused(app, factory, login, name, data, field, message):
    network, hamar, _lillehammer, people = world(factory)
    response = login(people["coordinator"]).post(override_url(network, hamar), data=data)
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert message in error_summary(response)
    if data.get("reason", "").strip():
        assert data["reason"] in html(response)  # what was typed is kept
    if data.get("growth_class") == "growth":
        assert checked(response, "growth")
    assert override_row(app, network, hamar) is None


def test_the_service_refuses_unknown_and_empty_overrides(app, factory):
    network, hamar, _lillehammer, _people = world(factory)
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.organisation_id == hamar.id,
                                                                Membership.network_id == network.id))
        for growth_class, reason in ((UNKNOWN, "Fordi."), (GROWTH, "  "), (GROWTH, "x" * 501)):
            with pytest.raises(GrowthError):
                services.set_override(membership, growth_class, reason, None)
        db.session.flush()
        assert db.session.scalar(select(GrowthOverride)) is None


def test_clearing_an_override(app, factory, login):
    network, hamar, _lillehammer, people = world(factory)
    add_override(app, network, hamar, DECLINE)
    client = login(people["coordinator"])
    form = client.get(override_url(network, hamar))
    assert "Fjern overstyringen og bruk den beregnede klassen" in plain(form)
    response = client.post(override_url(network, hamar) + "/clear", data={"confirmed": "1"})
    assert response.status_code == 302
    assert response.location == f"/networks/{network.id}/municipalities/{hamar.id}#growth"
    assert override_row(app, network, hamar) is None
    page = client.get(response.location)
    assert "Overstyringen er fjernet. Hamar har nå den beregnede klassen." in plain(page)
    growth = section(page, "growth")
    assert "Vekstklasse: Sterk vekst" in growth and "overstyrt" not in growth
    again = client.post(override_url(network, hamar) + "/clear", data={"confirmed": "1"})
    assert again.status_code == 302
    assert "Hamar hadde ingen overstyrt klasse." in plain(client.get(again.location))


def test_clearing_needs_the_csrf_token(app, factory, login):
    network, hamar, _lillehammer, people = world(factory)
    add_override(app, network, hamar, DECLINE)
    app.config["WTF_CSRF_ENABLED"] = True
    response = login(people["coordinator"]).post(override_url(network, hamar) + "/clear", data={"confirmed": "1"})
    assert response.status_code == 400
    assert override_row(app, network, hamar) is not None


# --- the CSV ----------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_has_the_overviews_columns(factory, login):
    network, coordinator, organisations = network_2019(factory, ["3403", "1840", "1806"])
    response = login(coordinator).get(f"/networks/{network.id}/growth.csv?sort=yearly&dir=desc")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=vekstklasser-nettverk-{network.id}.csv"
    rows = read_csv(response)
    assert rows[0] == ["Kommune", "Kommunenummer", "Fylke", "Innbyggere 2010", "Innbyggere 2020",
                       "Endring 2010–2020 (%)", "Gjennomsnittlig endring per år (%)", "Sentralitetsklasse",
                       "Beregnet klasse", "Overstyrt klasse", "Begrunnelse for overstyring", "Vekstklasse"]
    assert rows[1:] == [
        ["Hamar", "3403", "Innlandet", "28344", "31369", "10,67", "1,02", "2", "Sterk vekst", "", "", "Sterk vekst"],
        # A negative figure is a number, not a formula to guard against.
        ["Saltdal", "1840", "Nordland", "4692", "4671", "-0,45", "-0,04", "5", "Nedgang", "", "", "Nedgang"],
        ["Narvik", "1806", "Nordland", "", "21845", "", "", "4", "Ukjent", "", "", "Ukjent"],
    ]


@pytest.mark.parametrize("reason", ["=HYPERLINK(\"http://evil.test\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_the_csv_opens_reasons_as_text(app, factory, login, reason):
    network, hamar, _lillehammer, people = world(factory)
    add_override(app, network, hamar, GROWTH, reason)
    rows = read_csv(login(people["observer"]).get(f"/networks/{network.id}/growth.csv"))
    hamar_row = next(row for row in rows if row[0] == "Hamar")
    assert hamar_row[9:] == ["Vekst", "'" + reason, "Vekst"]


# --- sorting ----------------------------------------------------------------------------


SORT_CASES = [
    ("yearly", "asc", ["Saltdal", "Sør-Varanger", "Vestre Toten", "Hamar", "Narvik"]),
    ("yearly", "desc", ["Hamar", "Vestre Toten", "Sør-Varanger", "Saltdal", "Narvik"]),  # unknown last both ways
    ("change", "desc", ["Hamar", "Vestre Toten", "Sør-Varanger", "Saltdal", "Narvik"]),
    ("population_2010", "asc", ["Saltdal", "Sør-Varanger", "Vestre Toten", "Hamar", "Narvik"]),
    ("population_2020", "desc", ["Hamar", "Narvik", "Vestre Toten", "Sør-Varanger", "Saltdal"]),
    ("name", "asc", ["Hamar", "Narvik", "Saltdal", "Sør-Varanger", "Vestre Toten"]),
    ("name", "desc", ["Vestre Toten", "Sør-Varanger", "Saltdal", "Narvik", "Hamar"]),
    ("county", "asc", ["Hamar", "Vestre Toten", "Narvik", "Saltdal", "Sør-Varanger"]),
    ("centrality", "asc", ["Hamar", "Vestre Toten", "Narvik", "Saltdal", "Sør-Varanger"]),
    ("computed", "desc", ["Hamar", "Vestre Toten", "Sør-Varanger", "Saltdal", "Narvik"]),
    # Vestre Toten is overridden to decline: its resulting class sorts with Saltdal, by name.
    ("class", "asc", ["Saltdal", "Vestre Toten", "Sør-Varanger", "Hamar", "Narvik"]),
    ("override", "asc", ["Vestre Toten", "Hamar", "Narvik", "Saltdal", "Sør-Varanger"]),
    ("nonsense", "asc", ["Hamar", "Vestre Toten", "Narvik", "Saltdal", "Sør-Varanger"]),  # back to county
]


@pytest.mark.parametrize("sort, direction, expected", SORT_CASES, ids=[f"{s}-{d}" for s, d, _ in SORT_CASES])
def test_sorting(app, factory, login, sort, direction, expected):
    network, coordinator, organisations = network_2019(factory, ["3403", "1840", "1806", "5444", "3443"])
    add_override(app, network, organisations["3443"], DECLINE)
    client = login(coordinator)
    response = client.get(f"/networks/{network.id}/growth?sort={sort}&dir={direction}")
    assert response.status_code == 200
    assert [row[0] for row in table_rows(response)] == expected
    active = sort if sort in services.SORT_KEYS else "county"
    headers = re.findall(r'<th scope="col"[^>]*?(aria-sort="\w+")?>\s*<a class="ds-link" href="[^"]*sort=(\w+)',
                         response.get_data(as_text=True))
    sorted_headers = {key: attribute for attribute, key in headers if attribute}
    assert sorted_headers == {active: f'aria-sort="{"descending" if direction == "desc" and active == sort else "ascending"}"'}
    csv_names = [row[0] for row in read_csv(client.get(f"/networks/{network.id}/growth.csv?sort={sort}&dir={direction}"))[1:]]
    assert csv_names == expected


# --- queries and formatting -------------------------------------------------------------


def network_of_size(factory, size: int):
    network = factory.network(f"Nettverk med {size}")
    coordinator = factory.member_with_role(network, RoleKind.COORDINATOR)
    numbers = [row[0] for row in NETWORK_2019][:size - 1] + ["1806"]
    for number in numbers:
        organisation = factory.municipality(number)
        factory.member(network, organisation)
        factory.member_with_role(network, RoleKind.PARTICIPANT, organisation)
    factory.member(network, factory.organisation(f"Husbanken {size}", OrganisationKind.HUSBANKEN))
    return network, coordinator


@pytest.mark.parametrize("page", ["/growth", "/growth?sort=class&dir=desc", "/growth.csv", "/growth/settings"])
def test_pages_load_in_a_fixed_number_of_queries(app, factory, login, page):
    counts = []
    for size in (3, 15):
        network, coordinator = network_of_size(factory, size)
        with app.app_context():
            memberships = db.session.scalars(select(Membership).where(Membership.network_id == network.id)).all()
            # Overrides for some, so that they are loaded too.
            for membership in memberships[:size // 2]:
                db.session.add(GrowthOverride(membership_id=membership.id, growth_class=STABLE, reason="Test."))
            db.session.commit()
        client = login(coordinator)
        with count_queries(app) as statements:
            response = client.get(f"/networks/{network.id}{page}")
        assert response.status_code == 200
        if page.startswith("/growth?") or page == "/growth":
            assert len(table_rows(response)) == size
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 3 municipalities, {counts[1]} for 15"
    assert counts[0] <= 10


@pytest.mark.parametrize("value, signed, expected", [
    (D("0.5"), False, "0,50\u00a0%"), (D("1.02"), True, "+1,02\u00a0%"), (D("-0.04"), True, "-0,04\u00a0%"),
    (D("-0.00"), True, "0,00\u00a0%"), (D("15.81"), False, "15,81\u00a0%"), (None, False, ""),
])
def test_growth_percent(app, value, signed, expected):
    with app.test_request_context():
        assert growth_percent(value, signed) == expected


@pytest.mark.parametrize("typed, expected", [
    ("0,5", D("0.5")), ("0.5", D("0.5")), ("-1", D("-1")), (" 1 , 5 ".replace(" , ", ","), D("1.5")),
    ("", None), ("  ", None), (None, None), ("3 %", D("3")), ("1.", D("1")),
])
def test_parse_percent(app, typed, expected):
    with app.app_context():
        assert services.parse_percent(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "1e5", "nan", "inf", "--1", "1-", "0x10", "½"])
def test_parse_percent_refuses_what_is_no_number(app, typed):
    with app.app_context(), pytest.raises(GrowthError):
        services.parse_percent(typed)
