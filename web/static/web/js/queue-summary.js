/* Pantau home: how many check-ins are still waiting on this phone. */
(function () {
  "use strict";
  var box = document.getElementById("queue-summary");
  if (!box || !window.PantauQueue || !window.indexedDB) { return; }
  function render() {
    window.PantauQueue.all().then(function (items) {
      box.hidden = items.length === 0;
      box.classList.toggle("hidden", items.length === 0);
      box.textContent = "";
      if (!items.length) { return; }
      var link = document.createElement("a");
      link.href = box.dataset.checkinUrl;
      link.textContent = box.dataset.label.replace("%(count)s", String(items.length));
      box.appendChild(link);
    });
  }
  window.PantauQueue.subscribe(render);
  render();
})();
