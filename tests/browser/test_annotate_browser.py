"""An annotator logs in, is handed a sentence in its article, labels it and gets the next."""

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from annotator.extensions import db
from annotator.models import Annotation

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def test_label_a_sentence_and_move_on(page, live_server, runner, make_user, screenshot):
    runner.invoke(args=["import", str(SEEDS)])
    make_user("alice")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.get_by_label("Name").fill("alice")
    page.get_by_label("Password").fill("secret-pass")
    page.keyboard.press("Enter")
    current = page.locator("mark.current")
    expect(current).to_contain_text("Azerbaijan's Foreign Minister Jeyhun Bayramov met")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Azerbaijan FM informed")
    screenshot("annotate")
    page.get_by_label("Checkworthy claim").check()
    page.get_by_label("Organisation").check()
    page.get_by_role("group", name="Armenia").get_by_label("Neutral").check()
    page.get_by_role("button", name="Save and next").click()
    expect(current).to_contain_text("According to the press service")
    db.session.rollback()
    stored = db.session.scalar(select(Annotation))
    assert stored.labels["claim"] == "checkworthy_claim"
    assert stored.labels["attribution"]["source_type"] == "organisation"
    assert stored.labels["stance"] == {"Azerbaijan": "none", "Armenia": "neutral"}
