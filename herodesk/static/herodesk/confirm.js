// Ask before a change that cannot be undone (forms with data-confirm: merge, delete, deactivate).
(function () {
  "use strict";
  if (window.herodeskConfirm) return;
  window.herodeskConfirm = true;
  document.addEventListener("submit", (e) => {
    const form = e.target.closest && e.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      e.preventDefault();
      e.stopPropagation(); // before htmx's boosted submit
    }
  }, true);
})();
