// 客服: one agent's days (询单转化率 and 平均响应 on two axes, 客服销售额 as bars; 暂定 days paler)
// and the team's trend against the shop's 支付转化率 (Chart.js from /static/vendor, data from JSON).
(function () {
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  var pct = function (v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(2) + "%"; };
  var secs = function (v) { return v === null || v === undefined ? "—" : Number(v).toFixed(1) + " 秒"; };
  var yuan = function (v) { return v === null || v === undefined ? "—" : "¥" + Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); };
  var base = { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false } };
  function options(scales, formats) {
    return Object.assign({}, base, { scales: scales, plugins: {
      legend: { labels: { usePointStyle: true, pointStyle: "line", pointStyleWidth: 26 } },
      tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + formats[c.datasetIndex](c.parsed.y); } } } } });
  }
  var agent = read("agent-trend");
  if (agent) {
    new Chart(document.getElementById("agent-quality"), {
      type: "line",
      data: { labels: agent.dates, datasets: [
        { label: "询单转化率", data: agent.inquiry_conversion, yAxisID: "y", borderColor: "#2f6fb0", backgroundColor: "#2f6fb0", borderWidth: 2, pointRadius: 2, spanGaps: false, tension: 0 },
        { label: "平均响应(秒)", data: agent.avg_response_seconds, yAxisID: "y1", borderColor: "#d9822b", backgroundColor: "#d9822b", borderWidth: 2, borderDash: [6, 4], pointRadius: 2, spanGaps: false, tension: 0 }
      ] },
      options: options({ x: { ticks: { maxTicksLimit: 10 } }, y: { position: "left", beginAtZero: true, ticks: { callback: pct } },
        y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return v + "s"; } } } }, [pct, secs])
    });
    new Chart(document.getElementById("agent-sales"), {
      type: "bar",
      data: { labels: agent.dates, datasets: [
        { label: "客服销售额", data: agent.sales, backgroundColor: agent.provisional.map(function (p) { return p ? "#a9c4e2" : "#1f8a4c"; }) }
      ] },
      options: options({ x: { ticks: { maxTicksLimit: 10 } }, y: { beginAtZero: true, ticks: { callback: yuan } } }, [yuan])
    });
  }
  var team = read("team-trend");
  if (team) {
    var colors = ["#2f6fb0", "#1f8a4c", "#d9822b", "#8e44ad", "#c0392b", "#16a085"];
    new Chart(document.getElementById("team-chart"), {
      type: "line",
      data: { labels: team.dates, datasets: team.lines.map(function (line) {
        // one colour per shop; the team's 询单转化率 solid, the shop's 支付转化率 dashed, 客服销售额占比 dotted
        var color = colors[line.shop % colors.length];
        var dash = { solid: [], dashed: [8, 4], dotted: [2, 3] }[line.style] || [];
        return { label: line.label, data: line.values, borderColor: color, backgroundColor: color, borderWidth: 2,
                 borderDash: dash, pointRadius: 0, spanGaps: false, tension: 0 };
      }) },
      options: options({ x: { ticks: { maxTicksLimit: 12 } }, y: { beginAtZero: true, ticks: { callback: pct } } },
        team.lines.map(function () { return pct; }))
    });
  }
})();
