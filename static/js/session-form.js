// Create-session form helpers: the chosen flow fills its default link
// expiry and session time where the officer kept the previous flow's;
// switching hours and days converts an expiry the officer has not typed
// (saying when it rounds) and keeps one they typed, whose unit they are
// choosing; a
// chosen template fills subject and body (asking first if the officer
// wrote their own, which "Free text" brings back). The "Add verification
// link" button is add-link.js's.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form) return;
  var flow = document.getElementById("f-flow_id");
  var template = document.getElementById("f-template_id");
  var subject = document.getElementById("f-subject");
  var body = document.getElementById("f-body");
  var expiry = document.getElementById("f-expiry_value");
  var unit = document.getElementById("f-expiry_unit");

  var minutes = document.getElementById("f-session_minutes");
  var note = document.getElementById("expiry-note");

  // A whole number typed in a field, or NaN ("1.5" and "" are not).
  function whole(text) {
    return /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  }

  // The expiry as hours, or NaN when it is not a whole number.
  function expiryHours() {
    var value = whole(expiry.value);
    return unit.value === "days" ? value * 24 : value;
  }

  function say(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  // A new flow brings its defaults into the fields the officer has not
  // typed in (a page shown again after an error keeps what was typed).
  // Switching the unit alone is not typing: the value is the same length.
  var chosen = flow.options[flow.selectedIndex];
  // No flow chosen yet: the fields show the usual defaults, untyped.
  var none = !chosen || !chosen.value;
  var expiryTyped = !none && String(expiryHours()) !== chosen.getAttribute("data-expiry-hours");
  var minutesTyped = !none && minutes.value !== chosen.getAttribute("data-session-minutes");
  expiry.addEventListener("input", function () { expiryTyped = true; say(""); });
  minutes.addEventListener("input", function () { minutesTyped = true; });
  flow.addEventListener("change", function () {
    var option = flow.options[flow.selectedIndex];
    if (!option || !option.value) return;
    if (!expiryTyped) {
      var hours = whole(option.getAttribute("data-expiry-hours"));
      var days = unit.value === "days" && hours % 24 === 0;
      expiry.value = String(days ? hours / 24 : hours);
      unit.value = days ? "days" : "hours";
      unit.setAttribute("data-previous", unit.value);
      say("");
    }
    if (!minutesTyped) {
      minutes.value = option.getAttribute("data-session-minutes");
    }
    chosen = option;
  });

  // A default of 72 hours becomes 3 days and back, within 1 hour to 30
  // days; the note says when the value had to be rounded or brought within
  // that range. A number the officer typed stays: people type "31", then
  // choose "days". The note says when it is out of range.
  unit.setAttribute("data-previous", unit.value);
  unit.addEventListener("change", function () {
    var previous = unit.getAttribute("data-previous");
    var value = whole(expiry.value);
    unit.setAttribute("data-previous", unit.value);
    say("");
    if (isNaN(value) || previous === unit.value) return;
    if (expiryTyped) {
      var typed = unit.value === "days" ? value * 24 : value;
      if (typed < 1 || typed > 720) {
        say("A link lasts from 1 hour to 30 days.");
      }
      return;
    }
    // In hours, what was typed; then brought within 1 hour to 30 days,
    // then (for days) rounded to whole days, at least one.
    var hours = unit.value === "days" ? value : value * 24;
    var allowed = Math.min(720, Math.max(1, hours));
    var converted = unit.value === "days" ? Math.max(1, Math.round(allowed / 24)) : allowed;
    var named = converted + " " + (converted === 1 ? unit.value.slice(0, -1) : unit.value);
    expiry.value = String(converted);
    if (allowed !== hours) {
      say("A link lasts from 1 hour to 30 days: now " + named + ".");
    } else if (unit.value === "days" && converted * 24 !== hours) {
      say(value + (value === 1 ? " hour is" : " hours are") + " not a whole number of days: now " + named + ".");
    }
  });

  // What the officer wrote, kept while a template is shown.
  var own = null;
  var shown = { subject: subject.value, body: body.value };
  template.addEventListener("change", function () {
    var option = template.options[template.selectedIndex];
    if (!option || !option.value) {
      var changed = subject.value !== shown.subject || body.value !== shown.body;
      if (own && changed && !window.confirm("Bring back the text you wrote? Your changes to the template's text will be lost.")) {
        template.value = template.getAttribute("data-previous") || "";
        return;
      }
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
})();
