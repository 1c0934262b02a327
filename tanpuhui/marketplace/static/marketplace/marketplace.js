/* Countdowns for flash offers, and QR scanning with the BarcodeDetector API (typed code otherwise). */
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

  document.querySelectorAll("[data-scanner]").forEach(function (box) {
    var input = document.getElementById(box.dataset.scanner);
    var button = box.querySelector("button");
    var video = box.querySelector("video");
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
      box.querySelector(".muted").hidden = false;
      button.hidden = true;
      return;
    }
    button.addEventListener("click", async function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.hidden = false; video.srcObject = stream; await video.play();
      var timer = setInterval(async function () {
        var found = await detector.detect(video).catch(function () { return []; });
        if (found.length) {
          clearInterval(timer);
          stream.getTracks().forEach(function (t) { t.stop(); });
          input.value = found[0].rawValue;
          input.form.requestSubmit();
        }
      }, 300);
    });
  });
})();
