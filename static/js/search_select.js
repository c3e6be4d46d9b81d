/* A select with a search box (lib/pickers.py): typing asks the server for the matching choices and
   puts them in the select, keeping what is already chosen. The box itself is never sent with its
   form, and neither its typing nor its Enter key submits the form. */
(function () {
  const timers = new WeakMap();
  const initial = new WeakMap();

  function boxOf(target) {
    return target instanceof HTMLInputElement && "searchBox" in target.dataset ? target : null;
  }

  function format(template, ...values) {
    let index = 0;
    return template.replace(/%s/g, () => String(values[index++]));
  }

  function refill(select, items) {
    const kept = Array.from(select.options).filter((option) => option.value === "" || option.selected);
    const seen = new Set(kept.map((option) => option.value));
    select.replaceChildren(...kept);
    items.forEach((item) => {
      const value = String(item.value);
      if (seen.has(value)) return;
      seen.add(value);
      select.append(new Option(item.label, value));
    });
  }

  function search(box) {
    const holder = box.closest("[data-search-select]");
    const select = holder.querySelector("select");
    const status = holder.querySelector("[data-search-status]");
    if (!initial.has(holder)) {
      initial.set(
        holder,
        Array.from(select.options).map((option) => ({ value: option.value, label: option.text })),
      );
    }
    const text = box.value.trim();
    if (!text) {
      refill(select, initial.get(holder));
      status.textContent = "";
      return;
    }
    const url = new URL(holder.dataset.searchSelect, window.location.href);
    url.searchParams.set("q", text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        if (box.value.trim() !== text) return;
        refill(select, data.results);
        const count = data.results.length;
        if (!count) status.textContent = holder.dataset.none;
        else if (data.more) status.textContent = format(holder.dataset.more, count);
        else status.textContent = format(holder.dataset.found, count);
      })
      .catch(() => {
        status.textContent = holder.dataset.failed;
      });
  }

  document.addEventListener(
    "input",
    (event) => {
      const box = boxOf(event.target);
      if (!box) return;
      event.stopPropagation();
      clearTimeout(timers.get(box));
      timers.set(box, setTimeout(() => search(box), 250));
    },
    true,
  );
  document.addEventListener(
    "change",
    (event) => {
      if (boxOf(event.target)) event.stopPropagation();
    },
    true,
  );
  document.addEventListener(
    "keydown",
    (event) => {
      const box = boxOf(event.target);
      if (!box || event.key !== "Enter") return;
      event.preventDefault();
      clearTimeout(timers.get(box));
      search(box);
    },
    true,
  );
})();
