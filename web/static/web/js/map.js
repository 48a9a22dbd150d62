/* Pantau maps: a thin layer over Leaflet (vendored in web/vendor/leaflet)
 * for the supervisor dashboard and the audit desk.
 *
 * PantauMap.create(element, {tileUrl, attribution, text, onTilesFailed})
 * returns an object that draws workplace geofences (circles and polygons),
 * check-in positions coloured by status, and photo EXIF positions. Without a
 * tile URL, or when tiles fail to load, the map stays usable: a blank
 * background with the same shapes on it.
 */
(function () {
  "use strict";

  var DEFAULT_CENTER = [0.5079, 101.4496]; // Pekanbaru
  var STATUS_COLOURS = {
    verified: "#1e7b34",
    accepted: "#0b5394",
    needs_review: "#d97c00",
    rejected: "#b3261e"
  };

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function create(element, options) {
    options = options || {};
    var text = options.text || {};
    var map = L.map(element, {
      center: DEFAULT_CENTER,
      zoom: 15,
      zoomControl: true,
      attributionControl: Boolean(options.attribution)
    });
    var tilesFailed = false;
    if (options.tileUrl) {
      var errors = 0;
      var tiles = L.tileLayer(options.tileUrl, {
        maxZoom: 19,
        attribution: options.attribution || ""
      });
      tiles.on("tileerror", function () {
        errors += 1;
        if (errors >= 2 && !tilesFailed) {
          tilesFailed = true;
          element.classList.add("map-blank");
          map.removeLayer(tiles);
          if (options.onTilesFailed) options.onTilesFailed();
        }
      });
      tiles.addTo(map);
    } else {
      element.classList.add("map-blank");
    }

    var fences = L.featureGroup().addTo(map);
    var points = L.featureGroup().addTo(map);
    var markers = {};

    function drawGeofence(fence, style) {
      var shape;
      var look = {
        className: style && style.dashed ? "geofence geofence-flexible" : "geofence",
        color: style && style.dashed ? "#5b2c83" : "#0b5394",
        weight: 2,
        fillOpacity: 0.08,
        dashArray: style && style.dashed ? "6 4" : null
      };
      if (fence.polygon && fence.polygon.length >= 3) {
        shape = L.polygon(fence.polygon, look);
      } else {
        shape = L.circle([fence.latitude, fence.longitude], L.extend({ radius: fence.radius_m }, look));
      }
      shape.bindTooltip(
        style && style.tooltip ? style.tooltip : (text["map.workplace"] || "") + ": " + fence.name
      );
      shape.addTo(fences);
      return shape;
    }

    function checkinTooltip(point) {
      var parts = [point.name || "", text["status." + point.status] || point.status || ""];
      if (point.captured_at) parts.push(String(point.captured_at).slice(11, 16));
      return parts.filter(Boolean).join(" · ");
    }

    function addCheckin(point) {
      if (!point || !point.position) return null;
      var id = point.checkin_id;
      if (id && markers[id]) {
        setStatus(id, point.status);
        return markers[id];
      }
      var marker = L.circleMarker([point.position.latitude, point.position.longitude], {
        className: "checkin-marker status-" + point.status,
        radius: 7,
        color: "#fff",
        weight: 2,
        fillColor: STATUS_COLOURS[point.status] || "#5f6b76",
        fillOpacity: 0.95
      });
      marker.pantau = point;
      marker.bindTooltip(checkinTooltip(point));
      marker.addTo(points);
      if (id) markers[id] = marker;
      return marker;
    }

    function setStatus(id, status) {
      var marker = markers[id];
      if (!marker) return;
      marker.pantau.status = status;
      marker.setStyle({ fillColor: STATUS_COLOURS[status] || "#5f6b76" });
      marker.setTooltipContent(checkinTooltip(marker.pantau));
    }

    /* The audit view of one check-in: the workplace, the reported position
     * with its accuracy circle, and the photo's EXIF position when it has one. */
    function showCase(item) {
      fences.clearLayers();
      points.clearLayers();
      markers = {};
      if (!item) return;
      if (item.workplace) drawGeofence(item.workplace);
      var reported = [item.position.latitude, item.position.longitude];
      L.circle(reported, {
        className: "accuracy",
        radius: Math.max(item.position.accuracy_m || 0, 1),
        color: "#d97c00",
        weight: 1,
        fillOpacity: 0.1
      }).addTo(points);
      L.circleMarker(reported, {
        className: "reported-marker",
        radius: 7,
        color: "#fff",
        weight: 2,
        fillColor: STATUS_COLOURS[item.status] || "#d97c00",
        fillOpacity: 1
      })
        .bindTooltip(
          (text["map.reported"] || "") + " (" +
            format(text["map.accuracy"], { accuracy: Math.round(item.position.accuracy_m || 0) }) + ")"
        )
        .addTo(points);
      if (item.exif && item.exif.latitude !== null && item.exif.latitude !== undefined) {
        var exif = [item.exif.latitude, item.exif.longitude];
        L.circleMarker(exif, {
          className: "exif-marker",
          radius: 6,
          color: "#5b2c83",
          weight: 3,
          fillColor: "#fff",
          fillOpacity: 1
        }).bindTooltip(text["map.exif"] || "EXIF").addTo(points);
        L.polyline([reported, exif], { color: "#5b2c83", weight: 1, dashArray: "4 4" }).addTo(points);
      }
      fit();
    }

    function fit() {
      var bounds = L.latLngBounds([]);
      if (fences.getLayers().length) bounds.extend(fences.getBounds());
      if (points.getLayers().length) bounds.extend(points.getBounds());
      if (bounds.isValid()) {
        map.fitBounds(bounds.pad(0.15), { maxZoom: 18, animate: false });
      }
    }

    return {
      map: map,
      drawGeofence: drawGeofence,
      addCheckin: addCheckin,
      setStatus: setStatus,
      showCase: showCase,
      fit: fit,
      tilesFailed: function () { return tilesFailed; }
    };
  }

  window.PantauMap = { create: create, format: format };
})();
