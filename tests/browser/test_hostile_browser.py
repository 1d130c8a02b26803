"""Article text is shown as text: markup and script in a news item never run in the browser
of the annotator or the reviewer."""

import json

import pytest
from playwright.sync_api import expect

from tests.helpers import all_saved

HOSTILE = [
    'Officials said <script>window.pwned = "script"</script> the talks would resume.',
    "A reader wrote <img src=x onerror=\"window.pwned = 'onerror'\"> under the story.",
    "See <a href=\"javascript:window.pwned = 'link'\">the statement</a> for details.",
    "The ministry's <svg onload=\"window.pwned = 'svg'\"></svg> reply came late.",
]
TITLE = "<b onmouseover=\"window.pwned = 'title'\">Breaking</b> & more"


@pytest.fixture
def hostile_article(runner, make_user, tmp_path):
    """An article full of markup and script, imported as it came; alice and a reviewer."""
    path = tmp_path / "hostile.jsonl"
    record = {"id": "hostile", "title": TITLE, "outlet": "<i>Wire</i>", "text": " ".join(HOSTILE)}
    path.write_text(json.dumps(record) + "\n")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    make_user("alice")
    make_user("rita", role="reviewer")


def watch(page):
    """Collect dialogs and page errors; anything here means a script ran."""
    happened = []
    page.on("dialog", lambda dialog: (happened.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: happened.append(str(error)))
    return happened


def test_markup_in_articles_shows_as_text_and_never_runs(
    page, live_server, hostile_article, sign_in, screenshot
):
    happened = watch(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in("alice")
    workspace = page.locator("#workspace")
    expect(workspace).to_contain_text('<script>window.pwned = "script"</script>')
    expect(workspace).to_contain_text("<b onmouseover=")
    for sentence in HOSTILE[1:]:  # every sentence of the article is shown, as typed
        expect(workspace).to_contain_text(sentence)
    injected = "#workspace script, #workspace img, #workspace svg, #workspace a[href^=java]"
    assert page.locator(injected).count() == 0
    page.mouse.move(400, 250)  # over the article, where an onmouseover would fire
    screenshot("hostile-article-workspace")
    for done in range(1, len(HOSTILE) + 1):  # label them all, each answer swapped in
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        if done < len(HOSTILE):
            expect(page.locator("#workspace .progress")).to_contain_text(f"Today {done}")
    all_saved(page)  # leaving the page while a save is on its way asks first
    page.goto(f"{live_server}/annotate/history")
    expect(page.locator("main")).to_contain_text("<script>")
    assert page.evaluate("window.pwned") is None

    page.context.clear_cookies()
    sign_in("rita")
    expect(page.locator("h1")).to_contain_text("Documents")  # logged in, at the documents
    page.goto(f"{live_server}/documents/hostile")
    expect(page.locator("main")).to_contain_text("onerror=")
    screenshot("hostile-article-document")
    assert page.evaluate("window.pwned") is None
    assert happened == []
