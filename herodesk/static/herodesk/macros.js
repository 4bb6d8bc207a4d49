// Saved replies in the compose box: a picker (button or Ctrl+/) that filters as you type, inserts the
// reply with its variables filled for this conversation, and sends through the saved reply's own URL so
// its changes (status, tags, reason, transfer) are applied and its use is counted.
(function () {
  "use strict";
  if (window.herodeskSavedReplies) return; // loaded once, even when htmx swaps the page
  window.herodeskSavedReplies = true;

  const csrf = (form) => { const input = form.querySelector("input[name=csrfmiddlewaretoken]"); return input ? input.value : ""; };
  const box = () => document.querySelector("[data-saved-replies]");
  let results = [];
  let active = -1;
  let timer = null;

  function parts() {
    const root = box();
    if (!root) return null;
    const form = root.closest("form");
    return {
      root, form,
      textarea: form.querySelector("textarea[name=text]"),
      picker: root.querySelector("[data-saved-replies-picker]"),
      filter: root.querySelector("[data-saved-replies-filter]"),
      list: root.querySelector("[data-saved-replies-results]"),
      warnings: root.querySelector("[data-saved-reply-warnings]"),
      used: root.querySelector("[data-saved-reply-used]"),
      hidden: root.querySelector("[data-saved-reply-id]"),
    };
  }

  function open() {
    const p = parts();
    if (!p) return;
    p.picker.hidden = false;
    p.filter.value = "";
    p.filter.focus();
    search("");
  }
  function close(focusText) {
    const p = parts();
    if (!p) return;
    p.picker.hidden = true;
    if (focusText) p.textarea.focus();
  }

  function search(text) {
    fetch("/api/v1/saved-replies?q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : []))
      .then((rows) => { results = rows; active = rows.length ? 0 : -1; draw(); });
  }

  function draw() {
    const p = parts();
    if (!p) return;
    p.list.replaceChildren();
    if (!results.length) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No saved reply matches.";
      p.list.append(li);
      return;
    }
    results.forEach((row, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.index = String(i);
      li.className = i === active ? "active" : "";
      const title = document.createElement("b");
      title.textContent = row.title;
      const scope = document.createElement("span");
      scope.className = "chip";
      scope.textContent = row.scope === "personal" ? "Personal" : row.scope;
      const preview = document.createElement("div");
      preview.className = "muted";
      preview.textContent = row.body.slice(0, 110);
      li.append(title, " ", scope, preview);
      p.list.append(li);
    });
  }

  function insert(row) {
    const p = parts();
    if (!p) return;
    fetch("/api/v1/saved-replies/" + row.id + "/render", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(p.form) },
      body: JSON.stringify({ conversation_id: Number(p.root.dataset.conversationId) }),
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then((done) => {
        const t = p.textarea;
        const start = t.selectionStart ?? t.value.length;
        const end = t.selectionEnd ?? t.value.length;
        t.value = t.value.slice(0, start) + done.text + t.value.slice(end);
        t.selectionStart = t.selectionEnd = start + done.text.length;
        p.hidden.value = String(done.saved_reply_id);
        p.used.hidden = false;
        p.root.querySelector("[data-saved-reply-clear]").hidden = !done.actions.length;
        p.used.textContent = "Using “" + row.title + "”" + (done.actions.length ? ": when sent, also " + done.actions.join(", ") : "");
        p.warnings.hidden = !done.warnings.length;
        p.warnings.replaceChildren(...done.warnings.map((w) => { const d = document.createElement("div"); d.textContent = "⚠ " + w; return d; }));
        close(true);
        t.dispatchEvent(new Event("input", { bubbles: true }));
      })
      .catch(() => { p.warnings.hidden = false; p.warnings.textContent = "⚠ The saved reply could not be inserted; try again."; });
  }

  // htmx's boosted form posts to the URL it read when the page loaded; a reply from a saved reply must go
  // to the saved reply's URL, so that submission is left to the browser (a normal page load).
  document.addEventListener("submit", (e) => {
    const p = parts();
    if (!p || e.target !== p.form || !p.hidden.value) return;
    p.form.setAttribute("action", p.root.dataset.sendUrl);
    e.stopPropagation();
  }, true);

  // The agent keeps the text but sends it as a plain reply: no changes applied, no use counted.
  function forget() {
    const p = parts();
    if (!p) return;
    p.hidden.value = "";
    p.used.hidden = true;
    p.warnings.hidden = true;
    p.root.querySelector("[data-saved-reply-clear]").hidden = true;
  }

  document.addEventListener("click", (e) => {
    if (e.target.closest("[data-saved-replies-open]")) { e.preventDefault(); open(); return; }
    if (e.target.closest("[data-saved-reply-clear]")) { forget(); return; }
    const li = e.target.closest("[data-saved-replies-results] li[data-index]");
    if (li) insert(results[Number(li.dataset.index)]);
  });

  document.addEventListener("input", (e) => {
    if (!e.target.matches("[data-saved-replies-filter]")) return;
    clearTimeout(timer);
    const text = e.target.value;
    timer = setTimeout(() => search(text), 120);
  });

  document.addEventListener("keydown", (e) => {
    const p = parts();
    if (!p) return;
    if (e.key === "/" && (e.ctrlKey || e.metaKey) && (e.target === p.textarea || !p.picker.hidden)) {
      e.preventDefault(); open(); return;
    }
    if (!e.target.matches("[data-saved-replies-filter]")) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!results.length) return;
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + results.length) % results.length;
      draw();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (active >= 0) insert(results[active]);
    } else if (e.key === "Escape") {
      e.preventDefault(); e.stopPropagation(); close(true);
    }
  });
})();
