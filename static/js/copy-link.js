// The "Copy link" button next to a link shown once: copies it for an
// officer who sends it by other means. Without JavaScript (or a clipboard)
// the button stays hidden and the field can be selected by hand.
(function () {
  "use strict";
  var field = document.getElementById("session-url");
  var button = document.getElementById("copy-link");
  if (!field || !button || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(
      function () { button.textContent = "Copied"; },
      function () { field.select(); button.textContent = "Press Ctrl+C to copy"; }
    );
  });
})();
