/* Dashboard charts: each draws the rows the server computed; a click opens the filtered project list. */
(function () {
  const charts = JSON.parse(JSON.parse(document.getElementById("chart-data").textContent));
  const number = (value) => (value === null || value === undefined ? null : Number(value));
  const toYi = (value) => (value === null ? null : Math.round(Number(value) / 100) / 100);
  const drawn = [];
  const first = document.querySelector("[data-chart]");
  const unit = first ? first.dataset.unit : "";

  function open(key, index) {
    const links = charts[key].links;
    if (links && links[index]) window.location.href = links[index];
  }

  function monthly(el, table) {
    const rows = table.rows;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 60, right: 60, top: 60, bottom: 30 },
      xAxis: { type: "category", data: rows.map((r) => r[0]) },
      yAxis: [
        { type: "value", name: unit },
        { type: "value", name: "%", max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10) },
      ],
      series: [
        { name: table.series[0], type: "bar", data: rows.map((r) => toYi(r[1])) },
        { name: table.series[1], type: "line", data: rows.map((r) => toYi(r[2])), lineStyle: { type: "dashed" } },
        { name: table.series[2], type: "line", yAxisIndex: 1, data: rows.map((r) => number(r[3])) },
        { name: table.series[3], type: "line", yAxisIndex: 1, data: rows.map((r) => number(r[4])), lineStyle: { type: "dotted" } },
      ],
    };
  }

  function pie(table, valueColumn, inYi) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      // One scrolling line: a wrapped legend ran into the labels of the lowest slices.
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", radius: ["32%", "60%"], center: ["50%", "46%"],
        data: table.rows.map((r) => ({ name: r[0], value: inYi ? toYi(r[valueColumn]) : number(r[valueColumn]) })),
        label: { formatter: "{b}\n{c}" },
      }],
    };
  }

  function bars(table, nameColumn, planColumn, doneColumn, rateColumn) {
    const rows = table.rows;
    return {
      tooltip: { trigger: "axis" },
      // Room above the plot for the axis names under a one-line legend, and slanted names kept
      // inside the chart (a long unit name was cut off at the left edge); the tooltip names it in full.
      legend: { top: 0, type: "scroll" },
      grid: { left: 50, right: 20, top: 60, bottom: 10, containLabel: true },
      xAxis: {
        type: "category", data: rows.map((r) => r[nameColumn]),
        axisLabel: { rotate: 30, interval: 0, width: 130, overflow: "truncate" },
      },
      yAxis: [{ type: "value", name: unit }, { type: "value", name: "%" }],
      series: [
        { name: table.series[0], type: "bar", data: rows.map((r) => toYi(r[planColumn])) },
        { name: table.series[1], type: "bar", data: rows.map((r) => toYi(r[doneColumn])) },
        { name: table.series[2], type: "line", yAxisIndex: 1, data: rows.map((r) => number(r[rateColumn])) },
      ],
    };
  }

  const builders = {
    monthly: (t) => monthly(null, t),
    category: (t) => pie(t, 3, true),
    level: (t) => bars(t, 0, 2, 3, 4),
    status: (t) => pie(t, 1),
    units: (t) => bars(t, 1, 3, 4, 5),
    towns: (t) => bars(t, 1, 3, 4, 5),
  };

  document.querySelectorAll("[data-chart]").forEach((el) => {
    const key = el.dataset.chart;
    const chart = echarts.init(el);
    chart.setOption(builders[key](charts[key]));
    chart.on("click", (params) => open(key, params.dataIndex));
    drawn.push(chart);
  });
  window.addEventListener("resize", () => drawn.forEach((c) => c.resize()));
})();
