"""An annotator labels two articles on different topics, each with its own stance targets
(issue 16): the stance rows follow the article, and so do the labels stored."""

import json

from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.importing import import_files
from annotator.models import Annotation, Sentence
from tests.helpers import all_saved

ARTICLES = [
    {
        "id": "water",
        "title": "City to replace its water mains",
        "text": "The city will replace its water mains. The council approved the plan on Monday.",
        "targets": ["Water utility", "City council"],
    },
    {
        "id": "border",
        "title": "Talks in Brussels",
        "text": "Azerbaijan and Armenia met in Brussels. Both sides called the talks useful.",
    },
]
STANCE = {"water": ("City council", "Favor"), "border": ("Armenia", "Against")}


def test_each_article_asks_the_stance_of_its_own_targets(
    page, live_server, tmp_path, make_user, sign_in, screenshot
):
    path = tmp_path / "topics.jsonl"
    path.write_text("".join(json.dumps(article) + "\n" for article in ARTICLES))
    import_files([path])
    make_user("alice")
    page.set_viewport_size({"width": 800, "height": 900})
    sign_in("alice")
    page.goto(f"{live_server}/annotate")
    current = page.locator("mark.current")
    for number in range(4):
        expect(current).to_be_visible()
        sentence = current.inner_text()
        heading = page.get_by_role("heading", level=1).inner_text()
        document = "water" if "water" in heading else "border"
        if document == "water":
            expect(page.get_by_role("group", name="Water utility")).to_be_visible()
            expect(page.get_by_role("group", name="Azerbaijan")).to_have_count(0)
        else:
            expect(page.get_by_role("group", name="Azerbaijan")).to_be_visible()
            expect(page.get_by_role("group", name="City council")).to_have_count(0)
        screenshot(f"targets-{number}-{document}")
        page.get_by_label("Checkworthy claim").check()
        target, choice = STANCE[document]
        page.get_by_role("group", name=target).get_by_label(choice).check()
        page.get_by_role("button", name="Save and next").click()
        if number < 3:
            expect(current).not_to_have_text(sentence)
    expect(page.get_by_role("heading", name="Nothing left for you to label")).to_be_visible()
    all_saved(page)  # the end shows before the last save behind it is acknowledged
    db.session.rollback()
    stored = db.session.execute(
        select(Sentence.document_id, Annotation.labels).join(
            Sentence, Sentence.id == Annotation.sentence_id
        )
    ).all()
    assert len(stored) == 4
    for document, labels in stored:
        if document == "water":
            assert labels["stance"] == {"Water utility": "none", "City council": "favor"}
        else:
            assert labels["stance"] == {"Azerbaijan": "none", "Armenia": "against"}
