/* Pantau check-in queue: every check-in is written to IndexedDB first and
 * sent from there, so one taken without a connection is kept on the phone
 * and sent when the connection returns. Each carries its client_uuid; the
 * API answers a repeated upload with the check-in it already stored, so
 * retrying is always safe.
 *
 * window.PantauQueue:
 *   add(item)      store {client_uuid, kind, latitude, longitude, accuracy_m,
 *                  captured_at, device_id, photo: Blob}; resolves when stored
 *   all()          resolves to the signed-in user's items, oldest first
 *   discard(uuid)  drop one item
 *   flush()        try to send everything due now
 *   subscribe(fn)  fn({type: "change"}) after every change, and
 *                  fn({type: "sent", item, status, body}) per check-in stored
 *                  by the server, fn({type: "refused", item, status, body})
 */
(function () {
  "use strict";

  var DB_NAME = "pantau";
  var STORE = "checkins";
  var API = "/api/v1/checkins/";
  var BASE_DELAY_MS = 2000;
  var MAX_DELAY_MS = 5 * 60 * 1000;
  var listeners = [];
  var flushing = null;
  var timer = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_uuid" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var store = transaction.objectStore(STORE);
        var result = work(store);
        transaction.oncomplete = function () {
          db.close();
          resolve(result && "result" in result ? result.result : result);
        };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
        transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function emit(event) {
    listeners.forEach(function (fn) {
      try { fn(event); } catch (error) { /* a listener's bug must not stop the queue */ }
    });
  }

  function put(item) {
    return tx("readwrite", function (store) { store.put(item); }).then(function () {
      emit({ type: "change" });
    });
  }

  // Check-ins belong to the account that took them: on a shared phone the
  // next person's session must never send them.
  function currentUser() {
    return document.body.dataset.user || "";
  }

  function all() {
    var user = currentUser();
    return tx("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).filter(function (item) {
        return user && item.user === user;
      }).sort(function (a, b) { return a.queued_at - b.queued_at; });
    });
  }

  function discard(uuid) {
    return tx("readwrite", function (store) { store.delete(uuid); }).then(function () {
      emit({ type: "change" });
    });
  }

  function add(item) {
    item.user = currentUser();
    item.state = "waiting";
    item.attempts = 0;
    item.next_try = 0;
    item.queued_at = Date.now();
    item.error = "";
    return put(item);
  }

  function backoff(attempts) {
    return Math.min(BASE_DELAY_MS * Math.pow(2, Math.max(0, attempts - 1)), MAX_DELAY_MS);
  }

  function schedule(items) {
    if (timer) { clearTimeout(timer); timer = null; }
    var due = items.filter(function (i) { return i.state === "waiting"; })
      .map(function (i) { return i.next_try; });
    if (!due.length) { return; }
    var wait = Math.max(0, Math.min.apply(null, due) - Date.now());
    timer = setTimeout(flush, wait);
  }

  function send(item) {
    var form = new FormData();
    ["client_uuid", "kind", "latitude", "longitude", "accuracy_m", "captured_at", "device_id"]
      .forEach(function (name) {
        if (item[name] !== undefined && item[name] !== null) { form.append(name, item[name]); }
      });
    form.append("photo", item.photo, "checkin.jpg");
    return window.Pantau.api(API, { method: "POST", body: form });
  }

  function sendOne(item) {
    item.state = "sending";
    item.attempts += 1;
    return put(item).then(function () { return send(item); }).then(function (answer) {
      if (answer.ok) {
        return discard(item.client_uuid).then(function () {
          emit({ type: "sent", item: item, status: answer.status, body: answer.body });
        });
      }
      var message = answer.body && answer.body.message ? answer.body.message : String(answer.status);
      if (answer.status === 401 || answer.status === 403) {
        // Logged out (or the CSRF cookie changed) while offline: keep it for
        // after the next login.
        item.state = "login";
        item.error = message;
        return put(item);
      }
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
        item.state = "failed";
        item.error = message;
        return put(item).then(function () {
          emit({ type: "refused", item: item, status: answer.status, body: answer.body });
        });
      }
      item.state = "waiting";
      item.error = message;
      item.next_try = Date.now() + backoff(item.attempts);
      return put(item);
    }, function () {
      // No connection (or it dropped mid-upload): try again later.
      item.state = "waiting";
      item.error = "";
      item.next_try = Date.now() + backoff(item.attempts);
      return put(item);
    });
  }

  function flush(force) {
    if (flushing) { return flushing; }
    flushing = all().then(function (items) {
      var now = Date.now();
      var due = items.filter(function (i) {
        return (i.state === "waiting" || i.state === "sending" || (force && i.state === "login")) &&
          (force || i.next_try <= now);
      });
      return due.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item); });
      }, Promise.resolve());
    }).then(all).then(function (items) {
      flushing = null;
      schedule(items);
    }, function () {
      flushing = null;
    });
    return flushing;
  }

  function subscribe(fn) { listeners.push(fn); }

  window.addEventListener("online", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(false); }
  });

  window.PantauQueue = { add: add, all: all, discard: discard, flush: flush, subscribe: subscribe };
  if (window.indexedDB) { flush(false); }
})();
