// Move focus to the error summary, so keyboard and screen-reader users hear what to fix.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// A form whose button has data-once is sent once: a double click doesn't send it twice.
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button[data-once]");
  if (button) {
    if (button.dataset.sent) {
      event.preventDefault();
    }
    button.dataset.sent = "1";
    button.setAttribute("aria-disabled", "true");
  }
});

// Wide screens show the whole menu: its <details> is opened there and closed again when the window
// narrows. Without this script the menu still opens and closes with its "Meny" button.
(function () {
  var menu = document.querySelector("[data-site-menu]");
  if (!menu || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 64rem)");
  function sync() {
    menu.open = wide.matches;
  }
  sync();
  wide.addEventListener("change", sync);
})();
