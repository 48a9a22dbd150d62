/* Pantau web app: shared helpers for every page (no inline scripts; CSP).
 * window.Pantau.csrfToken()  the csrftoken cookie, for X-CSRFToken
 * window.Pantau.api(url, options)  fetch with session cookie + CSRF header,
 *   resolving to {ok, status, body} (body: parsed JSON or null)
 */
(function () {
  "use strict";

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) {
        return decodeURIComponent(parts[i].slice(eq + 1));
      }
    }
    return "";
  }

  function csrfToken() {
    return cookie("csrftoken");
  }

  function api(url, options) {
    options = options || {};
    var headers = new Headers(options.headers || {});
    headers.set("Accept", "application/json");
    headers.set("Accept-Language", document.documentElement.lang || "id");
    var method = (options.method || "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") {
      headers.set("X-CSRFToken", csrfToken());
    }
    return fetch(url, {
      method: method,
      body: options.body,
      headers: headers,
      credentials: "same-origin",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      var parse = type.indexOf("json") >= 0 ? response.json() : Promise.resolve(null);
      return parse.then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  window.Pantau = { csrfToken: csrfToken, api: api };

  // Logging out forgets the pages kept for offline use (a shared phone).
  document.querySelectorAll("form.logout").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (window.caches) {
        caches.keys().then(function (keys) {
          keys.forEach(function (key) {
            if (key.indexOf("pantau-shell-") === 0) { caches.delete(key); }
          });
        });
      }
    });
  });

  if ("serviceWorker" in navigator && document.body.dataset.noSw === undefined) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
        /* The pages work without the worker; only offline opening needs it. */
      });
    });
  }
})();
