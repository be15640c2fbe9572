// The reject form's rules, checked in the browser before forms.js asks
// "Reject this applicant?": an officer should not confirm a form that the
// server then sends back. The browser shows the message by the field and
// the form is not sent. The server checks the same again, with the same
// words; without JavaScript its page says what to correct.
(function () {
  "use strict";
  var form = document.getElementById("reject");
  if (!form) return;
  var reasons = form.querySelectorAll("input[name=reasons]");
  var steps = form.querySelectorAll("input[name=retry_steps]");
  var internal = document.getElementById("f-comment_internal");

  function anyTicked(boxes) {
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) return true;
    }
    return false;
  }

  function check() {
    var type = form.querySelector("input[name=rejection_type]:checked");
    var retry = type && type.value === "retry";
    if (reasons.length) {
      reasons[0].setCustomValidity(anyTicked(reasons) ? "" : "Tick at least one reason.");
    }
    if (steps.length) {
      // Steps matter to a retry only: greyed out for a final rejection.
      var box = steps[0].closest("fieldset");
      if (box) box.disabled = !!(type && type.value === "final");
      var doable = form.querySelectorAll("input[name=retry_steps][data-applicant-does]:checked");
      var message = "";
      if (retry && !anyTicked(steps)) {
        message = "Tick the steps the applicant must redo.";
      } else if (retry && doable.length === 0) {
        message = "A retry asks the applicant to redo a step, and face match and screening run without " +
          "them. Tick a step they do (a new selfie, say), or resolve the check by hand.";
      }
      steps[0].setCustomValidity(message);
    }
    var other = form.querySelector("input[name=reasons][value=other]:checked");
    if (internal) {
      internal.setCustomValidity(
        other && !internal.value.trim() ? "Say in the internal comment what \u201cOther\u201d stands for." : ""
      );
    }
  }

  form.addEventListener("change", check);
  form.addEventListener("input", check);
  check();
})();
