"""Keys per sentence for a scripted annotator in the real workspace, with the keyboard only.

The hand-labelled news sentences of tests/data/labelled (dev and heldout) go into a fresh
database, one document per article, sentence by sentence as labelled (not re-segmented), and
the app serves them; headless Chromium logs in and labels every sentence it is handed by
pressing real keys in the page: the digits of the choice groups (Tab to reach a group), a
word cursor for the source and the cue whose keys a breadth-first search over the cursor's
states plans (the moves mirror spans.js), the entity typed, Enter. The suggestions are off in
one run and pre-filled in the other (as the server's worker leaves them). Afterwards the
labels the database holds are compared with the hand labels: a sentence saved otherwise is a
failure, and is listed.

Issue 17's targets: no mouse; at most 8 keys for a claim with its source, cue and entity
when no suggestion is right; at most 3 when the suggestion is right.

``.venv/bin/python bench/keys.py [--sets dev,heldout] [--modes off,on]``: everything takes
about five minutes (most of it the "on" run, where an Enter on an untouched sentence must
wait out the workspace's 400 ms double-press guard).
"""

import argparse
import hashlib
import json
import logging
import re
import statistics
import tempfile
import threading
import time
from collections import deque
from contextlib import contextmanager

from browser import ARGS, CHROMIUM
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from suggestions import SETS, by_article, gold_span, labelled
from werkzeug.serving import make_server

from annotator import create_app, suggesting
from annotator.extensions import db
from annotator.models import Annotation, Document, Sentence, User

PASSWORD = "bench-password"
SPANS = (("source", "s"), ("cue", "c"))
DOUBLE_PRESS_SECONDS = 0.45  # annotate.js ignores an Enter on an untouched sentence for 400 ms
SENTENCE_TIMEOUT_MS = 30_000
EXAMPLES = 12  # examples kept of each kind of trouble
# the word cursor's keys (spans.js Cursor.prototype.move)
MOVES = (
    "ArrowRight",
    "ArrowLeft",
    "Shift+ArrowRight",
    "Shift+ArrowLeft",
    "ArrowDown",
    "ArrowUp",
    "Shift+ArrowDown",
    "Shift+ArrowUp",
    "Home",
    "End",
    "Shift+Home",
    "Shift+End",
)
# What the page shows, once it shows a sentence other than ``previous`` (null until then;
# {"done": true} when nothing is left): the sentence, its words and clause starts as
# spans.js finds them, the form's values and the active key group.
SHOWN = """previous => {
  const view = document.getElementById("workspace");
  const form = document.getElementById("label-form");
  if (!view || view.classList.contains("waiting")) { return null; }
  if (!view.dataset.sentence || !form) {
    return view.classList.contains("done") ? { done: true } : null;
  }
  if (view.dataset.sentence === previous) { return null; }
  const text = document.getElementById("current").dataset.text;
  const words = window.wordSpans.words(text);
  const checked = name => {
    const radio = form.querySelector("input[name=" + name + "]:checked");
    return radio ? radio.value : null;
  };
  const groups = Array.from(document.querySelectorAll("[data-key-group]"));
  return { id: view.dataset.sentence, text: text,
    words: words.map(word => [word.start, word.end]),
    clauses: window.wordSpans.clauseStarts(text, words),
    claim: checked("claim"), source_type: checked("source_type"),
    active: groups.findIndex(group => group.classList.contains("active")) };
}"""
# The spans, the entity, the source type and the active key group the form holds now.
FORM = """() => {
  const value = id => document.getElementById(id).value;
  const type = document.querySelector("#label-form input[name=source_type]:checked");
  const groups = Array.from(document.querySelectorAll("[data-key-group]"));
  return { source: [value("source_start"), value("source_end")],
    cue: [value("cue_start"), value("cue_end")], entity: value("entity"),
    source_type: type ? type.value : null,
    active: groups.findIndex(group => group.classList.contains("active")) };
}"""
CURSOR = """() => {
  const box = document.getElementById("span-cursor").dataset;
  return { marking: box.marking || null, anchor: +box.anchor, focus: +box.focus,
    exact: box.exact === "1" };
}"""
# Counts pointer events in the tab (sessionStorage outlives the login's navigation): keys
# alone may make a click (Enter on a button), never a pointerdown.
COUNT_MOUSE = """for (const kind of ["pointerdown", "mousedown", "wheel", "contextmenu"]) {
  window.addEventListener(kind, () => {
    sessionStorage.mouse = String(Number(sessionStorage.mouse || 0) + 1);
  }, true);
}"""


def slug(file):
    """A document id from an article's file name."""
    return re.sub(r"[^a-z0-9]+", "-", file.lower()).strip("-")


def prepare(uri, rows, suggestions):
    """A migrated database at ``uri`` with the labelled ``rows`` as documents and
    sentences (articles in order, sentences as labelled), their suggestions made when
    ``suggestions`` is "on", and the user 'bench'; returns (app, {sentence id: row})."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "bench",
            "SUGGESTIONS": suggestions,
            "SUGGESTER_SECONDS": 0,
            "OVERLAP": 1,
        }
    )
    targets = {}
    with app.app_context():
        upgrade()
        for seq, (file, sentences) in enumerate(by_article(rows).items(), start=1):
            text = " ".join(row["text"] for row in sentences)
            db.session.add(
                Document(
                    id=slug(file),
                    seq=seq,
                    title=file,
                    outlet="Wire",
                    text=text,
                    content_hash=hashlib.sha256(text.encode()).hexdigest(),
                )
            )
            start = 0
            for row in sentences:
                sentence = Sentence(
                    document_id=slug(file),
                    index=row["sentence"],
                    paragraph=row["sentence"],
                    start=start,
                    end=start + len(row["text"]),
                    text=row["text"],
                    taken=0,
                )
                start += len(row["text"]) + 1
                db.session.add(sentence)
                db.session.flush()
                targets[sentence.id] = row
        user = User(name="bench", role="annotator")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        if suggestions == "on":
            suggesting.make_missing()  # what the server's worker does after an import
        db.session.remove()
    return app, targets


@contextmanager
def served(app):
    """The app served on 127.0.0.1 on a free port in a background thread, as the browser
    tests serve it; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def span_value(pair):
    """A span as the form's two inputs give it, as (start, end), or None (annotate.js
    ``spanOf``: both whole numbers, the end after the start)."""
    try:
        start, end = int(pair[0]), int(pair[1])
    except ValueError:
        return None
    return (start, end) if end > start else None


def moved(state, key, last, clauses):
    """The cursor state (anchor, focus, exact) after ``key``, as spans.js
    ``Cursor.prototype.move`` moves it: arrows by word (Shift keeps the anchor), Up and Down
    to the previous or next clause start (always collapsed; the first or last word when
    there is none; Shift+Down widens to the word before the next clause start, Shift+Up
    to the previous clause start), Home and End to the first or last word; any move ends
    ``exact``."""
    anchor, focus, _ = state
    extend = key.startswith("Shift+")
    name = key.removeprefix("Shift+")
    if name == "ArrowRight":
        to = focus + 1
    elif name == "ArrowLeft":
        to = focus - 1
    elif name == "Home":
        to = 0
    elif name == "End":
        to = last
    elif name == "ArrowDown":
        found = next((i for i in clauses if i > focus), None)
        to = last if found is None else found - 1 if extend else found
    else:  # ArrowUp
        to = next((i for i in reversed(clauses) if i < focus), 0)
    focus = max(0, min(to, last))
    return (anchor if extend else focus, focus, False)


def marked(state, words, given):
    """The span a cursor state marks: the words from anchor to focus, or ``given`` (the
    span the cursor started on) while it is kept exactly."""
    anchor, focus, exact = state
    if exact:
        return given
    return (words[min(anchor, focus)][0], words[max(anchor, focus)][1])


def reachable(target, words):
    """Whether a span is made of whole words, so that the word cursor can mark it."""
    return target[0] in {w[0] for w in words} and target[1] in {w[1] for w in words}


def plan(state, target, words, clauses, given):
    """The fewest cursor keys from ``state`` to a cursor that marks ``target`` (breadth-
    first over the states), or None when no state marks it."""
    last = len(words) - 1
    paths = {state: ()}
    queue = deque([state])
    while queue:
        here = queue.popleft()
        if marked(here, words, given) == target:
            return list(paths[here])
        for key in MOVES:
            there = moved(here, key, last, clauses)
            if there not in paths:
                paths[there] = (*paths[here], key)
                queue.append(there)
    return None


class Keys:
    """The keys pressed on one sentence, each pressed in the page for real."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, *keys):
        """Press each key in turn."""
        for key in keys:
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text):
        """Type ``text``, a key per character; returns how many."""
        self.page.keyboard.type(text)
        self.count += len(text)
        return len(text)


def form_now(page):
    """The form's spans ((start, end) or None) and entity ("" when empty), once the server
    has answered for the entity of a source just marked (as a person sees it filled)."""
    page.wait_for_selector("#entity:not([data-pending])", state="attached")
    found = page.evaluate(FORM)
    return {
        "source": span_value(found["source"]),
        "cue": span_value(found["cue"]),
        "entity": found["entity"],
        "source_type": found["source_type"],
        "active": found["active"],
    }


def choose(keys, shown, row, scheme, names=("claim", "source_type")):
    """Set the claim and the source type (of ``names``) where the form holds another value:
    Tab from the active group to the group, then its digit (which moves on to the next)."""
    active = shown["active"]
    choices = (("claim", scheme.claim_labels), ("source_type", scheme.source_types))
    for index, (name, labels) in enumerate(choices):
        if name not in names or shown[name] == row[name]:
            continue
        keys.press(*["Tab"] * (index - active), *["Shift+Tab"] * (active - index))
        keys.press(str(labels.index(row[name]) + 1))
        active = index + 1


def type_offsets(keys, page, name, target):
    """Give a span that is not made of whole words by its character offsets: e, then
    Shift+Tab back to the span's 'from' input, its two numbers (Tab between), Esc; returns
    the keys it took."""
    before = keys.count
    keys.press("e")
    while page.evaluate("() => document.activeElement.id") != f"{name}_start":
        if keys.count - before > 10:
            raise RuntimeError(f"no way back to #{name}_start by Shift+Tab")
        keys.press("Shift+Tab")
    keys.type(str(target[0]))
    keys.press("Tab")
    keys.type(str(target[1]))
    keys.press("Escape")
    return keys.count - before


def mark_spans(keys, page, shown, row, form, record):
    """Make the source, then the cue, the hand label's: Shift+S / Shift+C to clear one;
    else s / c and the planned cursor keys, then Enter (or, for a source followed by a cue
    to mark, c, which marks the source and starts the cue); a span not made of whole words
    by its offsets. Records cursor keys per span and what could not be planned."""
    words, clauses = shown["words"], shown["clauses"]
    wanted = {name: gold_span(row, name) for name, _ in SPANS}
    needs_cursor = {
        name: wanted[name] is not None
        and form[name] != wanted[name]
        and reachable(wanted[name], words)
        for name, _ in SPANS
    }
    marking = False  # the cue's cursor already started by the key that marked the source
    for name, key in SPANS:
        target = wanted[name]
        if form[name] == target:
            continue
        if target is None:
            keys.press(key.upper())
            continue
        if not needs_cursor[name]:
            record["unreachable"].append(
                {
                    "span": name,
                    "wanted": row["text"][target[0] : target[1]],
                    "keys": type_offsets(keys, page, name, target),
                }
            )
            continue
        if not marking:
            keys.press(key)
        cursor = page.evaluate(CURSOR)
        state = (cursor["anchor"], cursor["focus"], cursor["exact"])
        moves = plan(state, target, words, clauses, form[name])
        if cursor["marking"] != name or moves is None:
            record["planner"].append({"span": name, "cursor": cursor, "wanted": target})
            keys.press("Escape")
            continue
        keys.press(*moves)
        record["cursor keys"][name] = len(moves)
        first = words[min(state[0], state[1])]
        record["cursor"].append(
            {
                "span": name,
                "starts on": row["text"][first[0] : first[1]],
                "wanted": row["text"][target[0] : target[1]],
                "keys": moves,
            }
        )
        marking = name == "source" and needs_cursor["cue"]
        keys.press("c" if marking else "Enter")
    after = form_now(page)
    for name, _ in SPANS:
        if after[name] != wanted[name]:
            record["planner"].append({"span": name, "form": after[name], "wanted": wanted[name]})
    return after


def annotate(page, shown, row, scheme):
    """Label the sentence on screen as ``row`` with the keyboard, Enter included; returns
    what it took: keys, characters typed for the entity, whether the form held the hand
    label's attribution already, and what went wrong."""
    appeared = time.monotonic()
    keys = Keys(page)
    form = form_now(page)
    target_entity = row.get("entity") or ""
    record = {
        "keys": 0,
        "entity characters": 0,
        "cursor keys": {},
        "cursor": [],
        "unreachable": [],
        "planner": [],
        "entity on marking": None,
    }
    record["suggestion right"] = (
        shown["source_type"] == row["source_type"]
        and all(form[name] == gold_span(row, name) for name, _ in SPANS)
        and form["entity"] == target_entity
    )
    # the claim first; the source type after the spans, as it follows a marked source
    choose(keys, shown, row, scheme, names=("claim",))
    after = mark_spans(keys, page, shown, row, form, record)
    choose(keys, form_now(page), row, scheme, names=("source_type",))
    if "source" in record["cursor keys"]:  # marked with the cursor: the entity may follow
        source = gold_span(row, "source")
        record["entity on marking"] = {
            "source": row["text"][source[0] : source[1]],
            "before": form["entity"],
            "after": after["entity"],
            "wanted": target_entity,
        }
    if after["entity"] != target_entity:
        keys.press("e")
        if target_entity:
            record["entity characters"] = keys.type(target_entity)
        else:
            keys.press("Backspace")
        keys.press("Escape")
    if not keys.count:  # an Enter this soon would be taken for a double press
        time.sleep(max(0.0, appeared + DOUBLE_PRESS_SECONDS - time.monotonic()))
    keys.press("Enter")
    record["keys"] = keys.count
    return record


def next_shown(page, previous):
    """The page's next sentence (``SHOWN``) once it is on screen, or None when nothing is
    left to label."""
    shown = page.wait_for_function(SHOWN, arg=previous, timeout=SENTENCE_TIMEOUT_MS)
    shown = shown.json_value()
    return None if shown.get("done") else shown


def label_everything(base, targets, scheme):
    """Log in as 'bench' in headless Chromium and label every sentence handed out, keys
    only; returns ({sentence id: record}, pointer events seen in the tab)."""
    records = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        page.add_init_script(COUNT_MOUSE)
        page.goto(f"{base}/login")
        page.get_by_label("Name").fill("bench")
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{base}/annotate")
        shown = next_shown(page, None)
        while shown is not None:
            started = time.monotonic()
            sentence_id = int(shown["id"])
            if sentence_id in records:
                raise RuntimeError(f"sentence {sentence_id} was shown twice: {page.content()}")
            if shown["text"] != targets[sentence_id]["text"]:
                raise RuntimeError(f"sentence {sentence_id} shows another text than labelled")
            record = annotate(page, shown, targets[sentence_id], scheme)
            shown = next_shown(page, str(sentence_id))
            record["seconds"] = time.monotonic() - started
            records[sentence_id] = record
        page.wait_for_function(
            "() => document.getElementById('saving').dataset.waiting === '0'",
            timeout=SENTENCE_TIMEOUT_MS,
        )
        mouse = int(page.evaluate("() => sessionStorage.mouse || 0"))
        browser.close()
    return records, mouse


def saved_differences(app, targets):
    """{sentence id: what differs} between the saved labels and the hand labels, for
    every sentence (a sentence with no annotation differs in everything)."""
    with app.app_context():
        saved = {a.sentence_id: a for a in db.session.scalars(select(Annotation))}
        differences = {}
        for sentence_id, row in targets.items():
            annotation = saved.get(sentence_id)
            if annotation is None or annotation.skipped:
                differences[sentence_id] = {"saved": None}
                continue
            labels = annotation.labels
            given = labels.get("attribution") or {}
            got = {
                "claim": labels.get("claim"),
                "source_type": given.get("source_type"),
                "entity": given.get("entity"),
            }
            for name, _ in SPANS:
                span = given.get(name)
                got[name] = None if span is None else (span["start"], span["end"])
            wanted = {
                "claim": row["claim"],
                "source_type": row["source_type"],
                "entity": row.get("entity") or None,
            }
            wanted |= {name: gold_span(row, name) for name, _ in SPANS}
            wrong = {k: {"saved": got[k], "wanted": v} for k, v in wanted.items() if got[k] != v}
            if wrong:
                differences[sentence_id] = wrong
        db.session.remove()
    return differences


def attributed(row):
    """Whether the hand label has a source, a cue and an entity."""
    return all(row.get(name) for name in ("source", "cue", "entity"))


def spread(values):
    """Mean, median and most of a list of key counts (None for an empty one)."""
    if not values:
        return {"mean": None, "median": None, "most": None}
    return {
        "mean": round(statistics.mean(values), 2),
        "median": statistics.median(values),
        "most": max(values),
    }


def share(values, most):
    """The share of ``values`` at most ``most``."""
    return round(sum(v <= most for v in values) / len(values), 3) if values else None


def figures(records, rows, differences):
    """The figures of one set in one mode, from its sentences' records (``rows``: their
    hand labels, by sentence id). *Attributed*: the hand label has a source, a cue and an
    entity; *suggestion right*: an attributed sentence whose form opened with the hand
    label's source type, source, cue and entity (*no suggestion right*: the others);
    *names not counted*: the characters of a typed entity are left out (``e`` and Esc
    count)."""
    keys = [r["keys"] for r in records.values()]
    plain = {i: r["keys"] - r["entity characters"] for i, r in records.items()}
    named = [i for i in records if attributed(rows[i])]
    unaided = [i for i in named if not records[i]["suggestion right"]]
    right = [i for i in named if records[i]["suggestion right"]]
    marking = [r["entity on marking"] for r in records.values() if r["entity on marking"]]
    filled = [m for m in marking if m["after"] and m["after"] != m["before"]]
    cleared = [m for m in marking if m["before"] and not m["after"]]
    unnamed = [m for m in marking if not m["after"] and m["wanted"] == m["source"]]
    plans = sorted(
        (c for r in records.values() for c in r["cursor"]), key=lambda c: -len(c["keys"])
    )
    cursor = {
        name: [r["cursor keys"][name] for r in records.values() if name in r["cursor keys"]]
        for name, _ in SPANS
    }
    return {
        "sentences": len(records),
        "attributed sentences": len(named),
        "keys per sentence": spread(keys),
        "keys per attributed sentence": spread([records[i]["keys"] for i in named]),
        "keys per attributed sentence, names not counted": spread([plain[i] for i in named]),
        "no suggestion right: sentences": len(unaided),
        "no suggestion right: keys": spread([records[i]["keys"] for i in unaided]),
        "no suggestion right: keys, names not counted": spread([plain[i] for i in unaided]),
        "no suggestion right: share within 8 keys, names not counted": share(
            [plain[i] for i in unaided], 8
        ),
        "suggestion right: sentences": len(right),
        "suggestion right: keys": spread([records[i]["keys"] for i in right]),
        "suggestion right: share within 3 keys": share([records[i]["keys"] for i in right], 3),
        "cursor keys per marked span": {n: spread(v) for n, v in cursor.items()},
        "longest cursor plans": plans[:EXAMPLES],
        "entity on marking the source": {
            "filled, right": sum(m["after"] == m["wanted"] for m in filled),
            "filled, wrong": sum(m["after"] != m["wanted"] for m in filled),
            "filled, wrong: examples": [m for m in filled if m["after"] != m["wanted"]][:EXAMPLES],
            "suggested entity cleared": len(cleared),
            "suggested entity cleared, though right": [
                m for m in cleared if m["before"] == m["wanted"]
            ][:EXAMPLES],
            "left empty, the entity being the source's words": len(unnamed),
            "left empty, the entity being the source's words: examples": unnamed[:EXAMPLES],
        },
        "entity characters typed": sum(r["entity characters"] for r in records.values()),
        "unreachable by words": sum(bool(r["unreachable"]) for r in records.values()),
        "unreachable spans": [u for r in records.values() for u in r["unreachable"]][:EXAMPLES],
        "planner mismatches": sum(bool(r["planner"]) for r in records.values()),
        "planner mismatch details": [p for r in records.values() for p in r["planner"]][:EXAMPLES],
        "saved-label mismatches": len(differences),
        "saved-label mismatch details": [
            {"file": rows[i]["file"], "sentence": rows[i]["sentence"], **d}
            for i, d in list(differences.items())[:EXAMPLES]
        ],
        "seconds": round(sum(r["seconds"] for r in records.values()), 1),
    }


def run(sets=("dev", "heldout"), modes=("off", "on")):
    """Every figure, per set and suggestions mode, as a dict."""
    rows_by_set = {name: labelled(name) for name in sets}
    results = {name: {} for name in sets}
    results["wall seconds"] = {}
    results["pointer events"] = {}
    for mode in modes:
        started = time.monotonic()
        rows = [row for name in sets for row in rows_by_set[name]]
        with tempfile.TemporaryDirectory() as folder:
            app, targets = prepare(f"sqlite:///{folder}/keys.sqlite", rows, mode)
            with served(app) as base:
                records, mouse = label_everything(base, targets, app.extensions["scheme"])
            differences = saved_differences(app, targets)
            with app.app_context():
                db.engine.dispose()
        assert mouse == 0, f"{mouse} pointer events in a keyboard-only run"
        missing = set(targets) - set(records)
        assert not missing, f"{len(missing)} sentences were never shown"
        for name in sets:
            files = {row["file"] for row in rows_by_set[name]}  # no article is in two sets
            mine = {i: r for i, r in records.items() if targets[i]["file"] in files}
            results[name][mode] = figures(
                mine,
                {i: targets[i] for i in mine},
                {i: d for i, d in differences.items() if i in mine},
            )
        results["wall seconds"][mode] = round(time.monotonic() - started, 1)
        results["pointer events"][mode] = mouse
    return results


def markdown(results):
    """The figures as a short explanation and a Markdown table."""
    lines = [
        "A scripted annotator labels the hand-labelled news sentences (tests/data/labelled) "
        "in the real workspace in headless Chromium, with the keyboard only: digits for the "
        "choice groups (Tab to reach one), a word cursor for the source and the cue (keys "
        "planned by a breadth-first search; a span that is not whole words is typed as "
        "offsets), `e`, the entity typed and Esc, Enter to save; the labels saved are then "
        "checked against the hand labels. *Attributed*: the hand label has a source, a cue "
        "and an entity. Keys are mean / median / most. *all*: every key, each typed "
        "character included; *no names*: the characters of a typed entity left out (`e` and "
        "Esc still count). *Suggestion right*: the form opened with the hand label's source "
        "type, source, cue and entity. Targets (issue 17): no mouse "
        f"(pointer events seen: {sum(results['pointer events'].values())}); ≤ 8 keys for "
        "an attributed claim when no suggestion is right; ≤ 3 when it is right.",
        "",
        "| set | suggestions | sentences | keys per sentence | attributed | keys per "
        "attributed: all | no names | no suggestion right: sentences, keys (no names), "
        "share ≤ 8 | suggestion right: sentences, keys (all), share ≤ 3 | not whole words | "
        "planner mismatches | saved mismatches | entity characters | seconds |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]

    def keys(spread):
        """Mean / median / most, or a dash for none."""
        if spread["mean"] is None:
            return "–"
        return f"{spread['mean']} / {spread['median']:g} / {spread['most']}"

    def within(sentences, spread, part):
        """Sentences, their keys and the share within the target, or a dash for none."""
        return f"{sentences}: {keys(spread)}, {part:.0%}" if sentences else "–"

    for name in SETS:
        for mode, f in results.get(name, {}).items():
            unaided = within(
                f["no suggestion right: sentences"],
                f["no suggestion right: keys, names not counted"],
                f["no suggestion right: share within 8 keys, names not counted"],
            )
            right = within(
                f["suggestion right: sentences"],
                f["suggestion right: keys"],
                f["suggestion right: share within 3 keys"],
            )
            lines.append(
                f"| {name} | {mode} | {f['sentences']} | {keys(f['keys per sentence'])} | "
                f"{f['attributed sentences']} | {keys(f['keys per attributed sentence'])} | "
                f"{keys(f['keys per attributed sentence, names not counted'])} | {unaided} | "
                f"{right} | {f['unreachable by words']} | {f['planner mismatches']} | "
                f"{f['saved-label mismatches']} | {f['entity characters typed']} | "
                f"{f['seconds']} |"
            )
    walls = ", ".join(f"{mode} {seconds} s" for mode, seconds in results["wall seconds"].items())
    lines += ["", f"Wall time per run (setup, both sets, browser): {walls}."]
    return "\n".join(lines)


if __name__ == "__main__":
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--sets", default="dev,heldout", help="comma-separated: dev,heldout")
    options.add_argument("--modes", default="off,on", help="suggestions: off,on")
    chosen = options.parse_args()
    found = run(tuple(chosen.sets.split(",")), tuple(chosen.modes.split(",")))
    print(json.dumps(found, indent=1))
    print(markdown(found))
