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
