// Background jobs: every progress bar of a queued or running job asks the job's status
// URL every two seconds and moves; when the job ends the page reloads once to show
// the outcome (state, error, result link).
(function () {
  "use strict";
  var POLL_MILLISECONDS = 2000;

  function label(status) {
    var done = status.progress_done.toLocaleString();
    return status.progress_total ? done + " / " + status.progress_total.toLocaleString() : done;
  }

  function poll(element) {
    var url = element.getAttribute("data-status-url");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status === null) { return; }
        var bar = element.querySelector("progress");
        if (status.progress_total) {
          bar.max = status.progress_total;
          bar.value = status.progress_done;
        }
        element.querySelector(".job-progress-label").textContent = label(status);
        element.setAttribute("data-state", status.state);
        if (status.state === "done" || status.state === "failed") {
          window.location.reload();
          return;
        }
        window.setTimeout(function () { poll(element); }, POLL_MILLISECONDS);
      })
      .catch(function () {
        window.setTimeout(function () { poll(element); }, POLL_MILLISECONDS * 5);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".job-progress[data-status-url]").forEach(function (element) {
      window.setTimeout(function () { poll(element); }, POLL_MILLISECONDS);
    });
  });
})();
