/* 报送看板: "收起" folds a unit's periods back into its summary line, and the address forgets them. */
(function () {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-close-details]");
    if (!button) return;
    const row = button.closest("tr.board-details");
    row.replaceChildren();
    row.hidden = true;
    const url = new URL(window.location.href);
    url.searchParams.delete("details");
    url.searchParams.delete("page");
    window.history.replaceState(window.history.state, "", url);
  });
})();
