/* The audit desk: work through the queue from the keyboard.
 *
 *   j / ArrowDown  next check-in        k / ArrowUp  previous
 *   a              accept               r            reject (asks for the note first)
 *   p              open the photo       Esc          leave the note, back to the item
 *   Ctrl+Enter in the note: reject with it.
 *
 * Decisions are posted to the desk's own form URL (CSRF token from the
 * form); the item is marked decided in place and focus moves to the next
 * one still open, so hundreds can be done without reloading. The map beside
 * the queue shows the current item.
 */
(function () {
  "use strict";

  var root = document.getElementById("audit-desk");
  if (!root) return;
  var text = JSON.parse(document.getElementById("desk-text").textContent);
  var settings = JSON.parse(document.getElementById("audit-map-settings").textContent);
  var items = Array.prototype.slice.call(root.querySelectorAll(".audit-item"));
  var current = -1;

  var mapNote = document.getElementById("map-note");
  var caseMap = null;
  var mapElement = document.getElementById("audit-map");
  if (mapElement && window.L) {
    caseMap = window.PantauMap.create(mapElement, {
      tileUrl: settings.tile_url,
      attribution: settings.attribution,
      text: text,
      onTilesFailed: function () { if (mapNote) mapNote.hidden = false; }
    });
  }

  function caseOf(item) {
    try { return JSON.parse(item.getAttribute("data-case")); } catch (error) { return null; }
  }

  function select(index, options) {
    if (!items.length) return;
    index = Math.max(0, Math.min(items.length - 1, index));
    if (current >= 0 && items[current]) items[current].classList.remove("current");
    current = index;
    var item = items[current];
    item.classList.add("current");
    root.setAttribute("data-current", item.getAttribute("data-checkin"));
    if (!options || options.focus !== false) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }
    if (caseMap) caseMap.showCase(caseOf(item));
  }

  function nextOpen(from) {
    for (var i = from + 1; i < items.length; i += 1) {
      if (!items[i].classList.contains("decided")) return i;
    }
    return -1;
  }

  function decide(item, verdict) {
    var form = item.querySelector("form.decide");
    var note = form.querySelector("textarea[name=note]");
    var error = form.querySelector(".field-error");
    if (verdict === "reject" && !note.value.trim()) {
      note.focus();
      note.classList.add("needed");
      return;
    }
    var body = new FormData(form);
    body.append("verdict", verdict);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
    item.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return { ok: response.ok, json: json };
        });
      })
      .then(function (result) {
        item.removeAttribute("aria-busy");
        buttons.forEach(function (button) { button.disabled = false; });
        if (!result.ok) throw new Error(result.json.message || text["form.failed"]);
        error.hidden = true;
        note.classList.remove("needed");
        item.classList.add("decided");
        item.setAttribute("data-status", result.json.status);
        var badge = item.querySelector("[data-status-badge]");
        badge.className = "badge " + result.json.status;
        badge.textContent = result.json.label;
        var done = item.querySelector(".decided-note") || document.createElement("p");
        done.className = "decided-note alert ok";
        done.setAttribute("role", "status");
        done.textContent = result.json.message;
        form.parentNode.insertBefore(done, form);
        var next = nextOpen(items.indexOf(item));
        if (next >= 0) {
          select(next);
        } else {
          var more = root.querySelector("[data-next-page]");
          if (more) more.focus();
        }
      })
      .catch(function (failure) {
        item.removeAttribute("aria-busy");
        buttons.forEach(function (button) { button.disabled = false; });
        error.textContent = failure.message || text["form.failed"];
        error.hidden = false;
      });
  }

  items.forEach(function (item, index) {
    item.addEventListener("click", function (event) {
      if (event.target.closest("a, button, textarea")) return;
      select(index);
    });
    item.addEventListener("focusin", function () {
      if (current !== index) select(index, { focus: false });
    });
    item.querySelector("form.decide").addEventListener("submit", function (event) {
      event.preventDefault();
      var verdict = event.submitter ? event.submitter.value : "accept";
      decide(item, verdict);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!items.length || event.altKey || event.metaKey) return;
    var target = event.target;
    var typing = target.closest && target.closest("input, textarea, select");
    if (typing) {
      if (target.tagName === "TEXTAREA" && target.name === "note") {
        if (event.key === "Escape") {
          event.preventDefault();
          target.closest(".audit-item").focus();
        } else if (event.key === "Enter" && event.ctrlKey) {
          event.preventDefault();
          decide(target.closest(".audit-item"), "reject");
        }
      }
      return;
    }
    if (event.ctrlKey) return;
    var item = items[current];
    switch (event.key) {
      case "j":
      case "ArrowDown":
        event.preventDefault();
        select(current + 1);
        break;
      case "k":
      case "ArrowUp":
        event.preventDefault();
        select(current - 1);
        break;
      case "a":
        if (item) { event.preventDefault(); decide(item, "accept"); }
        break;
      case "r":
        if (item) { event.preventDefault(); decide(item, "reject"); }
        break;
      case "p":
        if (item) { event.preventDefault(); item.querySelector("[data-photo]").click(); }
        break;
      default:
        break;
    }
  });

  if (items.length) select(0, { focus: !document.activeElement || document.activeElement === document.body });
})();
