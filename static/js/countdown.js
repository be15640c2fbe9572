// Counts the session time down on the portal page; at zero, reloads so the
// server shows that the session ended (the server's clock decides).
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) return;
  var left = parseInt(el.getAttribute("data-seconds-left"), 10) || 0;
  var deadline = Date.now() + left * 1000;
  function tick() {
    var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s === 0) {
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
