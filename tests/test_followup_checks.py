"""'Til oppfølging': the checks grouped by severity, per gathering with the count first, worded
right for 0, 1 and more; a gathering counts once it is announced; and the chief executive is the
person the anchoring names."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from network.auth.models import Person
from network.extensions import db
from network.gatherings import followup, services
from network.gatherings.models import Gathering, GatheringStatus
from network.networks.models import Membership, Network
from network.privacy.services import erase_person
from tests.conftest import built_once
from tests.factories import world
from tests.gathering_helpers import register
from tests.html import text

def build(app, factory):
    """Four gatherings: 1 open (the first), 2 a draft, 3 closed (the last taking place), 4
    cancelled. Hamar has Dag, Kari and Rita (the executive) at 1, and Dag and Kari at 3 (Rita
    missing at the last); Lillehammer has Lise at 1 and nobody at 3. Neither is anchored."""
    network, hamar, lillehammer, people = world(factory)
    statuses = (GatheringStatus.OPEN, GatheringStatus.PLANNED, GatheringStatus.CLOSED, GatheringStatus.OPEN)
    gatherings = [factory.gathering(network, n, date(2031, 3 + 2 * n, 12), status=status)
                  for n, status in enumerate(statuses, start=1)]
    for key in ("participant", "contact", "executive", "other_contact"):
        register(app, gatherings[0].id, people[key].id)
    for key in ("participant", "contact"):
        register(app, gatherings[2].id, people[key].id)
    with app.app_context():
        # Cancelled after the fact: it is neither checked nor "the last gathering".
        db.session.get(Gathering, gatherings[3].id).status = GatheringStatus.CANCELLED
        db.session.commit()
    ids = {"network": network.id, "hamar": hamar.id, "lillehammer": lillehammer.id,
           **{f"g{n}": g.id for n, g in enumerate(gatherings, start=1)}}
    return ids, people


built = built_once(build)


def checks_of(ids, **options) -> followup.FollowUp:
    network = db.session.get(Network, ids["network"])
    memberships = list(db.session.scalars(select(Membership).where(Membership.network_id == network.id)))
    return followup.follow_up(network, memberships, services.gatherings_for(network), **options)


def summaries(groups) -> list[str]:
    return [group.summary for group in groups]


def test_checks_are_grouped_by_severity_per_announced_gathering(app, built):
    ids, _people = built
    with app.app_context():
        result = checks_of(ids)
        assert summaries(result.must) == [
            "1 kommune har færre enn 2 påmeldte til samling 1.",
            "1 kommune har færre enn 2 påmeldte til samling 3.",
            "1 kommune har ikke meldt kommunedirektøren på samling 3, den siste samlingen.",
            "2 kommuner mangler forankring hos kommunedirektøren.",
        ]
        assert summaries(result.nice) == ["1 kommune har 2 påmeldte til samling 3, ikke 3."]
        # The draft (2) and the cancelled gathering (4) are not checked; Hamar's three at 1 are enough.
        assert {check.gathering.number for check in result.checks() if check.gathering} == {1, 3}
        assert result.must_count == 2


def test_counts_are_worded_for_none_one_and_more():
    assert followup.registered_text(0) == "Ingen deltakere er påmeldt."
    assert followup.registered_text(1) == "Bare 1 deltaker er påmeldt."
    assert followup.registered_text(2) == "2 deltakere er påmeldt."
    assert followup.registered_text(5) == "5 deltakere er påmeldt."


def test_the_executive_missing_at_a_closed_last_gathering_is_flagged_and_the_person_counts(app, built):
    ids, people = built
    with app.app_context():
        missing = [c for c in checks_of(ids).checks() if c.kind == followup.EXECUTIVE_MISSING]
        assert [(c.membership.organisation_id, c.gathering.number, c.first) for c in missing] == [(ids["hamar"], 3, False)]
        # The anchoring names Kari as the executive: she is registered for 3, so nothing is missing.
        hamar = db.session.scalar(select(Membership).where(Membership.network_id == ids["network"],
                                                           Membership.organisation_id == ids["hamar"]))
        hamar.executive_id = people["contact"].id
        db.session.flush()
        assert not [c for c in checks_of(ids).checks() if c.kind == followup.EXECUTIVE_MISSING]


def test_a_draft_last_gathering_is_checked_once_it_is_announced(app, built):
    """Before: the last gathering had to be open for registration; now a closed one counts too,
    and a draft does not (it may still move)."""
    ids, _people = built
    with app.app_context():
        db.session.get(Gathering, ids["g3"]).status = GatheringStatus.PLANNED
        db.session.flush()
        assert not [c for c in checks_of(ids).checks() if c.kind == followup.EXECUTIVE_MISSING]
        db.session.get(Gathering, ids["g3"]).status = GatheringStatus.OPEN
        db.session.flush()
        assert [c.gathering.number for c in checks_of(ids).checks() if c.kind == followup.EXECUTIVE_MISSING] == [3]


def test_the_registrations_page_shows_its_own_gathering_with_real_problems_first(built, login):
    ids, people = built
    html = text(login(people["coordinator"]).get(f"/networks/{ids['network']}/gatherings/{ids['g3']}/registrations"))
    section = re.search(r'<section aria-labelledby="checks-heading".*?</section>', html, re.S).group(0)
    words = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "1 kommune har færre enn 2 påmeldte til samling 3." in words
    assert "Lillehammer : Ingen deltakere er påmeldt." in words
    assert "1 kommune har ikke meldt kommunedirektøren på samling 3, den siste samlingen." in words
    assert "samling 1" not in words and "forankring" not in words and "Bare 0" not in words
    # Real problems first, open; nice to have after them, closed.
    assert section.index("Må følges opp") < section.index("Fint å ha")
    assert '<details class="followup-details" id="followup-nice">' in section
    assert "1 kommune har 2 påmeldte til samling 3, ikke 3." in words and "Hamar : 2 deltakere er påmeldt." in words


def test_a_municipality_page_lists_its_checks_from_the_same_rule(built, login):
    ids, people = built
    page = text(login(people["coordinator"]).get(f"/networks/{ids['network']}/municipalities/{ids['lillehammer']}"))
    assert "Samling 3: Ingen deltakere er påmeldt. Kommunen skal ha minst 2, helst 3." in page
    assert "Samling 1: Bare 1 deltaker er påmeldt. Kommunen skal ha minst 2, helst 3." in page
    assert "Bare 0" not in page


def test_the_dashboard_counts_first_and_opens_to_the_municipalities(built, login):
    ids, people = built
    html = text(login(people["coordinator"]).get(f"/networks/{ids['network']}/dashboard"))
    assert "2 kommuner har noe som må følges opp." in html
    assert re.search(r"<summary>1 kommune har færre enn 2 påmeldte til samling 1\.</summary>\s*"
                     r'<ul class="followup-names">\s*<li><a class="ds-link" href="[^"]+">Lillehammer</a>: '
                     r"Bare 1 deltaker er påmeldt\.</li>", html)


def test_anchoring_names_the_executive_and_a_deleted_person_leaves_the_name(app, built, login):
    ids, people = built
    client = login(people["coordinator"])
    response = client.post(f"/networks/{ids['network']}/municipalities/{ids['hamar']}/anchoring",
                           data={"executive_id": str(people["executive"].id), "decided_on": "2019-03-01"})
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Deltakelsen er forankret hos kommunedirektør Rita Rådmann, 1. mars 2019." in page
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.network_id == ids["network"],
                                                                Membership.organisation_id == ids["hamar"]))
        assert membership.executive_id == people["executive"].id
        # The person's deletion clears the link (ON DELETE SET NULL, and the eraser's own rule).
        erase_person(db.session.get(Person, people["executive"].id))
        db.session.flush()
        db.session.refresh(membership)
        assert membership.executive_id is None and membership.executive_name != "Rita Rådmann"
