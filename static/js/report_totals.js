/* 进度填报: as the month's amount is typed, 年度完成投资 and 累计完成投资 show the previous totals plus it. */
(function () {
  const amount = document.getElementById("id_amount");
  const ytd = document.getElementById("ytd");
  const cum = document.getElementById("cum");
  if (!amount || !ytd || !cum) return;
  const fmt = (n) => n.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function update() {
    const value = parseFloat((amount.value || "0").replace(/,/g, ""));
    if (isNaN(value)) return;
    ytd.textContent = fmt(parseFloat(ytd.dataset.base) + value);
    cum.textContent = fmt(parseFloat(cum.dataset.base) + value);
  }
  amount.addEventListener("input", update);
  update();
})();
