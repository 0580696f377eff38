// Job page: poll the job's status while it runs, move the progress bar, reload when it ends.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = box.querySelector(".job-bar");
  var note = box.querySelector(".job-note");
  var polls = 0;

  function poll() {
    polls += 1;
    fetch(box.dataset.statusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        var p = data.progress;
        if (p) {
          if (bar && p.total) {
            bar.parentElement.hidden = false;
            bar.style.width = Math.min(100, Math.floor(p.done * 100 / p.total)) + "%";
            bar.parentElement.setAttribute("aria-valuenow", Math.floor(p.done * 100 / p.total));
          }
          if (note) { note.textContent = (p.note || "") + " " + p.done + (p.total ? " / " + p.total : ""); }
        }
        window.setTimeout(poll, polls < 30 ? 1000 : 3000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
