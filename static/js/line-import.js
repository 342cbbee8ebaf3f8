/* Importing lines on the purchase-order form: say at once when one field is
 * chosen for two columns. The server checks the mapping again when the lines
 * are added; without this script the same message comes back from it.
 */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var block = document.querySelector("[data-line-import]");
    if (!block) return;
    var clash = block.querySelector("[data-import-clash]");
    var selects = block.querySelectorAll("select[data-import-column]");
    if (!clash || !selects.length) return;
    function check() {
      var byField = {};
      selects.forEach(function (select) {
        select.removeAttribute("aria-invalid");
        if (!select.value) return;
        (byField[select.value] = byField[select.value] || []).push(select);
      });
      var messages = [];
      Object.keys(byField).forEach(function (field) {
        var chosen = byField[field];
        if (chosen.length < 2) return;
        chosen.forEach(function (select) { select.setAttribute("aria-invalid", "true"); });
        var words = chosen[0].selectedOptions[0].textContent.toLowerCase();
        var letters = chosen.map(function (select) { return select.dataset.importColumn; });
        messages.push("Columns " + letters.join(" and ") + " are both imported as " + words + "; choose one.");
      });
      clash.textContent = messages.join(" ");
      clash.hidden = messages.length === 0;
    }
    selects.forEach(function (select) { select.addEventListener("change", check); });
    check();
  });
})();
