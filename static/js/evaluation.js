/* 同类项目对比: the peers' cost and schedule overruns in bins, this project's bin drawn in orange. */
(function () {
  const el = document.getElementById("overrun-chart");
  const source = document.getElementById("overrun-data");
  if (!el || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#206bc4", "#2fb344"];
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 40, right: 10, top: 40, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: data.bins, axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value", name: el.dataset.others, minInterval: 1 },
    series: data.series.map((s, i) => ({
      name: s.label,
      type: "bar",
      data: s.counts.map((n, bin) => ({
        value: n,
        itemStyle: bin === s.own_bin ? { color: "#f76707", borderColor: "#000", borderWidth: 1 } : { color: colours[i] },
      })),
    })),
  });
  window.addEventListener("resize", () => chart.resize());
})();
