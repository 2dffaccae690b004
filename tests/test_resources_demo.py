"""The demo resources: KS's slide set with scripts, Hamar's version, the reports and the competence environments."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from network.auth.models import Person
from network.extensions import db
from network.files.services import PDF, detect_kind
from network.networks.models import Network
from network.resources import demo
from network.resources.models import CompetenceEnvironment, Report, Slide, SlideSet
from network.resources.services import is_web_address
from tests.conftest import signed_in_client
from tests.factories import world
from tests.test_demo import NETWORK_NAME
from tests.test_resources import plain

MODELS = (SlideSet, Slide, Report, CompetenceEnvironment)


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in MODELS}


def _pdf_pages(data: bytes) -> int:
    """Check the cross-reference table points at every object, and count the pages."""
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[start:start + 4] == b"xref"
    entries = re.findall(rb"(\d{10}) 00000 n ", data[start:])
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset):].startswith(b"%d 0 obj\n" % number)
    return int(re.search(rb"/Type /Pages /Kids \[[^\]]*\] /Count (\d+)", data).group(1))


def test_demo_resources_load_once(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        network = db.session.scalar(select(Network).where(Network.name == NETWORK_NAME))
        coordinator = db.session.scalar(select(Person).where(Person.email == "koordinator@demo.test"))
        # `flask demo` loaded them already: 2 slide sets, 12 reports, 12 environments.
        counts = _counts()
        assert {name: count for name, count in counts.items() if name in ("SlideSet", "Report", "CompetenceEnvironment")} == {
            "SlideSet": 2, "Report": 12, "CompetenceEnvironment": 12}
        assert demo.load_demo(network, coordinator) == {"slide_sets": 0, "reports": 0, "environments": 0}
        db.session.commit()
        assert _counts() == counts

        ks_set, hamar_set = db.session.scalars(select(SlideSet).order_by(SlideSet.id))
        assert (ks_set.title, ks_set.organisation_id, ks_set.created_by_id) == (
            "Helhetlig kommunal boligpolitikk", None, coordinator.id)
        titles = [slide.title for slide in ks_set.slides]
        assert 8 <= len(titles) <= 10 and [slide.number for slide in ks_set.slides] == list(range(1, len(titles) + 1))
        assert sum(title.startswith("Element ") for title in titles) == 3
        assert sum(title.startswith("Råd ") for title in titles) == 6
        assert all(slide.script for slide in ks_set.slides)
        stored = ks_set.file
        assert stored.content_type == "application/pdf" and detect_kind(stored.data) is PDF
        assert _pdf_pages(stored.data) == len(titles)

        assert hamar_set.organisation.name == "Hamar" and hamar_set.based_on_id == ks_set.id
        assert hamar_set.created_by.organisation_id == hamar_set.organisation_id
        assert 3 <= len(hamar_set.slides) <= 5 and _pdf_pages(hamar_set.file.data) == len(hamar_set.slides)

        nomads = db.session.scalar(select(Report).where(Report.title.startswith("Nomader på lavterskel?")))
        assert (nomads.publisher, nomads.year, nomads.authors) == (
            "Norce", 2021, "Rita Sørly, Annette Fresvik, Svein Ingve Nødland og Helge Lea Tvedt")
        assert {r.year for r in db.session.scalars(select(Report))} == {2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021}

        environments = list(db.session.scalars(select(CompetenceEnvironment)))
        names = " ".join(e.name for e in environments)
        for expected in ("Distriktssenteret", "Bylivsenteret", "DiBK", "NMBU", "NOVA", "Institutt for samfunnsforskning",
                         "OsloMet", "NBBL", "Tidsskrift for boligforskning", "EBA", "FORKOMMUNE", "boligmarkedsforskning"):
            assert expected in names, expected
        assert all(e.offer for e in environments)
        assert all(e.url is None or is_web_address(e.url) for e in environments)
        hamar_contact = db.session.scalar(select(Person).where(Person.email == "kontakt.hamar@demo.test"))
        network_id, set_id = network.id, hamar_set.id

    client = signed_in_client(app, hamar_contact)
    hub = plain(client.get(f"/networks/{network_id}/resources"))
    assert "Helhetlig kommunal boligpolitikk Fra KS · 10 lysark · PDF" in hub
    assert "Helhetlig boligpolitikk i Hamar Tilpasset av Hamar · 4 lysark" in hub
    page = plain(client.get(f"/networks/{network_id}/resources/slides/{set_id}"))
    assert "Bygger på Helhetlig kommunal boligpolitikk (fra KS)" in page


def test_demo_resources_in_a_network_without_hamar(app, factory):
    network = factory.network("Uten Hamar")
    coordinator = factory.person(name="Kari Koordinator")
    with app.app_context():
        loaded = demo.load_demo(db.session.get(Network, network.id), db.session.get(Person, coordinator.id))
        db.session.commit()
        assert loaded == {"slide_sets": 1, "reports": 12, "environments": 12}
        assert db.session.scalar(select(SlideSet.organisation_id)) is None


def test_demo_leaves_other_networks_alone(app, factory):
    network, _, _, people = world(factory)
    other = factory.network("Et tredje nettverk")
    with app.app_context():
        demo.load_demo(db.session.get(Network, network.id), db.session.get(Person, people["coordinator"].id))
        db.session.commit()
        for model in MODELS[:1] + MODELS[2:]:
            assert db.session.scalar(select(func.count()).select_from(model).where(model.network_id == other.id)) == 0
        # World's Hamar is a member with its own people: the version is theirs.
        version = db.session.scalar(select(SlideSet).where(SlideSet.organisation_id.is_not(None)))
        assert version.created_by_id in {people["participant"].id, people["contact"].id, people["executive"].id}
