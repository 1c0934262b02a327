// The commission's dashboard charts: an offline map of Guangdong (vendored GeoJSON) and a bar chart.
(function () {
  var data = JSON.parse(document.getElementById("pilot-chart-data").textContent);
  if (!window.echarts) return;
  var mapEl = document.getElementById("gd-map");
  fetch(mapEl.dataset.geo).then(function (r) { return r.json(); }).then(function (geo) {
    echarts.registerMap("guangdong", geo);
    var byAdcode = {};
    data.cities.forEach(function (c) { byAdcode[c.adcode] = c.value; });
    var values = geo.features.map(function (f) {
      return { name: f.properties.name, value: byAdcode[f.properties.adcode] || 0 };
    });
    var max = Math.max.apply(null, values.map(function (v) { return v.value; }).concat([1]));
    echarts.init(mapEl).setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      visualMap: { min: 0, max: max, left: "left", bottom: 10, calculable: true,
        inRange: { color: ["#e8f3ec", "#0b6e4f"] }, text: [String(max), "0"] },
      series: [{ type: "map", map: "guangdong", name: data.labels.pilots, data: values,
        label: { show: true, fontSize: 11 } }]
    });
  });
  var barEl = document.getElementById("measure-chart");
  if (barEl && data.measures.length) {
    echarts.init(barEl).setOption({
      tooltip: {}, grid: { left: 120, right: 20, top: 10, bottom: 30 },
      xAxis: { type: "value", name: data.labels.tonnes },
      yAxis: { type: "category", data: data.measures.map(function (m) { return m.name; }) },
      series: [{ type: "bar", data: data.measures.map(function (m) { return m.value; }), itemStyle: { color: "#0b6e4f" } }]
    });
  }
})();
