"""``flask setup``, the first half of ``make run``."""

import re

from sqlalchemy import func, select

from annotator.extensions import db
from annotator.models import Document, Sentence, User


def test_setup_seeds_and_admin_once(runner):
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "Imported 2 documents, 25 sentences" in first.output
    password = re.search(r"password: (\S+)", first.output).group(1)
    admin = db.session.scalar(select(User))
    assert (admin.name, admin.role) == ("admin", "admin")
    assert admin.check_password(password)
    assert admin.password_hash != password

    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0, second.output
    assert "Imported" not in second.output and "password" not in second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(Sentence)) == 25


def test_setup_leaves_existing_documents_and_users_alone(runner, make_user, tmp_path):
    make_user("lead", role="admin")
    article = tmp_path / "mine.txt"
    article.write_text("My own article. Nothing else.")
    imported = runner.invoke(args=["import", str(article)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Document.id)).all() == ["mine"]
    assert "Demo admin" not in result.output
