(function () {
  "use strict";
  var box = document.getElementById("filter");
  var only = document.getElementById("only-failed");
  var shown = document.getElementById("shown");
  var cases = Array.prototype.slice.call(document.querySelectorAll("article.case"));
  function apply() {
    var words = (box.value || "").toLowerCase().split(/\s+/).filter(Boolean);
    var n = 0;
    cases.forEach(function (c) {
      var text = c.getAttribute("data-search") || "";
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      if (only.checked && !c.classList.contains("v-failed") && !c.classList.contains("v-expired") && !c.classList.contains("v-known")) { ok = false; }
      c.classList.toggle("hidden", !ok);
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + cases.length + " cases shown";
  }
  box.addEventListener("input", apply);
  only.addEventListener("change", apply);
  var opened = [];
  window.addEventListener("beforeprint", function () {
    // Print the exchanges of failing cases; passing cases keep their steps folded.
    var failing = "article.v-failed details:not([open]), article.v-expired details:not([open]), article.v-known details:not([open])";
    document.querySelectorAll(failing).forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  apply();
})();
