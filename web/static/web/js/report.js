/* Pantau daily report: evidence photos carry the position and time they
 * were taken (photos_meta, one entry per photo, as the API takes it). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var input = form.querySelector("input[name=photos]");
  var meta = form.querySelector("input[name=photos_meta]");
  var note = document.getElementById("photo-position");
  var text = document.getElementById("report-text").dataset;
  var position = null;

  function fill() {
    var files = input.files ? Array.prototype.slice.call(input.files) : [];
    if (!files.length || !position) { meta.value = "[]"; return; }
    meta.value = JSON.stringify(files.map(function (file) {
      return {
        latitude: position.latitude,
        longitude: position.longitude,
        accuracy_m: Math.round(position.accuracy * 10) / 10,
        captured_at: new Date(file.lastModified || Date.now()).toISOString(),
      };
    }));
  }

  if ("geolocation" in navigator) {
    navigator.geolocation.getCurrentPosition(function (found) {
      position = found.coords;
      note.textContent = text.located.replace("%(accuracy)s", String(Math.round(position.accuracy)));
      fill();
    }, function () {
      note.textContent = text.noPosition;
    }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
  }
  input.addEventListener("change", fill);
  form.addEventListener("submit", fill);
})();
