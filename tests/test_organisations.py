from sqlalchemy import func, select

from network.extensions import db
from network.organisations.models import County, Organisation, OrganisationKind
from network.organisations.services import import_national_list


def _count(kind):
    return db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.kind == kind))


def test_national_list_has_every_municipality_and_county(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(County)) == 11
        assert _count(OrganisationKind.MUNICIPALITY) == 356
        assert _count(OrganisationKind.COUNTY_AUTHORITY) == 10  # Oslo has none of its own


def test_import_twice_changes_nothing(app, runner):
    result = runner.invoke(args=["organisations", "import"])
    assert result.exit_code == 0
    assert "Counties created: 0; organisations created: 0, updated: 0." in result.output
    with app.app_context():
        again = import_national_list()
        assert (again.counties_created, again.organisations_created, again.organisations_updated) == (0, 0, 0)


def test_municipality_facts_come_from_ssb(app):
    with app.app_context():
        hamar = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "3403"))
        assert hamar.name == "Hamar"
        assert hamar.county.name == "Innlandet"
        assert (hamar.population_2020, hamar.population_2010) == (31_369, 28_344)
        assert hamar.centrality_class in range(1, 7)
        lindesnes = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "4205"))
        assert lindesnes.name == "Lindesnes"
        assert lindesnes.county.name == "Agder"


def test_municipalities_with_the_same_name_are_kept_apart(app):
    with app.app_context():
        heroy = db.session.scalars(select(Organisation).where(Organisation.name == "Herøy")).all()
        assert len(heroy) == 2
        assert {m.county.name for m in heroy} == {"Nordland", "Møre og Romsdal"}


def test_missing_2010_figure_is_stored_as_unknown(app):
    with app.app_context():
        narvik = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "1806"))
        assert narvik.population_2010 is None
        assert narvik.population_change_percent is None


def test_an_updated_figure_is_updated_by_the_import(app):
    with app.app_context():
        hamar = db.session.scalar(select(Organisation).where(Organisation.kommunenummer == "3403"))
        real = hamar.population_2020
        hamar.population_2020 = 1
        db.session.commit()
        result = import_national_list()
        assert result.organisations_updated == 1
        assert hamar.population_2020 == real
