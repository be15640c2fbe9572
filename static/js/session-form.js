// Create-session form helpers: the chosen flow fills its default link
// expiry and session time where the officer kept the previous flow's;
// switching hours and days converts the expiry (saying when it rounds); a
// chosen template fills subject and body (asking first if the officer
// wrote their own, which "Free text" brings back); the "Add verification
// link" button inserts {{session_url}} where the officer was typing, or at
// the end when they have not been in the body yet.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form) return;
  var flow = document.getElementById("f-flow_id");
  var template = document.getElementById("f-template_id");
  var subject = document.getElementById("f-subject");
  var body = document.getElementById("f-body");
  var addLink = document.getElementById("add-link");
  var expiry = document.getElementById("f-expiry_value");
  var unit = document.getElementById("f-expiry_unit");

  var minutes = document.getElementById("f-session_minutes");
  var note = document.getElementById("expiry-note");

  // The expiry as hours, or NaN when it is not a number.
  function expiryHours() {
    var value = parseInt(expiry.value, 10);
    return unit.value === "days" ? value * 24 : value;
  }

  // A new flow brings its defaults, but only into fields that still show
  // the previous flow's: a value the officer chose is kept.
  var chosen = flow.options[flow.selectedIndex];
  flow.addEventListener("change", function () {
    var option = flow.options[flow.selectedIndex];
    if (!option) return;
    if (!chosen || String(expiryHours()) === chosen.getAttribute("data-expiry-hours")) {
      var hours = parseInt(option.getAttribute("data-expiry-hours"), 10);
      var days = unit.value === "days" && hours % 24 === 0;
      expiry.value = String(days ? hours / 24 : hours);
      unit.value = days ? "days" : "hours";
      unit.setAttribute("data-previous", unit.value);
      note.hidden = true;
    }
    if (!chosen || minutes.value === chosen.getAttribute("data-session-minutes")) {
      minutes.value = option.getAttribute("data-session-minutes");
    }
    chosen = option;
  });

  // 72 hours become 3 days and back, within 1 hour to 30 days; hours that
  // are not whole days are rounded, and the note says so.
  unit.setAttribute("data-previous", unit.value);
  unit.addEventListener("change", function () {
    var previous = unit.getAttribute("data-previous");
    var value = parseInt(expiry.value, 10);
    note.hidden = true;
    if (!isNaN(value) && previous !== unit.value) {
      if (unit.value === "days") {
        var days = Math.min(30, Math.max(1, Math.round(value / 24)));
        expiry.value = String(days);
        if (days * 24 !== value) {
          note.textContent = value + (value === 1 ? " hour is" : " hours are") + " not a whole number of days: now " +
            days + (days === 1 ? " day." : " days.");
          note.hidden = false;
        }
      } else {
        expiry.value = String(Math.min(720, Math.max(1, value * 24)));
      }
    }
    unit.setAttribute("data-previous", unit.value);
  });

  // What the officer wrote, kept while a template is shown.
  var own = null;
  var shown = { subject: subject.value, body: body.value };
  template.addEventListener("change", function () {
    var option = template.options[template.selectedIndex];
    if (!option || !option.value) {
      if (own) {
        subject.value = own.subject;
        body.value = own.body;
        own = null;
      }
      shown = { subject: subject.value, body: body.value };
      template.setAttribute("data-previous", "");
      return;
    }
    var edited = subject.value !== shown.subject || body.value !== shown.body;
    if (edited) {
      var question = own === null
        ? "Replace the subject and body you wrote with this template? Choosing Free text brings them back."
        : "Replace your changes to the template's text with this template?";
      if (!window.confirm(question)) {
        template.value = template.getAttribute("data-previous") || "";
        return;
      }
    }
    if (own === null) {
      own = { subject: subject.value, body: body.value };
    }
    subject.value = option.getAttribute("data-subject");
    body.value = option.getAttribute("data-body");
    shown = { subject: subject.value, body: body.value };
    template.setAttribute("data-previous", template.value);
  });

  var visited = false;
  body.addEventListener("focus", function () { visited = true; });
  addLink.hidden = false;
  addLink.addEventListener("click", function () {
    var text = "{{session_url}}";
    var start = visited ? body.selectionStart : body.value.length;
    var end = visited ? body.selectionEnd : start;
    var before = body.value.slice(0, start);
    if (!visited && before && !/\s$/.test(before)) {
      text = "\n\n" + text;
    }
    body.value = before + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
  });
})();
