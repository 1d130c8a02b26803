// Review keys: 1-9 take that annotator's labels, n next disagreement, b back to the list
// (not "l", which reads as "1" in the page font), Ctrl+Enter saves the gold form. Nothing
// fires while typing in a field (except Ctrl+Enter). The forms work without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Centre the sentence under review in the article's own scroll box.
  document.addEventListener("DOMContentLoaded", function () {
    var current = document.getElementById("current");
    var article = document.getElementById("article");
    if (!current || !article) { return; }
    var top = current.getBoundingClientRect().top - article.getBoundingClientRect().top;
    article.scrollTop += top - (article.clientHeight - current.offsetHeight) / 2;
  });
  var TYPING = "input:not([type=radio]):not([type=checkbox]), textarea, select";
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = document.getElementById("gold-form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.matches(TYPING)) { return; }
    var take = document.querySelector('[data-take="' + event.key + '"]');
    if (take) { event.preventDefault(); take.click(); return; }
    var link = { b: "next-link", n: "skip-link" }[event.key];
    if (link && document.getElementById(link)) { event.preventDefault(); document.getElementById(link).click(); }
  });
})();
