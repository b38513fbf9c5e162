// After htmx swaps in a new page, move focus as a full page load would, so that screen readers
// announce it: to the first error when the page has one, otherwise to its heading.
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail.target !== document.body) return;  // a whole page, not a fragment
  var target = document.querySelector("main [role=alert]") || document.querySelector("main h1");
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
});

// 议事厅 posts: the list polls (data-hx-trigger="every 15s, tabvisible from:document") only while
// the tab is visible. htmx's trigger filters ([document.visibilityState=='visible']) need eval,
// which allowEval:false and the CSP forbid, so the check is here; coming back to the tab asks at
// once. An answer that shows nothing new (the browser revalidated its copy: 304 behind a 200),
// or one that would wipe a reply or an edit being typed, is not swapped in.
(function () {
  var shown = {};  // the ETag of what each polling list shows, by its address
  function polls(elt) { return !!(elt && elt.hasAttribute && elt.hasAttribute("data-poll")); }
  function typing(list) {
    return Array.prototype.some.call(list.querySelectorAll("textarea, input[name=reason]"), function (f) {
      return f === document.activeElement || f.value !== f.defaultValue;
    });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (polls(event.detail.elt) && document.visibilityState !== "visible") event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") document.dispatchEvent(new Event("tabvisible"));
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var list = event.detail.elt;
    if (!polls(list)) return;
    var xhr = event.detail.xhr;
    var url = list.getAttribute("data-hx-get");
    var tag = xhr.getResponseHeader("ETag");
    if (xhr.status === 304 || (tag && shown[url] === tag) || typing(list)) {
      event.detail.shouldSwap = false;
      return;
    }
    if (tag) shown[url] = tag;
  });
})();

// After a one-tap step replaces a row (or a confirmation appears in place), focus goes to what
// came in, as the server marked it (data-focus-after-swap), so the person carries on from the
// same place and a screen reader reads what changed; the mark is taken off once used.
document.addEventListener("htmx:afterSwap", function (event) {
  var swapped = event.target;
  if (!swapped || !swapped.querySelector) return;
  var target = swapped.matches("[data-focus-after-swap]")
    ? swapped
    : swapped.querySelector("[data-focus-after-swap]");
  if (!target) return;
  target.removeAttribute("data-focus-after-swap");
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
});
