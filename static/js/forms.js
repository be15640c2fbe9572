// Back-office forms. A page that came back with a message by a field
// takes the officer there: the field, or the first choice of a group, has
// the focus (a form far down the page, like Reject, is scrolled to).
// A form marked data-confirm="question" asks first:
// approving, resetting and deleting are one click, and hard to take back.
// Every form is sent once: a second click while the first is on its way
// would act twice (a comment posted twice, a session refused as changed
// meanwhile after the first created it). Without JavaScript forms are sent
// as they are.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.dataset && form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    // GET forms (filters) may be sent again at once.
    if ((form.method || "get").toLowerCase() === "post") {
      form.dataset.sent = "1";
    }
  });
  var flagged = document.querySelector("main [aria-invalid='true'], main .has-error");
  if (flagged) {
    var target = flagged.matches("input, select, textarea")
      ? flagged
      : flagged.querySelector("input:not([type=hidden]), select, textarea");
    if (target) target.focus();
  }
  // Coming back to the page (the back button) makes its forms usable again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-sent]");
    for (var i = 0; i < forms.length; i++) {
      delete forms[i].dataset.sent;
    }
  });
})();
