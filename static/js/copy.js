/* "Copy link" buttons: `<button data-copy-target="ID" hidden>` copies the value of the input
   #ID. Without JavaScript (or without the clipboard API) the button stays hidden and the
   read-only input is there to select and copy by hand. No inline scripts: the CSP allows none. */
(function () {
  "use strict";

  function status(button, text) {
    var box = button.closest("article, section, form, div");
    var live = box && box.parentNode ? box.parentNode.querySelector(".copy-status") : null;
    if (live) live.textContent = text;
  }

  function init() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      var input = document.getElementById(button.dataset.copyTarget);
      if (!input) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(
          function () { status(button, "Link copied."); },
          function () { input.select(); status(button, "Press Ctrl+C (⌘C) to copy the selected link."); }
        );
      });
    });
    document.querySelectorAll("input.select-all[readonly]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
