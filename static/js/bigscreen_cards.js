/* 大屏 · 逐个项目: the project cards' panel. Each time the panel is shown it puts up the next page of
   cards, fetched after the last project shown, and comes round to the first after the last; the
   panel stays for `card_pages` pages a turn (bigscreen.js asks `more()`), so that every project of
   the screen appears in turn. Loaded before bigscreen.js, which drives the rotation. */
(function () {
  const config = JSON.parse(document.getElementById("screen-config").textContent);
  const labels = JSON.parse(document.getElementById("screen-card-labels").textContent);
  const grid = document.getElementById("project-cards");
  const position = document.getElementById("cards-position");
  const template = document.getElementById("project-card");
  const lang = document.documentElement.lang || "zh-CN";
  const separator = config.cards_url.includes("?") ? "&" : "?";

  const fill = (text, ...values) => values.reduce((out, value) => out.replace("{}", value), text);
  // Whole 万元 across a room; the cent is on the project's page.
  const money = (wan) => Math.round(Number(wan || 0)).toLocaleString(lang);

  function fetchPage(after) {
    return fetch(`${config.cards_url}${separator}after=${after}`, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        // Signed out, or a screen link revoked: the page itself says what happened.
        if (response.redirected || response.status === 401 || response.status === 403 || (config.kiosk && response.status === 404)) {
          window.location.reload();
          throw new Error(String(response.status));
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
  }

  function card(data) {
    const item = template.content.firstElementChild.cloneNode(true);
    const rate = data.completion_rate === null ? null : Number(data.completion_rate);
    const ahead = data.ahead_points === null ? null : Number(data.ahead_points);
    item.dataset.project = data.id;
    item.querySelector(".card-name").textContent = data.name;
    item.querySelector(".card-unit").textContent = `${data.unit}${data.unit ? " · " : ""}${data.status_label}`;
    item.querySelector(".rate-value").textContent = rate === null ? "—" : `${rate.toFixed(1)}%`;
    item.querySelector(".rate-label").textContent = labels.rate;
    item.querySelector(".bar-done").style.width = `${Math.min(100, rate || 0)}%`;
    item.querySelector(".bar-time").style.left = `${Math.min(100, Number(data.time_progress))}%`;
    item.querySelector(".bar-time").title = fill(labels.time_progress, data.time_progress);
    const aheadText = item.querySelector(".card-ahead");
    aheadText.textContent = ahead === null ? fill(labels.time_progress, data.time_progress)
      : fill(ahead >= 0 ? labels.ahead : labels.behind, Math.abs(ahead).toFixed(1));
    aheadText.classList.toggle("good", ahead !== null && ahead >= 0);
    aheadText.classList.toggle("bad", ahead !== null && ahead < 0);
    item.querySelector(".card-money").textContent =
      `${labels.completed} ${money(data.completed)} / ${labels.plan} ${money(data.annual_plan)} ${labels.wan}`;
    const period = data.progress_period ? fill(labels.progress_of, ...data.progress_period.split("-").map(Number)) : "";
    item.querySelector(".progress-label").textContent = period ? `${labels.progress}（${period}）` : labels.progress;
    const percent = data.progress_percent === null ? "" : ` ${Number(data.progress_percent)}%`;
    item.querySelector(".progress-text").textContent = data.progress_text || data.progress_percent !== null
      ? `${data.progress_text}${percent}` : labels.no_progress;
    const image = item.querySelector(".card-photo img");
    if (data.photo) {
      image.src = data.photo;
      image.alt = data.name;
      item.querySelector(".no-photo").remove();
    } else {
      image.remove();
      item.querySelector(".no-photo").textContent = labels.no_photo;
    }
    return item;
  }

  let total = 0;
  let perPage = 0;
  function render(data) {
    total = data.total;
    perPage = Math.max(perPage, data.cards.length);
    grid.replaceChildren(...data.cards.map(card));
    position.textContent = data.total
      ? fill(labels.position, data.start, data.start + data.cards.length - 1, data.total)
      : labels.empty;
    grid.dataset.after = data.after;
  }

  // The first page is asked for when the panel first shows (not while the screen loads its figures);
  // after that the next page is asked for as soon as one is shown, so that the panel never waits.
  let upcoming = null;
  let shownThisTurn = 0;
  window.KeyProjectsScreenPanels = window.KeyProjectsScreenPanels || {};
  window.KeyProjectsScreenPanels.projects = {
    show() {
      shownThisTurn += 1;
      const page = upcoming || fetchPage(Number(grid.dataset.after || 0));
      upcoming = page.then((data) => { render(data); return fetchPage(data.after); }).catch(() => fetchPage(Number(grid.dataset.after || 0)));
      upcoming.catch(() => {});
    },
    more() {
      const stay = shownThisTurn < config.card_pages && total > perPage;
      if (!stay) shownThisTurn = 0;
      return stay;
    },
  };
})();
