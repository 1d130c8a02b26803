// The annotation workspace: keys, span marking, time on the sentence, focus after a swap.
// Everything here is an extra: the forms work without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var TYPING = "input:not([type=radio]):not([type=checkbox]):not([type=hidden]), textarea, select";
  var DOUBLE_PRESS_MS = 400;
  var shownAt = performance.now();
  var swappedAt = -Infinity;  // when a save last brought in the next sentence
  var touched = false;  // whether anything was chosen or typed on this sentence yet
  var active = 0;
  var queued = null;  // keys typed while the next sentence is on its way, replayed after
  var marking = null;  // the span being marked from the keyboard: {name, cursor}

  function workspace() { return document.getElementById("workspace"); }
  function form() { return document.getElementById("label-form"); }
  function groups() { return Array.prototype.slice.call(document.querySelectorAll("[data-key-group]")); }
  function sentence() { return document.getElementById("current"); }
  function field(name) { return form() && form().elements[name]; }

  // A text field opened by its key, its text selected as Tab would: typing replaces what
  // was prefilled (the article's outlet) instead of running on after it.
  function editText(input) { input.focus(); input.select(); }

  function say(message) {
    var box = document.getElementById("client-message");
    if (!box) { return; }
    box.textContent = message;
    box.hidden = !message;
  }

  function focusGroup(index) {
    var all = groups();
    if (!all.length) { return; }
    active = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (group, i) { group.classList.toggle("active", i === active); });
    var radios = all[active].querySelectorAll("input[type=radio]");
    var checked = all[active].querySelector("input[type=radio]:checked");
    (checked || radios[0]).focus({ preventScroll: true });
    all[active].scrollIntoView({ block: "nearest" });  // only if it is out of sight
  }

  function choose(number) {
    var group = groups()[active];
    var radio = group && group.querySelectorAll("input[type=radio]")[number - 1];
    if (!radio) { return; }
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    if (active < groups().length - 1) { focusGroup(active + 1); } else { radio.focus(); }
  }

  // Offsets of the selection inside the current sentence, snapped to whole words, or null
  // with a message.
  function selectedSpan() {
    var element = sentence();
    var selection = window.getSelection();
    if (!element || !selection.rangeCount || selection.isCollapsed) {
      say("Select words in the highlighted sentence first, then press s or c.");
      return null;
    }
    var range = selection.getRangeAt(0);
    if (!element.contains(range.startContainer) || !element.contains(range.endContainer)) {
      say("The selection must lie inside the highlighted sentence.");
      return null;
    }
    function offset(node, at) {
      var before = document.createRange();
      before.setStart(element, 0);
      before.setEnd(node, at);
      return before.toString().length;
    }
    var text = element.dataset.text;
    var selected = { start: offset(range.startContainer, range.startOffset),
      end: offset(range.endContainer, range.endOffset) };
    var span = window.wordSpans.snap(window.wordSpans.words(text), selected);
    if (!span) { say("The selection holds no words."); }
    return span;
  }

  // Whether words of the current sentence are selected (with the mouse).
  function hasSelection() {
    var selection = window.getSelection();
    return selection.rangeCount > 0 && !selection.isCollapsed && sentence() !== null &&
      sentence().contains(selection.getRangeAt(0).commonAncestorContainer);
  }

  function setSpan(name, span) {
    field(name + "_start").value = span ? span.start : "";
    field(name + "_end").value = span ? span.end : "";
    var entity = field("entity");
    if (!span && name === "source" && entity &&
        (entity.value === entity.dataset.filled || entity.value === entity.dataset.suggested)) {
      entity.value = "";  // it came with the source: it goes with it
    }
    showSpans();
    showSuggested();
  }

  function spanOf(name) {
    var start = parseInt(field(name + "_start").value, 10);
    var end = parseInt(field(name + "_end").value, 10);
    return isNaN(start) || isNaN(end) || end <= start ? null : { start: start, end: end };
  }

  // Paint the spans (source, cue) into the sentence and name them below the buttons.
  function showSpans() {
    var element = sentence();
    if (!element || !form()) { return; }
    var text = element.dataset.text;
    var names = spanNames();
    var spans = {};
    names.forEach(function (name) { spans[name] = spanOf(name); });
    var cursor = marking && marking.cursor.span();
    var marks = [];
    for (var i = 0; i < text.length; i += 1) {
      var kind = "";
      names.forEach(function (name) {
        var span = spans[name];
        if (span && i >= span.start && i < span.end) { kind = name; }
      });
      if (cursor && i >= cursor.start && i < cursor.end) { kind = "marking"; }
      marks.push(kind);
    }
    element.textContent = "";
    var from = 0;
    for (var at = 1; at <= text.length; at += 1) {
      if (at === text.length || marks[at] !== marks[from]) {
        var piece = text.slice(from, at);
        if (marks[from]) {
          var wrapper = document.createElement("span");
          wrapper.className = "span-" + marks[from];
          wrapper.title = marks[from] === "marking" ? "being marked as " + marking.name : marks[from];
          wrapper.textContent = piece;
          element.appendChild(wrapper);
        } else {
          element.appendChild(document.createTextNode(piece));
        }
        from = at;
      }
    }
    var described = names.filter(function (name) { return spans[name]; })
      .map(function (name) {
        return name + ": “" + text.slice(spans[name].start, spans[name].end) + "”";
      });
    var note = document.getElementById("span-text");
    if (note) { note.textContent = described.join(" · "); }
  }

  // Mark the mouse's selection as the span ``name``.
  function mark(name) {
    var span = selectedSpan();
    if (!span) { return; }
    window.getSelection().removeAllRanges();
    markSpan(name, span);
  }

  // Set a span the annotator marked; a source also fills the entity (below).
  function markSpan(name, span) {
    say("");
    setSpan(name, span);
    touched = true;
    if (name === "source") { fillEntity(span); }
    showSuggested();
  }

  // A source type still at the scheme's default (the author's own voice, which has no
  // source) follows the source marked: "Pentagon spokesman Mark Wright" is a person's.
  function followType(type) {
    var group = form().querySelector("#group-source_type");
    var radios = group ? group.querySelectorAll("input[type=radio]") : [];
    var chosen = group && group.querySelector("input[type=radio]:checked");
    var wanted = Array.prototype.filter.call(radios, function (radio) { return radio.value === type; })[0];
    if (!wanted || !chosen || chosen !== radios[0] || wanted === chosen) { return; }
    wanted.checked = true;
    wanted.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // An entity the annotator has not typed (empty, as suggested, or filled here) follows the
  // source they mark: the name the server resolves it to in the article, as the suggester
  // does ("Isaac" → Oscar Isaac, "she" → the person last quoted, "Officials" → none); so
  // does a source type left at its default.
  var lookup = null;  // the lookup on its way: a save waits for it
  function fillEntity(span) {
    var entity = field("entity");
    var mine = entity.value && entity.value !== entity.dataset.suggested &&
      entity.value !== entity.dataset.filled;
    var asked = entity.value;
    var url = form().action + "/entity?start=" + span.start + "&end=" + span.end;
    lookup = fetch(url, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) {
        if (!found) { return; }
        if (!mine && entity.value === asked) {  // else typed by the annotator: theirs
          entity.value = found.entity || "";
          entity.dataset.filled = entity.value;
        }
        followType(found.source_type);
        showSuggested();
      })
      .catch(function () { return null; })
      .then(function () { lookup = null; delete entity.dataset.pending; });
    entity.dataset.pending = "1";  // for scripts that drive the page
  }

  // Marking a span from the keyboard: a word cursor in the sentence (spans.js), starting on
  // the span as it is (a suggestion) or beside the other span.
  function startMarking(name) {
    if (hasSelection()) { mark(name); return; }
    var names = spanNames();
    var others = names.filter(function (other) { return other !== name; })
      .map(spanOf).filter(Boolean);
    var text = sentence().dataset.text;
    marking = { name: name,
      cursor: window.wordSpans.cursorFor(text, spanOf(name), others[0], names[0] === name) };
    say("");
    showSpans();
    announceMarking();
  }

  function announceMarking() {
    var box = document.getElementById("span-cursor");
    if (!box) { return; }
    if (!marking) { box.textContent = ""; delete box.dataset.marking; return; }
    var span = marking.cursor.span();
    // the cursor in words, for scripts that drive the page (the benchmarks)
    box.dataset.marking = marking.name;
    box.dataset.anchor = marking.cursor.anchor;
    box.dataset.focus = marking.cursor.focus;
    box.dataset.exact = marking.cursor.exact ? "1" : "0";
    var text = span ? sentence().dataset.text.slice(span.start, span.end) : "";
    box.textContent = marking.started
      ? marking.name + ": “" + text + "”"
      : "Marking " + marking.name + ": “" + text + "”. Arrows move by word, Shift+arrows " +
        "widen, Up and Down go by clause; Enter marks it, Esc leaves it as it was.";
    marking.started = true;
  }

  function stopMarking() {
    marking = null;
    showSpans();
    announceMarking();
  }

  // A key while marking; false to let it through (modifier keys).
  function markingKey(event) {
    var key = event.key;
    var name = marking.name;
    if (/^(Shift|Control|Alt|Meta|CapsLock)$/.test(key)) { return false; }
    if (key === "Enter" || (keyed("[data-mark]", key) && keyed("[data-mark]", key).dataset.mark !== name)) {
      var span = marking.cursor.span();
      stopMarking();
      if (span) { markSpan(name, span); }
      if (key !== "Enter") { startMarking(keyed("[data-mark]", key).dataset.mark); }
    } else if (key === "Escape") {
      stopMarking();
      say("");
      document.getElementById("span-cursor").textContent = name + " left as it was";
    } else if (key === "Backspace" || key === "Delete") {
      stopMarking();
      setSpan(name, null);
      touched = true;
    } else if (marking.cursor.move(key, event.shiftKey)) {
      showSpans();
      announceMarking();
    }
    return true;  // any other key does nothing while marking
  }

  function openGuidelines() {
    var dialog = document.getElementById("guidelines-dialog");
    if (!dialog) { window.open(document.getElementById("guidelines-link").href); return; }
    if (window.htmx) { window.htmx.trigger("#guidelines-body", "load-guidelines"); }
    dialog.showModal();
  }

  function click(id) {
    var link = document.getElementById(id);
    if (link) { link.click(); }
  }

  function onKey(event) {
    if (!form() || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.matches && target.matches(TYPING)) {
      if (event.key === "Escape") { target.blur(); focusGroup(active); }
      return;  // no shortcut fires while typing
    }
    if (document.querySelector("dialog[open]")) { return; }
    if (marking && queued === null) {
      if (markingKey(event)) { event.preventDefault(); }
      return;
    }
    if (queued !== null && !/^(Shift|Control|Alt|Meta|CapsLock)$/.test(event.key)) {
      // Enter again before anything else: the same save, not one for the next sentence
      if (!(event.key === "Enter" && !queued.length)) {
        queued.push(event.shiftKey && event.key.length > 1 ? "Shift+" + event.key : event.key);
      }
      event.preventDefault();
      return;
    }
    if (act(event.key)) { event.preventDefault(); }
  }

  // Enter saves; but an Enter on a sentence that just appeared, with nothing done on it
  // yet, is the second half of a double press that already saved the sentence before it
  // (suggested labels pre-fill the form: what is checked does not tell).
  function saveUnlessDoubled() {
    if (!touched && performance.now() - swappedAt < DOUBLE_PRESS_MS) { return; }
    form().requestSubmit();
  }

  // The element of the label form that ``key`` belongs to (the scheme gives span and text
  // fields their keys: data-key on a span's mark button, data-edit-key on a text field).
  function keyed(selector, key, attribute) {
    var found = form().querySelectorAll(selector);
    for (var i = 0; i < found.length; i += 1) {
      if (found[i].dataset[attribute || "key"] === key) { return found[i]; }
    }
    return null;
  }

  // The names of the spans the form marks (its mark buttons).
  function spanNames() {
    return Array.prototype.map.call(form().querySelectorAll("[data-mark]"),
      function (button) { return button.dataset.mark; });
  }

  // Carry out one key; false when it is not a shortcut.
  function act(key) {
    var handled = true;
    if (/^[1-9]$/.test(key)) { choose(parseInt(key, 10)); }
    else if (key === "Enter") { saveUnlessDoubled(); return true; }
    else if (keyed("[data-mark]", key)) { startMarking(keyed("[data-mark]", key).dataset.mark); }
    else if (key !== key.toLowerCase() && keyed("[data-mark]", key.toLowerCase())) {
      setSpan(keyed("[data-mark]", key.toLowerCase()).dataset.mark, null);
    }
    else if (keyed("[data-edit-key]", key, "editKey")) { editText(keyed("[data-edit-key]", key, "editKey")); }
    else if (key === "f") { field("flagged").checked = true; field("comment").focus(); }
    else if (key === "k") { document.querySelector("#skip-form input[name=reason]").focus(); }
    else if (key === "b") { whenSaved(function () { click("back-link"); }); }
    else if (key === "h") { whenSaved(function () { click("history-link"); }); }
    else if (key === "?") { openGuidelines(); }
    else { handled = false; }
    touched = touched || handled;
    return handled;
  }

  // Keys typed ahead go where they would have gone: into a text field a key focused, to the
  // word cursor, or act. An Enter among them is not pressed for the annotator: nobody has
  // seen this sentence yet; it and the keys after it are dropped, and the page says so.
  function replay(keys) {
    for (var i = 0; i < keys.length; i += 1) {
      var shifted = keys[i].length > 6 && keys[i].indexOf("Shift+") === 0;
      var key = shifted ? keys[i].slice(6) : keys[i];
      var field = document.activeElement;
      if (queued !== null) { queued.push(keys[i]); }
      else if (key === "Enter") {
        say("The keys you typed while waiting are applied; look, then press Enter to save.");
        return;
      } else if (marking) { markingKey({ key: key, shiftKey: shifted }); }
      else if (field && field.matches(TYPING)) {
        if (key.length === 1) {
          field.value += key;
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      } else if (key === "Tab") {
        focusGroup(active + (shifted ? -1 : 1));  // what Tab does between the groups
      } else { act(key); }
    }
  }

  // Centre the sentence in the article's own scroll box; the window stays where it is, so
  // the menu and the label groups do not move away.
  function showInArticle(current) {
    var article = document.getElementById("article");
    if (!current || !article) { return; }
    var top = current.getBoundingClientRect().top - article.getBoundingClientRect().top;
    article.scrollTop += top - (article.clientHeight - current.offsetHeight) / 2;
  }

  // A refused save: go to the first group with an error, or bring the first error into
  // sight (a text or span field is not focused: keys would type into it).
  function showFirstError() {
    var invalid = form().querySelector("[aria-invalid=true]");
    if (!invalid) { return; }
    var index = groups().indexOf(invalid);
    if (index >= 0) { focusGroup(index); return; }
    var message = document.getElementById(invalid.getAttribute("aria-describedby"));
    (message || invalid).scrollIntoView({ block: "nearest" });
  }

  // A group whose suggested value was changed says so: "suggested: Author"; the spans and
  // the entity, "suggested: changed".
  function showSuggested() {
    document.querySelectorAll(".suggested[data-value]").forEach(function (mark) {
      var group = mark.closest("fieldset");
      var chosen = group && group.querySelector("input[type=radio]:checked");
      var changed = !chosen || chosen.value !== mark.dataset.value;
      mark.classList.toggle("overridden", changed);
      mark.textContent = changed ? "suggested: " + mark.dataset.title : mark.dataset.shown;
    });
    document.querySelectorAll(".suggested[data-inputs]").forEach(function (mark) {
      var wanted = JSON.parse(mark.dataset.inputs);
      var changed = Object.keys(wanted).some(function (name) {
        var input = field(name);
        return input && input.value !== wanted[name];
      });
      mark.classList.toggle("overridden", changed);
      mark.textContent = changed ? "suggested: changed" : mark.dataset.shown;
    });
  }

  function init(swapped) {
    var keys = queued || [];
    queued = null;
    marking = null;
    if (!form()) { fetchAhead(); return; }
    shownAt = performance.now();
    swappedAt = swapped === true ? shownAt : -Infinity;
    touched = false;
    window.scrollTo(0, 0);  // a text field below may have scrolled the window: start over
    showSpans();
    showSuggested();
    showInArticle(sentence());
    focusGroup(0);
    showFirstError();
    replay(keys);
    fetchAhead();
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("focusin", function (event) {
    var group = event.target.closest && event.target.closest("[data-key-group]");
    if (group) {
      active = groups().indexOf(group);
      groups().forEach(function (g, i) { g.classList.toggle("active", i === active); });
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-mark], [data-clear]");
    if (!button) { return; }
    if (button.dataset.mark) { startMarking(button.dataset.mark); } else { setSpan(button.dataset.clear, null); }
  });
  // Keep the selection when a span button is pressed with the mouse.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("[data-mark]")) { event.preventDefault(); }
  });
  document.addEventListener("input", function (event) {
    touched = true;
    if (event.target.dataset && event.target.dataset.span) { showSpans(); }
    showSuggested();
  });
  document.addEventListener("change", function () { touched = true; showSuggested(); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "workspace" || event.detail.target.id === "workspace") { init(true); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.detail.target || event.detail.target.id !== "workspace") { return; }
    if (outbox.length && !paused) {  // going back waits for the saves on their way
      event.preventDefault();
      var element = event.detail.elt;
      whenSaved(function () { element.click(); });
      return;
    }
    queued = [];
    // htmx gives focus back to the element with the same id after the swap: a text field
    // would swallow keys typed ahead for the next sentence.
    if (document.activeElement) { document.activeElement.blur(); }
    // a sentence not labelled yet waits ahead, entries and all, while an earlier one is seen
    var view = workspace();
    var revision = view.querySelector("#revision");
    if (view.dataset.sentence && revision && (revision.value || "0") === "0") {
      ahead.unshift({ node: view, id: view.dataset.sentence, title: document.title, push: location.pathname });
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) { tokenRenewals = 0; return; }
    queued = null;  // nothing will be swapped in: the sentence kept ahead is still on screen
    if (ahead.length && ahead[0].node === workspace()) { ahead.shift(); }
  });

  // ---- Saving in the background, with the next sentence already here ----
  // While a sentence is labelled the next one is fetched (and leased) ahead, kept out of the
  // page. Enter shows it at once and sends the save; saves go one at a time, in order, and
  // each answer brings the sentence after. A refused save brings its sentence back with
  // the entries and the reason; the one being labelled meanwhile waits, entries and all.
  var RETRY_MS = [300];  // a server that does not answer: tried again, then the sentence is back
  var STILL_HERE = " Nothing was saved; your entries are still here: press Enter to try again.";
  var ahead = [];  // sentences fetched ahead, out of the page: {node, id, title, push}
  var fetching = false;
  var outbox = [];  // saves not yet acknowledged, oldest first
  var sending = false;
  var paused = false;  // a save came back: those behind it wait until it is sent again
  var cameBack = null;  // the sentence whose save came back
  var waiting = false;  // no sentence was ahead: the page waits for the next one
  var afterSaves = [];  // what waits until every save is acknowledged (going back, history)
  var savedCount = 0;

  function saving() { return document.getElementById("saving"); }
  function token() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function shownId() {
    var view = workspace();
    return view && view.dataset.sentence ? view.dataset.sentence : null;
  }
  // every sentence the page holds: on screen, ahead, and saves on their way
  function holdingIds(except) {
    var ids = ahead.map(function (view) { return view.id; })
      .concat(outbox.map(function (entry) { return entry.id; }), [shownId()]);
    return ids.filter(function (id, i) { return id && id !== except && ids.indexOf(id) === i; });
  }

  // An answer (a workspace partial) as a view to show: its node, out of the page.
  function viewOf(html, response) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var content = document.importNode(template.content, true);
    var node = content.getElementById("workspace");
    var title = content.querySelector("title");
    if (!node) { return null; }
    return { node: node, id: node.dataset.sentence || null,
      title: title ? title.textContent : document.title,
      push: response.headers.get("HX-Push-Url") || location.pathname,
      fetchedAt: performance.now() };
  }

  // Put a view on screen; ``refused``: a sentence whose save was refused, on which Enter
  // is meant at once (no double press to guard against).
  function show(view, refused) {
    workspace().replaceWith(view.node);
    view.node.classList.remove("waiting");
    view.node.removeAttribute("aria-busy");
    init(!refused);
    showStatus(trouble);  // the new sentence's progress line says it too
    document.dispatchEvent(new CustomEvent("workspace:shown", { detail: { id: view.id } }));
    afterPaint(function () {  // what the next frame need not wait for
      document.title = view.title;
      // entries marked as htmx's own, as it marks them: Back and Forward reload the page
      // (historyCacheSize is 0), showing the labels as saved
      if (view.push !== location.pathname) {
        history.replaceState({ htmx: true }, "", location.href);
        history.pushState({ htmx: true }, "", view.push);
      }
      if (window.htmx && view.node.isConnected) { window.htmx.process(view.node); }
    });
  }

  // Run ``then`` once the browser has drawn the frame that is being prepared.
  function afterPaint(then) {
    window.requestAnimationFrame(function () { window.setTimeout(then, 0); });
  }

  var trouble = "";  // what went wrong with the saves, as the status says it
  function showStatus(wrong) {
    var box = saving();
    trouble = wrong || "";
    if (!box) { return; }
    var text = box.querySelector(".state");
    box.dataset.waiting = outbox.length;  // for people reading the page, and for its tests
    box.dataset.saved = savedCount;
    box.dataset.ahead = ahead.length;
    box.classList.toggle("trouble", Boolean(trouble));
    text.textContent = !savedCount && !outbox.length && !trouble ? ""
      : trouble ? trouble
      : outbox.length > 1 ? "Saving… " + outbox.length + " saves waiting"
      : outbox.length ? "Saving…" : "Saved ✓";
    // shown in the sentence's progress line; read out from the box, which stays in the page
    var shown = workspace() && workspace().querySelector(".save-state");
    if (shown) {
      shown.textContent = text.textContent;
      shown.classList.toggle("trouble", Boolean(trouble));
    }
  }

  // A sentence fetched ahead (not one put aside with entries) held for over half the time a
  // reservation lasts: a tab left idle.
  function stale(view) {
    var minutes = parseFloat(saving().dataset.leaseMinutes) || 30;
    return view.fetchedAt !== undefined && performance.now() - view.fetchedAt > minutes * 30000;
  }

  // Go back or to the history once every save is acknowledged; from a sentence that came
  // back unsaved, only when asked twice.
  var leaving = false;
  function whenSaved(then) {
    if (cameBack !== null && !leaving) {
      leaving = true;
      say("This sentence is not saved: press Enter to save it, or the same key again to leave it unsaved.");
      return;
    }
    if (cameBack !== null) { cameBack = null; }  // left on purpose
    leaving = false;
    if (!outbox.length || paused) { then(); } else { afterSaves.push(then); showStatus(); }
  }

  // Enter (or the button) on a label or skip form: show what is ahead and save behind it.
  function submitted(formElement) {
    var view = workspace();
    var entry = { id: view.dataset.sentence, url: formElement.action, node: view,
      body: new URLSearchParams(new FormData(formElement)), title: document.title,
      push: location.pathname, document: view.dataset.document, failures: 0, renewals: 0,
      entity: field("entity") ? field("entity").value : "" };
    if (entry.id === cameBack) { outbox.unshift(entry); cameBack = null; } else { outbox.push(entry); }
    leaving = false;
    paused = false;
    var next = waiting ? null : ahead.shift();
    if (next && stale(next)) {  // its reservation may have run out: ask for the next afresh
      release([next.id]);
      next = null;
    }
    showStatus();  // saves on their way are counted at once; sent after the frame
    if (next) { showAfter(next, entry); afterPaint(pump); } else { wait(view); pump(); }
  }

  // The view after a saved sentence; the entity just given is offered again in its article.
  function showAfter(view, entry) {
    var list = view.node.querySelector("#entity-suggestions");
    if (list && entry.entity && view.node.dataset.document === entry.document) {
      var known = Array.prototype.some.call(list.options,
        function (option) { return option.value === entry.entity; });
      if (!known) { var option = document.createElement("option"); option.value = entry.entity; list.appendChild(option); }
    }
    show(view);
  }

  function wait(view) {
    waiting = true;
    queued = queued || [];
    view.classList.add("waiting");
    view.setAttribute("aria-busy", "true");
    if (document.activeElement) { document.activeElement.blur(); }
  }

  function pump() {
    showStatus();
    if (sending || paused) { return; }
    if (!outbox.length) {
      afterSaves.splice(0).forEach(function (then) { then(); });
      fetchAhead();
      return;
    }
    var entry = outbox[0];
    var body = new URLSearchParams(entry.body);
    holdingIds(entry.id).forEach(function (id) { body.append("holding", id); });
    if (shownId()) { body.set("after", shownId()); }
    sending = true;
    fetch(entry.url, { method: "POST", body: body, credentials: "same-origin", keepalive: true,
      headers: { "HX-Request": "true", "X-Background": "save" } })
      .then(function (response) {
        return response.text().then(function (html) { sending = false; answered(entry, response, html); });
      })
      .catch(function () {
        sending = false;
        notReached(entry);
      });
  }

  function answered(entry, response, html) {
    var refused = response.headers.get("X-Refused");
    if (response.ok && response.headers.get("X-Saved") === entry.id) {
      acknowledged(entry, viewOf(html, response));
    } else if (refused === "csrf" && entry.renewals < 2) {  // a page from before a new login
      entry.renewals += 1;
      useToken(response.headers.get("X-CSRF-Token"));
      entry.body.set("csrf_token", token());
      pump();
    } else if (refused === "login") {
      giveBack(entry, null, "");
      askToLogIn(function () { form().requestSubmit(); });
    } else if (response.status >= 502 && response.status <= 504) {
      giveBack(entry, null, (response.status === 503 ? reasonIn(html) : "The server answered " +
        response.status + ".") + STILL_HERE);
    } else {
      var view = refused === "account" ? null : viewOf(html, response);
      giveBack(entry, view, refused === "account" ? html
        : response.status === 404 ? "This sentence is not yours to label (any more): nothing was saved. Press h for your history."
        : response.status === 413 ? "That was too large to save: shorten the comment."
        : view ? "" : "The server answered " + response.status + "." + STILL_HERE);
    }
  }

  function acknowledged(entry, view) {
    outbox.shift();
    savedCount += 1;
    entry.failures = 0;
    var current = workspace();
    var progress = view && view.node.querySelector(".progress");
    if (progress && current.querySelector(".progress") && !waiting) {
      current.querySelector(".progress").replaceWith(progress.cloneNode(true));
    }
    arrived(view);
    pump();
  }

  // A sentence the server handed out (a save's answer, or fetched ahead): shown if the page
  // waits for one, kept if none is ahead, else given back. One the page holds already (a
  // fetch ahead and a save crossed on the way) is dropped: it must not be labelled twice.
  function arrived(view) {
    if (!view || (view.id && holdingIds().indexOf(view.id) >= 0)) { return; }
    if (waiting) { waiting = false; show(view); }
    else if (!ahead.length) { ahead.push(view); }
    else if (view.id) { release([view.id]); }
  }

  // The save did not reach the server: try again once (a worker restarting), then give its
  // sentence back.
  function notReached(entry) {
    entry.failures += 1;
    if (entry.failures > RETRY_MS.length) {
      entry.failures = 0;
      giveBack(entry, null, "The server cannot be reached." + STILL_HERE);
      return;
    }
    showStatus("The server cannot be reached; trying again…");
    sending = true;
    window.setTimeout(function () { sending = false; pump(); }, RETRY_MS[entry.failures - 1]);
  }

  // A refused save: its sentence comes back (as the server shows it, or as it was left),
  // with the reason; the sentence on screen waits ahead, entries and all.
  function giveBack(entry, view, message) {
    outbox.shift();
    paused = outbox.length > 0;
    cameBack = entry.id;
    var current = workspace();
    if (!waiting && current !== entry.node && current.dataset.sentence) {
      ahead.unshift({ node: current, id: current.dataset.sentence, title: document.title, push: location.pathname });
    }
    waiting = false;
    queued = null;
    var filled = entry.node.querySelector("#entity");
    var shownEntity = view && view.node.querySelector("#entity");
    if (filled && shownEntity && filled.dataset.filled === shownEntity.value) {
      shownEntity.dataset.filled = filled.dataset.filled;  // still the page's, not typed
    }
    show(view || { node: entry.node, id: entry.id, title: entry.title, push: entry.push }, true);
    if (message) { say(message); }
    afterSaves = [];  // going back or to the history waited for this save: not any more
    showStatus("Not saved" + (paused ? "; " + outbox.length + " more wait behind it." : "."));
  }

  function fetchAhead() {
    var box = saving();
    var wanted = (waiting ? 2 : 1) - ahead.length - outbox.length;
    if (!box || !box.dataset.aheadUrl || fetching || paused || wanted <= 0 || !shownId()) { return; }
    fetching = true;
    var body = new URLSearchParams({ csrf_token: token(), after: shownId() });
    holdingIds().forEach(function (id) { body.append("holding", id); });
    fetch(box.dataset.aheadUrl, { method: "POST", body: body, credentials: "same-origin",
      headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.text().then(function (html) {
          fetching = false;
          // refused (logged out, say): Enter then waits for the save's answer instead
          arrived(response.ok ? viewOf(html, response) : null);
          showStatus();
          fetchAhead();  // the one that came was dropped: ask again
        });
      })
      .catch(function () { fetching = false; });
  }

  // Give back leases on sentences fetched ahead that will not be shown.
  function release(ids) {
    var box = saving();
    if (!box || !ids.length) { return; }
    var body = new URLSearchParams({ csrf_token: token() });
    ids.forEach(function (id) { body.append("holding", id); });
    navigator.sendBeacon(box.dataset.releaseUrl, body);
  }

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target.id !== "label-form" && target.id !== "skip-form") { return; }
    event.preventDefault();
    if (lookup) { lookup.then(function () { target.requestSubmit(); }); return; }  // the entity first
    if (target.id === "label-form") {  // time on the sentence goes with the save
      document.getElementById("seconds").value = ((performance.now() - shownAt) / 1000).toFixed(1);
    }
    submitted(target);
  });
  window.addEventListener("pagehide", function () {
    release(ahead.map(function (view) { return view.id; }).filter(Boolean));
    ahead = [];
  });
  window.addEventListener("beforeunload", function (event) {
    // saves on their way, or a sentence that came back unsaved
    if (outbox.length || cameBack !== null) { event.preventDefault(); event.returnValue = ""; }
  });

  // What was refused is done again as it was: the form still holds every entry.
  var pending = null;
  var tokenRenewals = 0;
  function sendAgain(element) {
    window.setTimeout(function () {
      if (element.requestSubmit) { element.requestSubmit(); } else { element.click(); }
    }, 0);
  }

  function useToken(token) {
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = token; });
  }

  function askToLogIn(again) {
    var dialog = document.getElementById("login-dialog");
    pending = again;
    say("You were logged out. Nothing was saved; your entries are still here.");
    if (!dialog) { return; }
    document.getElementById("relogin-message").textContent = "";
    dialog.showModal();
    document.getElementById("relogin-password").focus();
  }

  // Log in again without leaving the page: the login form's token, then the login itself.
  function logInAgain(event) {
    event.preventDefault();
    var dialog = document.getElementById("login-dialog");
    var message = document.getElementById("relogin-message");
    var password = document.getElementById("relogin-password");
    var url = dialog.dataset.login;
    message.textContent = "Logging in…";
    fetch(url, { credentials: "same-origin" }).then(function (page) { return page.text(); })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html")
          .querySelector("input[name=csrf_token]");
        var body = new URLSearchParams({ csrf_token: found ? found.value : "",
          name: dialog.dataset.name, password: password.value });
        return fetch(url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" });
      })
      .then(function (answer) {
        if (answer.type !== "opaqueredirect") {  // the login page came back: not logged in
          message.textContent = answer.status === 429
            ? "Too many failed attempts: wait a few minutes, then try again."
            : "Wrong password, or the account is no longer active.";
          return;
        }
        password.value = "";
        dialog.close();
        say("Logged in again; saving…");
        tokenRenewals = 0;
        if (pending) { pending(); pending = null; }
      })
      .catch(function () { message.textContent = "The server cannot be reached; try again."; });
  }
  document.addEventListener("submit", function (event) {
    if (event.target.id === "relogin-form") { logInAgain(event); }
  });
  // The plain sentence of the server's 503 page, e.g. "The server's disk is full: …".
  function reasonIn(page) {
    var found = new DOMParser().parseFromString(page, "text/html").getElementById("reason");
    return found ? found.textContent : "The database cannot be used right now.";
  }
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status;
    var refused = xhr.getResponseHeader("X-Refused");
    if (refused === "login") {
      var element = event.detail.elt;
      askToLogIn(function () { sendAgain(element); });
      return;
    }
    if (refused === "account") { say(xhr.responseText); return; }
    if (refused === "csrf" && tokenRenewals < 2) {  // a page from before a new login, say
      tokenRenewals += 1;
      useToken(xhr.getResponseHeader("X-CSRF-Token"));
      sendAgain(event.detail.elt);
      return;
    }
    say(status === 404 ? "This sentence is not yours to label (any more). Press h for your history."
      : status === 413 ? "That was too large to save."
      : status === 503 ? reasonIn(event.detail.xhr.responseText) + " Nothing was saved; your entries are still here: try again in a moment."
      : "The server answered " + status + "; nothing was saved.");
  });
  document.addEventListener("htmx:sendError", function () {
    say("The server cannot be reached; nothing was saved. Your entries are still here: try again.");
  });
  // A deferred script runs before DOMContentLoaded, and htmx (loaded first) readies the page
  // on that event: taking keys only after it means Enter always goes through htmx.
  document.addEventListener("DOMContentLoaded", function () { init(false); });
}());
