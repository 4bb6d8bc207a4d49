// Working as a team: typing presence, @mentions in notes, bulk selection in the inbox, viewers on inbox rows.
// Everything is delegated from document, so it keeps working across hx-boost page swaps.
(function () {
  "use strict";
  const TYPING_IDLE_MS = 8000;
  const INBOX_POLL_MS = 10000;
  let lastTyped = 0;

  // --- Presence on the conversation screen: tell the others I am typing (the 5 s poll carries it) ---
  function typingField() { return document.querySelector("#presence-state [data-typing]"); }
  function pokePresence() {
    const bar = document.getElementById("presence");
    if (bar && window.htmx) window.htmx.trigger(bar, "presence-now");
  }
  document.addEventListener("input", (e) => {
    const area = e.target;
    if (!area || area.name !== "text") return;
    const form = area.closest("#reply-form, #note-form");
    const field = typingField();
    if (!form || !field) return;
    const kind = form.id === "reply-form" ? "reply" : "note";
    lastTyped = Date.now();
    if (field.value !== kind) { field.value = kind; pokePresence(); }
  });
  setInterval(() => {
    const field = typingField();
    if (field && field.value && Date.now() - lastTyped > TYPING_IDLE_MS) { field.value = ""; pokePresence(); }
  }, 2000);

  function csrfToken() {
    const input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function leaveConversation() {
    const bar = document.getElementById("presence");
    if (!bar || !bar.dataset.leaveUrl || !navigator.sendBeacon) return;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    navigator.sendBeacon(bar.dataset.leaveUrl, body);
  }
  window.addEventListener("pagehide", leaveConversation);
  document.addEventListener("htmx:beforeHistorySave", leaveConversation);

  // --- @mentions in the note box: typing @ offers the agents who may open the conversation ---
  let menu = null;
  let menuState = null; // { area, start, items, index }

  function agentsFor(area) {
    const source = document.getElementById(area.dataset.mentions);
    if (!source) return [];
    try { return JSON.parse(source.textContent); } catch (err) { return []; }
  }
  function closeMenu() { if (menu) menu.remove(); menu = null; menuState = null; }
  function renderMenu() {
    if (!menuState) return;
    if (!menu) {
      menu = document.createElement("ul");
      menu.className = "mention-list";
      menu.setAttribute("role", "listbox");
      menu.dataset.testid = "mention-list";
      menuState.area.insertAdjacentElement("afterend", menu);
    }
    menu.replaceChildren();
    menuState.items.forEach((agent, i) => {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      item.className = i === menuState.index ? "active" : "";
      const name = document.createElement("b");
      name.textContent = agent.name;
      const handle = document.createElement("span");
      handle.className = "muted";
      handle.textContent = " @" + agent.username;
      item.append(name, handle);
      item.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(i); });
      menu.append(item);
    });
  }
  function pick(i) {
    if (!menuState) return;
    const { area, start } = menuState;
    const agent = menuState.items[i];
    const caret = area.selectionStart;
    const insert = "@" + agent.username + " ";
    area.value = area.value.slice(0, start) + insert + area.value.slice(caret);
    area.selectionStart = area.selectionEnd = start + insert.length;
    closeMenu();
    area.focus();
  }
  document.addEventListener("input", (e) => {
    const area = e.target;
    if (!area || !area.dataset || !area.dataset.mentions) return;
    const before = area.value.slice(0, area.selectionStart);
    const match = /(^|\s)@([\w.+-]*)$/.exec(before);
    if (!match) { closeMenu(); return; }
    const query = match[2].toLowerCase();
    const items = agentsFor(area).filter((a) =>
      a.username.toLowerCase().startsWith(query) || a.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(query))
    ).slice(0, 8);
    if (!items.length) { closeMenu(); return; }
    menuState = { area, start: before.length - match[2].length - 1, items, index: 0 };
    renderMenu();
  });
  document.addEventListener("keydown", (e) => {
    if (!menuState || e.target !== menuState.area) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const n = menuState.items.length;
      menuState.index = (menuState.index + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      renderMenu();
    } else if ((e.key === "Enter" || e.key === "Tab") && !e.ctrlKey && !e.metaKey) {
      e.preventDefault(); e.stopImmediatePropagation(); pick(menuState.index);
    } else if (e.key === "Escape") {
      e.stopImmediatePropagation(); closeMenu();
    }
  }, true);
  document.addEventListener("focusout", (e) => { if (menuState && e.target === menuState.area) setTimeout(closeMenu, 150); });

  // --- Bulk selection in the inbox: checkboxes, x on the selected row, the bar shows what applies ---
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  function updateBulk() {
    const form = document.querySelector("[data-bulk]");
    if (!form) return;
    const picked = document.querySelectorAll("[data-list] input[data-pick]:checked").length;
    const count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = picked ? picked + " selected" : "Select rows (x) to change several at once";
    const apply = form.querySelector("[data-bulk-apply]");
    if (apply) apply.disabled = picked === 0;
    const action = form.querySelector("[data-bulk-action]");
    form.querySelectorAll("[data-for]").forEach((el) => { el.hidden = action && el.dataset.for !== action.value; });
    document.querySelectorAll("[data-list] tr[data-row]").forEach((row) => {
      const box = row.querySelector("input[data-pick]");
      row.classList.toggle("picked", !!(box && box.checked));
    });
  }
  document.addEventListener("change", (e) => {
    if (e.target.matches("[data-pick-all]")) {
      document.querySelectorAll("[data-list] input[data-pick]").forEach((box) => { box.checked = e.target.checked; });
    }
    if (e.target.matches("[data-pick], [data-pick-all], [data-bulk-action]")) updateBulk();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "x" || typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const row = document.querySelector("[data-list] tr.selected") || document.querySelector("[data-list] tr[data-row]");
    const box = row && row.querySelector("input[data-pick]");
    if (!box) return;
    if (!row.classList.contains("selected")) row.classList.add("selected");
    box.checked = !box.checked;
    updateBulk();
    e.preventDefault();
  });
  document.addEventListener("htmx:load", updateBulk);
  document.addEventListener("DOMContentLoaded", updateBulk);

  // --- Who else has each inbox row open: initials next to the owner, refreshed every 10 s ---
  async function refreshViewers() {
    const table = document.querySelector("[data-list][data-presence-url]");
    if (!table || document.hidden) return;
    const ids = Array.from(table.querySelectorAll("tr[data-id]")).map((r) => r.dataset.id).slice(0, 100);
    if (!ids.length) return;
    try {
      const res = await fetch(table.dataset.presenceUrl + "?ids=" + ids.join(","), { credentials: "same-origin" });
      if (!res.ok) return;
      const data = await res.json();
      table.querySelectorAll("[data-viewers]").forEach((cell) => {
        const people = data[cell.dataset.viewers] || [];
        cell.replaceChildren(...people.map((p) => {
          const span = document.createElement("span");
          span.className = "avatar" + (p.typing ? " typing" : "");
          span.title = p.name + (p.typing ? " is typing" : " is viewing");
          span.textContent = p.initials;
          return span;
        }));
      });
    } catch (err) { /* presence is a help, never a blocker */ }
  }
  setInterval(refreshViewers, INBOX_POLL_MS);
})();
