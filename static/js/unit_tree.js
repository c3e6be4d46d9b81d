/* The unit tree (单位管理): the button before a unit's name folds and unfolds the units below it.
   Each row carries its unit's path ("/1/4/17/"), and a row is shown while no unit above it is folded.
   The table's data-collapse-from="1" folds every branch from that depth when the page opens (a search
   result opens unfolded); without JavaScript every unit is listed. A large tree's project owners come
   in on demand, below their unit. */
(function () {
  const table = document.querySelector("[data-unit-tree]");
  if (!table) return;
  const branches = Array.from(table.querySelectorAll("tr[data-tree-path]")).filter((row) =>
    row.querySelector("[data-tree-toggle]"),
  );
  const folded = new Set();

  function show() {
    // Rows are read afresh: a unit's project owners are put in on demand (htmx).
    table.querySelectorAll("tr[data-tree-path]").forEach((row) => {
      const path = row.dataset.treePath;
      row.hidden = Array.from(folded).some((above) => above !== path && path.startsWith(above));
    });
    branches.forEach((row) => {
      const open = !folded.has(row.dataset.treePath);
      const button = row.querySelector("[data-tree-toggle]");
      button.setAttribute("aria-expanded", String(open));
      button.querySelector("i").className = open ? "ti ti-chevron-down" : "ti ti-chevron-right";
    });
  }

  function foldFrom(depth) {
    folded.clear();
    branches.forEach((row) => {
      if (Number(row.dataset.depth) >= depth) folded.add(row.dataset.treePath);
    });
    show();
  }

  table.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tree-toggle]");
    if (!button) return;
    const path = button.closest("tr").dataset.treePath;
    if (folded.has(path)) folded.delete(path);
    else folded.add(path);
    show();
  });

  const controls = document.querySelector("[data-tree-controls]");
  if (controls) {
    controls.hidden = false;
    controls.querySelector("[data-tree-expand-all]").addEventListener("click", () => {
      folded.clear();
      show();
    });
    controls.querySelector("[data-tree-collapse-all]").addEventListener("click", () => foldFrom(0));
  }
  if (table.dataset.collapseFrom) foldFrom(Number(table.dataset.collapseFrom));
})();
