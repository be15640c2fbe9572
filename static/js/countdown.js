// Counts the session time down on the portal page; at zero, reloads so the
// server shows that the session ended (the server's clock decides).
// The ticking clock is silent for screen readers (it would speak every
// second); a status line says it once at 5 minutes and at 1 minute left.
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) return;
  var warning = document.getElementById("countdown-warning");
  var left = parseInt(el.getAttribute("data-seconds-left"), 10) || 0;
  var deadline = Date.now() + left * 1000;
  var warned = left <= 60 ? 1 : left <= 300 ? 5 : 0;
  function warn(minutes) {
    if (warning && warned !== minutes) {
      warned = minutes;
      // In the page's language, from the server.
      warning.textContent = minutes === 1
        ? el.getAttribute("data-one-minute-left") || "One minute left."
        : (el.getAttribute("data-minutes-left") || "{n} minutes left.").replace("{n}", minutes);
    }
  }
  function tick() {
    var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s > 0 && s <= 60) warn(1);
    else if (s > 60 && s <= 300 && warned === 0) warn(5);
    if (s === 0) {
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
})();
