/* The purchase-order form: add and remove rows, and show totals as they are typed.
 *
 * The totals follow purchase_orders/totals.py exactly (amounts in paise as
 * BigInt, half-up rounding line by line); the server computes them again
 * when the form is saved, and its figures are the ones that count.
 */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-po-form]");
    if (!form) return;
    var status = makeStatus(form);
    // One listener for every list, a line's own lists included, so that
    // the lists of a line added later work too.
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-row]");
      if (add) {
        event.preventDefault();
        addRow(form, add.closest("[data-formset]"), status);
        return;
      }
      var remove = event.target.closest("[data-remove-row]");
      if (remove) {
        event.preventDefault();
        removeRow(form, remove.closest("[data-row]"), status);
      }
    });
    form.addEventListener("input", function () { recalculate(form); });
    form.addEventListener("change", function (event) {
      if (event.target.name === "buyer") followBuyer(form, event.target);
      recalculate(form);
    });
    // Enter in a field would press the first submit button of the form,
    // which is "Add line": keep Enter for what it means in each field.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit") {
        event.preventDefault();
      }
    });
    warnUnsaved(form);
    recalculate(form);
  });

  // -- unsaved changes ----------------------------------------------------------

  // Leaving the form with changes not saved asks first: closing the tab or
  // following a link (the browser's own question) and the form's Cancel
  // (the page's). A form shown again after a post (its errors, an added
  // row, imported lines) holds changes not yet saved from the start.
  function warnUnsaved(form) {
    var dirty = form.hasAttribute("data-unsaved");
    var mark = function () { dirty = true; };
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-remove-row], [data-add-row]")) dirty = true;
    });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = "";
    });
    form.querySelectorAll("[data-cancel]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (!dirty) return;
        if (window.confirm("Leave this purchase order? Your changes are not saved.")) {
          dirty = false;
        } else {
          event.preventDefault();
        }
      });
    });
  }

  // -- rows -------------------------------------------------------------------

  // A list's own rows and add button, not those of the lists inside its rows.
  function rowsOf(container) {
    return container.querySelector(":scope > [data-rows]");
  }

  function liveRowsOf(container) {
    return Array.prototype.filter.call(
      rowsOf(container).querySelectorAll(":scope > [data-row]"),
      function (row) { return !row.hidden; }
    );
  }

  // The markup of a new row: a list of the form has its template inside it;
  // a line's list uses the one template of its list, given the line's index.
  function newRowMarkup(form, container, index) {
    var kind = container.dataset.itemTemplate;
    if (kind) {
      var shared = form.querySelector('template[data-item-template="' + kind + '"]');
      return shared.innerHTML
        .replace(/__prefix__/g, container.dataset.lineIndex)
        .replace(/__item__/g, String(index));
    }
    var own = container.querySelector(":scope > template[data-row-template]");
    return own.innerHTML.replace(/__prefix__/g, String(index));
  }

  function addRow(form, container, status) {
    var prefix = container.dataset.formset;
    var total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var index = Number(total.value);
    var holder = document.createElement("div");
    holder.innerHTML = newRowMarkup(form, container, index);
    var row = holder.firstElementChild;
    rowsOf(container).appendChild(row);
    total.value = String(index + 1);
    var number = renumber(container);
    recalculate(form);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    status(container.dataset.rowName + " " + number + " added.");
  }

  function removeRow(form, row, status) {
    var container = row.closest("[data-formset]");
    var remove = form.querySelector('input[name="' + row.dataset.prefix + '-DELETE"]');
    if (remove) remove.checked = true;
    row.hidden = true;
    renumber(container);
    recalculate(form);
    container.querySelector(":scope > [data-add-row]").focus();
    status(container.dataset.rowName + " removed.");
  }

  function renumber(container) {
    var number = 0;
    liveRowsOf(container).forEach(function (row) {
      number += 1;
      row.querySelectorAll("[data-row-number]").forEach(function (label) {
        if (label.closest("[data-row]") === row) label.textContent = String(number);
      });
    });
    return number;
  }

  function makeStatus(form) {
    var region = document.createElement("p");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    form.appendChild(region);
    return function (text) {
      region.textContent = "";
      window.setTimeout(function () { region.textContent = text; }, 50);
    };
  }

  function followBuyer(form, buyerSelect) {
    var option = buyerSelect.selectedOptions[0];
    var place = form.querySelector('[name="place_of_supply"]');
    if (option && option.dataset.state && place) place.value = option.dataset.state;
  }

  // -- decimal arithmetic in BigInt ---------------------------------------------

  // Read a number as people in India type it, by the server's rule
  // (purchase_orders/numbers.py, parse_typed_number): grouping in lakh and
  // crore (1,25,000.50) or in thousands (125,000.50), a leading ₹, "Rs." or
  // "INR", a trailing "%" for a rate. Return its plain digits ("125000.50"),
  // or null when it is not a number (1,2,3 or two decimal points).
  var GROUPED = /^-?(\d+|\d{1,2}(,\d{2})*,\d{3}|\d{1,3}(,\d{3})+)?(\.\d*)?$/;
  function readNumber(text, percent) {
    var value = String(text || "").trim().replace(/\u00a0/g, " ").replace(/\u2212/g, "-");
    var negative = value.charAt(0) === "-";
    if (negative) value = value.slice(1).trim();
    value = value.replace(/^(₹|rs\.?|inr)\s*/i, "");
    if (percent && /%$/.test(value)) value = value.slice(0, -1).trim();
    value = (negative ? "-" : "") + value;
    if (!value || !/\d/.test(value) || !GROUPED.test(value)) return null;
    return value.replace(/,/g, "");
  }

  // Read typed text as an integer count of 10^-scale units, rounded half-up;
  // null when it is not a number. A rate (scale 3, as the server's rate
  // fields) may end in "%".
  function scaled(text, scale, percent) {
    var value = readNumber(text, percent);
    if (value === null) return null;
    var negative = value.charAt(0) === "-";
    if (negative) value = value.slice(1);
    var parts = value.split(".");
    var whole = parts[0] || "0";
    var fraction = (parts[1] || "") + "0".repeat(scale + 1);
    var units = BigInt(whole + fraction.slice(0, scale));
    if (Number(fraction.charAt(scale)) >= 5) units += 1n;
    return negative ? -units : units;
  }

  // Divide, rounding half away from zero (Python's ROUND_HALF_UP).
  function divide(numerator, denominator) {
    var negative = (numerator < 0n) !== (denominator < 0n);
    var n = numerator < 0n ? -numerator : numerator;
    var d = denominator < 0n ? -denominator : denominator;
    var quotient = (2n * n + d) / (2n * d);
    return negative ? -quotient : quotient;
  }

  function rupees(paise) {
    var negative = paise < 0n;
    var value = negative ? -paise : paise;
    var whole = (value / 100n).toString();
    var fraction = (value % 100n).toString().padStart(2, "0");
    var grouped = whole;
    if (whole.length > 3) {
      var head = whole.slice(0, -3);
      var tail = whole.slice(-3);
      grouped = head.replace(/\B(?=(\d{2})+(?!\d))/g, ",") + "," + tail;
    }
    return (negative ? "−₹" : "₹") + grouped + "." + fraction;
  }

  // -- totals ---------------------------------------------------------------------

  function field(row, name) {
    var input = row.querySelector('[name="' + row.dataset.prefix + "-" + name + '"]');
    return input ? input.value : "";
  }

  // The rows of one of a line's lists (other_taxes, value_details…).
  function lineList(row, name) {
    var container = row.querySelector('[data-formset="' + row.dataset.prefix + "-" + name + '"]');
    return container ? liveRowsOf(container) : [];
  }

  // The Discount field and the value details of type DISCOUNT, in paise.
  function discounts(row) {
    return lineList(row, "value_details").reduce(function (sum, detail) {
      if (field(detail, "type").trim().toUpperCase() !== "DISCOUNT") return sum;
      return sum + (scaled(field(detail, "value"), 2) || 0n);
    }, scaled(field(row, "discount"), 2) || 0n);
  }

  // The other taxes' rates, in thousandths of a percent.
  function otherTaxRates(row) {
    return lineList(row, "other_taxes").map(function (tax) {
      return scaled(field(tax, "rate"), 3, true) || 0n;
    });
  }

  // "More details" says how many rows the line's lists hold, as the server does.
  function showDetailsCount(row) {
    var out = row.querySelector("[data-details-count]");
    if (!out) return;
    var counts = [];
    row.querySelectorAll('[data-formset^="' + row.dataset.prefix + '-"]').forEach(function (list) {
      var held = liveRowsOf(list).filter(hasText).length;
      if (held) counts.push(held + " " + (held === 1 ? list.dataset.countOne : list.dataset.countMany));
    });
    out.textContent = counts.join(", ");
  }

  function hasText(row) {
    return Array.prototype.some.call(row.querySelectorAll('input[type="text"]'), function (input) {
      return input.value.trim() !== "";
    });
  }

  function supplierState(form) {
    if (form.dataset.supplierState) return form.dataset.supplierState;
    var supplier = form.querySelector('[name="supplier"]');
    var option = supplier && supplier.selectedOptions[0];
    return option ? option.dataset.state || "" : "";
  }

  function isIntraState(form) {
    var place = form.querySelector('[name="place_of_supply"]');
    var state = supplierState(form);
    return Boolean(state) && Boolean(place) && state === place.value;
  }

  function liveRows(form, prefix) {
    return liveRowsOf(form.querySelector('[data-formset="' + prefix + '"]'));
  }

  function recalculate(form) {
    var intra = isIntraState(form);
    var sums = { taxable: 0n, cgst: 0n, sgst: 0n, igst: 0n, other: 0n, charges: 0n, total: 0n };

    liveRows(form, "lines").forEach(function (row) {
      showDetailsCount(row);
      var quantity = scaled(field(row, "quantity"), 3);
      var price = scaled(field(row, "unit_price"), 2);
      var outputs = row.querySelector("[data-line-totals]");
      if (quantity === null || price === null) {
        if (outputs) outputs.querySelectorAll("[data-out]").forEach(function (out) { out.textContent = "—"; });
        return;
      }
      var rate = scaled(field(row, "gst_rate"), 3, true) || 0n;
      var amount = divide(quantity * price, 1000n);
      var taxable = amount - discounts(row);
      var cgst = 0n, sgst = 0n, igst = 0n;
      if (intra) {
        cgst = sgst = divide(taxable * rate, 200000n);
      } else {
        igst = divide(taxable * rate, 100000n);
      }
      var other = otherTaxRates(row).reduce(function (sum, otherRate) {
        return sum + divide(taxable * otherRate, 100000n);
      }, 0n);
      var gst = cgst + sgst + igst;
      var lineTotal = taxable + gst + other;
      sums.taxable += taxable;
      sums.cgst += cgst;
      sums.sgst += sgst;
      sums.igst += igst;
      sums.other += other;
      sums.total += lineTotal;
      if (outputs) {
        outputs.querySelector('[data-out="taxable"]').textContent = rupees(taxable);
        outputs.querySelector('[data-out="gst"]').textContent =
          rupees(gst) + (intra ? " (CGST " + rupees(cgst) + " + SGST " + rupees(sgst) + ")" : " (IGST)");
        outputs.querySelector('[data-out="other"]').textContent = rupees(other);
        outputs.querySelector('[data-out="total"]').textContent = rupees(lineTotal);
      }
    });

    liveRows(form, "other_charges").forEach(function (row) {
      sums.charges += scaled(field(row, "amount"), 2) || 0n;
    });
    sums.total += sums.charges;

    var panel = form.querySelector("[data-totals]");
    if (panel) {
      Object.keys(sums).forEach(function (key) {
        var cell = panel.querySelector('[data-total="' + key + '"]');
        if (cell) cell.textContent = rupees(sums[key]);
      });
      panel.querySelectorAll("[data-intra]").forEach(function (item) { item.hidden = !intra; });
      panel.querySelectorAll("[data-inter]").forEach(function (item) { item.hidden = intra; });
    }
    var mode = form.querySelector("[data-tax-mode]");
    if (mode) {
      if (!supplierState(form)) {
        mode.textContent = "Choose the supplier to see whether GST is charged as CGST + SGST or as IGST.";
      } else if (intra) {
        mode.textContent = "The place of supply is the supplier's state: GST is charged as CGST + SGST.";
      } else {
        mode.textContent = "The place of supply is outside the supplier's state: GST is charged as IGST.";
      }
    }
    showMilestones(form, sums.total);
  }

  function showMilestones(form, total) {
    var check = form.querySelector("[data-milestone-check]");
    if (!check) return;
    var rows = liveRows(form, "milestones");
    var scheduled = rows.reduce(function (sum, row) {
      return sum + (scaled(field(row, "due_amount"), 2) || 0n);
    }, 0n);
    var filled = rows.some(function (row) { return field(row, "due_amount") !== ""; });
    check.classList.remove("is-ok", "is-off");
    if (!filled) {
      check.textContent = "";
      return;
    }
    if (scheduled === total) {
      check.textContent = "The milestones add up to the total, " + rupees(total) + ".";
      check.classList.add("is-ok");
    } else {
      var gap = total - scheduled;
      check.textContent = "The milestones add up to " + rupees(scheduled) + " of " + rupees(total) +
        (gap > 0n ? ": " + rupees(gap) + " still to schedule." : ": " + rupees(-gap) + " too much.");
      check.classList.add("is-off");
    }
  }
})();
