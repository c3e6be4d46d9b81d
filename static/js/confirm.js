/* A form with data-confirm asks before it is sent: deletions, publishing, re-drafting.
   Listens on the document, so forms that htmx swaps in later ask as well. */
(function () {
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
