/* The purchase-order form's warnings, kept up to date as the buyer types.
 *
 * They follow purchase_orders/services/warnings.py word for word (the place
 * of supply against the delivery address's state, a draft's milestones
 * before today, a payment to an MSME later than 45 days after acceptance);
 * the server says them again when the form is saved or opened. None of them
 * stops the form. The buyer's own business is also kept from being chosen
 * as its supplier.
 */
(function () {
  "use strict";

  var DELIVERY_PURPOSES = ["DELIVERY", "SITE", "WAREHOUSE"];
  var MSME_PAYMENT_DAYS = 45;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-po-form]");
    var box = document.querySelector("[data-order-warnings]");
    if (!form || !box) return;
    var update = function () { show(box, warnings(form, box)); };
    form.addEventListener("input", update);
    form.addEventListener("change", function (event) {
      if (event.target.name === "buyer") leaveOutOwnBusiness(form);
      update();
    });
    // Rows added or removed by the form's own script.
    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-add-row], [data-remove-row]")) window.setTimeout(update, 0);
    });
    leaveOutOwnBusiness(form);
    update();
  });

  function leaveOutOwnBusiness(form) {
    var buyer = form.querySelector('select[name="buyer"]');
    var supplier = form.querySelector('select[name="supplier"]');
    if (!buyer || !supplier || buyer.disabled) return;
    Array.prototype.forEach.call(supplier.options, function (option) {
      if (!option.value) return;
      option.disabled = option.value === buyer.value;
    });
    if (supplier.selectedOptions[0] && supplier.selectedOptions[0].disabled) supplier.value = "";
  }

  function show(box, messages) {
    var list = box.querySelector("[data-order-warning-list]");
    var current = Array.prototype.map.call(list.children, function (item) { return item.textContent.trim(); });
    var wanted = messages.map(function (warning) { return warning.message; });
    if (current.join("\n") !== wanted.join("\n")) {
      list.textContent = "";
      messages.forEach(function (warning) {
        var item = document.createElement("li");
        item.dataset.kind = warning.kind;
        item.textContent = warning.message;
        list.appendChild(item);
      });
    }
    box.hidden = messages.length === 0;
  }

  // -- reading the form ---------------------------------------------------------

  function value(form, name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.value : "";
  }

  function rows(form, prefix) {
    var container = form.querySelector('[data-formset="' + prefix + '"]');
    if (!container) return [];
    return Array.prototype.filter.call(
      container.querySelectorAll(":scope > [data-rows] > [data-row]"),
      function (row) { return !row.hidden && filled(row); }
    );
  }

  // As the server's has_changed(): a row counts once something is typed in it
  // (an address's purpose and country start filled in).
  function filled(row) {
    return Array.prototype.some.call(row.querySelectorAll("input:not([type=hidden]):not([type=checkbox])"), function (input) {
      return !/-(purpose|country)$/.test(input.name) && input.value.trim() !== "";
    });
  }

  function rowValue(row, name) {
    var input = row.querySelector('[name="' + row.dataset.prefix + "-" + name + '"]');
    return input ? input.value : "";
  }

  // GST state codes and names, as the place of supply's options give them.
  function states(form) {
    var names = {};
    var place = form.querySelector('[name="place_of_supply"]');
    if (!place) return names;
    Array.prototype.forEach.call(place.options, function (option) {
      if (!option.value) return;
      names[option.value] = option.textContent.split(" – ").slice(1).join(" – ").trim();
    });
    return names;
  }

  function comparable(text) {
    return text.replace(/&/g, " and ").trim().split(/\s+/).join(" ").toLowerCase();
  }

  // validators.state_code_for: a code or a state's name, case and spaces aside.
  function stateCodeFor(names, text) {
    text = (text || "").trim();
    if (names[text]) return text;
    var wanted = comparable(text);
    var found = "";
    Object.keys(names).forEach(function (code) {
      if (!found && comparable(names[code]) === wanted) found = code;
    });
    return found;
  }

  function label(names, code) {
    return names[code] ? code + " – " + names[code] : code;
  }

  function supplierOption(form) {
    var supplier = form.querySelector('select[name="supplier"]');
    return supplier && supplier.value ? supplier.selectedOptions[0] : null;
  }

  function parseDay(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
  }

  function dayWords(time) {
    var date = new Date(time);
    return date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
  }

  // -- the warnings -----------------------------------------------------------------

  function warnings(form, box) {
    var names = states(form);
    var found = placeOfSupply(form, names);
    var today = parseDay(box.dataset.today);
    var acceptedOn = parseDay(box.dataset.acceptedOn || "");
    var drafting = "drafting" in box.dataset;
    rows(form, "milestones").forEach(function (row, index) {
      var due = parseDay(rowValue(row, "due_on"));
      if (due === null || today === null) return;
      var number = index + 1;
      if (drafting && due < today) {
        found.push({
          kind: "past_milestone",
          message: "Milestone " + number + " is due on " + dayWords(due) + ", before today: change its date.",
        });
      }
      var msme = msmePayment(form, number, due, today, acceptedOn);
      if (msme) found.push({ kind: "msme_payment", message: msme });
    });
    return found;
  }

  function gstKind(supplierState, place) {
    return supplierState === place ? "CGST + SGST" : "IGST";
  }

  function placeOfSupply(form, names) {
    var place = value(form, "place_of_supply");
    if (!names[place]) return [];
    var option = supplierOption(form);
    var supplierState = form.dataset.supplierState || (option ? option.dataset.state || "" : "");
    var delivery = rows(form, "addresses").filter(function (row) {
      return DELIVERY_PURPOSES.indexOf(rowValue(row, "purpose").trim().toUpperCase()) !== -1;
    });
    var found = [];
    delivery.forEach(function (row) {
      var index = rows(form, "addresses").indexOf(row);
      var state = stateCodeFor(names, rowValue(row, "state"));
      if (!state || state === place) return;
      var which = delivery.length > 1 ? "delivery address " + (index + 1) : "delivery address";
      var effect;
      if (names[supplierState]) {
        var now = gstKind(supplierState, place);
        var then = gstKind(supplierState, state);
        if (now === then) {
          effect = "GST is " + now + " either way, but the state that receives it is the place of supply's";
        } else {
          effect = "GST will be " + now + ", as the supplier is in " + label(names, supplierState) +
            "; with the place of supply " + label(names, state) + " it would be " + then;
        }
      } else {
        effect = "the place of supply decides whether GST is CGST + SGST or IGST";
      }
      found.push({
        kind: "place_of_supply",
        message: "Place of supply is " + label(names, place) + " but the " + which + " is in " +
          label(names, state) + ": " + effect + ". Within one state GST is CGST + SGST, " +
          "between states IGST, and the place of supply decides which: check it.",
      });
    });
    return found;
  }

  function msmePayment(form, number, due, today, acceptedOn) {
    var option = supplierOption(form);
    if (!option || !option.dataset.udyam) return "";
    var start, since;
    if (acceptedOn !== null) {
      start = acceptedOn;
      since = "the acceptance on " + dayWords(acceptedOn);
    } else {
      var ordered = parseDay(value(form, "order_date"));
      if (ordered !== null && ordered >= today) {
        start = ordered;
        since = "the order date";
      } else {
        start = today;
        since = "today";
      }
    }
    var days = Math.round((due - start) / 86400000);
    if (days <= MSME_PAYMENT_DAYS) return "";
    return "Milestone " + number + " falls " + days + " days after " + since + "; " +
      option.dataset.name + " is registered as an MSME (Udyam " + option.dataset.udyam +
      "): if it is a micro or small enterprise, under section 43B(h) of the Income-tax Act " +
      "a payment later than " + MSME_PAYMENT_DAYS +
      " days after acceptance is deductible only when paid.";
  }
})();
