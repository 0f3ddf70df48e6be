// Warn before leaving a form with typed text that is not saved yet. Without JavaScript nothing is lost either:
// the submit button belongs to the form and saves the typed text before submitting.
(function () {
  "use strict";
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
    window.addEventListener("beforeunload", function (event) {
      if (changed) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
