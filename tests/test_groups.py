"""Groupings over HTTP: suggestions, adjusting, the rules on posted ids, the edit conflict,
the group page, the print list and the municipality page's section."""
from __future__ import annotations

import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from network.challenges.models import Challenge, ChallengePriority, MunicipalityChallenge
from network.extensions import db
from network.groups import services
from network.groups.models import Group, GroupKind, GroupMember, Grouping
from network.networks.models import Membership, MembershipStatus, Network, RoleKind
from network.organisations.models import OrganisationKind
from tests.factories import world
from tests.query_counter import count_queries

EXTRA = ("1840", "1868", "3031", "3049", "3407")  # Saltdal, Øksnes, Nittedal, Lier, Gjøvik
# Growth classes 2010–2020 with the default thresholds: Hamar, Nittedal and Lier strong growth,
# Lillehammer and Gjøvik growth, Saltdal and Øksnes decline.
GROWTH_GROUPS = {
    "Sterk vekst 1": {"Hamar", "Nittedal"},
    "Sterk vekst 2": {"Lier"},
    "Vekst": {"Gjøvik", "Lillehammer"},
    "Nedgang": {"Saltdal", "Øksnes"},
}


# --- helpers ----------------------------------------------------------------------------


class FormReader(HTMLParser):
    """What a browser would send from the first form matching ``marker``: text, hidden and
    number inputs, checked boxes, and each select's selected (or first) option."""

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.inside, self.done = marker, False, False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.first_option: str | None = None
        self.selected = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.marker in attrs:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[attrs["name"]] = attrs.get("value", "on")
            elif kind not in ("submit", "button"):
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select, self.first_option, self.selected = attrs.get("name"), None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.values[self.select], self.selected = attrs.get("value", ""), True

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            if not self.selected:
                self.values[self.select] = self.first_option or ""
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_values(response, marker="data-grouping-form") -> dict[str, str]:
    reader = FormReader(marker)
    reader.feed(response.get_data(as_text=True))
    return reader.values


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def entry(values: dict, kind: str, field: str, value: str) -> str:
    """The index prefix ("groups-2") of the entry whose ``field`` has ``value``."""
    for name, current in values.items():
        match = re.fullmatch(rf"({kind}-\d+)-{field}", name)
        if match and current == value:
            return match.group(1)
    raise KeyError(f"{kind} with {field}={value!r} not in the form")


def group_key(values: dict, name: str) -> str:
    return values[entry(values, "groups", "name", name) + "-key"]


def placement(values: dict, membership_id: int) -> str:
    return entry(values, "placements", "membership_id", str(membership_id)) + "-group"


def setup(factory, extra=EXTRA):
    network, hamar, lillehammer, people = world(factory)
    memberships = {}
    for number in extra:
        factory.member(network, factory.municipality(number))
    with factory.app.app_context():
        for membership in db.session.scalars(select(Membership).where(Membership.network_id == network.id)):
            memberships[membership.organisation.name] = membership.id
    return network, people, memberships


def saved_groups(app, network_id) -> dict[str, set[str]]:
    with app.app_context():
        grouping = db.session.scalar(select(Grouping).where(Grouping.network_id == network_id))
        return {group.name: {m.membership.organisation.name for m in group.members} for group in grouping.groups}


def grouping_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Grouping.id)))


def suggestion(client, network, **params):
    query = {"name": "Vekstgrupper", "basis": "growth", "target_size": "2", "suggest": "1", **params}
    return client.get(f"/networks/{network.id}/groups/new", query_string=query)


def make_growth_grouping(app, client, network) -> int:
    response = suggestion(client, network)
    assert response.status_code == 200
    saved = client.post(f"/networks/{network.id}/groups/new", data={**form_values(response), "action": "save"})
    assert saved.status_code == 302, text(saved)
    with app.app_context():
        return db.session.scalar(select(Grouping.id).where(Grouping.network_id == network.id))


def add_challenge(app, network, title, membership_ids, priority=ChallengePriority.HIGH) -> int:
    with app.app_context():
        challenge = Challenge(network_id=network.id, title=title, position=1)
        db.session.add(challenge)
        db.session.flush()
        for membership_id in membership_ids:
            db.session.add(MunicipalityChallenge(challenge_id=challenge.id, membership_id=membership_id,
                                                 priority=priority, description=""))
        db.session.commit()
        return challenge.id


# --- making a grouping --------------------------------------------------------------------


def test_coordinator_makes_a_grouping_from_a_growth_suggestion(app, factory, login):
    network, people, memberships = setup(factory)
    gathering = factory.gathering(network, 3, date(2019, 11, 20))
    client = login(people["coordinator"])
    step1 = client.get(f"/networks/{network.id}/groups/new", query_string={"gathering_id": gathering.id})
    assert step1.status_code == 200
    assert "Lag forslag" in text(step1)
    step1_values = form_values(step1, marker="novalidate")
    assert (step1_values["gathering_id"], step1_values["basis"], step1_values["target_size"]) == (
        str(gathering.id), "growth", "4")

    proposal = suggestion(client, network, gathering_id=str(gathering.id))
    assert proposal.status_code == 200
    values = form_values(proposal)
    assert {values[f"groups-{i}-name"] for i in range(4)} == set(GROWTH_GROUPS)
    # The facilitator select offers coordinators and the municipalities' people, not observers.
    body = text(proposal)
    assert "Kristin Koordinator (KS)" in body and "Dag Deltaker (Hamar)" in body
    assert "Olav Observatør" not in body

    values["name"] = "Bordgrupper samling 3"
    first = entry(values, "groups", "name", "Sterk vekst 1")
    values[first + "-facilitator_id"] = str(people["contact"].id)
    response = client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"})
    assert response.status_code == 302
    assert saved_groups(app, network.id) == GROWTH_GROUPS
    with app.app_context():
        grouping = db.session.scalar(select(Grouping).where(Grouping.network_id == network.id))
        assert (grouping.name, grouping.gathering_id, grouping.basis, grouping.target_size) == (
            "Bordgrupper samling 3", gathering.id, GroupKind.GROWTH, 2)
        assert grouping.updated_by_id == people["coordinator"].id
        assert [g.name for g in grouping.groups] == ["Sterk vekst 1", "Sterk vekst 2", "Vekst", "Nedgang"]
        assert grouping.groups[0].facilitator_id == people["contact"].id
        assert {g.kind for g in grouping.groups} == {GroupKind.GROWTH}
        assert response.location.endswith(f"/groups/{grouping.id}")

    listing = text(client.get(f"/networks/{network.id}/groups"))
    assert "Bordgrupper samling 3" in listing and "Samling 3" in listing


def test_the_same_suggestion_comes_back_on_reload(factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    assert form_values(suggestion(client, network)) == form_values(suggestion(client, network))


def test_mixed_suggestion_places_everyone_and_spreads_counties(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    response = suggestion(client, network, basis="mixed", target_size="3")
    values = form_values(response)
    assert [values[f"groups-{i}-name"] for i in range(2)] == ["Gruppe 1", "Gruppe 2"]
    assert all(values[placement(values, mid)] in ("n0", "n1") for mid in memberships.values())
    client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"})
    groups = saved_groups(app, network.id)
    assert sorted(len(g) for g in groups.values()) == [3, 4]
    for members in groups.values():  # three from Innlandet, two each from Viken and Nordland
        assert len(members & {"Hamar", "Lillehammer", "Gjøvik"}) <= 2
        assert len(members & {"Nittedal", "Lier"}) == 1
        assert len(members & {"Saltdal", "Øksnes"}) == 1


def test_challenge_basis_groups_those_who_share_the_challenge(app, factory, login):
    network, people, memberships = setup(factory)
    challenge_id = add_challenge(app, network, "Boliger for eldre",
                                 [memberships["Hamar"], memberships["Saltdal"], memberships["Lier"]])
    client = login(people["coordinator"])
    response = suggestion(client, network, basis="challenge", challenge_id=str(challenge_id), target_size="4")
    assert response.status_code == 200
    values = form_values(response)
    client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"})
    assert saved_groups(app, network.id) == {
        "Utfordring: Boliger for eldre": {"Hamar", "Saltdal", "Lier"},
        "Øvrige kommuner": {"Lillehammer", "Gjøvik", "Nittedal", "Øksnes"},
    }
    with app.app_context():
        grouping = db.session.scalar(select(Grouping).where(Grouping.network_id == network.id))
        assert grouping.basis_challenge_id == challenge_id
        assert [g.kind for g in grouping.groups] == [GroupKind.CHALLENGE, GroupKind.MIXED]


def test_free_basis_starts_with_empty_groups(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    values = form_values(suggestion(client, network, basis="free", target_size="3"))
    assert all(values[placement(values, mid)] == "" for mid in memberships.values())
    values[placement(values, memberships["Hamar"])] = group_key(values, "Gruppe 1")
    assert client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"}).status_code == 302
    assert saved_groups(app, network.id) == {"Gruppe 1": {"Hamar"}, "Gruppe 2": set()}


def test_challenge_basis_needs_a_challenge(factory, login):
    network, people, _ = setup(factory)
    response = suggestion(login(people["coordinator"]), network, basis="challenge")
    assert response.status_code == 422
    assert "Velg hvilken utfordring gruppene skal samles om." in text(response)


@pytest.mark.parametrize("value, message", [
    ("1", "Gruppestørrelsen må være mellom 2 og 50."),
    ("51", "Gruppestørrelsen må være mellom 2 og 50."),
    ("-3", "Gruppestørrelsen må være mellom 2 og 50."),
    ("3,5", "Skriv ønsket gruppestørrelse som et helt tall."),
    ("fire", "Skriv ønsket gruppestørrelse som et helt tall."),
    ("", "Skriv ønsket gruppestørrelse som et helt tall."),
])
def test_bad_target_size_is_shown_on_step_one(app, factory, login, value, message):
    network, people, _ = setup(factory)
    response = suggestion(login(people["coordinator"]), network, target_size=value, name="Mine grupper")
    body = text(response)
    assert response.status_code == 422
    assert message in body
    assert 'id="target_size-error"' in body
    assert 'value="Mine grupper"' in body  # what was typed is kept
    assert grouping_count(app) == 0


def test_a_tampered_target_size_in_step_two_is_refused(app, factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    values = form_values(suggestion(client, network))
    response = client.post(f"/networks/{network.id}/groups/new", data={**values, "target_size": "500", "action": "save"})
    assert response.status_code == 422
    assert "Gruppestørrelsen må være mellom 2 og 50." in text(response)
    assert grouping_count(app) == 0


def test_a_name_is_required(app, factory, login):
    network, people, _ = setup(factory)
    response = suggestion(login(people["coordinator"]), network, name="  ")
    assert response.status_code == 422
    assert "Gi gruppeinndelingen et navn." in text(response)


# --- never trust posted ids ----------------------------------------------------------------


def _other_network_ids(app, factory, network, people):
    """Ids that exist, but belong elsewhere: another network's member, challenge and gathering,
    a withdrawn member, a member that is no municipality."""
    other = factory.network("Et tredje nettverk")
    other_membership = factory.member(other, factory.municipality("1804"))
    withdrawn = factory.member(network, factory.municipality("3411"), status=MembershipStatus.WITHDRAWN)
    husbanken = factory.member(network, factory.organisation("Husbanken", OrganisationKind.HUSBANKEN))
    other_gathering = factory.gathering(other, 1, date(2019, 4, 10))
    other_challenge = add_challenge(app, other, "Annen utfordring", [])
    return {"other_membership": other_membership.id, "withdrawn": withdrawn.id, "husbanken": husbanken.id,
            "other_gathering": other_gathering.id, "other_challenge": other_challenge}


TAMPERING = [
    ("membership_of_another_network", "placement_id", "other_membership",
     "En av kommunene i skjemaet er ikke medlem av nettverket nå."),
    ("withdrawn_membership", "placement_id", "withdrawn", "En av kommunene i skjemaet er ikke medlem av nettverket nå."),
    ("member_that_is_no_municipality", "placement_id", "husbanken",
     "En av kommunene i skjemaet er ikke medlem av nettverket nå."),
    ("unknown_membership", "placement_id", "999999", "En av kommunene i skjemaet er ikke medlem av nettverket nå."),
    ("not_a_number", "placement_id", "Hamar", "En av kommunene i skjemaet er ikke medlem av nettverket nå."),
    ("observer_as_facilitator", "facilitator", "observer",
     "Velg en gruppeleder blant koordinatorene og kommunenes deltakere."),
    ("outsider_as_facilitator", "facilitator", "outsider",
     "Velg en gruppeleder blant koordinatorene og kommunenes deltakere."),
    ("unknown_facilitator", "facilitator", "999999", "Velg en gruppeleder blant koordinatorene og kommunenes deltakere."),
    ("challenge_of_another_network", "challenge_id", "other_challenge", "Velg en utfordring fra nettverkets liste."),
    ("gathering_of_another_network", "gathering_id", "other_gathering", "Velg en av nettverkets samlinger."),
    ("unknown_group_kind", "kind", "secret", "Velg en type for gruppen."),
    ("unknown_group_key", "placement_group", "n99", "Velg en av gruppene for Hamar."),
    ("unknown_basis", "basis", "everything", "Velg hva gruppene skal bygge på."),
]


@pytest.mark.parametrize("case, target, value, message", TAMPERING, ids=[case[0] for case in TAMPERING])
def test_tampered_ids_give_a_form_error_and_save_nothing(app, factory, login, case, target, value, message):
    network, people, memberships = setup(factory)
    ids = _other_network_ids(app, factory, network, people)
    client = login(people["coordinator"])
    values = form_values(suggestion(client, network))
    values["name"] = "Mine grupper"
    resolved = str(ids.get(value) or (people[value].id if value in people else value))
    if target == "placement_id":
        values[entry(values, "placements", "membership_id", str(memberships["Gjøvik"])) + "-membership_id"] = resolved
    elif target == "facilitator":
        values["groups-0-facilitator_id"] = resolved
    elif target == "kind":
        values["groups-1-kind"] = resolved
    elif target == "placement_group":
        values[placement(values, memberships["Hamar"])] = resolved
    else:
        values[target] = resolved
    response = client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"})
    body = text(response)
    assert response.status_code == 422, body[:500]
    assert message in body
    assert 'value="Mine grupper"' in body
    assert grouping_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(GroupMember.id))) == 0


def test_duplicate_group_names_are_refused_and_kept(app, factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    values = form_values(suggestion(client, network))
    values["groups-0-name"] = "Innlandet og Viken"
    values["groups-1-name"] = " innlandet  og viken "
    response = client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"})
    body = text(response)
    assert response.status_code == 422
    assert "To grupper kan ikke hete «innlandet og viken». Gi dem ulike navn." in body
    assert 'id="groups-1-name-error"' in body
    assert form_values(response)["groups-0-name"] == "Innlandet og Viken"
    assert grouping_count(app) == 0


@pytest.mark.parametrize("field, value, message", [
    ("groups-2-name", "   ", "Gi gruppen et navn."),
    ("groups-2-name", "x" * 121, "Gruppenavnet kan ha høyst 120 tegn."),
    ("name", "", "Gi gruppeinndelingen et navn."),
    ("name", "x" * 201, "Navnet kan ha høyst 200 tegn."),
])
def test_bad_names_are_refused(app, factory, login, field, value, message):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    values = {**form_values(suggestion(client, network)), field: value}
    response = client.post(f"/networks/{network.id}/groups/new", data={**values, "action": "save"})
    assert response.status_code == 422
    assert message in text(response)
    assert f'id="{field}-error"' in text(response)
    assert grouping_count(app) == 0


# --- adjusting ------------------------------------------------------------------------------


def test_moving_a_municipality_keeps_the_group_ids(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    with app.app_context():
        before = {g.name: g.id for g in db.session.get(Grouping, grouping_id).groups}
    edit = client.get(f"/networks/{network.id}/groups/{grouping_id}/edit")
    assert edit.status_code == 200
    values = form_values(edit)
    assert values[placement(values, memberships["Hamar"])] == group_key(values, "Sterk vekst 1")
    values[placement(values, memberships["Hamar"])] = group_key(values, "Vekst")
    response = client.post(f"/networks/{network.id}/groups/{grouping_id}/edit", data={**values, "action": "save"})
    assert response.status_code == 302
    groups = saved_groups(app, network.id)
    assert groups["Vekst"] == {"Hamar", "Gjøvik", "Lillehammer"}
    assert groups["Sterk vekst 1"] == {"Nittedal"}
    with app.app_context():
        grouping = db.session.get(Grouping, grouping_id)
        assert {g.name: g.id for g in grouping.groups} == before
        assert grouping.version == 2


def test_renaming_two_groups_to_each_others_names_works(app, factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    values = form_values(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    first, second = entry(values, "groups", "name", "Vekst"), entry(values, "groups", "name", "Nedgang")
    values[first + "-name"], values[second + "-name"] = "Nedgang", "Vekst"
    assert client.post(f"/networks/{network.id}/groups/{grouping_id}/edit",
                       data={**values, "action": "save"}).status_code == 302
    groups = saved_groups(app, network.id)
    assert groups["Nedgang"] == {"Gjøvik", "Lillehammer"} and groups["Vekst"] == {"Saltdal", "Øksnes"}


def test_a_municipality_can_be_left_out_of_every_group(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    values = form_values(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    values[placement(values, memberships["Lier"])] = ""
    client.post(f"/networks/{network.id}/groups/{grouping_id}/edit", data={**values, "action": "save"})
    assert saved_groups(app, network.id)["Sterk vekst 2"] == set()
    page = text(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    assert re.search(r'id="unplaced-heading".*Lier', page, re.S)


def test_adding_an_empty_group_then_moving_into_it(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    url = f"/networks/{network.id}/groups/{grouping_id}/edit"
    values = form_values(client.get(url))
    values["name"] = "Endret navn"
    added = client.post(url, data={**values, "action": "add_group"})
    assert added.status_code == 200
    values = form_values(added)
    assert values["name"] == "Endret navn"  # what was typed is kept
    assert values["groups-4-name"] == "Gruppe 5"
    values[placement(values, memberships["Øksnes"])] = values["groups-4-key"]
    assert client.post(url, data={**values, "action": "save"}).status_code == 302
    groups = saved_groups(app, network.id)
    assert groups["Gruppe 5"] == {"Øksnes"} and groups["Nedgang"] == {"Saltdal"}


def test_removing_an_empty_group(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    url = f"/networks/{network.id}/groups/{grouping_id}/edit"
    values = form_values(client.get(url))
    values[placement(values, memberships["Lier"])] = group_key(values, "Sterk vekst 1")
    values[entry(values, "groups", "name", "Sterk vekst 2") + "-remove"] = "y"
    assert client.post(url, data={**values, "action": "save"}).status_code == 302
    groups = saved_groups(app, network.id)
    assert "Sterk vekst 2" not in groups and groups["Sterk vekst 1"] == {"Hamar", "Nittedal", "Lier"}


def test_removing_a_group_that_still_has_municipalities_is_refused(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    url = f"/networks/{network.id}/groups/{grouping_id}/edit"
    values = form_values(client.get(url))
    values[entry(values, "groups", "name", "Nedgang") + "-remove"] = "y"
    response = client.post(url, data={**values, "action": "save"})
    assert response.status_code == 422
    assert "Saltdal er i gruppen «Nedgang», som du vil fjerne." in text(response)
    assert saved_groups(app, network.id) == GROWTH_GROUPS


# --- two coordinators at once ------------------------------------------------------------


def test_a_conflicting_save_is_refused_shown_and_can_then_overwrite(app, factory, login):
    network, people, memberships = setup(factory)
    first, second = login(people["coordinator"]), login(people["admin"])
    grouping_id = make_growth_grouping(app, first, network)
    url = f"/networks/{network.id}/groups/{grouping_id}/edit"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    assert mine["version"] == theirs["version"] == "1"

    mine[placement(mine, memberships["Hamar"])] = group_key(mine, "Vekst")
    assert first.post(url, data={**mine, "action": "save"}).status_code == 302

    theirs[placement(theirs, memberships["Saltdal"])] = group_key(theirs, "Sterk vekst 2")
    theirs[entry(theirs, "groups", "name", "Nedgang") + "-name"] = "Distrikt"
    response = second.post(url, data={**theirs, "action": "save"})
    body = text(response)
    assert response.status_code == 409
    assert "Kristin Koordinator lagret gruppeinndelingen" in body
    assert "Dine endringer er ikke lagret ennå." in body
    # The first coordinator's change is what the database holds.
    groups = saved_groups(app, network.id)
    assert "Hamar" in groups["Vekst"] and "Saltdal" in groups["Nedgang"] and "Distrikt" not in groups
    # Side by side: Hamar is saved in Vekst, but this form still says Sterk vekst 1.
    assert re.search(r"<th scope=\"row\">Hamar</th>\s*<td>Vekst</td>\s*<td>Sterk vekst 1</td>\s*<td><strong>Ulik", body)
    again = form_values(response)
    assert again["version"] == "2"
    assert again[placement(again, memberships["Saltdal"])] == group_key(again, "Sterk vekst 2")
    assert "Distrikt" in again.values()

    # Sending again is a deliberate overwrite with this form's choices.
    assert second.post(url, data={**again, "action": "save"}).status_code == 302
    groups = saved_groups(app, network.id)
    assert groups["Sterk vekst 1"] == {"Hamar", "Nittedal"}
    assert groups["Sterk vekst 2"] == {"Lier", "Saltdal"}
    assert groups["Distrikt"] == {"Øksnes"}
    with app.app_context():
        assert db.session.get(Grouping, grouping_id).version == 3


def test_a_save_that_slips_in_during_the_flush_is_a_conflict(app, factory, login):
    """The version check in the UPDATE itself: someone saved after this request loaded the grouping."""
    network, people, memberships = setup(factory)
    grouping_id = make_growth_grouping(app, login(people["coordinator"]), network)
    with app.test_request_context():
        network_row = db.session.get(Network, network.id)
        grouping = services.get_grouping(network_row, grouping_id)
        infos = services.member_infos(network_row)
        draft = services.GroupingDraft(
            name="Ny", gathering_id="", basis="growth", challenge_id="", target_size=2,
            groups=[services.GroupDraft(key="a", name="Alle", kind="free", group_id=str(grouping.groups[0].id))],
            placements=[(str(mid), "a", f"p{mid}") for mid in infos])
        checked = services.check_draft(network_row, draft, infos, set(), editing=True)
        # Another coordinator's save, straight to the database behind this session's back.
        db.session.execute(update(Grouping).where(Grouping.id == grouping_id).values(version=Grouping.version + 1),
                           execution_options={"synchronize_session": False})
        with pytest.raises(services.GroupingConflict):
            services.save_grouping(network_row, grouping, checked, people["coordinator"], expected_version=1)
        db.session.rollback()
    assert saved_groups(app, network.id) == GROWTH_GROUPS


def test_an_edit_of_a_deleted_grouping_is_not_found(app, factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    values = form_values(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    assert client.post(f"/networks/{network.id}/groups/{grouping_id}/delete", data={"confirmed": "1"}).status_code == 302
    response = client.post(f"/networks/{network.id}/groups/{grouping_id}/edit", data={**values, "action": "save"})
    assert response.status_code == 404
    assert grouping_count(app) == 0


# --- reading ---------------------------------------------------------------------------------


def test_show_page_lists_groups_with_county_class_and_facilitator(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    values = form_values(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    values[entry(values, "groups", "name", "Nedgang") + "-facilitator_id"] = str(people["other_contact"].id)
    client.post(f"/networks/{network.id}/groups/{grouping_id}/edit", data={**values, "action": "save"})
    body = text(login(people["observer"]).get(f"/networks/{network.id}/groups/{grouping_id}"))
    assert "Gruppeleder: Lise Lillehammer" in body
    assert re.search(r"Saltdal</a></th>\s*<td>Nordland</td>\s*<td>Nedgang</td>", body)
    assert "Endre gruppene" not in body  # observers read


def test_group_page_shows_people_growth_figures_and_challenges(app, factory, login):
    network, people, memberships = setup(factory)
    add_challenge(app, network, "Boliger for eldre", [memberships["Hamar"]])
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    values = form_values(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    values[entry(values, "groups", "name", "Sterk vekst 1") + "-facilitator_id"] = str(people["coordinator"].id)
    client.post(f"/networks/{network.id}/groups/{grouping_id}/edit", data={**values, "action": "save"})
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).where(Group.grouping_id == grouping_id, Group.name == "Sterk vekst 1"))
    response = login(people["participant"]).get(f"/networks/{network.id}/groups/{grouping_id}/{group_id}")
    body = text(response)
    assert response.status_code == 200
    assert "Gruppeleder: Kristin Koordinator" in body
    for person in ("Dag Deltaker", "Kari Kontakt", "Rita Rådmann"):
        assert person in body
    # Hamar: 28 344 in 2010, 31 369 in 2020, +1,02 % a year; Nittedal +1,48 %.
    assert re.search(r"<th scope=\"row\">Hamar</th>\s*<td>Innlandet</td>\s*<td class=\"amount\">28\s344</td>\s*"
                     r"<td class=\"amount\">31\s369</td>\s*<td class=\"amount\">\+1,02\s%</td>\s*<td>Sterk vekst", body)
    assert "+1,48\u00a0%" in body
    assert "Boliger for eldre" in body and "prioritet: høy" in body
    assert "Lier" not in body.split("<main")[1]


def test_group_of_another_grouping_is_not_found(app, factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    first = make_growth_grouping(app, client, network)
    with app.app_context():
        db.session.add(Grouping(network_id=network.id, name="Tom", basis=GroupKind.FREE, target_size=4))
        db.session.commit()
        second = db.session.scalar(select(Grouping.id).where(Grouping.name == "Tom"))
        group_id = db.session.scalar(select(Group.id).where(Group.grouping_id == first).limit(1))
    assert client.get(f"/networks/{network.id}/groups/{second}/{group_id}").status_code == 404
    assert client.get(f"/networks/{network.id}/groups/{first}/{group_id}").status_code == 200


def test_print_list_has_every_group_with_municipalities_and_people(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    response = login(people["observer"]).get(f"/networks/{network.id}/groups/{grouping_id}/print")
    body = text(response)
    assert response.status_code == 200
    assert body.count('class="print-group"') == 4
    assert re.search(r"<strong>Hamar</strong>: Dag Deltaker, Kari Kontakt, Rita Rådmann", body)
    assert "<strong>Lillehammer</strong>: Lise Lillehammer" in body
    assert "Gruppeleder: ikke valgt" in body
    css = (Path(__file__).parent.parent / "network/static/css/groups.css").read_text()
    print_rules = css.split("@media print", 1)[1]
    assert ".site-header" in print_rules and ".site-footer" in print_rules and "page-break-inside: avoid" in print_rules


def test_municipality_page_shows_the_groups_it_is_in(app, factory, login):
    network, people, memberships = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    with app.app_context():
        hamar = db.session.get(Membership, memberships["Hamar"]).organisation_id
        lillehammer = db.session.get(Membership, memberships["Lillehammer"]).organisation_id
    page = text(login(people["participant"]).get(f"/networks/{network.id}/municipalities/{hamar}"))
    assert "Sterk vekst 1</a>" in page and "i «Vekstgrupper»" in page
    values = form_values(client.get(f"/networks/{network.id}/groups/{grouping_id}/edit"))
    values[placement(values, memberships["Lillehammer"])] = ""
    client.post(f"/networks/{network.id}/groups/{grouping_id}/edit", data={**values, "action": "save"})
    page = text(login(people["participant"]).get(f"/networks/{network.id}/municipalities/{lillehammer}"))
    assert "Lillehammer er ikke med i noen grupper ennå." in page


def test_delete_removes_the_grouping_and_its_groups(app, factory, login):
    network, people, _ = setup(factory)
    client = login(people["coordinator"])
    grouping_id = make_growth_grouping(app, client, network)
    response = client.post(f"/networks/{network.id}/groups/{grouping_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/networks/{network.id}/groups")
    with app.app_context():
        assert db.session.scalar(select(func.count(Group.id)).where(Group.grouping_id == grouping_id)) == 0
        assert db.session.scalar(select(func.count(GroupMember.id))) == 0


# --- a fixed number of queries ------------------------------------------------------------------


def _query_counts(app, factory, login, numbers):
    network, people, _ = setup(factory, extra=numbers)
    for n, organisation_number in enumerate(numbers):  # two people in each extra municipality
        organisation = factory.municipality(organisation_number)
        for i in range(2):
            factory.member_with_role(network, RoleKind.PARTICIPANT, organisation, name=f"Person {n}-{i}")
    client = login(people["coordinator"])
    response = suggestion(client, network, basis="mixed", target_size="20")
    client.post(f"/networks/{network.id}/groups/new", data={**form_values(response), "action": "save"})
    with app.app_context():
        grouping_id = db.session.scalar(select(Grouping.id).where(Grouping.network_id == network.id))
        group_id = db.session.scalar(select(Group.id).where(Group.grouping_id == grouping_id))
    counts = {}
    for name, path in (("index", ""), ("show", f"/{grouping_id}"), ("group", f"/{grouping_id}/{group_id}"),
                       ("print", f"/{grouping_id}/print"), ("edit", f"/{grouping_id}/edit")):
        with count_queries(app) as statements:
            assert client.get(f"/networks/{network.id}/groups{path}").status_code == 200
        counts[name] = len(statements)
    return counts


def test_pages_use_the_same_number_of_queries_whatever_the_number_of_municipalities(app, factory, login):
    few = _query_counts(app, factory, login, ("1840",))
    many = _query_counts(app, factory, login, ("1840", "1868", "3031", "3049", "3407", "3411", "1804", "3035"))
    assert few == many
    assert max(many.values()) <= 20


def test_the_gathering_page_lists_its_groupings_and_offers_coordinators_to_make_one(app, factory, login):
    from datetime import date

    from network.groups.models import Group, GroupKind, Grouping

    network, hamar, _lillehammer, people = world(factory)
    gathering = factory.gathering(network, 3, date(2020, 1, 29))
    with app.app_context():
        grouping = Grouping(network_id=network.id, gathering_id=gathering.id, name="Bordgrupper", basis=GroupKind.FREE,
                            target_size=4, groups=[Group(position=0, name="Bord 1", kind=GroupKind.FREE)])
        db.session.add(grouping)
        db.session.commit()
        grouping_id = grouping.id
    path = f"/networks/{network.id}/gatherings/{gathering.id}"
    page = login(people["participant"]).get(path).get_data(as_text=True)
    assert "Bordgrupper" in page and f"/groups/{grouping_id}/print" in page
    assert "Lag grupper for samlingen" not in page
    page = login(people["coordinator"]).get(path).get_data(as_text=True)
    assert f"/groups/new?gathering_id={gathering.id}" in page
