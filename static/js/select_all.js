/* A checkbox with data-select-all="name" ticks or clears every checkbox named "name". */
(function () {
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
    document.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`).forEach((other) => {
      other.checked = box.checked;
    });
  });
})();
