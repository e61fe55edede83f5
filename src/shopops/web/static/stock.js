// 商品: a click anywhere on a row of the status, alerts or clearance table opens that item (the row's link), and the
// item's days are drawn — 实际库存 and 可用库存 as lines (gaps where no snapshot), 销量 as bars
// (Chart.js from /static/vendor, data from JSON embedded with json_script).
(function () {
  ["stock-table", "stock-alerts", "clearance-table"].forEach(function (id) {
    var table = document.getElementById(id);
    if (!table) return;
    table.addEventListener("click", function (event) {
      if (event.target.closest("a")) return;
      var row = event.target.closest("tr[data-item]");
      var link = row && row.querySelector("a");
      if (link) window.location.href = link.href;
    });
  });
  var el = document.getElementById("item-history");
  if (!el || !window.Chart) return;
  var item = JSON.parse(el.textContent);
  var count = function (v) { return v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN"); };
  new Chart(document.getElementById("item-chart"), {
    data: { labels: item.dates, datasets: [
      { type: "line", label: "实际库存", data: item.on_hand, yAxisID: "y", borderColor: "#2f6fb0", backgroundColor: "#2f6fb0",
        borderWidth: 2, pointRadius: 2, pointStyle: "line", spanGaps: false, tension: 0, order: 1 },
      { type: "line", label: "可用库存", data: item.available, yAxisID: "y", borderColor: "#d9822b", backgroundColor: "#d9822b",
        borderWidth: 2, borderDash: [6, 4], pointRadius: 2, pointStyle: "line", spanGaps: false, tension: 0, order: 2 },
      { type: "bar", label: "销量（件）", data: item.sold, yAxisID: "y1", backgroundColor: "rgba(31, 138, 76, 0.55)", pointStyle: "rect", order: 3 }
    ] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
      scales: {
        x: { ticks: { maxTicksLimit: 10 } },
        y: { position: "left", beginAtZero: true, title: { display: true, text: "库存" }, ticks: { callback: count } },
        y1: { position: "right", beginAtZero: true, title: { display: true, text: "销量" }, grid: { drawOnChartArea: false }, ticks: { precision: 0 } }
      },
      plugins: {
        legend: { labels: { usePointStyle: true, pointStyleWidth: 26 } },
        tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + count(c.parsed.y); } } }
      }
    }
  });
})();
