// Qudao: small progressive enhancements, no inline scripts (CSP-friendly), no CDN.
(function () {
  "use strict";

  // Tree: expand a node by fetching its children as an HTML fragment.
  function expand(button) {
    var li = button.closest("li");
    var existing = li.querySelector(":scope > ul");
    if (existing) {
      existing.hidden = !existing.hidden;
      button.textContent = existing.hidden ? "+" : "−";
      button.setAttribute("aria-expanded", existing.hidden ? "false" : "true");
      return Promise.resolve();
    }
    button.disabled = true;
    return fetch(button.dataset.url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        li.insertAdjacentHTML("beforeend", html);
        button.textContent = "−";
        button.setAttribute("aria-expanded", "true");
        button.disabled = false;
        return autoExpand(li);
      })
      .catch(function () { button.disabled = false; button.classList.add("btn-danger"); });
  }

  function autoExpand(root) {
    // Open the path to a focused node: nodes marked data-open="1" expand themselves.
    var pending = [];
    root.querySelectorAll("button.toggle[data-open='1']").forEach(function (b) {
      b.dataset.open = "0";
      pending.push(expand(b));
    });
    return Promise.all(pending);
  }

  // Print buttons (a statement, a remittance advice): the page prints without navigation.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.toggle");
    if (button) { event.preventDefault(); expand(button); return; }
    var more = event.target.closest("button.more-children");
    if (more) {
      event.preventDefault();
      fetch(more.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var ul = more.closest("ul");
        more.closest("li").remove();
        var tmp = document.createElement("div");
        tmp.innerHTML = html;
        tmp.querySelectorAll(":scope > ul > li").forEach(function (li) { ul.appendChild(li); });
      });
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".tree").forEach(autoExpand);
    document.querySelectorAll("[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) { if (!window.confirm(form.dataset.confirm)) { e.preventDefault(); } });
    });
  });
})();
