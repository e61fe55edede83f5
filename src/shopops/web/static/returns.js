// 退货: the reason Pareto — cases per reason class as bars (this period and the one before), the
// cumulative share as a line on the right axis (Chart.js from /static/vendor, data from json_script).
(function () {
  var el = document.getElementById("pareto-data");
  if (!el || !window.Chart) return;
  var data = JSON.parse(el.textContent);
  new Chart(document.getElementById("pareto-chart"), {
    data: { labels: data.labels, datasets: [
      { type: "bar", label: "本期单数", data: data.counts, yAxisID: "y", backgroundColor: "rgba(199, 55, 47, 0.7)", order: 2 },
      { type: "bar", label: "上期单数", data: data.previous, yAxisID: "y", backgroundColor: "rgba(123, 135, 148, 0.45)", order: 3 },
      { type: "line", label: "累计占比 %", data: data.cumulative, yAxisID: "y1", borderColor: "#2f6fb0", backgroundColor: "#2f6fb0",
        borderWidth: 2, pointRadius: 3, tension: 0, order: 1 }
    ] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
      scales: {
        y: { position: "left", beginAtZero: true, title: { display: true, text: "单数" }, ticks: { precision: 0 } },
        y1: { position: "right", min: 0, max: 100, title: { display: true, text: "累计占比 %" }, grid: { drawOnChartArea: false } }
      }
    }
  });
})();
