/* Live pages: an open page follows the network without a reload.
 *
 * The page's [data-live] element names a stamp URL, the stamp the page was
 * rendered with and a signed token (purchase_orders/views/live.py). While
 * the tab is visible the stamp is asked for with If-None-Match, the token,
 * no cookies and X-Live-Wait: the server holds the request until the stamp
 * changes or for up to 25 s (purchase_orders/live_wait.py), answering 304
 * if nothing changed, and the page asks again at once, but never more often
 * than once a second (a server that does not hold it answers at once). When
 * the stamp changes, the page is fetched afresh and each [data-live-region]
 * is morphed (idiomorph) into the fresh one:
 *
 * - a form holding the focus or anything typed is left as it is, and the
 *   page's notice says that the order was changed by someone else;
 * - the focused element is kept, or focused again by its id;
 * - what changed is said in the aria-live announcer, from the
 *   data-live-label of the elements that are new or whose label changed.
 *
 * With data-live-mode="notice" (an open edit form) nothing is swapped: the
 * notice is shown and the page stops polling. Without JavaScript the page
 * is as rendered, and a reload shows the new state.
 */
(function () {
  "use strict";

  var VISIBLE_INTERVAL = 1000;
  // Seconds the server may hold a poll; the request is abandoned a while after.
  var WAIT_SECONDS = 25;
  var ABANDON_AFTER = (WAIT_SECONDS + 15) * 1000;
  var HIDDEN_INTERVAL_MAX = 60000;
  var ERROR_INTERVAL_MAX = 30000;

  document.addEventListener("DOMContentLoaded", function () {
    var config = document.querySelector("[data-live]");
    if (!config || !window.fetch || !window.DOMParser || !window.Idiomorph) return;
    follow(config);
  });

  function follow(config) {
    var state = {
      url: config.dataset.liveUrl,
      token: config.dataset.liveToken,
      stamp: config.dataset.stamp,
      mode: config.dataset.liveMode || "morph",
      delay: VISIBLE_INTERVAL,
      timer: null,
      abandon: null,
      busy: false,
      stopped: false
    };
    var announcer = document.querySelector("[data-live-announcer]");
    var notice = document.querySelector("[data-live-notice]");

    // A browser keeps only a few connections per host: a tab going out of
    // sight lets go of its held poll, so that hidden tabs never hold them.
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        state.delay = VISIBLE_INTERVAL;
        schedule(0);
      } else if (state.abandon) {
        state.abandon.abort();
      }
    });
    schedule(state.delay);

    function schedule(delay) {
      if (state.stopped) return;
      window.clearTimeout(state.timer);
      state.timer = window.setTimeout(poll, delay);
    }

    // After an answer that took `elapsed` ms: at once after a held poll,
    // a second after the previous one otherwise; backing off while hidden.
    function next(elapsed) {
      if (document.hidden) {
        state.delay = Math.min(Math.max(state.delay * 2, 2000), HIDDEN_INTERVAL_MAX);
        schedule(state.delay);
      } else {
        state.delay = VISIBLE_INTERVAL;
        schedule(Math.max(0, VISIBLE_INTERVAL - elapsed));
      }
    }

    function failed() {
      state.delay = Math.min(Math.max(state.delay * 2, 2000), ERROR_INTERVAL_MAX);
      schedule(state.delay);
    }

    function poll() {
      if (state.busy || state.stopped) return;
      state.busy = true;
      var started = Date.now();
      var headers = {
        Accept: "application/json",
        "If-None-Match": "\"" + state.stamp + "\"",
        "X-Live-Token": state.token
      };
      // A hidden tab asks without waiting, at its backed-off pace.
      if (!document.hidden) headers["X-Live-Wait"] = String(WAIT_SECONDS);
      var abandon = window.AbortController ? new window.AbortController() : null;
      state.abandon = abandon;
      var abandonTimer = abandon && window.setTimeout(function () { abandon.abort(); }, ABANDON_AFTER);
      window.fetch(state.url, {
        credentials: "omit",
        cache: "no-store",
        headers: headers,
        signal: abandon ? abandon.signal : undefined
      })
        .then(function (response) {
          if (response.status === 304) return null;
          // An expired token: the page fetched afresh brings a new one.
          if (response.status === 403) return refresh();
          if (response.status === 404) return stop();
          if (!response.ok) throw new Error("stamp answered " + response.status);
          return response.json().then(function (data) {
            if (data.stamp === state.stamp) return null;
            if (state.mode === "notice") return stop();
            return refresh();
          });
        })
        .then(function () {
          window.clearTimeout(abandonTimer);
          state.abandon = null;
          state.busy = false;
          next(Date.now() - started);
        })
        .catch(function () {
          window.clearTimeout(abandonTimer);
          state.abandon = null;
          state.busy = false;
          failed();
        });
    }

    // Fetch the page afresh through the session, as a reload would.
    function refresh() {
      return window.fetch(window.location.href, {
        credentials: "same-origin",
        cache: "no-store",
        // Not the viewer's own activity: it must not keep an idle session open.
        headers: { Accept: "text/html", "X-Live-Refresh": "1" }
      }).then(function (response) {
        // Sent elsewhere (to log in, say): the page is no longer the viewer's to follow.
        var moved = response.redirected && pathOf(response.url) !== window.location.pathname;
        if (!response.ok || moved) return stop();
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var freshConfig = fresh.querySelector("[data-live]");
          if (!freshConfig) return stop();
          var changed = freshConfig.dataset.stamp !== state.stamp;
          state.token = freshConfig.dataset.liveToken;
          state.stamp = freshConfig.dataset.stamp;
          if (!changed) return null;
          if (state.mode === "notice") return stop();
          swap(fresh);
          return null;
        });
      });
    }

    // Say that the page is out of date, and stop following it.
    function stop() {
      state.stopped = true;
      window.clearTimeout(state.timer);
      if (notice && notice.hidden) {
        notice.hidden = false;
        say(notice.textContent);
      }
      return null;
    }

    function swap(fresh) {
      var before = labels();
      var focused = document.activeElement;
      var focusedId = focused && focused !== document.body ? focused.id : "";
      var keptStale = false;
      var callbacks = {
        beforeNodeMorphed: function (oldNode, newNode) {
          if (isProtectedForm(oldNode)) {
            if (formDiffers(oldNode, newNode)) keptStale = true;
            return false;
          }
          return true;
        },
        beforeNodeRemoved: function (node) {
          if (holdsProtectedForm(node)) {
            keptStale = true;
            return false;
          }
          return true;
        }
      };
      document.querySelectorAll("[data-live-region]").forEach(function (region) {
        var name = region.getAttribute("data-live-region");
        var replacement = fresh.querySelector("[data-live-region=\"" + name + "\"]");
        if (!replacement) return;
        window.Idiomorph.morph(region, replacement, {
          morphStyle: "outerHTML",
          restoreFocus: true,
          callbacks: callbacks
        });
      });
      if (focusedId && document.activeElement !== document.getElementById(focusedId)) {
        var again = document.getElementById(focusedId);
        if (again) again.focus({ preventScroll: true });
      }
      var words = changes(before, labels());
      if (keptStale && notice) {
        notice.hidden = false;
        words.push(notice.textContent);
      }
      if (words.length) say(words.join(" "));
    }

    function say(text) {
      if (!announcer) return;
      announcer.textContent = text.replace(/\s+/g, " ").trim();
    }
  }

  // The labels of the live regions' elements, by id.
  function labels() {
    var found = {};
    document.querySelectorAll("[data-live-region] [data-live-label], [data-live-region][data-live-label]")
      .forEach(function (element) {
        if (element.id) found[element.id] = element.getAttribute("data-live-label");
      });
    return found;
  }

  function changes(before, after) {
    var words = [];
    Object.keys(after).forEach(function (id) {
      if (before[id] !== after[id]) words.push(sentence(after[id]));
    });
    return words;
  }

  function pathOf(address) {
    return address.replace(/^[a-z]+:\/\/[^/]+/i, "").split(/[?#]/)[0];
  }

  function sentence(text) {
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function isProtectedForm(node) {
    return node.nodeType === 1 && node.tagName === "FORM" &&
      (node.contains(document.activeElement) || isTouched(node));
  }

  function holdsProtectedForm(node) {
    if (node.nodeType !== 1) return false;
    if (isProtectedForm(node)) return true;
    return Array.prototype.some.call(node.querySelectorAll("form"), isProtectedForm);
  }

  // Whether the user changed any of a form's controls from what the page set.
  function isTouched(form) {
    return Array.prototype.some.call(form.elements, function (control) {
      var type = (control.type || "").toLowerCase();
      if (type === "hidden" || type === "submit" || type === "button") return false;
      if (type === "checkbox" || type === "radio") return control.checked !== control.defaultChecked;
      if (control.tagName === "SELECT") {
        return Array.prototype.some.call(control.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return "defaultValue" in control && control.value !== control.defaultValue;
    });
  }

  // Whether a kept form would now post something else (another action or version).
  function formDiffers(form, fresh) {
    if (!fresh || fresh.nodeType !== 1 || fresh.tagName !== "FORM") return true;
    if (form.getAttribute("action") !== fresh.getAttribute("action")) return true;
    return hiddenValues(form) !== hiddenValues(fresh);
  }

  function hiddenValues(form) {
    return Array.prototype.map.call(
      form.querySelectorAll("input[type=hidden]:not([name=csrfmiddlewaretoken])"),
      function (input) { return input.name + "=" + input.getAttribute("value"); }
    ).join("&");
  }
})();
