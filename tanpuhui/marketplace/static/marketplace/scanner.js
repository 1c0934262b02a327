/* Camera QR scanning at the counter and the booth with the vendored qr-scanner library
   (static/vendor/qr-scanner.umd.min.js); inside WeChat, WeChat's own scanner through the JS-SDK when
   the wechat app offers window.tanpuhuiScan. The typed code is always there; when there is no camera, the
   browser cannot scan or permission is refused, the box says so and the cashier types the code. */
(function () {
  document.querySelectorAll("[data-scanner]").forEach(function (box) {
    var input = document.getElementById(box.dataset.scanner);
    var button = box.querySelector("[data-scan-start]");
    var stop = box.querySelector("[data-scan-stop]");
    var video = box.querySelector("video");
    var note = box.querySelector("[data-scan-note]");
    var scanner = null;

    function say(text) { note.textContent = text; note.hidden = false; }
    function typeInstead(text) {
      say(text);
      button.hidden = true; stop.hidden = true; video.hidden = true;
      input.focus();
    }
    function end() {
      if (scanner) { scanner.stop(); scanner.destroy(); scanner = null; }
      video.hidden = true; stop.hidden = true; button.hidden = false;
    }

    // Inside WeChat, window.tanpuhuiScan (wechat/static/wechat/jssdk.js) scans with wx.scanQRCode.
    var wechat = window.tanpuhuiScan;
    if (!wechat && (!window.QrScanner || !navigator.mediaDevices || !window.isSecureContext)) {
      typeInstead(box.dataset.noCamera);
      return;
    }
    if (!wechat) {
      window.QrScanner.hasCamera().then(function (has) {
        if (!has) { typeInstead(box.dataset.noCamera); }
      });
    }
    box.dataset.scannerReady = "1";

    button.addEventListener("click", function () {
      if (wechat) {
        wechat(function (text) {
          if (!text) { return; }
          input.value = text; say(box.dataset.found); input.form.requestSubmit();
        }, function () {
          wechat = null;  // WeChat refused: the camera library from now on, or typing
          if (window.QrScanner && navigator.mediaDevices && window.isSecureContext) { button.click(); }
          else { typeInstead(box.dataset.noCamera); }
        });
        return;
      }
      video.hidden = false; button.hidden = true; stop.hidden = false;
      say(box.dataset.aim);
      scanner = new window.QrScanner(video, function (result) {
        var text = (result && result.data) || "";
        if (!text) { return; }
        end();
        input.value = text;
        say(box.dataset.found);
        input.form.requestSubmit();
      }, { preferredCamera: "environment", highlightScanRegion: true, returnDetailedScanResult: true });
      scanner.start().catch(function () {
        end();
        typeInstead(box.dataset.denied);
      });
    });
    stop.addEventListener("click", function () { end(); note.hidden = true; });
  });
})();
