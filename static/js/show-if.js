// Live show-if for questionnaires: a block with data-show-if="question"
// and data-show-values='["a","b"]' (JSON) is shown only while that question's answer is
// one of the values. A section hides the blocks after it until the next
// section. Without JavaScript the server applies the same rule on submit.
(function () {
  "use strict";
  var first = document.querySelector("[data-q]");
  var form = first && first.closest("form");
  if (!form) return;
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-q]"));

  function answers(id) {
    var inputs = form.querySelectorAll('[name="a.' + id + '"]');
    var values = [];
    Array.prototype.forEach.call(inputs, function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value) values.push(el.value.trim());
    });
    return values;
  }

  function update() {
    var shown = {};
    var sectionShown = true;
    blocks.forEach(function (block) {
      var id = block.getAttribute("data-q");
      var driver = block.getAttribute("data-show-if");
      var own = true;
      if (driver) {
        var wanted = [];
        try { wanted = JSON.parse(block.getAttribute("data-show-values") || "[]"); } catch (e) { wanted = []; }
        own = shown[driver] === true && answers(driver).some(function (v) { return wanted.indexOf(v) !== -1; });
      }
      var visible;
      if (block.tagName === "H3") {
        sectionShown = own;
        visible = own;
      } else {
        visible = sectionShown && own;
      }
      shown[id] = visible;
      block.hidden = !visible;
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
