"""The migrations build exactly the schema the models describe, and can be undone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from annotator.extensions import db


def test_models_match_migrations(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_sqlite_pragmas(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas; this run uses " + db.engine.dialect.name)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_downgrade_and_upgrade_again(app):
    downgrade(revision="base")
    assert "documents" not in inspect(db.engine).get_table_names()
    upgrade()
    assert {"documents", "sentences", "users", "annotations"} <= set(
        inspect(db.engine).get_table_names()
    )
