// The email template form's preview is drawn by the server. Once the
// officer changes the subject, the body or the language, it no longer
// shows their text: say so beside it rather than let it pass for current.
(function () {
  "use strict";
  var note = document.getElementById("preview-stale");
  var form = note && document.getElementById("template-form");
  if (!form) return;
  function stale() {
    note.hidden = false;
    document.getElementById("preview-panel").classList.add("stale");
  }
  ["f-subject", "f-body", "f-language"].forEach(function (id) {
    var field = document.getElementById(id);
    if (field) {
      field.addEventListener("input", stale);
      field.addEventListener("change", stale);
    }
  });
})();
