/* 进度填报: as the month's amount is typed, 年度完成投资 and 累计完成投资 show the previous totals plus it.
   The amount is read as the server reads it (lib.validators.normalize_amount): full-width digits
   and commas, and commas only as thousands separators. */
(function () {
  const amount = document.getElementById("id_amount");
  const ytd = document.getElementById("ytd");
  const cum = document.getElementById("cum");
  if (!amount || !ytd || !cum) return;
  const FULL = "０１２３４５６７８９．，－＋　";
  const HALF = "0123456789.,-+ ";
  const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
  const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
  const fmt = (n) => n.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function read(text) {
    let value = Array.from(text, (c) => (FULL.includes(c) ? HALF[FULL.indexOf(c)] : c)).join("").trim();
    if (value === "") return 0;
    if (value.includes(",")) {
      if (!GROUPED.test(value)) return NaN;
      value = value.replace(/,/g, "");
    }
    return NUMBER.test(value) ? parseFloat(value) : NaN;
  }
  function update() {
    const value = read(amount.value || "");
    if (isNaN(value)) return;
    ytd.textContent = fmt(parseFloat(ytd.dataset.base) + value);
    cum.textContent = fmt(parseFloat(cum.dataset.base) + value);
  }
  amount.addEventListener("input", update);
  update();
})();
