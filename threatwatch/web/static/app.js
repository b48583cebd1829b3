// Evidence highlighting on a document page. Every extracted value links to "#span-START-END";
// the text is cut into pieces carrying their offsets (data-s, data-e), so the pieces inside
// [START, END) are the evidence. No inline scripts anywhere: the CSP allows only this file.
(function () {
  "use strict";
  var SPAN = /^#span-(\d+)-(\d+)$/;

  function clear() {
    document.querySelectorAll(".hl").forEach(function (el) { el.classList.remove("hl", "hl-first"); });
    document.querySelectorAll("[aria-current='location']").forEach(function (el) {
      el.removeAttribute("aria-current");
    });
  }

  function highlight(start, end) {
    var text = document.getElementById("doc-text");
    if (!text) { return 0; }
    clear();
    var pieces = Array.prototype.filter.call(text.querySelectorAll("[data-s]"), function (el) {
      return Number(el.dataset.s) >= start && Number(el.dataset.e) <= end;
    });
    pieces.forEach(function (el) { el.classList.add("hl"); });
    document.querySelectorAll("a[href='#span-" + start + "-" + end + "']").forEach(function (a) {
      a.setAttribute("aria-current", "location");
    });
    if (pieces.length) {
      pieces[0].classList.add("hl-first");
      pieces[0].scrollIntoView({ block: "center" });
    }
    document.body.dataset.highlighted = start + "-" + end;
    return pieces.length;
  }

  function fromHash() {
    var match = SPAN.exec(window.location.hash);
    if (match) { highlight(Number(match[1]), Number(match[2])); }
  }

  window.addEventListener("hashchange", fromHash);
  document.addEventListener("DOMContentLoaded", fromHash);
  // A second click on the same value does not change the hash: show it again all the same.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#span-']") : null;
    if (link && link.getAttribute("href") === window.location.hash) {
      event.preventDefault();
      fromHash();
    }
  });
})();
