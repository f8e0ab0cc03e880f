/*
 * Upload progress: when the applicant sends a step with files chosen that take a while to
 * send (data-min-bytes, 1 MB: smaller ones are gone before a bar could be read), the form goes
 * by XMLHttpRequest so that a <progress> element (labelled, with a status line for screen
 * readers in steps of 25 %) can show how much is sent. When the server answers with the next
 * page (a redirect), the browser goes there. When it answers with the step again (an error),
 * the files are stored already: their stored values are taken over from the answer and the
 * form is sent once more with the same button, now without files and as a normal page load,
 * so the error page is a real page. If the request fails, the form is sent normally. Without
 * JavaScript the form is a normal multipart post (a step with a file field is always sent so).
 */
(function () {
  "use strict";

  function chosenBytes(form) {
    var total = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
    });
    return total;
  }

  function takeOverStoredFiles(form, html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      var stored = answer.querySelectorAll('input[type=hidden][name="' + CSS.escape(input.name) + '"]');
      form.querySelectorAll('input[type=hidden][name="' + CSS.escape(input.name) + '"]').forEach(function (old) {
        old.remove();
      });
      stored.forEach(function (hidden) { input.before(document.importNode(hidden, true)); });
      input.value = "";
    });
  }

  function init() {
    var form = document.querySelector("form[data-form-logic]");
    var box = document.getElementById("upload-progress");
    if (!form || !box || typeof XMLHttpRequest === "undefined") { return; }
    var bar = document.getElementById("upload-progress-bar");
    var status = document.getElementById("upload-progress-status");
    var announced = -1;

    function show(percent) {
      bar.value = percent;
      var step = Math.floor(percent / 25) * 25;
      if (step !== announced) {
        announced = step;
        status.textContent = status.dataset.text.replace("__PERCENT__", String(step));
      }
    }

    form.addEventListener("submit", function (event) {
      var bytes = chosenBytes(form);
      if (event.defaultPrevented || bytes === 0 || bytes < Number(box.dataset.minBytes)) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.append(event.submitter.name, event.submitter.value);
      }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) { show(Math.round((progress.loaded / progress.total) * 100)); }
      });
      request.addEventListener("load", function () {
        show(100);
        var redirected = request.responseURL && request.responseURL !== form.action;
        if (request.status === 200 && redirected) {
          window.location.assign(request.responseURL);
        } else if (request.status === 200) {
          takeOverStoredFiles(form, request.responseText);
          form.requestSubmit(event.submitter || null);  // no files chosen now: a normal post
        } else {
          status.textContent = status.dataset.failed;
          form.submit();
        }
      });
      request.addEventListener("error", function () {
        status.textContent = status.dataset.failed;
        form.submit();
      });
      box.hidden = false;
      show(0);
      request.send(data);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
