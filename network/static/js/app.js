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
