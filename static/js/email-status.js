// Follows a just-queued email on the confirmation page: asks the server for
// its delivery state every two seconds until it is sent or has failed (for
// at most two minutes). Without JavaScript the page says where to look.
(function () {
  "use strict";
  var badge = document.getElementById("email-status");
  if (!badge || !badge.dataset.url) return;
  var note = document.getElementById("email-status-note");
  var detail = document.getElementById("email-status-detail");
  var tries = 0;
  function show(state) {
    badge.textContent = state.status;
    badge.className = "badge badge-" + state.badge;
    if (detail) detail.textContent = state.detail;
    if (note && (state.status === "sent" || state.status === "failed" || state.status === "cancelled")) note.hidden = true;
  }
  function poll() {
    tries += 1;
    fetch(badge.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) show(state);
        if ((!state || ["sent", "failed", "cancelled"].indexOf(state.status) < 0) && tries < 60) {
          setTimeout(poll, 2000);
        }
      })
      .catch(function () { if (tries < 60) setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
