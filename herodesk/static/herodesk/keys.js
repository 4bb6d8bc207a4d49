// Keyboard shortcuts for the agent pages (listed in the "?" overlay) and small page behaviours.
(function () {
  "use strict";
  let pendingG = false;
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  const rows = () => Array.from(document.querySelectorAll("[data-list] tr[data-row]"));
  const overlay = () => document.getElementById("shortcuts");

  function select(delta) {
    const all = rows();
    if (!all.length) return;
    let i = all.findIndex((r) => r.classList.contains("selected"));
    if (i >= 0) all[i].classList.remove("selected");
    i = Math.max(0, Math.min(all.length - 1, i + delta));
    all[i].classList.add("selected");
    all[i].scrollIntoView({ block: "nearest" });
  }
  function openSelected() {
    const row = document.querySelector("[data-list] tr.selected");
    if (row) window.location.href = row.dataset.href;
  }
  function focus(selector) {
    const el = document.querySelector(selector);
    if (el) { el.scrollIntoView({ block: "center" }); el.focus(); }
    return el;
  }
  function showTab(name) {
    document.querySelectorAll("[data-pane]").forEach((p) => { p.hidden = p.dataset.pane !== name; });
    document.querySelectorAll("[data-tab]").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  }
  function toggleHelp(force) {
    const o = overlay();
    if (o) o.hidden = force === undefined ? !o.hidden : !force;
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && typing(e.target) && e.target.form) {
      e.preventDefault(); e.target.form.requestSubmit(); return;
    }
    if (e.key === "Escape") { toggleHelp(false); if (typing(e.target)) e.target.blur(); return; }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (pendingG) {
      pendingG = false;
      const go = { i: "/inbox/mine/", u: "/inbox/unassigned/", h: "/hero/" }[e.key];
      if (go) { window.location.href = go; e.preventDefault(); }
      return;
    }
    switch (e.key) {
      case "?": toggleHelp(); break;
      case "/": e.preventDefault(); focus("#search-box"); break;
      case "j": select(1); break;
      case "k": select(-1); break;
      case "o": case "Enter": openSelected(); break;
      case "g": pendingG = true; setTimeout(() => { pendingG = false; }, 1200); break;
      case "c": window.location.href = "/calls/new/"; break;
      case "r": if (document.getElementById("reply-form")) { e.preventDefault(); showTab("reply"); focus("#reply-form textarea"); } break;
      case "n": if (document.getElementById("note-form")) { e.preventDefault(); showTab("note"); focus("#note-form textarea"); } break;
      case "t": if (document.getElementById("transfer-form")) { e.preventDefault(); focus("#transfer-form select"); } break;
      case "e": { const b = document.querySelector('[data-key="e"]'); if (b) b.click(); break; }
      default: return;
    }
  });

  document.addEventListener("click", (e) => {
    const tab = e.target.closest("[data-tab]");
    if (tab) showTab(tab.dataset.tab);
    if (e.target.closest("[data-help-toggle]")) toggleHelp();
    if (e.target === overlay()) toggleHelp(false);
  });

  // Warn about vague promises while the agent is still writing (server checks the text).
  let timer = null;
  document.addEventListener("input", (e) => {
    const form = e.target.closest && e.target.closest("form[data-promise-check]");
    if (!form || e.target.name !== "text") return;
    clearTimeout(timer);
    timer = setTimeout(() => checkPromises(form, e.target.value), 400);
  });
  async function checkPromises(form, text) {
    const hint = form.querySelector("[data-promise-hint]");
    if (!hint) return;
    const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
    const conversationId = Number(form.dataset.conversationId) || null;
    try {
      const res = await fetch("/api/v1/signals/promises", {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ text: text, conversation_id: conversationId }), credentials: "same-origin",
      });
      if (!res.ok) return;
      const data = await res.json();
      showPromiseHint(form, hint, (data.promises || []).filter((p) => p.kind === "vague"));
    } catch (err) { /* the hint is a help, never a blocker */ }
  }
  // Built from text nodes only: the draft is user text and must never become markup.
  function showPromiseHint(form, hint, vague) {
    hint.replaceChildren();
    hint.hidden = vague.length === 0;
    if (!vague.length) return;
    const first = vague[0];
    const line = document.createElement("div");
    const label = document.createElement("strong");
    label.textContent = "Vague promise: ";
    line.append(label, "“" + first.text + "” does not say when. Customers write again when a promise has no time.");
    hint.append(line);
    if (!first.suggestion) return;
    const suggestion = document.createElement("div");
    suggestion.append("Suggested: ");
    const quote = document.createElement("q");
    quote.textContent = first.suggestion;
    const use = document.createElement("button");
    use.type = "button";
    use.className = "small";
    use.dataset.usePromiseSuggestion = "";
    use.textContent = "Use this wording";
    use.addEventListener("click", () => {
      const area = form.querySelector("textarea[name=text]");
      area.value = area.value.includes(first.text) ? area.value.replace(first.text, first.suggestion) : area.value + " " + first.suggestion;
      area.dispatchEvent(new Event("input", { bubbles: true }));
      area.focus();
    });
    suggestion.append(quote, " ", use);
    hint.append(suggestion);
  }
})();
