// 趋势: one line per shop (Chart.js, served from /static/vendor), findings as red points, promo days shaded.
(function () {
  var data = JSON.parse(document.getElementById("series").textContent);
  var colors = ["#2f6fb0", "#d9822b", "#1f8a4c", "#8e44ad", "#c0392b", "#16a085"];
  var datasets = data.lines.map(function (line, i) {
    return { type: "line", label: line.shop, data: line.values, borderColor: colors[i % colors.length],
             backgroundColor: colors[i % colors.length], pointRadius: 0, borderWidth: 2, spanGaps: false, tension: 0, cubicInterpolationMode: "default", stepped: false };
  });
  var byDate = {};
  data.dates.forEach(function (d, i) { byDate[d] = i; });
  datasets.push({ type: "scatter", label: "异常", data: data.markers.map(function (m) { return { x: m.date, y: m.value, text: m.shop + ": " + m.text }; }),
                  backgroundColor: "#c7372f", borderColor: "#fff", pointRadius: 6, pointHoverRadius: 8 });
  var promo = {};
  data.promos.forEach(function (p) { promo[p.date] = p.label; });
  var shade = { id: "promo", beforeDraw: function (chart) {
    var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
    ctx.save(); ctx.fillStyle = "rgba(217,130,43,0.12)";
    var step = data.dates.length > 1 ? x.getPixelForValue(1) - x.getPixelForValue(0) : x.width;
    var run = null;
    data.dates.concat([null]).forEach(function (d, i) {
      if (d && promo[d]) { if (run === null) run = i; return; }
      if (run === null) return;
      var left = Math.max(area.left, x.getPixelForValue(run) - step / 2);
      var right = Math.min(area.right, x.getPixelForValue(i - 1) + step / 2);
      ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      run = null;
    });
    ctx.restore();
  } };
  var fmt = function (v) {
    if (v === null || v === undefined) return "—";
    return data.percent ? (v * 100).toFixed(2) + "%" : Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  };
  new Chart(document.getElementById("trend"), {
    data: { labels: data.dates, datasets: datasets },
    options: { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "nearest", intersect: false },
      scales: { x: { type: "category", ticks: { maxTicksLimit: 14 } }, y: { ticks: { callback: fmt } } },
      plugins: { tooltip: { callbacks: {
        label: function (c) { return c.raw && c.raw.text ? c.raw.text : c.dataset.label + ": " + fmt(c.parsed.y); },
        afterTitle: function (items) { var d = items[0] && data.dates[items[0].dataIndex]; return promo[d] || ""; } } } } },
    plugins: [shade]
  });
})();
