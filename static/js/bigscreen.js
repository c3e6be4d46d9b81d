/* 大屏: scale the 1920×1080 stage to the screen, tick the clock, rotate the panels and
   fetch the figures again every few minutes (keeping the last ones shown if a fetch fails). */
(function () {
  const config = JSON.parse(document.getElementById("screen-config").textContent);
  const labels = JSON.parse(document.getElementById("screen-labels").textContent);
  const stage = document.getElementById("stage");
  const panels = Array.from(document.querySelectorAll(".panel"));
  const tabs = Array.from(document.querySelectorAll(".panel-tab"));
  const timerBar = document.getElementById("timer-bar");
  const lang = document.documentElement.lang || "zh-CN";
  const STATUS_COLOURS = {
    completed: "#52c41a", construction: "#1890ff", suspended: "#ff5a5f", preliminary: "#faad14", cancelled: "#8c8c8c",
  };

  const fill = (template, ...values) => values.reduce((text, value) => text.replace("{}", value), template);
  const number = (value) => (value === null || value === undefined ? null : Number(value));
  const yi = (wan) => (Number(wan || 0) / 10000).toFixed(2);
  const money = (wan) => Number(wan || 0).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const field = (name) => stage.querySelector(`[data-field="${name}"]`);
  // A rate with its "%" sign after it; with no rate, a dash alone.
  const putRate = (name, rate) => {
    const el = field(name);
    el.textContent = rate === null || rate === undefined ? "—" : Number(rate).toFixed(1);
    if (el.nextElementSibling) el.nextElementSibling.hidden = rate === null || rate === undefined;
  };
  const put = (name, text, tone) => {
    const el = field(name);
    el.textContent = text === null || text === undefined ? "—" : text;
    if (tone !== undefined) {
      el.classList.toggle("good", tone === "good");
      el.classList.toggle("bad", tone === "bad");
    }
  };

  function fit() {
    const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    stage.style.setProperty("--scale", scale);
    stage.style.setProperty("--offset-x", `${(window.innerWidth - 1920 * scale) / 2}px`);
    stage.style.setProperty("--offset-y", `${(window.innerHeight - 1080 * scale) / 2}px`);
  }

  const timeZone = config.time_zone;
  const dateFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", weekday: "long", timeZone });
  const timeFormat = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone });
  function tick() {
    const now = new Date();
    document.getElementById("clock").textContent = timeFormat.format(now);
    document.getElementById("date").textContent = dateFormat.format(now);
  }

  // Panels that page through more than fits (the project cards, bigscreen_cards.js): `show()` each
  // time the panel is shown, `more()` whether it stays for another turn.
  const paging = window.KeyProjectsScreenPanels || {};
  let current = 0;
  function show(index) {
    current = index;
    panels.forEach((panel, i) => panel.classList.toggle("is-active", i === index));
    tabs.forEach((tab) => tab.classList.toggle("is-active", tab.dataset.tab === panels[index].dataset.panel));
    stage.dataset.panel = panels[index].dataset.panel;
    if (paging[stage.dataset.panel]) paging[stage.dataset.panel].show();
    timerBar.style.transition = "none";
    timerBar.style.width = "0";
    void timerBar.offsetWidth;
    timerBar.style.transition = `width ${config.rotate_seconds}s linear`;
    timerBar.style.width = "100%";
  }

  const axisText = { color: "#bcd3f2", fontSize: 26 };
  // Legends in Chinese are a few characters; other languages' are whole phrases and get smaller type
  // so that the monthly legend stays on one line above the axis names.
  const compact = !lang.toLowerCase().startsWith("zh");
  const monthlyChart = echarts.init(document.getElementById("chart-monthly"), "dark", { renderer: "canvas" });
  const statusChart = echarts.init(document.getElementById("chart-status"), "dark", { renderer: "canvas" });

  function drawMonthly(monthly) {
    monthlyChart.setOption({
      backgroundColor: "transparent",
      textStyle: { fontSize: 24 },
      tooltip: { trigger: "axis", textStyle: { fontSize: 24 } },
      legend: { top: 0, textStyle: { color: "#e6f1ff", fontSize: compact ? 22 : 26 }, itemWidth: compact ? 28 : 36, itemHeight: 18 },
      grid: { left: 100, right: 100, top: 70, bottom: 50 },
      xAxis: { type: "category", data: monthly.map((m) => fill(labels.month, m.month)), axisLabel: axisText },
      yAxis: [
        { type: "value", name: labels.yi, nameTextStyle: axisText, axisLabel: axisText, splitLine: { lineStyle: { color: "rgba(143,179,224,.15)" } } },
        { type: "value", name: "%", nameTextStyle: axisText, axisLabel: axisText, splitLine: { show: false },
          max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10) },
      ],
      series: [
        { name: labels.completed, type: "bar", barMaxWidth: 56, data: monthly.map((m) => Number(yi(m.completed))),
          itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: "#36cfff" }, { offset: 1, color: "#1d39c4" }]) } },
        { name: labels.planned, type: "line", data: monthly.map((m) => Number(yi(m.planned_to_date))), symbolSize: 10,
          lineStyle: { type: "dashed", width: 3, color: "#8fb3e0" }, itemStyle: { color: "#8fb3e0" } },
        { name: labels.rate, type: "line", yAxisIndex: 1, symbolSize: 12, lineStyle: { width: 4, color: "#ffd666" }, itemStyle: { color: "#ffd666" },
          // Only the latest month is labelled: the figure the room reads.
          data: monthly.map((m, i) => ({
            value: number(m.completion_rate),
            label: { show: i === monthly.length - 1, position: "top", distance: 14, color: "#ffd666", fontSize: 30, fontWeight: "bold", textBorderColor: "#06122b", textBorderWidth: 5,
              formatter: (p) => `${Number(p.value).toFixed(1)}%` },
          })) },
        { name: labels.time_progress, type: "line", yAxisIndex: 1, data: monthly.map((m) => number(m.time_progress)), symbol: "none",
          lineStyle: { type: "dotted", width: 3, color: "#ff9c6e" }, itemStyle: { color: "#ff9c6e" } },
      ],
    }, true);
  }

  function drawStatus(rows) {
    const shown = rows.filter((r) => r.count > 0);
    const counts = Object.fromEntries(shown.map((r) => [r.label, r.count]));
    statusChart.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "item", textStyle: { fontSize: 24 } },
      legend: {
        orient: "vertical", right: 0, top: "middle", itemGap: 22, itemWidth: 26, itemHeight: 18,
        // A long status name ("Construction suspended") breaks onto a second line instead of running over the ring.
        textStyle: { color: "#e6f1ff", fontSize: compact ? 24 : 28, width: 210, overflow: "break" },
        formatter: (name) => `${name}  ${counts[name]}`,
      },
      series: [{
        type: "pie", radius: compact ? ["34%", "60%"] : ["38%", "66%"], center: compact ? ["26%", "52%"] : ["30%", "52%"], label: { show: false },
        data: shown.map((r) => ({ name: r.label, value: r.count, itemStyle: { color: STATUS_COLOURS[r.key] } })),
        itemStyle: { borderColor: "#06122b", borderWidth: 3 },
      }],
    }, true);
  }

  function drawRanking(listId, rows, scaleMax) {
    const list = document.getElementById(listId);
    const template = document.getElementById("rank-row");
    list.replaceChildren();
    if (!rows.length) {
      const empty = document.createElement("li");
      empty.className = "rank-empty";
      empty.textContent = labels.none;
      list.appendChild(empty);
      return;
    }
    rows.forEach((row) => {
      const item = template.content.firstElementChild.cloneNode(true);
      const rate = number(row.completion_rate);
      item.querySelector(".rank-no").textContent = row.rank;
      item.querySelector(".rank-name").textContent = row.name;
      item.querySelector(".rank-rate").textContent = rate === null ? "—" : `${rate.toFixed(1)}%`;
      // "0.50" + "100M CNY" must not read as "0.50100M CNY": a space between them outside Chinese.
      item.querySelector(".rank-done").textContent = `${yi(row.completed)}${compact ? "\u00a0" : ""}${labels.yi}`;
      item.querySelector(".rank-bar span").style.width = `${Math.min(100, ((rate || 0) / scaleMax) * 100)}%`;
      list.appendChild(item);
    });
  }

  function drawBehind(rows, timeProgress) {
    const body = document.getElementById("behind-rows");
    body.replaceChildren();
    if (!rows.length) {
      const tr = body.insertRow();
      const td = tr.insertCell();
      td.colSpan = 7;
      td.className = "empty";
      td.textContent = labels.none;
      return;
    }
    rows.forEach((row, i) => {
      const tr = body.insertRow();
      const cells = [
        [String(i + 1), "num"], [row.name, ""], [row.unit, ""], [money(row.annual_plan), "num"],
        [money(row.completed), "num"], [`${Number(row.completion_rate).toFixed(1)}%`, "num"],
        [fill(labels.points, Math.abs(Number(row.ahead_points)).toFixed(1)), "num gap"],
      ];
      cells.forEach(([text, className]) => {
        const td = tr.insertCell();
        td.textContent = text;
        td.className = className;
        if (!className) td.title = text;
      });
    });
    put("behind_note", fill(labels.behind_note, timeProgress, rows.length));
  }

  function yoy(value) {
    const v = number(value);
    if (v === null) return "";
    return fill(v >= 0 ? labels.yoy_up : labels.yoy_down, Math.abs(v).toFixed(1));
  }

  function render(data) {
    const plan = data.plan;
    put("count", plan.count);
    put("total_investment", yi(plan.total_investment));
    put("annual_plan", yi(plan.annual_plan));
    put("completed", yi(plan.completed));
    putRate("completion_rate", plan.completion_rate);
    const ahead = number(plan.ahead_points);
    put("ahead", ahead === null ? `${labels.time_progress} ${plan.time_progress}%`
      : fill(ahead >= 0 ? labels.ahead : labels.behind, Math.abs(ahead).toFixed(1)), ahead === null ? "" : ahead >= 0 ? "good" : "bad");
    put("count_yoy", yoy(data.year_on_year.count));
    put("plan_yoy", yoy(data.year_on_year.annual_plan));
    put("completed_yoy", yoy(data.year_on_year.completed));
    put("yi_share", data.sizes.yi_and_above_share === null ? "" : fill(labels.yi_share, data.sizes.yi_and_above_share));
    putRate("start_rate", data.starts.start_rate);
    put("starts", fill(labels.starts, data.starts.started, data.starts.to_start));
    drawMonthly(data.monthly);
    drawStatus(data.by_status);
    const named = data.ranking.praise.concat(data.ranking.pressure).map((r) => number(r.completion_rate) || 0);
    const scaleMax = Math.max(100, ...named);
    drawRanking("rank-praise", data.ranking.praise, scaleMax);
    drawRanking("rank-pressure", data.ranking.pressure, scaleMax);
    put("ranking_note", fill(labels.ranking_note, data.ranking.units));
    drawBehind(data.behind, data.plan.time_progress);
    put("updated", timeFormat.format(new Date(data.generated_at)));
    stage.dataset.loaded = "true";
  }

  let live = null;
  // The big screen's map: every project of the screen's plans counted beside it, the map itself
  // asking for what it shows (KeyProjectsMap.liveProjects).
  function mapTotals(data, whole) {
    if (!whole) return;
    put("map_count", data.total);
    const counts = KeyProjectsMap.statusCounts(data);
    const legend = document.getElementById("screen-legend");
    legend.replaceChildren();
    KeyProjectsMap.config.statuses.forEach((status) => {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = status.colour;
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = counts[status.key] || 0;
      li.append(swatch, status.label, count);
      legend.appendChild(li);
    });
  }

  function loadMap() {
    if (!live) {
      const map = KeyProjectsMap.create(document.getElementById("screen-map"), { zoomControl: false, attributionControl: true });
      live = KeyProjectsMap.liveProjects(map, config.map_url, { radius: 11, clusterRadius: 60, onData: mapTotals });
    }
    return live.reload();
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((response) => {
      // A session that ended sends the login page: reload so the screen shows it instead of stale figures.
      if (response.redirected || response.status === 401 || response.status === 403) {
        window.location.reload();
        throw new Error("signed out");
      }
      // A screen link that was revoked: reload so the screen says so instead of showing stale figures.
      if (config.kiosk && response.status === 404) {
        window.location.reload();
        throw new Error("revoked");
      }
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  function load() {
    Promise.all([getJson(config.data_url).then(render), loadMap()])
      .then(() => { document.getElementById("stale").hidden = true; })
      .catch(() => { document.getElementById("stale").hidden = false; });
  }

  fit();
  tick();
  show(0);
  load();
  window.addEventListener("resize", () => { fit(); monthlyChart.resize(); statusChart.resize(); });
  setInterval(tick, 1000);
  function advance() {
    const panel = paging[panels[current].dataset.panel];
    show(panel && panel.more() ? current : (current + 1) % panels.length);
  }
  let rotation = setInterval(advance, config.rotate_seconds * 1000);
  // A tab shows its panel at once; the rotation goes on from there.
  tabs.forEach((tab) => {
    const choose = () => {
      const index = panels.findIndex((panel) => panel.dataset.panel === tab.dataset.tab);
      if (index < 0) return;
      clearInterval(rotation);
      show(index);
      rotation = setInterval(advance, config.rotate_seconds * 1000);
    };
    tab.addEventListener("click", choose);
    tab.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose();
      }
    });
  });
  setInterval(load, config.refresh_seconds * 1000);
  // On an upright phone a notice covers the stage; whoever wants the stage anyway can close it.
  document.getElementById("narrow-dismiss").addEventListener("click", () => { document.getElementById("narrow-notice").hidden = true; });
})();
