/* Inside WeChat's browser only (the page loads this file when the user agent says MicroMessenger):
   configure the JS-SDK with the signature the server computes from the cached jsapi ticket, and offer
   window.tanpuhuiScan(done, fail) — wx.scanQRCode — to the scanner boxes (marketplace/scanner.js).
   Outside WeChat, or when WeChat refuses the config, fail() runs and the camera library is used. */
(function () {
  var tag = document.querySelector("script[data-wechat-config]");
  var wx = window.jWeixin || (window.module && window.module.exports && window.module.exports.config ? window.module.exports : null);
  if (!tag || !wx) { return; }
  var ready = fetch(tag.dataset.wechatConfig + "?url=" + encodeURIComponent(location.href.split("#")[0]), {
    credentials: "same-origin",
    headers: { Accept: "application/json" }
  }).then(function (r) { return r.json(); }).then(function (c) {
    if (!c.enabled) { return false; }
    return new Promise(function (resolve) {
      wx.config({ debug: false, appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr,
                  signature: c.signature, jsApiList: c.jsApiList });
      wx.ready(function () { resolve(true); });
      wx.error(function () { resolve(false); });
    });
  }).catch(function () { return false; });
  window.tanpuhuiScan = function (done, fail) {
    ready.then(function (ok) {
      if (!ok) { fail(); return; }
      wx.scanQRCode({ needResult: 1, scanType: ["qrCode"],
        success: function (res) { done((res && res.resultStr) || ""); },
        fail: fail, cancel: function () {} });
    });
  };
})();
