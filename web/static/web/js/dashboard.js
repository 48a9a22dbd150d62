/* The supervisor dashboard: live feed over the WebSocket (docs/realtime.md),
 * team counts from the feed's summary message, the map of today's check-ins,
 * and the inline decision forms of the queues.
 *
 * The socket resumes with ?after=<last id> after every reconnect, so nothing
 * is lost across network drops; repeated ids are dropped. Counts are asked
 * for ({"type": "summary"}) a moment after events arrive, never recounted
 * here.
 */
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root) return;
  var text = JSON.parse(document.getElementById("desk-text").textContent);
  var mapData = JSON.parse(document.getElementById("team-map-data").textContent);
  var format = window.PantauMap.format;
  var today = root.getAttribute("data-summary-date");

  /* ---- map and list ---------------------------------------------------- */

  var mapNote = document.getElementById("map-note");
  var teamMap = window.PantauMap.create(document.getElementById("team-map"), {
    tileUrl: mapData.tile_url,
    attribution: mapData.attribution,
    text: text,
    onTilesFailed: function () { if (mapNote) mapNote.hidden = false; }
  });
  mapData.geofences.forEach(function (fence) { teamMap.drawGeofence(fence); });
  (mapData.flex_places || []).forEach(function (place) {
    teamMap.drawGeofence(place.geofence, {
      dashed: true,
      tooltip: (text["map.flexible"] || "") + ": " + place.name + " · " + place.label
    });
  });
  mapData.checkins.forEach(function (point) { teamMap.addCheckin(point); });
  teamMap.fit();

  var listBody = document.querySelector("#checkin-list tbody");

  function cell(row, content) {
    var td = document.createElement("td");
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function localTime(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) return "";
    return when.toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit", minute: "2-digit", hour12: false
    });
  }

  function addRow(event) {
    var data = event.data;
    if (!listBody || listBody.querySelector('tr[data-checkin="' + data.checkin_id + '"]')) return;
    var empty = listBody.querySelector("tr.empty");
    if (empty) empty.remove();
    var row = document.createElement("tr");
    row.setAttribute("data-checkin", data.checkin_id);
    row.className = "status-" + data.status + " fresh";
    var time = document.createElement("time");
    time.dateTime = data.captured_at;
    time.textContent = localTime(data.captured_at);
    cell(row, time);
    var who = document.createElement("span");
    who.textContent = event.actor.name;
    who.appendChild(document.createElement("br"));
    var unit = document.createElement("small");
    unit.textContent = event.actor.unit;
    who.appendChild(unit);
    cell(row, who);
    cell(row, text["kind." + data.kind] || data.kind);
    cell(row, (data.workplace ? data.workplace.name : "—") + " (" + (text["geofence." + data.geofence] || data.geofence) + ")");
    var badge = document.createElement("span");
    badge.className = "badge " + data.status;
    badge.setAttribute("data-status", "");
    badge.textContent = text["status." + data.status] || data.status;
    cell(row, badge);
    listBody.insertBefore(row, listBody.firstChild);
  }

  function setRowStatus(checkinId, status) {
    if (!listBody) return null;
    var row = listBody.querySelector('tr[data-checkin="' + checkinId + '"]');
    if (!row) return null;
    row.className = "status-" + status;
    var badge = row.querySelector("[data-status]");
    if (badge) {
      badge.className = "badge " + status;
      badge.textContent = text["status." + status] || status;
    }
    return row;
  }

  function nameOfCheckin(checkinId) {
    var row = listBody && listBody.querySelector('tr[data-checkin="' + checkinId + '"] td:nth-child(2)');
    return row ? row.firstChild.textContent : "";
  }

  /* ---- counts ---------------------------------------------------------- */

  function showSummary(summary) {
    Object.keys(summary).forEach(function (key) {
      var node = root.querySelector('[data-count="' + key + '"]');
      if (node && String(node.textContent) !== String(summary[key])) {
        node.textContent = summary[key];
        node.classList.remove("changed");
        void node.offsetWidth; // restart the highlight
        node.classList.add("changed");
      }
    });
    if (summary.date && today && summary.date !== today) {
      // A new day began while the page was open: start it afresh.
      window.location.reload();
    }
  }

  /* ---- feed ------------------------------------------------------------ */

  var feed = document.getElementById("feed");
  var FEED_MAX = 100;

  function feedLine(event) {
    var data = event.data || {};
    var values = {
      name: event.actor.name,
      actor: event.actor.name,
      kind: text["kind." + data.kind] || data.kind || "",
      time: data.captured_at ? localTime(data.captured_at) : localTime(event.at),
      status: text["status." + data.status] || data.status || "",
      type: event.type
    };
    if (event.type === "checkin.reviewed") {
      var who = nameOfCheckin(data.checkin_id);
      if (who) values.actor = event.actor.name + " → " + who;
    }
    return format(text["event." + event.type] || text["event.other"], values);
  }

  function addFeed(event) {
    var empty = feed.querySelector("li.empty");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "feed-item type-" + event.type.replace(".", "-");
    item.setAttribute("data-event", event.id);
    var time = document.createElement("time");
    time.dateTime = event.at;
    time.textContent = localTime(event.at);
    item.appendChild(time);
    item.appendChild(document.createTextNode(" " + feedLine(event)));
    var flags = (event.data && event.data.flags) || [];
    if (event.type === "checkin.flagged" && flags.length) {
      var list = document.createElement("ul");
      list.className = "flags";
      flags.forEach(function (flag) {
        if (flag.severity === "info") return;
        var li = document.createElement("li");
        li.className = "flag " + flag.severity;
        li.textContent = flag.message;
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > FEED_MAX) feed.removeChild(feed.lastChild);
  }

  function notice(message) {
    var item = document.createElement("li");
    item.className = "feed-item notice";
    item.textContent = message;
    feed.insertBefore(item, feed.firstChild);
  }

  /* ---- socket ---------------------------------------------------------- */

  var state = document.getElementById("feed-state");
  var lastId = parseInt(root.getAttribute("data-feed-after") || "0", 10) || 0;
  var seen = {};
  var socket = null;
  var retryDelay = 1000;
  var summaryTimer = null;

  function setState(name) {
    state.setAttribute("data-state", name);
    state.textContent = text["feed." + name] || name;
    root.setAttribute("data-feed", name);
  }

  function askSummarySoon() {
    if (summaryTimer) return;
    summaryTimer = window.setTimeout(function () {
      summaryTimer = null;
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "summary" }));
      }
    }, 700);
  }

  function handleEvent(event) {
    if (seen[event.id]) return;
    seen[event.id] = true;
    if (event.id > lastId) lastId = event.id;
    root.setAttribute("data-last-event", String(lastId));
    var data = event.data || {};
    if (event.type === "checkin.created") {
      addRow(event);
      teamMap.addCheckin({
        checkin_id: data.checkin_id,
        name: event.actor.name,
        status: data.status,
        captured_at: data.captured_at,
        position: data.position
      });
      askSummarySoon();
    } else if (event.type === "checkin.reviewed") {
      setRowStatus(data.checkin_id, data.status);
      teamMap.setStatus(data.checkin_id, data.status);
      askSummarySoon();
    } else if (event.type === "checkin.flagged") {
      askSummarySoon();
    } else if (event.type === "report.submitted" || event.type === "flex.requested") {
      // Queues are server-rendered: say that there is more to decide.
      var note = document.getElementById(event.type === "report.submitted" ? "reports-new" : "flex-new");
      if (note) note.hidden = false;
    }
    addFeed(event);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + window.location.host + root.getAttribute("data-feed-path");
    if (lastId) url += "?after=" + encodeURIComponent(lastId);
    setState("connecting");
    socket = new WebSocket(url);
    socket.onopen = function () {
      retryDelay = 1000;
      setState("live");
    };
    socket.onmessage = function (message) {
      var payload;
      try { payload = JSON.parse(message.data); } catch (error) { return; }
      if (payload.type === "summary") {
        showSummary(payload.data);
      } else if (payload.type === "replay.truncated") {
        notice(text["feed.truncated"]);
      } else if (payload.type === "error") {
        if (window.console) console.warn("feed:", payload.data || payload);
      } else if (typeof payload.id === "number") {
        handleEvent(payload);
      }
    };
    socket.onclose = function (closed) {
      socket = null;
      if (closed.code === 4401) {
        setState("login");
        return;
      }
      setState("offline");
      window.setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }

  connect();
  // Lateness and absence change with the clock, not only with events.
  window.setInterval(askSummarySoon, 60000);

  /* ---- inline decisions ------------------------------------------------ */

  function inlineSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-inline]")) return;
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) {
      body.append(event.submitter.name, event.submitter.value);
    }
    var error = form.querySelector(".field-error");
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (button) { button.disabled = true; });
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
        if (!result.ok) throw new Error(result.json.message || text["form.failed"]);
        var item = form.closest(".queue-item");
        var done = document.createElement("p");
        done.className = "alert ok";
        done.setAttribute("role", "status");
        done.textContent = result.json.message;
        item.replaceChildren(done);
        item.classList.add("done");
        var pill = item.closest(".panel").querySelector(".pill");
        if (pill) pill.textContent = Math.max(0, parseInt(pill.textContent, 10) - 1);
      })
      .catch(function (failure) {
        buttons.forEach(function (button) { button.disabled = false; });
        if (error) {
          error.textContent = failure.message || text["form.failed"];
          error.hidden = false;
        }
      });
  }

  document.addEventListener("submit", inlineSubmit);
})();
