/* Pantau flexible-work request: show the fields of the chosen place type,
 * and fill the position from the browser on request. */
(function () {
  "use strict";
  var form = document.getElementById("flex-form");
  if (!form) { return; }
  function sync() {
    var chosen = form.querySelector("input[name=location_type]:checked");
    var value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-for]").forEach(function (block) {
      block.hidden = block.dataset.for !== value;
    });
  }
  form.addEventListener("change", sync);
  sync();
  var button = document.getElementById("use-position");
  if (button && "geolocation" in navigator) {
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (found) {
        form.querySelector("input[name=latitude]").value = found.coords.latitude.toFixed(6);
        form.querySelector("input[name=longitude]").value = found.coords.longitude.toFixed(6);
        var radius = form.querySelector("input[name=radius_m]");
        if (!radius.value) { radius.value = String(Math.max(50, Math.round(found.coords.accuracy))); }
      }, function () {}, { enableHighAccuracy: true, timeout: 30000 });
    });
  }
})();
