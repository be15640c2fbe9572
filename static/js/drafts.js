// Unsent text in the applicant profile's boxes (comments, reasons, notes).
// The profile has one form per action, and a page sends only the form
// whose button was pressed: text typed into another box was lost when the
// page came back, after a save, a refusal or a "changed meanwhile" conflict.
// Each box marked data-draft keeps what is typed in the tab's
// sessionStorage, keyed by its form's address (which names the applicant
// and the step) and its name, until its form is sent. An empty box takes
// its draft back, with a note saying so; a box the server filled keeps the
// server's text. Signing out forgets every draft, and so does closing the
// tab, so personal data does not outlive the officer's work in it.
(function () {
  "use strict";
  var PREFIX = "veridesk-draft:";
  var store;
  try {
    store = window.sessionStorage;
    store.getItem(PREFIX);
  } catch (e) {
    return; // storage turned off: the boxes work as before
  }

  function keyOf(box) {
    return PREFIX + box.form.getAttribute("action") + "#" + box.name;
  }

  function forgetAll() {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) store.removeItem(key);
    }
  }

  function note(box) {
    var p = document.createElement("p");
    p.className = "hint draft-note";
    p.textContent = "Restored: you typed this earlier and did not send it. ";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "link";
    clear.textContent = "Clear";
    clear.addEventListener("click", function () {
      box.value = "";
      store.removeItem(keyOf(box));
      p.remove();
      box.focus();
    });
    p.appendChild(clear);
    box.insertAdjacentElement("afterend", p);
  }

  // A page without the sign-out button is a signed-out one (sign-in,
  // password reset): whoever worked in this tab before has left.
  if (!document.querySelector("form[action='/sign-out']")) {
    forgetAll();
    return;
  }

  var boxes = document.querySelectorAll("form [data-draft]");
  for (var i = 0; i < boxes.length; i++) {
    var box = boxes[i];
    var saved = store.getItem(keyOf(box));
    if (box.value.trim() === "" && saved) {
      box.value = saved;
      note(box);
      // A step's box sits in a closed "Act on this step": open it.
      var shut = box.closest("details:not([open])");
      if (shut) shut.open = true;
    } else if (box.value.trim() !== "") {
      store.setItem(keyOf(box), box.value);
    }
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-draft]") || !box.form) return;
    if (box.value.trim() === "") {
      store.removeItem(keyOf(box));
    } else {
      store.setItem(keyOf(box), box.value);
    }
  });

  // After forms.js: a submission it stopped (a question answered No, a
  // second click) leaves the drafts alone.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    var form = event.target;
    if ((form.getAttribute("action") || "") === "/sign-out") {
      forgetAll();
      return;
    }
    var sent = form.querySelectorAll("[data-draft]");
    for (var j = 0; j < sent.length; j++) store.removeItem(keyOf(sent[j]));
  });
})();
