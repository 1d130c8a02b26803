"""``flask documents``, ``flask show``, ``flask stats`` and ``flask init-db``."""

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from annotator.assignment import next_sentence
from annotator.extensions import db
from annotator.labelling import save
from annotator.models import Annotation, Document, Sentence, User
from tests.helpers import SEEDS, TEST_DATABASE_URL, Runner, label_values, make_app, skip_values

ROOT = Path(__file__).resolve().parent.parent
NO_TABLES = "Error: the database has no tables: run `flask init-db`\n"


def test_documents_json(runner, seeds):
    result = runner.invoke(args=["documents", "--json"])
    assert result.exit_code == 0, result.output
    documents = json.loads(result.output)
    assert documents == [
        {
            "id": "000_4e0281c745451fc7",
            "title": "Azerbaijan FM informed Italian counterpart about Azerbaijan’s local "
            "anti-terrorist measures",
            "outlet": None,
            "publisher": None,
            "published": "2023-09-19",
            "targets": ["Azerbaijan", "Armenia"],
            "sentences": 16,
        },
        {
            "id": "001_0dd38af94ea597a2",
            "title": None,
            "outlet": "AzerNews",
            "publisher": "MENAFN",
            "published": None,
            "targets": ["Azerbaijan", "Armenia"],
            "sentences": 9,
        },
    ]
    assert "’" in result.output  # UTF-8, not \u escapes


def test_documents_text_and_empty(runner):
    empty = runner.invoke(args=["documents"])
    assert empty.exit_code == 0, empty.output
    assert "No documents yet" in empty.output
    imported = runner.invoke(args=["import", str(SEEDS)])
    assert imported.exit_code == 0, imported.output
    listing = runner.invoke(args=["documents"])
    assert listing.exit_code == 0, listing.output
    assert "001_0dd38af94ea597a2     9 sentences  AzerNews / MENAFN" in listing.output


def test_show_json_offsets(runner, seeds):
    result = runner.invoke(args=["show", "001_0dd38af94ea597a2", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {
        "id", "title", "outlet", "publisher", "published", "url", "author", "sources", "removed",
        "kept_lines", "targets", "text", "sentences",
    }  # fmt: skip
    marker = "syndication marker '(MENAFN- AzerNews)'"
    assert document["sources"] == {
        "id": "file name", "outlet": marker, "publisher": marker, "targets": "the scheme's"
    }  # fmt: skip
    assert document["removed"] == [{"text": "(MENAFN- AzerNews)", "reason": "syndication marker"}]
    assert (document["author"], document["kept_lines"]) == (None, [])
    assert [s["index"] for s in document["sentences"]] == list(range(9))
    for sentence in document["sentences"]:
        assert document["text"][sentence["start"] : sentence["end"]] == sentence["text"]


def test_show_text_and_unknown_id(runner, seeds):
    shown = runner.invoke(args=["show", "000_4e0281c745451fc7"])
    assert shown.exit_code == 0, shown.output
    assert "published  2023-09-19" in shown.output
    assert "   0  [0:238]  Azerbaijan's Foreign Minister" in shown.output
    missing = runner.invoke(args=["show", "nope"])
    assert missing.exit_code == 1, missing.output
    assert "no document 'nope'; `flask documents` lists the ids." in missing.output


# what the terminal would act on: escape sequences (colour, window title, clear screen, the
# 8-bit CSI), the bell, a carriage return, and bidirectional overrides
HOSTILE = "Evil\x1b[31mRED\x1b]0;title\x07\x9b2J\r\u202eright"
SHOWN = "Evil\\x1b[31mRED\\x1b]0;title\\x07\\x9b2J\\r\\u202eright"
RAW = ("\x1b", "\x07", "\x9b", "\r", "\u202e")


def test_control_characters_reach_the_terminal_as_escapes(runner, seeds):
    # stored before imports and forms dropped them (or by a future channel that forgets to)
    document = db.session.get(Document, "001_0dd38af94ea597a2")
    document.title, document.outlet, document.publisher = HOSTILE, HOSTILE, HOSTILE
    db.session.get(Sentence, 17).text = HOSTILE
    db.session.add(User(name=HOSTILE, role="annotator"))
    db.session.commit()
    commands = [
        (["documents"], 0),
        (["show", document.id], 0),
        (["stats"], 0),
        (["show", HOSTILE], 1),  # no such document: the message names the id
    ]
    for args, code in commands:
        result = runner.invoke(args=args)
        assert result.exit_code == code, result.output
        assert SHOWN in result.output, args
        assert not any(c in result.output for c in RAW), args
    for args in (["documents", "--json"], ["show", document.id, "--json"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert not any(c in result.output for c in RAW), args
        found = json.loads(result.output)
        assert (found[1] if args[0] == "documents" else found)["title"] == HOSTILE
    assert "\\u202e" in result.output  # JSON's own escape, which reads back as the character
    plain = runner.invoke(args=["show", "000_4e0281c745451fc7"])
    assert plain.exit_code == 0, plain.output
    assert "’" in plain.output  # text as it is


def test_stats_counts_per_annotator(runner, seeds, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    first, second = db.session.scalars(db.select(Sentence).limit(2)).all()
    db.session.add_all(
        [
            Annotation(sentence_id=first.id, annotator_id=alice.id, labels={"claim": "claim"}),
            Annotation(sentence_id=second.id, annotator_id=alice.id, skipped=True),
            Annotation(sentence_id=first.id, annotator_id=bob.id, labels={"claim": "not_claim"}),
        ]
    )
    db.session.commit()
    stats = runner.invoke(args=["stats"])
    assert stats.exit_code == 0, stats.output
    assert "documents:   2" in stats.output
    assert "sentences:   25" in stats.output
    assert "annotations: 2 labelled, 1 skipped" in stats.output
    assert "alice                 annotator          1        1" in stats.output
    assert "bob                   annotator          1        0" in stats.output


def work_columns(output):
    """{name: (labelled, skipped)} from a table printed by ``flask stats`` or ``users list``."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if "labelled" in line.split())
    columns = lines[header].split()
    labelled, skipped = columns.index("labelled"), columns.index("skipped")
    rows = [line.split() for line in lines[header + 1 :] if line.strip()]
    return {row[0]: (int(row[labelled]), int(row[skipped])) for row in rows}


def test_stats_and_users_list_count_labels_and_skips_alike(runner, seeds, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    make_user("carol", role="reviewer")
    for user, actions in ((alice, "LLS"), (bob, "SL")):
        for action in actions:
            sentence = next_sentence(user.id)
            save(user.id, sentence, label_values() if action == "L" else skip_values("unclear"))
    expected = {"alice": (2, 1), "bob": (1, 1), "carol": (0, 0)}
    stats = runner.invoke(args=["stats"])
    assert stats.exit_code == 0, stats.output
    assert work_columns(stats.output) == expected
    listing = runner.invoke(args=["users", "list"])
    assert listing.exit_code == 0, listing.output
    assert work_columns(listing.output) == expected


def test_init_db_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database is up to date." in result.output


def empty_database(tmp_path, name):
    """The URI of an empty database, as a new ``DATABASE_URL`` gives: an empty SQLite file,
    or an empty schema on the PostgreSQL server of ``TEST_DATABASE_URL``."""
    if not TEST_DATABASE_URL:
        path = tmp_path / f"{name}.sqlite"
        path.touch()
        return f"sqlite:///{path}"
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"))
    engine.dispose()
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def runner_on(uri):
    """A runner (as the ``runner`` fixture's) for an app on ``uri``."""
    app = make_app(uri)
    app.test_cli_runner_class = Runner
    with app.app_context():
        yield app.test_cli_runner()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def empty(tmp_path):
    """A runner for an app on an empty database."""
    with runner_on(empty_database(tmp_path, "no_tables")) as runner:
        yield runner


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["export", "--out", "{tmp}/out.jsonl"],
        ["agreement"],
        ["users", "list"],
        ["users", "add", "alice", "--password-stdin"],
        ["import", str(SEEDS)],
        ["import-annotations", "{tmp}/records.jsonl"],
        ["documents"],
        ["show", "doc0"],
        ["adjudicate", "--auto", "unanimous"],
    ],
)
def test_a_database_without_tables_is_one_line_not_a_traceback(empty, tmp_path, args):
    (tmp_path / "records.jsonl").write_text("")
    args = [arg.format(tmp=tmp_path) for arg in args]
    result = empty.invoke(args=args, input="long-enough-pw\n")
    assert result.exit_code == 1, result.output
    # `flask import` names its progress bar before it reaches the database
    assert result.output.removeprefix("Importing\n") == NO_TABLES, result.output
    assert not list(tmp_path.glob("*out*")), "no export file is left behind"


def test_init_db_and_setup_work_on_a_database_without_tables(empty, tmp_path):
    result = empty.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    stats = empty.invoke(args=["stats"])
    assert stats.exit_code == 0, stats.output
    with runner_on(empty_database(tmp_path, "no_tables_setup")) as runner:
        result = runner.invoke(args=["setup"])
        assert result.exit_code == 0, result.output
        assert "Demo admin created" in result.output


def test_a_database_lacking_some_tables_names_them(empty):
    result = empty.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    db.session.execute(text("DROP TABLE gold_revisions"))
    db.session.execute(text("DROP TABLE gold"))
    db.session.commit()
    result = empty.invoke(args=["adjudicate", "--auto", "majority"])
    assert result.exit_code == 1, result.output
    assert result.output == (
        "Error: the database lacks the tables gold, gold_revisions: run `flask init-db`\n"
    )


def test_the_real_flask_command_says_so_too_and_flask_db_upgrade_works(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": empty_database(tmp_path, "no_tables_flask"),
        "SECRET_KEY": "test-only-secret",
        "FLASK_APP": f"annotator:create_app(instance_path={str(tmp_path / 'instance')!r})",
    }

    def flask(*args):
        return subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    stats = flask("stats")
    assert stats.returncode == 1
    assert stats.stderr == NO_TABLES and stats.stdout == ""
    upgrade = flask("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    stats = flask("stats")
    assert stats.returncode == 0 and "documents:   0" in stats.stdout, stats.stderr
