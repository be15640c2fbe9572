// The "Add verification link" button (#add-link) of a form with an email
// body: inserts {{session_url}} where the officer was typing in the field
// its data-for names, or at the end when they have not been in it yet.
// Without JavaScript the button stays hidden and the hint beside it says
// where to type the placeholder.
(function () {
  "use strict";
  var addLink = document.getElementById("add-link");
  var body = addLink && document.getElementById(addLink.getAttribute("data-for"));
  if (!body) return;
  var visited = false;
  body.addEventListener("focus", function () { visited = true; });
  addLink.hidden = false;
  addLink.addEventListener("click", function () {
    var text = "{{session_url}}";
    var start = visited ? body.selectionStart : body.value.length;
    var end = visited ? body.selectionEnd : start;
    var before = body.value.slice(0, start);
    var after = body.value.slice(end);
    if (!visited && before && !/\s$/.test(before)) {
      text = "\n\n" + text;
    } else if (before && !/\s$/.test(before)) {
      // Not glued to the word before it: "there{{session_url}}" would
      // read "therehttps://…" in the email.
      text = " " + text;
    }
    if (after && !/^\s/.test(after)) {
      text = text + " ";
    }
    body.value = before + text + after;
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
