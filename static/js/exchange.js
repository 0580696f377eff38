// Import progress: poll the run's progress and reload the page when it has finished.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || box.dataset.status !== "running") { return; }
  var bar = document.getElementById("import-bar");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (bar) { bar.style.width = p.percent + "%"; bar.textContent = p.percent + "%"; }
        if (p.status !== "running") { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
