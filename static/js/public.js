/* The public project page (信息公开): the project's place on the map and its monthly completed investment. */
(function () {
  const mapElement = document.getElementById("public-map");
  const placeElement = document.getElementById("public-place");
  if (mapElement && placeElement && window.KeyProjectsMap) {
    const place = JSON.parse(placeElement.textContent);
    const position = [place.latitude, place.longitude];
    const map = window.KeyProjectsMap.create(mapElement, { center: position, zoom: 14 });
    L.circleMarker(position, {
      radius: 10, color: "#ffffff", weight: 2, fillColor: place.colour, fillOpacity: 0.95,
    }).bindTooltip(window.KeyProjectsMap.escapeHtml(place.name)).addTo(map);
  }

  const chartElement = document.getElementById("monthly-chart");
  const chartData = document.getElementById("public-chart");
  if (chartElement && chartData && window.echarts) {
    const data = JSON.parse(chartData.textContent);
    const number = (value) => (value === null || value === undefined ? null : Number(value));
    const chart = window.echarts.init(chartElement);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 10, right: 10, top: 64, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: data.labels.unit },
      series: [
        { name: data.labels.amount, type: "bar", data: data.amounts.map(number) },
        { name: data.labels.year_to_date, type: "line", data: data.year_to_date.map(number) },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
})();
