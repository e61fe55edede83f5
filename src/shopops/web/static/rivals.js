// 竞品: price and daily sales timelines, one line per rival item, our paired item dashed (Chart.js from /static/vendor).
(function () {
  var data = JSON.parse(document.getElementById("series").textContent);
  var colors = ["#c0392b", "#d9822b", "#8e44ad", "#16a085", "#b7950b", "#7f8c8d"];
  var ourColors = ["#2f6fb0", "#1f8a4c", "#1e3a5f"];
  var fmt = function (v) { return v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 }); };
  function draw(id, lines) {
    var r = 0, o = 0;
    var datasets = lines.map(function (line) {
      var color = line.ours ? ourColors[o++ % ourColors.length] : colors[r++ % colors.length];
      return { label: line.label, data: line.values, borderColor: color, backgroundColor: color, borderWidth: line.ours ? 3 : 2,
               borderDash: line.ours ? [6, 4] : [], pointRadius: 0, spanGaps: false, tension: 0 };
    });
    new Chart(document.getElementById(id), {
      type: "line",
      data: { labels: data.dates, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { ticks: { callback: fmt } } },
        plugins: { legend: { labels: { usePointStyle: true, pointStyle: "line", pointStyleWidth: 26 } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + fmt(c.parsed.y); } } } } }
    });
  }
  draw("rival-price", data.price);
  draw("rival-units", data.units);
})();
