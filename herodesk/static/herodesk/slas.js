// SLAs app: a reminder link (?draft=keep-promise-<id>) fills the empty reply box with a draft that keeps the promise.
(function () {
  "use strict";
  function fill() {
    const source = document.querySelector("[data-sla-draft]");
    const box = document.querySelector("#reply-form textarea[name=text]");
    if (!source || !box || box.value.trim()) return;
    box.value = source.getAttribute("data-sla-draft");
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
  else fill();
})();
