// After htmx swaps in a new page, move focus as a full page load would, so that screen readers
// announce it: to the first error when the page has one, otherwise to its heading.
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail.target !== document.body) return;  // a whole page, not a fragment
  var target = document.querySelector("main [role=alert]") || document.querySelector("main h1");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
});
