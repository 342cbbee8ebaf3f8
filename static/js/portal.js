/* Small helpers for every page; each page works without them. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    guardDoubleSubmits();
    focusErrorSummary();
    keepFocusClearOfStickyBars();
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

  // A form's action bar sticks to the bottom of the window; a field focused
  // behind it (by Tab, a click or an error summary's link) is scrolled up so
  // that the whole field shows above the bar.
  function keepFocusClearOfStickyBars() {
    document.addEventListener("focusin", function (event) {
      var field = event.target;
      var form = field.closest && field.closest("form");
      var bar = form && form.querySelector(".actions--sticky");
      if (!bar || bar.contains(field)) return;
      var top = bar.getBoundingClientRect().top;
      var box = field.getBoundingClientRect();
      var gap = 16;
      if (box.bottom + gap > top) {
        window.scrollBy({ top: box.bottom + gap - top, behavior: "instant" });
      }
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  }
})();
