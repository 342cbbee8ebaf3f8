/* Small helpers for every page; each page works without them. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    guardDoubleSubmits();
    focusErrorSummary();
    watchForChanges();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });

  // A second click while a form is on its way would send the action twice.
  function guardDoubleSubmits() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.method.toLowerCase() !== "post") return;
      if (form.dataset.submitting === "yes") {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "yes";
      form.setAttribute("aria-busy", "true");
    });
    // Coming back with the browser's Back button must leave forms usable.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-submitting]").forEach(function (form) {
        delete form.dataset.submitting;
        form.removeAttribute("aria-busy");
      });
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  }

  // Pages that show network state poll a short stamp and say when it changed,
  // so that a supplier sees an edit, or a buyer a delivery, without guessing.
  function watchForChanges() {
    var banner = document.querySelector("[data-stamp-url]");
    if (!banner || !window.fetch) return;
    var url = banner.dataset.stampUrl;
    var stamp = banner.dataset.stamp;
    var interval = 20000;
    var timer = window.setInterval(check, interval);

    function check() {
      if (document.hidden) return;
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.stamp && data.stamp !== stamp) {
            banner.hidden = false;
            window.clearInterval(timer);
          }
        })
        .catch(function () { /* The next poll tries again. */ });
    }
  }
})();
