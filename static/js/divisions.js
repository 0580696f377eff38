// Province → city → district chooser (templates/sales/customer_form.html): fills the 6-digit
// code field from three selects whose options come from this site (no CDN, works offline).
// Without JavaScript the chooser stays hidden and the code is typed.
(function () {
  "use strict";

  function reset(select) {
    select.length = 1;  // keep the placeholder
    select.disabled = true;
  }

  function start(box) {
    var target = document.getElementById(box.dataset.target);
    var selects = Array.prototype.slice.call(box.querySelectorAll("select"));
    var chosen = (box.dataset.chosen || "").split(",").filter(Boolean);

    function populate(index, parent, pick) {
      for (var i = index; i < selects.length; i++) { reset(selects[i]); }
      return fetch(box.dataset.url + "?parent=" + encodeURIComponent(parent), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (rows) {
          var select = selects[index];
          rows.forEach(function (row) {
            var option = new Option(row[1] + " " + row[0], String(row[0]));
            option.dataset.level = String(row[2]);
            select.add(option);
          });
          select.disabled = rows.length === 0;
          if (pick) { select.value = String(pick); }
        });
    }

    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        var level = option && option.dataset.level ? Number(option.dataset.level) : 0;
        target.value = select.value && level >= 2 ? select.value : "";  // a customer is in a city or a district
        if (index + 1 < selects.length) {
          if (select.value) { populate(index + 1, select.value); }
          else { for (var i = index + 1; i < selects.length; i++) { reset(selects[i]); } }
        }
      });
    });

    box.classList.remove("d-none");
    var chain = populate(0, box.dataset.country, chosen[0]);
    chosen.forEach(function (code, index) {
      if (index + 1 < selects.length) {
        chain = chain.then(function () { return populate(index + 1, code, chosen[index + 1]); });
      }
    });
    chain.catch(function () { box.classList.add("d-none"); });  // the code field still works
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#division-chooser").forEach(start);
  });
})();
