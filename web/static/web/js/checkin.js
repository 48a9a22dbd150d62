/* Pantau check-in page: position from the browser, a photo from the live
 * camera (never from the gallery), shrunk on the phone to at most 1280 px,
 * then handed to the queue (queue.js), which sends it to /api/v1/checkins/. */
(function () {
  "use strict";

  var root = document.getElementById("checkin");
  if (!root) { return; }
  var text = document.getElementById("checkin-text").dataset;
  var poorAccuracy = parseFloat(root.dataset.poorAccuracy) || 100;
  var maxPx = parseInt(root.dataset.maxPx, 10) || 1280;

  var $ = function (id) { return document.getElementById(id); };
  var video = $("camera");
  var preview = $("photo-preview");
  var canvas = $("photo-canvas");
  var takeButton = $("take-photo");
  var retakeButton = $("retake-photo");
  var sendButton = $("send");

  var position = null;
  var photo = null;
  var photoTakenAt = null;
  var stream = null;
  var watchId = null;
  var previewUrl = null;

  function ready() {
    sendButton.disabled = !(position && photo);
  }

  function deviceId() {
    var key = "pantau-device-id";
    var id = localStorage.getItem(key);
    if (!id) {
      id = "web-" + crypto.randomUUID();
      localStorage.setItem(key, id);
    }
    return id;
  }

  /* --- position ------------------------------------------------------- */
  function showPosition(coords) {
    $("pos-lat").textContent = coords.latitude.toFixed(6);
    $("pos-lon").textContent = coords.longitude.toFixed(6);
    $("pos-acc").textContent = "± " + Math.round(coords.accuracy) + " m";
    $("pos-warning").hidden = coords.accuracy <= poorAccuracy;
    $("pos-status").textContent = text.geoOk;
  }

  function readPosition() {
    if (!("geolocation" in navigator)) {
      $("pos-status").textContent = text.noGeo;
      return;
    }
    if (watchId !== null) { navigator.geolocation.clearWatch(watchId); }
    watchId = navigator.geolocation.watchPosition(function (found) {
      // Keep the most precise fix; a later, vaguer one does not replace it
      // unless the earlier one is old.
      var fresh = {
        latitude: found.coords.latitude,
        longitude: found.coords.longitude,
        accuracy: found.coords.accuracy,
        at: found.timestamp || Date.now(),
      };
      if (!position || fresh.accuracy <= position.accuracy || fresh.at - position.at > 60000) {
        position = fresh;
        showPosition(position);
      }
      ready();
    }, function (error) {
      $("pos-status").textContent = error.code === 1 ? text.geoDenied : text.geoError;
    }, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
  }

  /* --- camera --------------------------------------------------------- */
  function startCamera() {
    preview.hidden = true;
    video.hidden = false;
    takeButton.hidden = false;
    retakeButton.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $("camera-status").textContent = text.noCamera;
      return;
    }
    navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 960 } },
      audio: false,
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      return video.play();
    }).then(function () {
      takeButton.disabled = false;
      $("camera-status").textContent = text.cameraReady;
    }).catch(function () {
      $("camera-status").textContent = text.noCamera;
    });
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
  }

  function takePhoto() {
    var width = video.videoWidth;
    var height = video.videoHeight;
    if (!width || !height) { return; }
    var scale = Math.min(1, maxPx / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    photoTakenAt = new Date();
    canvas.toBlob(function (blob) {
      if (!blob) { return; }
      photo = blob;
      if (previewUrl) { URL.revokeObjectURL(previewUrl); }
      previewUrl = URL.createObjectURL(blob);
      preview.src = previewUrl;
      preview.hidden = false;
      video.hidden = true;
      takeButton.hidden = true;
      retakeButton.hidden = false;
      $("camera-status").textContent = text.photoReady +
        " (" + canvas.width + "×" + canvas.height + ", " + Math.round(blob.size / 1024) + " KB)";
      stopCamera();
      ready();
    }, "image/jpeg", 0.85);
  }

  /* --- sending -------------------------------------------------------- */
  function kind() {
    var checked = root.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "in";
  }

  var statusText = {
    verified: text.verified,
    needs_review: text.needsReview,
    accepted: text.accepted,
    rejected: text.rejected,
  };

  function showResult(body) {
    var box = $("result");
    box.hidden = false;
    var badge = $("result-status");
    badge.className = "badge " + (body.status || "");
    badge.textContent = statusText[body.status] || body.status || "";
    $("result-text").textContent = text.saved;
    var where = body.workplace ? text.workplace + ": " + body.workplace.name : text.flexible;
    var geofence = { inside: text.inside, outside: text.outside, uncertain: text.uncertain }[body.geofence];
    if (geofence && body.workplace) { where += " (" + geofence + ")"; }
    $("result-workplace").textContent = where;
    var list = $("result-flags");
    list.textContent = "";
    (body.flags || []).forEach(function (flag) {
      var li = document.createElement("li");
      li.className = "flag " + flag.severity;
      li.textContent = flag.message;
      list.appendChild(li);
    });
    box.scrollIntoView({ block: "nearest" });
  }

  function showQueuedNotice() {
    var box = $("result");
    box.hidden = false;
    var badge = $("result-status");
    badge.className = "badge queued";
    badge.textContent = text.waiting;
    $("result-text").textContent = text.queued;
    $("result-workplace").textContent = "";
    $("result-flags").textContent = "";
  }

  function showRefused(body) {
    var box = $("result");
    box.hidden = false;
    var badge = $("result-status");
    badge.className = "badge failed";
    badge.textContent = text.failed;
    $("result-text").textContent = body && body.message ? body.message : "";
    $("result-workplace").textContent = "";
    $("result-flags").textContent = "";
  }

  var pending = null;

  function send() {
    if (!position || !photo) { return; }
    sendButton.disabled = true;
    var item = {
      client_uuid: crypto.randomUUID(),
      kind: kind(),
      latitude: position.latitude.toFixed(7),
      longitude: position.longitude.toFixed(7),
      accuracy_m: String(Math.round(position.accuracy * 10) / 10),
      captured_at: (photoTakenAt || new Date()).toISOString(),
      device_id: deviceId(),
      photo: photo,
    };
    pending = item.client_uuid;
    window.PantauQueue.add(item).then(function () {
      return window.PantauQueue.flush(true);
    }).then(function () {
      return window.PantauQueue.all();
    }).then(function (items) {
      var still = items.filter(function (i) { return i.client_uuid === item.client_uuid; })[0];
      if (still && still.state !== "failed") { showQueuedNotice(); }
      // A new check-in needs a new photo.
      photo = null;
      ready();
      startCamera();
    });
  }

  /* --- the queue, visible --------------------------------------------- */
  function stateLabel(item) {
    if (item.state === "failed") { return text.failed + ": " + item.error; }
    if (item.state === "login") { return text.login; }
    if (item.state === "sending") { return text.sending; }
    return text.waiting +
      (item.attempts ? " (" + text.attempts.replace("%(count)s", String(item.attempts)) + ")" : "");
  }

  function renderQueue() {
    return window.PantauQueue.all().then(function (items) {
      var list = $("queue");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.dataset.uuid = item.client_uuid;
        li.dataset.state = item.state;
        var when = new Date(item.captured_at);
        li.appendChild(document.createTextNode(
          (item.kind === "out" ? text.out : text.in) + " · " +
          when.toLocaleString(document.documentElement.lang) + " · "
        ));
        var state = document.createElement("span");
        state.className = "badge " + (item.state === "failed" ? "failed" : "queued");
        state.textContent = stateLabel(item);
        li.appendChild(state);
        if (item.state === "failed") {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "link";
          drop.textContent = text.discard;
          drop.addEventListener("click", function () { window.PantauQueue.discard(item.client_uuid); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      $("queue-empty").hidden = items.length > 0;
      $("queue-send").hidden = !items.some(function (i) { return i.state !== "failed"; });
    });
  }

  window.PantauQueue.subscribe(function (event) {
    if (event.type === "sent") {
      showResult(event.body || {});
    } else if (event.type === "refused" && event.item.client_uuid === pending) {
      showRefused(event.body);
    }
    renderQueue();
  });

  takeButton.addEventListener("click", takePhoto);
  retakeButton.addEventListener("click", function () { photo = null; ready(); startCamera(); });
  sendButton.addEventListener("click", send);
  $("pos-retry").addEventListener("click", function () { position = null; readPosition(); });
  $("queue-send").addEventListener("click", function () { window.PantauQueue.flush(true); });
  window.addEventListener("pagehide", stopCamera);

  readPosition();
  startCamera();
  renderQueue();
})();
