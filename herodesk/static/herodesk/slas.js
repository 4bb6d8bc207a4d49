// SLAs app on the conversation screen:
// - a reminder link (?draft=keep-promise-<id>) fills the empty reply box with a draft that keeps the promise;
// - with an upset customer, the draft is checked against what helps (acknowledge, next step with a time,
//   closed questions, no blame, what you CAN do). Each point is explained; nothing ever blocks sending.
(function () {
  "use strict";
  function box() { return document.querySelector("#reply-form textarea[name=text]"); }

  function fillDraft() {
    const source = document.querySelector("[data-sla-draft]");
    const area = box();
    if (!source || !area || area.value.trim()) return;
    area.value = source.getAttribute("data-sla-draft");
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  let timer = null;
  function watchDraft() {
    const panel = document.querySelector("[data-deescalate]");
    const area = box();
    if (!panel || !area) return;
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => check(panel, area.value), 500);
    });
    if (area.value.trim()) check(panel, area.value);
  }

  async function check(panel, text) {
    const form = document.getElementById("reply-form");
    const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    try {
      const res = await fetch("/api/v1/slas/deescalation", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ conversation_id: Number(form.dataset.conversationId), text: text }),
      });
      if (!res.ok) return;
      const data = await res.json();
      (data.points || []).forEach((p) => show(panel, p));
    } catch (err) { /* a help, never a blocker */ }
  }

  // Text nodes only: the evidence is the agent's own draft and must never become markup.
  function show(panel, point) {
    const item = panel.querySelector('[data-point="' + point.key + '"]');
    if (!item) return;
    item.classList.toggle("ok", point.ok);
    item.classList.toggle("todo", !point.ok);
    const text = item.querySelector("[data-point-text]");
    text.replaceChildren((point.ok ? "✓ " : "→ ") + point.explanation);
    if (point.evidence && point.evidence.length) {
      const q = document.createElement("q");
      q.textContent = point.evidence.slice(0, 2).join("”, “");
      text.append(" ", q);
    }
  }

  function start() { fillDraft(); watchDraft(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
