// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so that screen-reader users hear the problems first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();

// Upload progress: send the attachment form with XMLHttpRequest to show a progress bar; the
// form still works as a plain form without JavaScript.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-upload]");
    if (!form || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var box = form.querySelector("[data-upload-progress]");
      var bar = box ? box.querySelector("progress") : null;
      if (!bar) {
        return;
      }
      event.preventDefault();
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL) {
          // Show the page the upload redirected to, at the documents (XMLHttpRequest drops
          // the fragment, and a change of fragment alone would not reload the page).
          var target = xhr.responseURL.split("#")[0];
          if (target === window.location.href.split("#")[0]) {
            window.location.hash = "attachments";
            window.location.reload();
          } else {
            window.location.assign(target + "#attachments");
          }
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        form.submit();
      });
      xhr.send(new FormData(form));
    });
  });
})();

// Training, explain mode: step through the findings with the arrow keys (or the Next and
// Previous links) without reloading the page; the status line is an aria-live region, so
// screen readers announce each step. Without JavaScript the links load the next page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-explain]");
    if (!root || !window.fetch || !window.DOMParser || !window.history.pushState) {
      return;
    }
    var busy = false;

    function show(url, push) {
      if (busy) {
        return;
      }
      busy = true;
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html");
          var step = next.querySelector("[data-explain-step]");
          var status = next.querySelector("[data-explain-status]");
          if (!step || !status) {
            throw new Error("not an explain page");
          }
          root.querySelector("[data-explain-step]").innerHTML = step.innerHTML;
          root.querySelector("[data-explain-status]").textContent =
            status.textContent + " \u2014 " +
            (step.querySelector("h1") ? step.querySelector("h1").textContent.trim() : "");
          document.title = next.title;
          if (push) {
            window.history.pushState({ explain: true }, "", url);
          }
          busy = false;
        })
        .catch(function () {
          window.location.assign(url);
        });
    }

    function go(which) {
      var link = root.querySelector("[data-explain-" + which + "]");
      if (link) {
        show(link.href, true);
      }
    }

    root.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("[data-explain-next], [data-explain-prev]") : null;
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      show(link.href, true);
    });

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var target = event.target;
      var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
      if (tag === "input" || tag === "textarea" || tag === "select" ||
          (target && target.isContentEditable)) {
        return;
      }
      var rtl = document.documentElement.getAttribute("dir") === "rtl";
      var forward = rtl ? "ArrowLeft" : "ArrowRight";
      var backward = rtl ? "ArrowRight" : "ArrowLeft";
      if (event.key === forward || event.key === "PageDown") {
        event.preventDefault();
        go("next");
      } else if (event.key === backward || event.key === "PageUp") {
        event.preventDefault();
        go("prev");
      }
    });

    window.addEventListener("popstate", function () {
      show(window.location.href, false);
    });
  });
})();

// Findings that quote the words of a field: select those words in the field (on a click on
// "Show these words in the field", and when a page is opened from such a link).
(function () {
  "use strict";
  function mark(fieldId, start, end) {
    var box = document.getElementById(fieldId);
    var control = box ? box.querySelector("textarea, input") : null;
    if (!control || !control.setSelectionRange) {
      return false;
    }
    var from = Math.max(0, Math.min(parseInt(start, 10) || 0, control.value.length));
    var to = Math.max(from, Math.min(parseInt(end, 10) || 0, control.value.length));
    box.scrollIntoView({ block: "center" });
    control.focus();
    control.setSelectionRange(from, to);
    return true;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("a[data-mark-field]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var here = link.pathname === window.location.pathname;
        if (here && mark(link.dataset.markField, link.dataset.markStart, link.dataset.markEnd)) {
          event.preventDefault();
        }
      });
    });
  });
  // After the browser has moved to the address's fragment (which takes the focus away).
  window.addEventListener("load", function () {
    var params = new URLSearchParams(window.location.search);
    var range = /^(\d+)-(\d+)$/.exec(params.get("mark") || "");
    if (range && params.get("field")) {
      window.setTimeout(function () {
        mark(params.get("field"), range[1], range[2]);
      }, 0);
    }
  });
})();

// Checks of uploaded documents: while one runs, ask for the verdicts every few seconds and show
// them in the list without reloading the page (what the user is typing elsewhere stays). Without
// JavaScript the page's link shows the result.
(function () {
  "use strict";
  function tag(kind, text) {
    var strong = document.createElement("strong");
    strong.className = "usa-tag portal-tag portal-tag--" + kind;
    strong.textContent = text;
    return strong;
  }
  function show(box, row, item) {
    var cell = row.querySelector("[data-check-message]");
    var pages = row.querySelector("[data-check-pages]");
    row.setAttribute("data-check-state", item.state);
    if (!cell) {
      return;
    }
    cell.textContent = "";
    if (item.state === "accepted") {
      cell.appendChild(tag("done", box.getAttribute("data-accepted-label")));
      if (pages) {
        pages.textContent = item.pages;
      }
      var name = row.querySelector("th bdi");
      if (name && !name.closest("a")) {
        var link = document.createElement("a");
        link.className = "usa-link";
        link.href = row.getAttribute("data-download-url");
        link.setAttribute("download", "");
        name.parentNode.insertBefore(link, name);
        link.appendChild(name);
      }
    } else if (item.state === "refused") {
      cell.appendChild(tag("blocker", box.getAttribute("data-refused-label")));
      var reason = document.createElement("span");
      reason.className = "usa-error-message";
      reason.textContent = " " + item.message;
      cell.appendChild(reason);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-checks-url]");
    if (!box || !window.fetch) {
      return;
    }
    var url = box.getAttribute("data-checks-url");
    var tries = 0;
    function poll() {
      if (!document.querySelector('tr[data-check-state="checking"]') || tries > 200) {
        return;
      }
      tries += 1;
      window.fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body) {
            var refused = false;
            body.attachments.forEach(function (item) {
              var row = document.querySelector('tr[data-attachment="' + item.id + '"]');
              if (row && row.getAttribute("data-check-state") === "checking" &&
                  item.state !== "checking") {
                show(box, row, item);
              }
              refused = refused || item.state === "refused";
            });
            if (!document.querySelector('tr[data-check-state="checking"]')) {
              var running = box.querySelector("[data-checks-running]");
              if (running) {
                running.hidden = true;
              }
              if (refused && !box.querySelector(".usa-alert--error")) {
                var note = document.createElement("p");
                note.className = "usa-error-message";
                note.textContent = box.getAttribute("data-refused-note");
                box.appendChild(note);
              }
            }
          }
          window.setTimeout(poll, 3000);
        })
        .catch(function () { window.setTimeout(poll, 6000); });
    }
    window.setTimeout(poll, 1500);
  });
})();
