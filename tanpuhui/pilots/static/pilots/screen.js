// Refresh the screen's figures from its JSON document and rotate the tips. No library.
(function () {
  var body = document.body;
  var url = body.dataset.api;
  var every = Math.max(30, parseInt(body.dataset.refresh || "60", 10)) * 1000;
  function pick(doc, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? null : o[k]; }, doc);
  }
  var lang = document.documentElement.lang || "zh-Hans";
  function fmt(v) {
    if (v == null) return "—";
    var n = Number(v);
    if (typeof v === "string" && v.trim() !== "" && !isNaN(n)) {
      var places = (v.split(".")[1] || "").length;
      return n.toLocaleString(lang, { minimumFractionDigits: places, maximumFractionDigits: places });
    }
    return typeof v === "number" ? v.toLocaleString(lang) : String(v);
  }
  function paint(doc) {
    document.querySelectorAll("[data-k]").forEach(function (el) {
      var v = pick(doc, el.dataset.k);
      el.textContent = fmt(v);
    });
    document.querySelectorAll("[data-list]").forEach(function (ul) {
      var rows = pick(doc, ul.dataset.list) || [];
      var unit = ul.querySelector("b") ? ul.querySelector("b").textContent.replace(/^[\d.,\-—]+\s*/, "") : "";
      ul.replaceChildren.apply(ul, rows.map(function (r) {
        var li = document.createElement("li"), s = document.createElement("span"), b = document.createElement("b");
        s.textContent = r.label; b.textContent = fmt(r.t_co2e) + " " + unit; li.append(s, b); return li;
      }));
    });
  }
  function load() {
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) { if (doc) paint(doc); })
      .catch(function () {});
  }
  setInterval(load, every);
  var tip = document.getElementById("tip");
  if (tip) {
    var tips = (tip.dataset.tips || "").split("|").filter(Boolean), i = 0;
    setInterval(function () { if (tips.length) { i = (i + 1) % tips.length; tip.textContent = tips[i]; } }, 15000);
  }
})();
