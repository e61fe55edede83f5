// Sorting and filtering of tables, drag & drop uploads, progress bars. No framework, no network.
// No inline script or style anywhere (the Content-Security-Policy forbids both): bars get their
// widths here from data-width / data-left (percent).
(function () {
  document.querySelectorAll(".bar [data-width]").forEach(function (el) { el.style.width = el.dataset.width + "%"; });
  document.querySelectorAll(".bar [data-left]").forEach(function (el) { el.style.left = el.dataset.left + "%"; });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, index) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var asc = !th.classList.contains("asc");
        table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.sort, y = b.cells[index].dataset.sort;
          if (x === "" && y === "") return 0;
          if (x === "") return 1;
          if (y === "") return -1;
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny) && String(nx) === x.replace(/\.0+$/, "") ) ? nx - ny : x.localeCompare(y, "zh");
          if (!isNaN(nx) && !isNaN(ny)) c = nx - ny;
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll("input.filter").forEach(function (input) {
    var table = document.getElementById(input.dataset.table);
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.style.display = !q || r.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
  });
  var drop = document.getElementById("drop"), files = document.getElementById("files");
  if (drop && files) {
    var text = document.getElementById("drop-text");
    var show = function () {
      if (files.files.length) text.textContent = Array.prototype.map.call(files.files, function (f) { return f.name; }).join("、");
    };
    files.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (e) {
      drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (ev) { files.files = ev.dataTransfer.files; show(); });
  }
})();
