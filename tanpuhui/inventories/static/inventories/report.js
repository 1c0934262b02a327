// The inventory report's charts (ECharts, vendored): sectors, the trend and the comparison of towns.
(function () {
  var data = JSON.parse(document.getElementById("inventory-chart-data").textContent);
  if (typeof data === "string") data = JSON.parse(data);
  if (!window.echarts) return;
  var green = "#0b6e4f";
  var el = document.getElementById("sector-chart");
  if (el && data.sectors.length) {
    echarts.init(el).setOption({
      tooltip: {}, grid: { left: 150, right: 20, top: 10, bottom: 30 },
      xAxis: { type: "value", name: data.labels.tonnes },
      yAxis: { type: "category", data: data.sectors.map(function (s) { return s.name; }) },
      series: [{ type: "bar", data: data.sectors.map(function (s) { return s.value; }), itemStyle: { color: green } }]
    });
  }
  el = document.getElementById("trend-chart");
  if (el && data.trend.length) {
    echarts.init(el).setOption({
      tooltip: { trigger: "axis" }, grid: { left: 70, right: 20, top: 10, bottom: 30 },
      xAxis: { type: "category", data: data.trend.map(function (t) { return String(t.year); }) },
      yAxis: { type: "value", name: data.labels.tonnes },
      series: [{ type: "line", data: data.trend.map(function (t) { return t.value; }), itemStyle: { color: green } }]
    });
  }
  el = document.getElementById("towns-chart");
  if (el && data.towns.length) {
    echarts.init(el).setOption({
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 50, right: 50, top: 15, bottom: 60 },
      xAxis: { type: "category", data: data.towns.map(function (t) { return t.name; }) },
      yAxis: [{ type: "value" }, { type: "value" }],
      series: [
        { name: data.labels.per_capita, type: "bar", data: data.towns.map(function (t) { return t.per_capita; }), itemStyle: { color: green } },
        { name: data.labels.per_gdp, type: "bar", yAxisIndex: 1, data: data.towns.map(function (t) { return t.per_gdp; }), itemStyle: { color: "#8fbf9f" } }
      ]
    });
  }
  document.body.dataset.chartsReady = "1";
})();
