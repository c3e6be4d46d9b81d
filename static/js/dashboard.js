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
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
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
      legend: { bottom: 0 },
      series: [{
        type: "pie", radius: ["35%", "65%"],
        data: table.rows.map((r) => ({ name: r[0], value: inYi ? toYi(r[valueColumn]) : number(r[valueColumn]) })),
        label: { formatter: "{b}\n{c}" },
      }],
    };
  }

  function bars(table, nameColumn, planColumn, doneColumn, rateColumn) {
    const rows = table.rows;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 50, top: 40, bottom: 80 },
      xAxis: { type: "category", data: rows.map((r) => r[nameColumn]), axisLabel: { rotate: 30, interval: 0 } },
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
