// 直播场控: the room's picture (room.room_view's JSON) written into the page, then again at every new
// picture from the server (Server-Sent Events, event "room") — no reload. Every name comes from files
// and users: it is written with textContent only, never as markup. Words come from the page's
// live-config (the user's language); numbers: unknown is "—", never 0.
(function () {
  var pictureEl = document.getElementById("live-picture");
  var configEl = document.getElementById("live-config");
  if (!pictureEl || !configEl) return;
  var config = JSON.parse(configEl.textContent);
  var W = config.words;
  window.__liveLoaded = String(Date.now()) + ":" + String(Math.random()).slice(2); // a reload changes it
  window.__liveRenders = 0;

  function word(key, n) { return (W[key] || key).replace("{n}", n === undefined ? "" : String(n)); }
  function byId(id) { return document.getElementById(id); }
  function known(v) { return v !== null && v !== undefined && !(typeof v === "number" && isNaN(v)); }
  function grouped(v, digits) {
    return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace("-", "−");
  }
  var FORMATS = {
    money: function (v) { return known(v) ? grouped(v, 2) : "—"; },
    yuan: function (v) { return known(v) ? "¥" + grouped(v, 2) : "—"; },
    count: function (v) { return known(v) ? grouped(v, 0) : "—"; },
    ratio: function (v) { return known(v) ? (v * 100).toFixed(2).replace("-", "−") + "%" : "—"; },
    number: function (v) { return known(v) ? grouped(v, 2) : "—"; }
  };
  function signedPercent(v) { var p = Math.round(v * 100); return (p > 0 ? "+" : p < 0 ? "−" : "±") + Math.abs(p) + "%"; }

  // "2026-11-28 20:05:00" → seconds (as if UTC: the boards' local time, no zone arithmetic needed)
  function seconds(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text || "");
    return m ? Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : null;
  }
  function clock(text, withSeconds) {
    var m = /[ T](\d{2}:\d{2})(:\d{2})?/.exec(text || "");
    if (!m) return "—";
    return withSeconds ? m[1] + (m[2] || ":00") : m[1];
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // -- the status line ----------------------------------------------------------------------------
  function renderStatus(p, withSeconds) {
    var state = byId("live-state");
    state.dataset.status = p.status;
    if (p.status === "live") state.textContent = "● " + word("直播中");
    else if (p.status === "stale") state.textContent = "● " + word("数据断了 {n} 分钟", Math.floor((p.silent_seconds || 0) / 60));
    else state.textContent = word("已结束");
    var facts = [word("最后采集") + " " + clock(p.end, true), word("采集 {n} 次", p.snapshots)];
    if (p.stale_snapshots) facts.push(word("未变化 {n} 次", p.stale_snapshots));
    if (p.gaps) facts.push(word("断档 {n} 段", p.gaps));
    if (p.resets) facts.push(word("计数重置 {n} 次", p.resets));
    byId("live-facts").textContent = facts.join(" · ");
    byId("live-when").textContent = p.date + " " + clock(p.start, withSeconds) + "–" + clock(p.end, withSeconds);
  }

  // -- the headline tiles, with the 直播计划's pace ------------------------------------------------
  function lastOnline(p) {
    for (var i = p.intervals.length - 1; i >= 0; i--) {
      if (known(p.intervals[i].online_viewers)) return p.intervals[i].online_viewers;
    }
    return p.intervals.length ? null : p.opening.online_viewers;
  }
  function paceLine(tile, text, tone) {
    var pace = tile.querySelector(".live-pace");
    pace.hidden = text === null;
    pace.textContent = text || "";
    pace.dataset.tone = tone || "";
  }
  function planLine(tile, text) {
    var plan = tile.querySelector(".live-plan");
    plan.hidden = text === null;
    plan.textContent = text || "";
  }
  function renderTiles(p) {
    var pace = p.pace || {};
    config.tiles.forEach(function (t) {
      var tile = document.querySelector(".live-tile[data-tile='" + t.key + "']");
      var value = t.key === "online_viewers" ? lastOnline(p) : p.totals[t.key];
      tile.querySelector(".value").textContent = FORMATS[t.kind === "money" && t.key !== "gpm" ? "yuan" : t.kind](value);
    });
    var gmv = document.querySelector(".live-tile[data-tile='gmv']");
    if (known(pace.gmv_pace)) {
      paceLine(gmv, word("成交进度") + " " + signedPercent(pace.gmv_pace), pace.gmv_pace < 0 ? "bad" : "good");
      planLine(gmv, word("计划此时") + " " + FORMATS.yuan(pace.planned_gmv) + " · " + word("全场目标") + " " + FORMATS.yuan(pace.target_gmv));
    } else { paceLine(gmv, null); planLine(gmv, null); }
    var spend = document.querySelector(".live-tile[data-tile='spend']");
    if (known(pace.spend_pace)) {
      var limit = config.spend_limit, s = pace.spend_pace;
      var label = s > limit ? "消耗过快" : s < -limit ? "消耗过慢" : "消耗进度";
      paceLine(spend, word(label) + " " + signedPercent(s), s > limit ? "bad" : s < -limit ? "warn" : "");
      planLine(spend, word("计划此时") + " " + FORMATS.yuan(pace.planned_spend) + " · " + word("全场预算") + " " + FORMATS.yuan(pace.budget));
    } else { paceLine(spend, null); planLine(spend, null); }
    byId("live-no-plan").hidden = known(pace.target_gmv) || known(pace.budget);
  }

  // -- the anchor on air: their own benchmark beside this session's -------------------------------
  function anchorRatio(p, anchor, r) {
    var num = 0, den = 0, any = false;
    for (var i = 0; i < p.intervals.length; i++) {
      var row = p.intervals[i];
      if (row.anchor !== anchor || row.reset || !known(row[r.denominator + "_delta"])) continue;
      var n = row[r.numerator + "_delta"];
      if (!known(n)) return null; // a part unknown: the whole is unknown
      num += n; den += row[r.denominator + "_delta"]; any = true;
    }
    return any && den !== 0 ? num / den * r.scale : null;
  }
  function renderAnchor(p) {
    byId("live-anchor-name").textContent = p.anchor || "—";
    var body = byId("live-bench").tBodies[0];
    clear(body);
    var bench = p.benchmark || {};
    config.benchmark_ratios.forEach(function (r) {
      var tr = el("tr");
      var name = el("td", "", r.label);
      name.title = r.title;
      tr.appendChild(name);
      tr.appendChild(el("td", "num k-bench", FORMATS.ratio(bench[r.key])));
      var own = p.anchor ? anchorRatio(p, p.anchor, r) : null;
      var cell = el("td", "num k-own", FORMATS.ratio(own));
      // red where the alerts would call it low: under the usual by more than live.benchmark_drop
      if (known(own) && known(bench[r.key]) && own < bench[r.key] * (1 - config.benchmark_drop)) cell.classList.add("below");
      tr.appendChild(cell);
      body.appendChild(tr);
    });
    var note = byId("live-bench-note");
    var text = !p.anchor ? word("大屏没有主播列，也没有主播排班表") : Object.keys(bench).length ? "" : word("还没有常态：需要这位主播过去的场次");
    note.hidden = !text;
    note.textContent = text;
  }

  // -- the alerts, newest first -------------------------------------------------------------------
  function renderAlerts(p) {
    var list = byId("live-alerts");
    clear(list);
    var alerts = p.alerts.slice().sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : 0; });
    alerts.forEach(function (a) {
      var li = el("li", "sev-" + a.severity);
      li.dataset.kind = a.kind;
      li.appendChild(el("span", "badge " + ({ critical: "critical", warning: "warning" }[a.severity] || "info"), config.severity[a.severity] || a.severity));
      li.appendChild(el("time", "", clock(a.at, false)));
      li.appendChild(el("b", "", a.title));
      li.appendChild(el("span", "detail", a.detail));
      list.appendChild(li);
    });
    if (!alerts.length) list.appendChild(el("li", "muted live-no-alerts", word("暂无提醒")));
    byId("live-alert-count").textContent = alerts.length ? String(alerts.length) : "";
  }

  // -- the intervals, newest first ----------------------------------------------------------------
  function marks(row) {
    var box = el("span", "marks");
    if (row.reset) box.appendChild(el("span", "mark reset", word("重置")));
    if (row.stale) box.appendChild(el("span", "mark stale", word("未刷新 {n}", row.stale)));
    if (row.gap) box.appendChild(el("span", "mark gap", word("断档")));
    return box;
  }
  function intervalRow(row, withSeconds) {
    var tr = el("tr");
    if (row.reset) tr.classList.add("is-reset");
    if (row.stale) tr.classList.add("is-stale");
    if (row.gap) tr.classList.add("is-gap");
    config.columns.forEach(function (c) {
      var td;
      if (c.kind === "time") td = el("td", "k-time", clock(row.start, withSeconds) + "–" + clock(row.end, withSeconds));
      else if (c.kind === "text") { td = el("td", "k-text", row[c.key] || "—"); if (row[c.key]) td.title = row[c.key]; }
      else if (c.kind === "marks") { td = el("td", "k-marks"); td.appendChild(marks(row)); }
      else td = el("td", "num k-" + c.kind, FORMATS[c.kind](row[c.key]));
      td.dataset.key = c.key;
      tr.appendChild(td);
    });
    return tr;
  }
  // What the table shows now (oldest first, as the picture has them): a new picture usually only adds
  // intervals at the end, so only the rows from the first that changed are drawn again (newest on top).
  var drawn = { keys: [], withSeconds: null };
  function renderIntervals(p, keys, withSeconds) {
    var body = byId("live-intervals").tBodies[0];
    var same = 0;
    if (drawn.withSeconds === withSeconds) {
      while (same < keys.length && same < drawn.keys.length && keys[same] === drawn.keys[same]) same++;
    }
    if (same === 0) clear(body);
    else for (var k = drawn.keys.length; k > same; k--) body.removeChild(body.firstChild);
    var fresh = document.createDocumentFragment();
    for (var i = p.intervals.length - 1; i >= same; i--) fresh.appendChild(intervalRow(p.intervals[i], withSeconds));
    if (!p.intervals.length) {
      var empty = el("tr", "live-no-intervals");
      var cell = el("td", "muted", word("还没有时段：第二次采集之后出现"));
      cell.colSpan = config.columns.length;
      empty.appendChild(cell);
      fresh.appendChild(empty);
    }
    body.insertBefore(fresh, body.firstChild);
    drawn = { keys: keys, withSeconds: withSeconds };
    byId("live-interval-count").textContent = p.intervals.length ? String(p.intervals.length) : "";
  }

  // -- the chart: 每分钟成交金额 (steps over each interval) and 在线人数 ----------------------------
  var chart = null;
  function series(p) {
    var zero = seconds(p.start);
    var at = function (text) { return (seconds(text) - zero) / 60; };
    var gmv = [], online = [{ x: 0, y: known(p.opening.online_viewers) ? p.opening.online_viewers : null }];
    p.intervals.forEach(function (row, i) {
      if (i === 0) gmv.push({ x: at(row.start), y: known(row.gmv_per_minute) ? row.gmv_per_minute : null });
      gmv.push({ x: at(row.end), y: known(row.gmv_per_minute) ? row.gmv_per_minute : null });
      online.push({ x: at(row.end), y: known(row.online_viewers) ? row.online_viewers : null });
    });
    return { zero: zero, gmv: gmv, online: online };
  }
  function renderChart(p) {
    if (typeof Chart === "undefined") return;
    var s = series(p);
    var tick = function (v) {
      var d = new Date((s.zero + v * 60) * 1000);
      return ("0" + d.getUTCHours()).slice(-2) + ":" + ("0" + d.getUTCMinutes()).slice(-2);
    };
    if (chart) {
      chart.data.datasets[0].data = s.gmv;
      chart.data.datasets[1].data = s.online;
      chart.options.scales.x.ticks.callback = tick;
      chart.update("none");
      return;
    }
    chart = new Chart(byId("live-chart"), {
      type: "line",
      data: { datasets: [
        { label: word("每分钟成交金额"), data: s.gmv, yAxisID: "y", stepped: "before", fill: true, borderColor: "#1f8a4c",
          backgroundColor: "rgba(31,138,76,0.15)", borderWidth: 2, pointRadius: 0, spanGaps: false },
        { label: word("在线人数"), data: s.online, yAxisID: "y1", borderColor: "#2f6fb0", backgroundColor: "#2f6fb0",
          borderWidth: 2, pointRadius: 0, spanGaps: false, tension: 0 }
      ] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, parsing: true,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: { type: "linear", ticks: { callback: tick, maxTicksLimit: 10 } },
          y: { position: "left", beginAtZero: true, ticks: { callback: function (v) { return FORMATS.money(v); } } },
          y1: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return FORMATS.count(v); } } }
        },
        plugins: {
          legend: { labels: { usePointStyle: true, pointStyle: "line" } },
          tooltip: { callbacks: {
            title: function (items) { return items.length ? tick(items[0].parsed.x) : ""; },
            label: function (c) { return c.dataset.label + ": " + (c.datasetIndex === 0 ? FORMATS.money(c.parsed.y) : FORMATS.count(c.parsed.y)); }
          } }
        } }
    });
  }

  // -- one picture → the page (the table and chart only when the intervals changed) ---------------
  var shown = null;
  function render(p) {
    if (!p) return;
    var began = window.performance ? performance.now() : 0;
    var withSeconds = p.intervals.some(function (r) { return !/:00$/.test(r.start) || !/:00$/.test(r.end); });
    renderStatus(p, withSeconds);
    renderTiles(p);
    renderAnchor(p);
    renderAlerts(p);
    var keys = p.intervals.map(function (row) { return JSON.stringify(row); });
    var key = keys.join("\n");
    if (key !== shown) {
      shown = key;
      renderIntervals(p, keys, withSeconds);
      renderChart(p);
    }
    window.__liveRenders += 1;
    window.__liveRenderMs = window.performance ? performance.now() - began : null; // how long a picture takes to draw
  }

  // -- the live connection ------------------------------------------------------------------------
  var indicator = byId("live-connection");
  function connection(state) {
    indicator.dataset.state = state;
    indicator.textContent = state === "open" ? "● " + word("实时") : word("重连中…");
  }
  var retry = null;
  function follow() {
    if (!config.events || typeof EventSource === "undefined") return;
    var source = new EventSource(config.events);
    source.addEventListener("open", function () { connection("open"); });
    source.addEventListener("room", function (event) {
      connection("open");
      render(JSON.parse(event.data));
    });
    source.addEventListener("error", function () {
      connection("retry");
      // EventSource reconnects by itself after a dropped connection; an answer that is not a stream
      // (the server restarting, a login that expired) closes it: try again ourselves, slowly.
      if (source.readyState === EventSource.CLOSED && retry === null) {
        retry = setTimeout(function () { retry = null; follow(); }, 10000);
      }
    });
  }

  var picker = byId("live-room");
  if (picker) picker.addEventListener("change", function () { window.location.href = picker.value; });
  render(JSON.parse(pictureEl.textContent));
  follow();
})();
