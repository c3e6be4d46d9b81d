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

  // Projects as clustered markers; the map zooms to them, or stays at the configured centre.
  function showProjects(map, geojson, options) {
    const opts = options || {};
    const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: opts.clusterRadius || 45, chunkedLoading: true });
    const markers = geojson.features.map((f) => marker(f, opts.radius));
    cluster.addLayers(markers);
    map.addLayer(cluster);
    if (markers.length) {
      map.fitBounds(cluster.getBounds(), { padding: [40, 40], maxZoom: 15, animate: false });
    } else {
      map.setView(config.center, config.zoom, { animate: false });
    }
    return cluster;
  }

  function statusCounts(geojson) {
    const counts = {};
    geojson.features.forEach((f) => { counts[f.properties.status] = (counts[f.properties.status] || 0) + 1; });
    return counts;
  }

  window.KeyProjectsMap = { config, create, showProjects, statusCounts, escapeHtml };

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
    ).join("");
    return div;
  };
  legend.addTo(map);
  fetch(page.data_url, { headers: { Accept: "application/geo+json, application/json" }, credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then((geojson) => {
      showProjects(map, geojson);
      const counts = statusCounts(geojson);
      document.querySelectorAll(".map-legend-count").forEach((el) => { el.textContent = counts[el.dataset.status] || 0; });
      const total = document.querySelector("[data-testid=map-count]");
      if (total) total.textContent = geojson.features.length;
      element.dataset.loaded = "true";
    })
    .catch(() => {
      const total = document.querySelector("[data-testid=map-count]");
      if (total) total.textContent = "—";
      element.dataset.loaded = "failed";
    });
})();
