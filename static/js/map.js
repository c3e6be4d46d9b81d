/* Leaflet maps of the site: the configured tile layer (or none), status-coloured project markers,
   and the 一张图 page when #project-map is present. Shared with the big screen and the coordinate picker. */
(function () {
  const configElement = document.getElementById("map-config");
  const config = configElement ? JSON.parse(configElement.textContent) : {};
  const colours = Object.fromEntries((config.statuses || []).map((s) => [s.key, s.colour]));
  const PROBE_KEY = "keyprojects-tiles:";

  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    }[c]));
  }

  // The tile that holds the map centre, to find out whether the tile server answers before using it.
  function probeUrl(map) {
    const zoom = Math.round(map.getZoom());
    const point = map.project(map.getCenter(), zoom).divideBy(256).floor();
    const subdomains = "abc";
    return L.Util.template(config.tile_url, {
      s: subdomains[0], x: point.x, y: point.y, z: zoom, "-y": Math.pow(2, zoom) - 1 - point.y, r: "",
    });
  }

  function probe(url) {
    const known = window.sessionStorage && sessionStorage.getItem(PROBE_KEY + config.tile_url);
    if (known) return Promise.resolve(known === "ok");
    return new Promise((resolve) => {
      const image = new Image();
      const timer = setTimeout(() => finish(false), 5000);
      function finish(ok) {
        clearTimeout(timer);
        image.onload = image.onerror = null;
        if (window.sessionStorage) sessionStorage.setItem(PROBE_KEY + config.tile_url, ok ? "ok" : "failed");
        resolve(ok);
      }
      image.onload = () => finish(true);
      image.onerror = () => finish(false);
      image.src = url;
    });
  }

  // No tile URL: markers on a plain background. A configured server that does not answer (an
  // intranet map service that is down) is skipped for the session, so the map never fills with
  // broken images; a layer whose tiles start failing later is removed the same way.
  function addBaseLayer(map) {
    map.attributionControl.setPrefix(false);
    const plain = () => {
      map.getContainer().classList.add("no-tiles");
      map.attributionControl.addAttribution(escapeHtml(config.labels.no_tiles));
      return false;
    };
    if (!config.tile_url) return Promise.resolve(plain());
    return probe(probeUrl(map)).then((ok) => {
      if (!ok) return plain();
      const layer = L.tileLayer(config.tile_url, { attribution: config.tile_attribution, maxZoom: 18 });
      layer.on("tileerror", () => {
        if (window.sessionStorage) sessionStorage.setItem(PROBE_KEY + config.tile_url, "failed");
        if (map.hasLayer(layer)) {
          map.removeLayer(layer);
          plain();
        }
      });
      layer.addTo(map);
      return true;
    });
  }

  function create(element, options) {
    const map = L.map(element, Object.assign({ center: config.center, zoom: config.zoom, minZoom: 3, maxZoom: 18 }, options || {}));
    L.control.scale({ imperial: false }).addTo(map);
    addBaseLayer(map);
    return map;
  }

  function money(value) {
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function marker(feature, radius) {
    const [lon, lat] = feature.geometry.coordinates;
    const p = feature.properties;
    return L.circleMarker([lat, lon], {
      radius: radius || 8, color: "#ffffff", weight: 2, fillColor: colours[p.status] || "#868e96", fillOpacity: 0.95,
    }).bindPopup(
      `<div class="map-popup"><a class="map-popup-name" href="${escapeHtml(p.url)}">${escapeHtml(p.name)}</a>` +
      `<div><span class="map-dot" style="background:${colours[p.status] || "#868e96"}"></span>${escapeHtml(p.status_label)}</div>` +
      `<div>${escapeHtml(config.labels.total_investment)}${escapeHtml(money(p.total_investment))}${escapeHtml(config.labels.wan)}</div>` +
      `<div>${escapeHtml(p.unit)}</div></div>`
    );
  }

  // Projects as markers, grouped on the map where they crowd.
  function projectMarkers(features, options) {
    const opts = options || {};
    const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: opts.clusterRadius || 45, chunkedLoading: true });
    cluster.addLayers(features.map((f) => marker(f, opts.radius)));
    return cluster;
  }

  // A cell the server counted: a bubble with its number, which zooms to its projects when clicked.
  function cellMarker(map, feature) {
    const [lon, lat] = feature.geometry.coordinates;
    const count = feature.properties.count;
    const size = count < 100 ? "small" : count < 1000 ? "medium" : "large";
    const text = String(count);
    // Wide enough for its digits: a bubble of forty pixels holds two.
    const width = 40 + Math.max(0, text.length - 2) * 10;
    const bubble = L.marker([lat, lon], {
      icon: L.divIcon({
        html: `<div><span>${escapeHtml(text)}</span></div>`,
        className: `marker-cluster marker-cluster-${size} map-cell`,
        iconSize: L.point(width, 40),
      }),
      title: String(count),
    });
    bubble.on("click", () => {
      const [west, south, east, north] = feature.properties.bbox;
      const bounds = L.latLngBounds([south, west], [north, east]);
      if (bounds.getNorthEast().equals(bounds.getSouthWest())) map.setView(bounds.getCenter(), Math.min(map.getZoom() + 3, 18));
      else map.fitBounds(bounds, { padding: [20, 20], maxZoom: 18 });
    });
    return bubble;
  }

  function getJson(url, controller) {
    return fetch(url, {
      headers: { Accept: "application/geo+json, application/json" },
      credentials: "same-origin",
      signal: controller.signal,
    }).then((response) => {
      // A session that ended sends the login page: reload so that the page shows it.
      if (response.redirected || response.status === 401 || response.status === 403) {
        window.location.reload();
        throw new Error("signed out");
      }
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    });
  }

  // The projects of what the map shows, asked of `url` (the list's filters) for the view's box and
  // zoom, and again whenever the view moves or zooms: clusters the server counted while the view
  // holds many, the projects themselves when it holds few. reload() first asks for every project
  // (no view): their count, and the box the map opens on the first time. `onData(data, whole)`
  // hears every answer; `onError(error)` a view that could not be loaded.
  function liveProjects(map, url, options) {
    const opts = options || {};
    const layer = L.layerGroup().addTo(map);
    const separator = url.includes("?") ? "&" : "?";
    let wholeRequest = new AbortController();
    let viewRequest = new AbortController();
    let fitted = false;
    let timer = null;

    function refresh() {
      viewRequest.abort();
      viewRequest = new AbortController();
      const view = `bbox=${map.getBounds().toBBoxString()}&zoom=${Math.round(map.getZoom())}`;
      return getJson(url + separator + view, viewRequest).then((data) => {
        layer.clearLayers();
        if (data.clustered) data.features.forEach((f) => layer.addLayer(cellMarker(map, f)));
        else layer.addLayer(projectMarkers(data.features, opts));
        if (opts.onData) opts.onData(data, false);
        return data;
      });
    }

    function heard(error) {
      if (error.name !== "AbortError" && opts.onError) opts.onError(error);
    }

    function reload() {
      wholeRequest.abort();
      wholeRequest = new AbortController();
      return getJson(url, wholeRequest).then((data) => {
        if (opts.onData) opts.onData(data, true);
        if (!fitted) {
          fitted = true;
          if (data.extent) {
            const [west, south, east, north] = data.extent;
            map.fitBounds([[south, west], [north, east]], { padding: [40, 40], maxZoom: 15, animate: false });
          }
          map.on("moveend", () => {
            clearTimeout(timer);
            timer = setTimeout(() => refresh().catch(heard), 150);
          });
        }
        return refresh();
      });
    }

    return { layer, reload, refresh, heard };
  }

  function statusCounts(data) {
    return data.by_status || {};
  }

  window.KeyProjectsMap = { config, create, liveProjects, statusCounts, escapeHtml };

  // The 一张图 page.
  const element = document.getElementById("project-map");
  if (!element) return;
  const page = JSON.parse(document.getElementById("map-page").textContent);
  const map = create(element);
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "map-legend");
    div.dataset.testid = "map-legend";
    div.innerHTML = config.statuses.map((s) =>
      `<div class="map-legend-row"><span class="map-dot" style="background:${s.colour}"></span>${escapeHtml(s.label)}<span class="map-legend-count" data-status="${s.key}"></span></div>`
    ).join("") + '<div class="map-legend-note" data-testid="map-in-view"></div>';
    return div;
  };
  legend.addTo(map);
  // The header and the scope line both say how many projects are located: the map's data counts them.
  const totals = document.querySelectorAll("[data-testid=map-count], [data-testid=map-located]");
  const live = liveProjects(map, page.data_url, {
    onData: (data, whole) => {
      if (whole) {
        totals.forEach((el) => { el.textContent = data.total; });
        return;
      }
      const counts = statusCounts(data);
      document.querySelectorAll(".map-legend-count").forEach((el) => { el.textContent = counts[el.dataset.status] || 0; });
      const note = document.querySelector(".map-legend-note");
      if (note) {
        const shown = data.truncated ? config.labels.truncated : config.labels.in_view;
        note.textContent = shown.replace("{}", data.total.toLocaleString("zh-CN")).replace("{}", data.features.length.toLocaleString("zh-CN"));
      }
      element.dataset.loaded = "true";
      element.dataset.clustered = data.clustered ? "true" : "false";
    },
    onError: () => {
      totals.forEach((el) => { if (el.textContent === "…") el.textContent = "—"; });
      element.dataset.loaded = "failed";
    },
  });
  live.reload().catch(live.heard);
})();
