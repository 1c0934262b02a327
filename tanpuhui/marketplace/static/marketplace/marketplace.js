/* Countdowns for flash offers (the counter's QR scanning is in scanner.js). */
(function () {
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.max(0, Math.floor((Date.parse(el.dataset.countdown) - Date.now()) / 1000));
      if (left === 0) { el.textContent = el.dataset.doneText || ""; return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    });
  }
  tick(); setInterval(tick, 1000);

})();
