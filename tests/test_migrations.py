"""Every schema change is a migration: upgrading an empty database gives exactly the models' schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from network.extensions import db
from tests.conftest import make_app


def _schema_diff(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_sqlite_matches_models(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}")
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []
        upgrade()
        assert _schema_diff(db.engine) == []
        db.engine.dispose()


def test_the_test_database_was_migrated_from_empty_and_matches_models(migrated_database):
    # On PostgreSQL runs this is the database the session fixture emptied and upgraded.
    app = make_app(migrated_database)
    with app.app_context():
        assert _schema_diff(db.engine) == []
        db.engine.dispose()


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "network" in inspect(db.engine).get_table_names()
        db.engine.dispose()
