"""Enter → next sentence painted, in Chromium, behind gunicorn as ``make serve`` runs it, on
100,000 sentences (issue 18); and saves under injected failures: none lost, none twice.

An annotator in headless Chromium labels sentences with the keyboard (a digit, then Enter),
pausing before each Enter as a person reads. The time is taken in the page: from the Enter's
own event time (when the browser received the key) to the first moment after the frame that
shows the next sentence (``requestAnimationFrame``, then a task: the frame has been drawn).
Twice: as the workspace works (the next sentence fetched ahead), and with the fetch ahead
switched off, when every Enter waits for the save's answer (what every Enter cost before).
Every sentence an Enter was pressed on must then be in the database, once.

Injected failures, on a third annotator: the server stopped (SIGSTOP) for three seconds while
two sentences are labelled (a slow server: the saves queue), answers of 503 for three saves,
and gunicorn killed (SIGKILL) and started again. The annotator presses Enter again on any
sentence that comes back, as the page asks; afterwards every sentence is saved exactly once.
"""

import os
import re
import signal
import statistics
import tempfile
import time
from pathlib import Path

import load
import workspace
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, text

from annotator import create_app
from annotator.extensions import db
from annotator.models import User

CHROMIUM = "/usr/bin/chromium"
ARGS = [  # as tests/browser/conftest.py launches it: headless and offline
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PEOPLE = {"ahead": "bench", "waiting": "bench-wait", "faults": "bench-faults"}
# Installed before the page's own scripts: timings kept in the page, read at the end.
MEASURE = """
performance.setResourceTimingBufferSize(5000);
window.benchPaints = [];
window.benchSubmitted = [];  // every sentence the page was asked to save, keys typed ahead too
document.addEventListener("submit", (event) => {
  if (event.target.id === "label-form") {
    window.benchSubmitted.push(document.getElementById("workspace").dataset.sentence);
  }
}, true);
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter") { window.benchEnterAt = event.timeStamp; }
}, true);
document.addEventListener("workspace:shown", () => {
  const at = window.benchEnterAt;
  window.benchEnterAt = null;
  if (at == null) { return; }
  requestAnimationFrame(() => setTimeout(() => window.benchPaints.push(performance.now() - at)));
});
"""
SAVES = re.compile(r"/annotate/\d+$")  # a POST there saves a sentence
NO_AHEAD = """
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("saving")?.removeAttribute("data-ahead-url");
});
"""
STATE = """() => ({saving: {...document.getElementById('saving').dataset},
  status: document.getElementById('saving').textContent,
  message: document.getElementById('client-message')?.textContent,
  shown: document.getElementById('workspace')?.dataset.sentence})"""
SAVE_TIMES = """() => performance.getEntriesByType("resource")
  .filter((entry) => /\\/annotate\\/\\d+$/.test(entry.name)).map((entry) => entry.duration)"""


def prepare(uri, total):
    """The workspace benchmark's database (``total`` sentences, half labelled by others,
    suggestions, user 'bench'), and the other two annotators."""
    workspace.prepare(uri, total)
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench"})
    with app.app_context():
        for name in list(PEOPLE.values())[1:]:
            user = User(name=name, role="annotator")
            user.set_password("bench-password")
            db.session.add(user)
        db.session.commit()
        db.engine.dispose()


def signed_in(browser, port, name, ahead=True):
    """A page of a fresh browser context, logged in as ``name``, in the workspace, ready for
    keys (and with the next sentence fetched ahead, unless ``ahead`` is off)."""
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    context.add_init_script(MEASURE if ahead else MEASURE + NO_AHEAD)
    page = context.new_page()
    page.goto(f"http://127.0.0.1:{port}/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill("bench-password")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"http://127.0.0.1:{port}/annotate")
    page.wait_for_selector("#group-claim.active")
    return page


def shown(page):
    """The id of the sentence on screen, or None."""
    return page.evaluate("document.getElementById('workspace')?.dataset.sentence || null")


def submitted(page):
    """The ids of every sentence the page was asked to save."""
    return page.evaluate("window.benchSubmitted")


def until(page, expression, timeout=60_000):
    """Poll until ``expression`` is true in the page (the page's Content-Security-Policy
    forbids the eval that Playwright's ``wait_for_function`` uses)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            state = page.evaluate(STATE)
            raise PlaywrightTimeout(f"not true within {timeout} ms: {expression}; {state}")
        page.wait_for_timeout(5)


def all_saved(page, timeout=60_000):
    until(page, "document.getElementById('saving').dataset.waiting === '0'", timeout)


def label(page, saves, ahead, think_ms):
    """Label ``saves`` sentences (a digit, then Enter after ``think_ms``); the ids an Enter
    was pressed on, the Enter → painted times and the saves' round trips (ms)."""
    for n in range(saves):
        if ahead:
            until(page, "document.getElementById('saving').dataset.ahead === '1'")
        page.keyboard.press("1")
        page.wait_for_timeout(think_ms)
        page.keyboard.press("Enter")
        page.wait_for_timeout(100)  # not a word to the page while it draws: polling is a task
        until(page, f"window.benchPaints.length > {n}")
    all_saved(page)
    return submitted(page), page.evaluate("window.benchPaints"), page.evaluate(SAVE_TIMES)


def saved_by(uri, name):
    """{sentence id: revision} of the user's annotations, as committed."""
    engine = create_engine(uri)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.sentence_id, a.revision FROM annotations a "
                "JOIN users u ON u.id = a.annotator_id WHERE u.name = :name"
            ),
            {"name": name},
        ).all()
    engine.dispose()
    return {str(sentence): revision for sentence, revision in rows}


def check(uri, name, pressed):
    """Lost (pressed, not saved), duplicated (saved more than once, or saved where nothing
    was pressed) and saved counts for one annotator."""
    saved = saved_by(uri, name)
    wanted = set(pressed)
    return {
        "pressed": len(wanted),
        "saved": len(saved),
        "lost": len(wanted - saved.keys()),
        "duplicated": sum(1 for revision in saved.values() if revision > 1)
        + len(saved.keys() - wanted),
    }


def percentiles(values):
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p90": None, "p99": None, "max": None}
    return {
        "p50": round(statistics.median(ordered), 1),
        "p90": round(ordered[int(len(ordered) * 0.9) - 1], 1),
        "p99": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 1),
        "max": round(ordered[-1], 1),
    }


def press_until_saved(page, attempts=20):
    """Enter, and Enter again whenever the sentence comes back, until it is saved."""
    for _ in range(attempts):
        before = int(page.evaluate("document.getElementById('saving').dataset.saved"))
        page.keyboard.press("Enter")
        try:
            saved = f"+document.getElementById('saving').dataset.saved > {before}"
            until(page, saved, timeout=8_000)
            return
        except PlaywrightTimeout:  # the sentence came back: the page asks to press again
            page.wait_for_timeout(500)
    raise RuntimeError("a save never went through")


def faults(page, server, uri):
    """The injected failures; returns what happened and the ids an Enter was pressed on."""
    events = {}
    # a slow server: stopped for 3 s while five sentences are labelled
    os.killpg(server.process.pid, signal.SIGSTOP)
    stopped = time.monotonic()
    for _ in range(2):  # the sentence ahead, then one the page waits behind (as a person does)
        page.keyboard.press("1")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
    events["saves queued while stopped"] = int(
        page.evaluate("document.getElementById('saving').dataset.waiting")
    )
    time.sleep(max(0.0, 3 - (time.monotonic() - stopped)))
    os.killpg(server.process.pid, signal.SIGCONT)
    all_saved(page)
    # three answers of 503: each save comes back with the reason, and is sent again
    refused = set()

    def unavailable(route):  # the first sending of each of three saves
        url = route.request.url
        if route.request.method == "POST" and url not in refused and len(refused) < 3:
            refused.add(url)
            return route.fulfill(status=503, body="<p id=reason>Unavailable.</p>")
        return route.continue_()

    page.route(SAVES, unavailable)
    came_back = 0
    for _ in range(3):
        labelling = shown(page)
        page.keyboard.press("2")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        until(page, "document.getElementById('saving').dataset.waiting === '0'")
        if shown(page) == labelling:
            came_back += 1
            press_until_saved(page)
    page.unroute(SAVES)
    events["came back after a 503"] = came_back
    # gunicorn killed, then started again on the same port
    server.kill()
    labelling = shown(page)
    page.keyboard.press("3")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    until(page, "document.getElementById('saving').dataset.waiting === '0'")
    events["came back while the server was down"] = int(shown(page) == labelling)
    server.start()
    press_until_saved(page)
    all_saved(page)
    return submitted(page), events


def run(uri=None, total=100_000, saves=200, think_ms=300):
    """Prepare, serve with gunicorn, and measure; returns the figures."""
    with tempfile.TemporaryDirectory() as folder:
        uri = uri or f"sqlite:///{Path(folder) / 'browser.db'}"
        started = time.perf_counter()
        prepare(uri, total)
        prepared = time.perf_counter() - started
        results = {"sentences": total, "saves": saves, "think_ms": think_ms}
        server = load.Server(uri, workers=os.cpu_count() or 2).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for mode, ahead in (("ahead", True), ("waiting", False)):
                    page = signed_in(browser, server.port, PEOPLE[mode], ahead)
                    pressed, paints, save_times = label(page, saves, ahead, think_ms)
                    results[mode] = {
                        "enter_to_paint_ms": percentiles(paints),
                        "save_round_trip_ms": percentiles(save_times),
                        **check(uri, PEOPLE[mode], pressed),
                    }
                    page.context.close()
                page = signed_in(browser, server.port, PEOPLE["faults"])
                pressed, events = faults(page, server, uri)
                results["faults"] = {**events, **check(uri, PEOPLE["faults"], pressed)}
                browser.close()
        finally:
            server.stop()
        results["prepare_s"] = round(prepared, 1)
        return results


def markdown(results):
    """The figures as a section of bench/RESULTS.md."""
    ahead, waiting, faulty = results["ahead"], results["waiting"], results["faults"]
    rows = []
    for name, figures in (("next sentence fetched ahead", ahead), ("no fetch ahead", waiting)):
        paint, trip = figures["enter_to_paint_ms"], figures["save_round_trip_ms"]
        rows.append(
            f"| {name} | {paint['p50']} | {paint['p90']} | {paint['p99']} | {paint['max']} "
            f"| {trip['p50']} | {figures['pressed']} | {figures['saved']} "
            f"| {figures['lost']} | {figures['duplicated']} |"
        )
    ratio = waiting["enter_to_paint_ms"]["p50"] / max(ahead["enter_to_paint_ms"]["p50"], 0.1)
    return f"""
Headless Chromium against gunicorn (`make serve`'s command, one worker per core) on SQLite
with {results["sentences"]:,} sentences (half labelled by others, suggestions made).
{results["saves"]} saves per annotator: a digit, {results["think_ms"]} ms of reading, Enter.
Enter → painted is measured in the page from the key event's own time to the first task after
the frame that shows the next sentence. "No fetch ahead" is the same page with the fetch
switched off: every Enter waits for the save's answer, as every Enter did before.

| | Enter → painted p50 ms | p90 | p99 | max | save answered p50 | pressed | saved | lost | twice |
|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Fetched ahead, the next sentence is painted {ratio:.0f}× sooner (target: p50 ≤ 16 ms, p99 ≤
50 ms), and every save is acknowledged and in the database.

Injected failures (a third annotator): the server stopped for 3 s while 2 sentences were
labelled ({faulty["saves queued while stopped"]} saves queued, then all went through); 503
for the first sending of three saves ({faulty["came back after a 503"]} sentences came back
with the reason and were sent again with Enter); gunicorn killed and started again
({faulty["came back while the server was down"]} came back while it was down, then saved).
Sentences pressed {faulty["pressed"]}, saved {faulty["saved"]}, **lost {faulty["lost"]}, saved
twice {faulty["duplicated"]}**.
"""


if __name__ == "__main__":
    import json

    found = run()
    print(json.dumps(found, indent=1))
    print(markdown(found))
