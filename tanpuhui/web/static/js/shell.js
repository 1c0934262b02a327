/* The shell's few behaviours (the pages work without them):
   - every table in <main> sits in a .scroll-x box, so a wide table scrolls inside itself instead of
     widening the page on a phone; a box that does scroll is focusable and named (keyboard users can
     scroll it; axe's scrollable-region-focusable);
   - the "more" sheet closes with Escape or a tap outside it. */
(function () {
  "use strict";
  var label = document.body.getAttribute("data-scroll-label") || "";

  function nameOf(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = table.closest(".scroll-x, .table-wrap") || table;
    for (var el = node.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.trim();
    }
    var section = node.closest("section");
    var heading = section && section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : label;
  }

  function fit(root) {
    (root || document).querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.matches(".scroll-x, .table-wrap")) {
        box = document.createElement("div");
        box.className = "scroll-x";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
    });
    document.querySelectorAll("main .scroll-x, main .table-wrap").forEach(function (box) {
      var table = box.querySelector("table");
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        if (!box.hasAttribute("role")) box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", table ? nameOf(table) : label);
      } else if (box.getAttribute("tabindex") === "0" && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
      }
    });
  }

  function closeMore(except) {
    document.querySelectorAll("details.more[open]").forEach(function (more) {
      if (more !== except) more.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { fit(document); });
  document.addEventListener("htmx:afterSettle", function (event) { fit(event.target); });
  window.addEventListener("resize", function () { fit(document); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details.more[open]");
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
    }
  });
  document.addEventListener("click", function (event) {
    var more = event.target.closest && event.target.closest("details.more");
    if (!more || (event.target.classList && event.target.classList.contains("sheet"))) closeMore(null);
  });
})();
