"""The migrations build exactly the schema the models describe, and can be undone."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, inspect, text

from annotator.extensions import db
from annotator.models import Document
from tests.helpers import make_app


def differing_default(_context, _inspected, column, found, _default, rendered):
    """Alembic's comparison of server defaults, except that a JSON default is compared as
    text: PostgreSQL has no ``=`` for JSON, in which alembic compares them."""
    if isinstance(column.type, JSON):
        return found.split("::")[0].strip("'") != rendered
    return None


def test_models_match_migrations(app):
    with db.engine.connect() as connection:
        options = {"compare_server_default": differing_default}
        diff = compare_metadata(MigrationContext.configure(connection, opts=options), db.metadata)
    assert diff == []


def test_every_python_default_is_a_server_default():
    missing = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.default is not None and column.server_default is None
    ]
    assert missing == []


def test_an_insert_that_leaves_columns_out_gets_the_apps_defaults(app):
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO users (name) VALUES ('plain')"))
        user = connection.execute(text("SELECT role, active, created FROM users")).one()
    assert (user.role, bool(user.active)) == ("annotator", True) and user.created is not None


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


def test_upgrade_fills_new_columns_of_existing_rows(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO documents (id, seq, text, content_hash, imported) "
                    "VALUES ('d', 1, 'One. Two.', 'h', '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    'INSERT INTO sentences (id, document_id, "index", paragraph, start, "end",'
                    " text) VALUES (1, 'd', 0, 0, 0, 4, 'One.'), (2, 'd', 1, 0, 5, 9, 'Two.')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, name, role, active, created) VALUES "
                    "(1, 'a', 'annotator', 1, '2026-01-01'), (2, 'b', 'annotator', 1, '2026-01-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO annotations (sentence_id, annotator_id, labels, skipped, flagged,"
                    " created, updated) VALUES (1, 1, '{}', 0, 0, '2026-01-01', '2026-01-01'),"
                    " (1, 2, '{}', 0, 0, '2026-01-01', '2026-01-01'),"
                    " (2, 1, '{}', 1, 0, '2026-01-01', '2026-01-01')"
                )
            )
        upgrade(revision="0004")
        with db.engine.connect() as connection:
            taken = connection.execute(text("SELECT id, taken FROM sentences ORDER BY id")).all()
            tokens = connection.execute(text("SELECT session_token FROM users")).scalars().all()
        assert taken == [(1, 2), (2, 0)]
        assert all(tokens) and len(set(tokens)) == 2
        upgrade()  # sessions move to their own table: the users stay, their tokens go
        columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
        assert "session_token" not in columns and "name" in columns
        db.engine.dispose()


def test_documents_gain_what_was_removed_and_lose_it_again(app):
    downgrade(revision="0006")
    insert = "INSERT INTO documents (id, seq, text, content_hash{}) VALUES ({})"
    with db.engine.begin() as connection:
        connection.execute(text(insert.format("", "'d', 1, 'One. Two.', 'h'")))
    upgrade(revision="0007")
    with db.engine.begin() as connection:
        row = connection.execute(
            text("SELECT author, html_digest, removed, sources, kept_lines FROM documents")
        ).one()
        assert tuple(row) == (None,) * 5  # nothing is known of what its import removed
        values = """'e', 2, 'Three.', 'i', 'p', '[{"text": "Ad", "reason": "x"}]'"""
        connection.execute(text(insert.format(", html_digest, removed", values)))
    with db.engine.begin() as connection:  # a page under two ids (lines kept in one)
        connection.execute(text(insert.format(", html_digest", "'f', 3, 'Four.', 'j', 'p'")))
    downgrade(revision="0006")
    columns = {column["name"] for column in inspect(db.engine).get_columns("documents")}
    assert not columns & {"author", "html_digest", "removed", "sources", "kept_lines"}
    with db.engine.connect() as connection:
        ids = connection.execute(text("SELECT id FROM documents ORDER BY id")).scalars().all()
    assert ids == ["d", "e", "f"]
    upgrade()


def test_documents_stored_before_targets_get_the_scheme_s(app):
    downgrade(revision="0007")
    insert = "INSERT INTO documents (id, seq, text, content_hash) VALUES ('d', 1, 'One.', 'h')"
    with db.engine.begin() as connection:
        connection.execute(text(insert))
    upgrade(revision="0008")
    assert db.session.get(Document, "d").targets == ["Azerbaijan", "Armenia"]
    db.session.rollback()
    downgrade(revision="0007")
    columns = {column["name"] for column in inspect(db.engine).get_columns("documents")}
    assert "targets" not in columns
    upgrade()
