/*
 * Inline validation (htmx): a field wrapper with data-inline-validation is checked by the
 * server when focus leaves it after a change (hx-trigger in step_item, forms/templatetags/
 * field_parts.py, reads data-changed, set here on the first input). The answer replaces the wrapper: the same
 * fragment with its error, linked by aria-describedby, and the live region
 * #inline-validation-status reads the error out. Without JavaScript the step is checked when
 * it is sent, as before.
 */
(function () {
  "use strict";

  function mark(event) {
    var wrapper = event.target.closest && event.target.closest("[data-inline-validation]");
    if (wrapper) { wrapper.dataset.changed = "1"; }
  }

  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
})();
