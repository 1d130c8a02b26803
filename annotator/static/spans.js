// Words of a sentence and a word cursor over them: what marking a span from the keyboard
// moves over, and what a mouse selection snaps to. No page state here; annotate.js uses it.
(function () {
  "use strict";

  // letters and digits of any script, joined by an apostrophe, hyphen, full stop or
  // ampersand inside the word (O'Brien, U.S, AT&T, Jean-Luc)
  var WORD = /[\p{L}\p{N}]+(?:['’.\-&][\p{L}\p{N}]+)*/gu;
  // a full stop that belongs to the word: initials, titles, U.S.
  var KEEPS_ITS_STOP = /^(?:\p{Lu}|Mr|Mrs|Ms|Dr|Prof|Gov|Sen|Rep|Gen|Col|Lt|Sgt|Capt|St|Jr|Sr|Inc|Corp|Co|Ltd|Mt)$|\./u;
  // what ends a clause: the next word starts one
  var CLAUSE_END = /[,;:—–(“”"‘’']\s*$/;
  // a quotation just closed before a word: "…," said X
  var QUOTE_BEFORE = /[”"’']\s*$/;

  function words(text) {
    var found = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      var end = match.index + match[0].length;
      if (text[end] === "." && end + 1 < text.length && KEEPS_ITS_STOP.test(match[0])) { end += 1; }
      found.push({ start: match.index, end: end });
    }
    return found;
  }

  // Indices of the words that begin a clause: the first, and each after a comma, a
  // semicolon, a colon, a dash, a bracket or a quotation mark.
  function clauseStarts(text, list) {
    return list.map(function (word, i) {
      return i === 0 || CLAUSE_END.test(text.slice(list[i - 1].end, word.start)) ? i : -1;
    }).filter(function (i) { return i >= 0; });
  }

  // The words a character span covers, as [first, last] indices, or null.
  function wordsOf(list, span) {
    var first = -1;
    var last = -1;
    list.forEach(function (word, i) {
      if (word.end > span.start && word.start < span.end) {
        if (first < 0) { first = i; }
        last = i;
      }
    });
    return first < 0 ? null : [first, last];
  }

  // A span snapped to whole words (a selection that starts or ends inside a word, or takes
  // in the punctuation around it), or null when it holds no word.
  function snap(list, span) {
    var covered = wordsOf(list, span);
    return covered ? { start: list[covered[0]].start, end: list[covered[1]].end } : null;
  }

  // A cursor over the words of ``text``: ``anchor`` and ``focus`` are word indices; the
  // marked span runs from the one to the other. ``exact`` keeps a span as it was given
  // (a suggestion, or an earlier mark) until the cursor moves.
  function Cursor(text, at, exact) {
    this.text = text;
    this.words = words(text);
    this.clauses = clauseStarts(text, this.words);
    var last = this.words.length - 1;
    this.anchor = Math.max(0, Math.min(at[0], last));
    this.focus = Math.max(0, Math.min(at[1], last));
    this.exact = exact || null;
  }

  Cursor.prototype.span = function () {
    if (this.exact) { return this.exact; }
    if (!this.words.length) { return null; }
    var first = this.words[Math.min(this.anchor, this.focus)];
    var last = this.words[Math.max(this.anchor, this.focus)];
    return { start: first.start, end: last.end };
  };

  Cursor.prototype.count = function () {
    return Math.abs(this.focus - this.anchor) + 1;
  };

  // Move by a key: arrows by word (Shift extends), Up/Down to the start of the previous or
  // next clause (Shift+Down: widen to this clause's last word, Shift+Up to its first),
  // Home/End to the first or last word. False for any other key.
  Cursor.prototype.move = function (key, extend) {
    var last = this.words.length - 1;
    var to;
    if (key === "ArrowRight") { to = this.focus + 1; }
    else if (key === "ArrowLeft") { to = this.focus - 1; }
    else if (key === "Home") { to = 0; }
    else if (key === "End") { to = last; }
    else if (key === "ArrowDown" || key === "ArrowUp") {
      var focus = this.focus;
      var found = key === "ArrowDown"
        ? this.clauses.filter(function (i) { return i > focus; })[0]
        : this.clauses.filter(function (i) { return i < focus; }).pop();
      to = found === undefined ? (key === "ArrowDown" ? last : 0) : found;
      if (extend && key === "ArrowDown" && found !== undefined) { to = found - 1; }
    } else { return false; }
    this.exact = null;
    this.focus = Math.max(0, Math.min(to, last));
    if (!extend) { this.anchor = this.focus; }
    return true;
  };

  // Where the cursor starts for a span with nothing marked yet: beside the span marked
  // already (the source just before the cue, or after it when the cue follows a closing
  // quotation — "…," said X; the cue just after the source, or before it), else on the
  // first word.
  function startingWord(text, list, other, before) {
    var covered = other && wordsOf(list, other);
    if (!covered) { return 0; }
    var first = covered[0];
    var afterQuote = first > 0 && QUOTE_BEFORE.test(text.slice(list[first - 1].end, list[first].start));
    if (before) {
      return first > 0 && !(afterQuote && covered[1] + 1 < list.length) ? first - 1 : covered[1] + 1;
    }
    return covered[1] + 1 < list.length ? covered[1] + 1 : first - 1;
  }

  // A cursor for marking a span of ``text``: on the span as it is (``current``), else
  // beside ``other`` (``before``: the side to try first), else on the first word.
  function cursorFor(text, current, other, before) {
    var list = words(text);
    var covered = current && wordsOf(list, current);
    if (covered) { return new Cursor(text, covered, current); }
    var at = startingWord(text, list, other, before);
    return new Cursor(text, [at, at], null);
  }

  window.wordSpans = { words: words, clauseStarts: clauseStarts, snap: snap, cursorFor: cursorFor };
}());
