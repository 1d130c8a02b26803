// The annotation workspace: keys, span marking, time on the sentence, focus after a swap.
// Everything here is an extra: the forms work without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var TYPING = "input:not([type=radio]):not([type=checkbox]):not([type=hidden]), textarea, select";
  var WORD = /[\p{L}\p{N}]/u;  // letters and digits of any script: what a word is made of
  var DOUBLE_PRESS_MS = 400;
  var shownAt = performance.now();
  var swappedAt = -Infinity;  // when a save last brought in the next sentence
  var touched = false;  // whether anything was chosen or typed on this sentence yet
  var active = 0;
  var queued = null;  // keys typed while the next sentence is on its way, replayed after

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

  // Offsets of the selection inside the current sentence, or null with a message.
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
    var start = offset(range.startContainer, range.startOffset);
    var end = offset(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(text[start])) { start += 1; }
    while (end > start && /\s/.test(text[end - 1])) { end -= 1; }
    if (start >= end) { say("The selection holds no words."); return null; }
    // a selection that starts or ends inside a word takes the whole word
    while (start > 0 && WORD.test(text[start - 1]) && WORD.test(text[start])) { start -= 1; }
    while (end < text.length && WORD.test(text[end]) && WORD.test(text[end - 1])) { end += 1; }
    return { start: start, end: end };
  }

  function setSpan(name, span) {
    field(name + "_start").value = span ? span.start : "";
    field(name + "_end").value = span ? span.end : "";
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
    var marks = [];
    for (var i = 0; i < text.length; i += 1) {
      var kind = "";
      names.forEach(function (name) {
        var span = spans[name];
        if (span && i >= span.start && i < span.end) { kind = name; }
      });
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
          wrapper.title = marks[from];
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

  function mark(name) {
    var span = selectedSpan();
    if (!span) { return; }
    say("");
    setSpan(name, span);
    window.getSelection().removeAllRanges();
    if (name === "source") {
      var entity = field("entity");
      var text = sentence().dataset.text.slice(span.start, span.end);
      var known = Array.prototype.some.call(
        document.querySelectorAll("#entity-suggestions option"),
        function (option) { return option.value === text; });
      // an entity still as suggested belongs to the suggested source: it gives way too
      var suggested = entity.dataset.suggested;
      if ((!entity.value || entity.value === suggested) && known) { entity.value = text; }
      else if (suggested && entity.value === suggested) { entity.value = ""; }
    }
    showSuggested();
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
    if (queued !== null && !/^(Shift|Control|Alt|Meta|CapsLock)$/.test(event.key)) {
      // Enter again before anything else: the same save, not one for the next sentence
      if (!(event.key === "Enter" && !queued.length)) {
        queued.push(event.shiftKey && event.key === "Tab" ? "Shift+Tab" : event.key);
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
    else if (keyed("[data-mark]", key)) { mark(keyed("[data-mark]", key).dataset.mark); }
    else if (key !== key.toLowerCase() && keyed("[data-mark]", key.toLowerCase())) {
      setSpan(keyed("[data-mark]", key.toLowerCase()).dataset.mark, null);
    }
    else if (keyed("[data-edit-key]", key, "editKey")) { editText(keyed("[data-edit-key]", key, "editKey")); }
    else if (key === "f") { field("flagged").checked = true; field("comment").focus(); }
    else if (key === "k") { document.querySelector("#skip-form input[name=reason]").focus(); }
    else if (key === "b") { click("back-link"); }
    else if (key === "h") { click("history-link"); }
    else if (key === "?") { openGuidelines(); }
    else { handled = false; }
    touched = touched || handled;
    return handled;
  }

  // Keys typed ahead go where they would have gone: into a text field a key focused, or act.
  function replay(keys) {
    for (var i = 0; i < keys.length; i += 1) {
      var key = keys[i];
      var field = document.activeElement;
      if (queued !== null) { queued.push(key); }
      else if (field && field.matches(TYPING)) {
        if (key === "Enter" && field.form) { field.form.requestSubmit(); }
        else if (key.length === 1) {
          field.value += key;
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }
      } else if (key === "Tab" || key === "Shift+Tab") {
        focusGroup(active + (key === "Tab" ? 1 : -1));  // what Tab does between the groups
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
    if (!form()) { return; }
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
    if (button.dataset.mark) { mark(button.dataset.mark); } else { setSpan(button.dataset.clear, null); }
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
  // Time on the sentence goes with the save (capture: before htmx reads the form).
  document.addEventListener("submit", function (event) {
    if (event.target.id === "label-form") {
      document.getElementById("seconds").value = ((performance.now() - shownAt) / 1000).toFixed(1);
    }
  }, true);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "workspace" || event.detail.target.id === "workspace") { init(true); }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "workspace") {
      queued = [];
      // htmx gives focus back to the element with the same id after the swap: a text field
      // would swallow keys typed ahead for the next sentence.
      if (document.activeElement) { document.activeElement.blur(); }
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { queued = null; }  // nothing will be swapped in
    else { tokenRenewals = 0; }
  });

  // What was refused is sent again as it was: the form still holds every entry.
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

  function askToLogIn(element) {
    var dialog = document.getElementById("login-dialog");
    pending = element;
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
        if (pending) { sendAgain(pending); pending = null; }
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
    if (refused === "login") { askToLogIn(event.detail.elt); return; }
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
