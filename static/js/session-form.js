// Create-session form helpers: the chosen flow fills its default link
// expiry and session time; a chosen template fills subject and body; the
// "Add verification link" button inserts {{session_url}} at the cursor.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form) return;
  var flow = document.getElementById("f-flow_id");
  var template = document.getElementById("f-template_id");
  var body = document.getElementById("f-body");
  var addLink = document.getElementById("add-link");

  flow.addEventListener("change", function () {
    var option = flow.options[flow.selectedIndex];
    if (!option) return;
    document.getElementById("f-expiry_value").value = option.getAttribute("data-expiry-hours");
    document.getElementById("f-expiry_unit").value = "hours";
    document.getElementById("f-session_minutes").value = option.getAttribute("data-session-minutes");
  });

  template.addEventListener("change", function () {
    var option = template.options[template.selectedIndex];
    if (!option || !option.value) return;
    document.getElementById("f-subject").value = option.getAttribute("data-subject");
    body.value = option.getAttribute("data-body");
  });

  addLink.hidden = false;
  addLink.addEventListener("click", function () {
    var start = body.selectionStart || 0;
    var end = body.selectionEnd || start;
    var text = "{{session_url}}";
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
  });
})();
