// The 总表's column chooser (templates/table.html). Without this script the chooser is a form that
// saves and reloads; with it, ticking a section off hides its columns at once and remembers the
// choice on the server (POST /table/columns, one request after the other); ticking on a section the
// page did not render reloads the page, which then renders it.
(function () {
  var form = document.getElementById("chooser-form");
  if (!form) return;
  var save = form.querySelector(".chooser-save");
  var status = document.getElementById("chooser-status");
  var rendered = {};
  document.querySelectorAll("#master th[data-section]").forEach(function (th) { rendered[th.dataset.section] = true; });
  if (save) save.hidden = true;
  var pending = Promise.resolve();
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.name !== "section") return;
    document.querySelectorAll("#master [data-section]").forEach(function (cell) {
      if (cell.dataset.section === box.value) cell.classList.toggle("off", !box.checked);
    });
    var body = new FormData(form);
    pending = pending.then(function () {
      return fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } });
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      if (status) status.textContent = "";
      if (box.checked && !rendered[box.value]) window.location.reload();
    }).catch(function () {
      if (status) status.textContent = status.dataset.failed || "";
      if (save) save.hidden = false;
    });
  });
})();
