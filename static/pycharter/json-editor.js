/*
 * PyCharter's JSON editor: enhances every <textarea data-json-editor> of a page.
 *
 * It checks the JSON as the steward types, says where an error is (line and column),
 * pretty-prints on request, indents with Tab, and stops the form from being sent while
 * any editor holds invalid JSON. The server checks everything again; this only saves
 * a round trip. No dependencies, no network.
 */
(function () {
  "use strict";

  var INDENT = "  ";

  function lineAndColumn(text, position) {
    var before = text.slice(0, position);
    var lines = before.split("\n");
    return { line: lines.length, column: lines[lines.length - 1].length + 1 };
  }

  function describeError(text, error) {
    var message = String(error.message || error);
    var where = /line (\d+) column (\d+)/.exec(message);
    if (!where) {
      var position = /position (\d+)/.exec(message);
      if (position) {
        var place = lineAndColumn(text, Number(position[1]));
        where = [null, place.line, place.column];
      }
    }
    message = message.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+/, "");
    return where ? "Line " + where[1] + ", column " + where[2] + ": " + message : message;
  }

  /* The problem with the editor's text, or "" when it is fine. */
  function problemOf(textarea) {
    var text = textarea.value;
    if (text.trim() === "") {
      return textarea.required ? "This field is required." : "";
    }
    var value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return "Not valid JSON. " + describeError(text, error);
    }
    if (textarea.hasAttribute("data-json-object") &&
        (value === null || typeof value !== "object" || Array.isArray(value))) {
      return "Must be a JSON object: { ... }.";
    }
    return "";
  }

  function enhance(textarea) {
    var toolbar = document.createElement("div");
    toolbar.className = "pycharter-json-toolbar";
    var format = document.createElement("button");
    format.type = "button";
    format.textContent = "Format";
    format.title = "Pretty-print the JSON";
    var status = document.createElement("span");
    status.className = "pycharter-json-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.id = textarea.id + "_json_status";
    textarea.setAttribute("aria-describedby",
      ((textarea.getAttribute("aria-describedby") || "") + " " + status.id).trim());
    toolbar.appendChild(format);
    toolbar.appendChild(status);
    // One block for the editor and its toolbar: admin form rows lay their children out in a row.
    var frame = document.createElement("div");
    frame.className = "pycharter-json-frame";
    textarea.parentNode.insertBefore(frame, textarea);
    frame.appendChild(textarea);
    frame.appendChild(toolbar);

    function check() {
      var problem = problemOf(textarea);
      textarea.classList.toggle("pycharter-json-invalid", problem !== "");
      textarea.setAttribute("aria-invalid", problem !== "" ? "true" : "false");
      status.classList.toggle("pycharter-json-status-error", problem !== "");
      status.textContent = problem || (textarea.value.trim() ? "Valid JSON" : "");
      return problem;
    }

    var pending = null;
    textarea.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(check, 250);
    });
    textarea.addEventListener("blur", check);
    textarea.addEventListener("keydown", function (event) {
      if (event.key !== "Tab" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      event.preventDefault();
      var start = textarea.selectionStart;
      var end = textarea.selectionEnd;
      textarea.setRangeText(INDENT, start, end, "end");
      textarea.dispatchEvent(new Event("input"));
    });
    format.addEventListener("click", function () {
      if (check() || !textarea.value.trim()) {
        return;
      }
      textarea.value = JSON.stringify(JSON.parse(textarea.value), null, 2);
      check();
    });
    textarea.pycharterCheck = check;
    if (textarea.value.trim()) {
      check();
    }
  }

  function guard(form) {
    form.addEventListener("submit", function (event) {
      var editors = form.querySelectorAll("textarea[data-json-editor]");
      var firstInvalid = null;
      for (var index = 0; index < editors.length; index += 1) {
        if (editors[index].pycharterCheck() && firstInvalid === null) {
          firstInvalid = editors[index];
        }
      }
      if (firstInvalid !== null) {
        event.preventDefault();
        firstInvalid.focus();
        firstInvalid.scrollIntoView({ block: "center" });
      }
    });
  }

  function start() {
    var editors = document.querySelectorAll("textarea[data-json-editor]");
    var forms = [];
    for (var index = 0; index < editors.length; index += 1) {
      enhance(editors[index]);
      if (editors[index].form && forms.indexOf(editors[index].form) === -1) {
        forms.push(editors[index].form);
      }
    }
    forms.forEach(guard);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
