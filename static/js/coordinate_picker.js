/* Coordinate picking on the project form: a click on the map fills 纬度/经度 (6 decimals);
   coordinates already in the inputs show as a marker, and typing in them moves it. The user's
   other projects show as small grey dots named on hover, landmarks when no base map is configured. */
(function () {
  const element = document.getElementById("coordinate-picker");
  const latInput = document.getElementById("id_latitude");
  const lonInput = document.getElementById("id_longitude");
  if (!element || !latInput || !lonInput) return;

  function current() {
    const lat = parseFloat(latInput.value);
    const lon = parseFloat(lonInput.value);
    if (Number.isNaN(lat) || Number.isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return L.latLng(lat, lon);
  }

  // Open on the project's own position when it has one, so nothing moves after the page loads.
  const start = current();
  const map = KeyProjectsMap.create(element, start ? { center: start, zoom: 15 } : {});
  let marker = null;

  function place(latlng) {
    if (!latlng) {
      if (marker) map.removeLayer(marker);
      marker = null;
      return;
    }
    if (!marker) {
      marker = L.circleMarker(latlng, { radius: 9, color: "#ffffff", weight: 3, fillColor: "#d63939", fillOpacity: 1 }).addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
  }

  map.on("click", (event) => {
    const latlng = event.latlng.wrap();
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    [latInput, lonInput].forEach((input) => input.dispatchEvent(new Event("change", { bubbles: true })));
    place(latlng);
  });
  [latInput, lonInput].forEach((input) => input.addEventListener("input", () => place(current())));

  fetch(KeyProjectsMap.config.projects_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : { features: [] }))
    .then((geojson) => {
      geojson.features.forEach((feature) => {
        const [lon, lat] = feature.geometry.coordinates;
        L.circleMarker([lat, lon], { radius: 4, color: "#667382", weight: 1, fillColor: "#aab4c0", fillOpacity: 0.9 })
          .bindTooltip(KeyProjectsMap.escapeHtml(feature.properties.name), { direction: "top" })
          .addTo(map);
      });
      if (marker) marker.bringToFront();
    });

  place(start);
})();
