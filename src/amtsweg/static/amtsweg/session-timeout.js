/*
 * Session timeout warning (WCAG 2.2.1 "Timing Adjustable"): some time before the session
 * ends, open a modal alert dialog that says so, with a button that extends the session
 * (POST to the extend endpoint, CSRF token from the page's form) and one that closes it.
 * Focus moves into the dialog and back to where it was afterwards; Escape closes it (the
 * <dialog> element's own behaviour). Without JavaScript there is no warning, and nothing
 * else changes: every completed step is saved as a draft on the server anyway.
 */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function init() {
    var dialog = document.querySelector("[data-session-timeout]");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var status = document.getElementById("session-timeout-status");
    var warnBefore = Number(dialog.dataset.warningSeconds) * 1000;
    var expiresAt = 0;
    var warnTimer = null;
    var expireTimer = null;
    var returnFocus = null;

    function schedule(expiresIn) {
      expiresAt = Date.now() + expiresIn * 1000;
      clearTimeout(warnTimer);
      clearTimeout(expireTimer);
      warnTimer = setTimeout(open, Math.max(0, expiresAt - Date.now() - warnBefore));
      expireTimer = setTimeout(expired, Math.max(0, expiresAt - Date.now()));
    }

    function open() {
      if (dialog.open) { return; }
      returnFocus = document.activeElement;
      dialog.showModal();
      dialog.querySelector("[data-extend]").focus();
    }

    function expired() {
      dialog.querySelector("[data-expired-text]").hidden = false;
      document.getElementById("session-timeout-text").hidden = true;
      dialog.querySelector("[data-extend]").hidden = true;
      open();
      dialog.querySelector("[data-close]").focus();
    }

    function close() {
      if (dialog.open) { dialog.close(); }
    }

    dialog.addEventListener("close", function () {
      if (returnFocus && typeof returnFocus.focus === "function") { returnFocus.focus(); }
      returnFocus = null;
    });
    dialog.querySelector("[data-close]").addEventListener("click", close);
    dialog.querySelector("[data-extend]").addEventListener("click", function () {
      fetch(dialog.dataset.extendUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        schedule(data.expires_in);
        close();
        if (status) { status.textContent = status.dataset.extendedText; }
      }).catch(function () {
        expired();
      });
    });

    schedule(Number(dialog.dataset.expiresIn));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
