/*
 * Focus management (WCAG 2.4.3, GOV.UK error summary pattern): when a page comes back with
 * errors, move focus to the error summary (role=alert, tabindex=-1) so that screen readers
 * read it and the keyboard starts there; a link in the summary moves focus to the field it
 * names (for a group of radios or boxes: its first input), with the field's label in view.
 * On every other page focus stays at the top, where the skip link comes first.
 */
(function () {
  "use strict";

  function firstInput(target) {
    if (target.matches("input, select, textarea, button")) { return target; }
    return target.querySelector("input:not([type=hidden]), select, textarea") || target;
  }

  function init() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) { return; }
      event.preventDefault();
      var input = firstInput(target);
      var legendOrLabel = target.closest("fieldset") && target.closest("fieldset").querySelector("legend")
        || (input.id && document.querySelector("label[for='" + CSS.escape(input.id) + "']"));
      (legendOrLabel || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
