"""A project lead logs in with the keyboard and checks an import in the browser."""

from playwright.sync_api import expect


def test_log_in_with_keyboard_and_read_a_document(page, live_server, seeds, make_user, screenshot):
    make_user("lead", role="admin")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/documents")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fdocuments")
    page.keyboard.type("lead")  # the name field has focus
    page.keyboard.press("Tab")
    page.keyboard.type("wrong")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Wrong name or password.")
    page.get_by_label("Password").fill("secret-pass")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    rows = page.locator("table.documents tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("AzerNews")
    expect(rows.nth(1)).to_contain_text("MENAFN")
    screenshot("documents")
    rows.nth(0).get_by_role("link").click()
    expect(page.locator(".meta")).to_contain_text("2023-09-19")
    expect(page.locator(".sentence")).to_have_count(16)
    expect(page.locator("article")).not_to_contain_text("Read: 845")
    screenshot("document")


def test_five_wrong_passwords_say_how_long_to_wait_and_where_to_go(
    page, live_server, make_user, runner, screenshot
):
    make_user("lead", role="admin")
    page.set_viewport_size({"width": 800, "height": 700})
    page.goto(f"{live_server}/login")
    for _ in range(6):
        page.get_by_label("Name").fill("lead")
        page.get_by_label("Password").fill("not-it")
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.locator("main")).to_contain_text("for 10 minutes no password is checked")
    screenshot("too-many-attempts")
    unlocked = runner.invoke(args=["users", "unlock", "lead"])
    assert unlocked.exit_code == 0, unlocked.output
    page.get_by_role("link", name="Go to the login page").click()
    page.get_by_label("Name").fill("lead")
    page.get_by_label("Password").fill("secret-pass")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()


def test_an_admin_adds_a_stance_target_on_the_document_page(
    page, live_server, seeds, make_user, screenshot
):
    make_user("lead", role="admin")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login?next=%2Fdocuments")
    page.get_by_label("Name").fill("lead")
    page.get_by_label("Password").fill("secret-pass")
    page.keyboard.press("Enter")
    page.locator("table.documents tbody tr").nth(0).get_by_role("link").click()
    summary = page.locator("details.targets summary")
    expect(summary).to_contain_text("Stance targets: Azerbaijan, Armenia · change")
    summary.click()  # folded to one line above the article
    targets = page.get_by_label("Stance targets, one a line")
    expect(targets).to_have_value("Azerbaijan\nArmenia")
    targets.fill("Azerbaijan\nArmenia\nazerbaijan")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_role("alert")).to_contain_text("'azerbaijan' is given twice")
    expect(page.get_by_label("Stance targets, one a line")).to_have_value(
        "Azerbaijan\nArmenia\nazerbaijan"
    )  # what was typed stays
    page.get_by_label("Stance targets, one a line").fill("Azerbaijan\nArmenia\nEU mediation")
    page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".flash").first).to_contain_text(
        "targets Azerbaijan, Armenia, EU mediation (were Azerbaijan, Armenia)"
    )
    expect(page.locator("details.targets summary")).to_contain_text(
        "Stance targets: Azerbaijan, Armenia, EU mediation"
    )
    screenshot("document-targets")
