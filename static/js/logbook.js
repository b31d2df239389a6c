// Main courante (apps/core/logbook.py): every entry typed is saved at once. Each one first goes to a queue kept in
// this browser (localStorage, one per log) with its idempotency key and the time it was typed, then is sent; when
// the network is down it waits, and it is sent again when the browser fires "online" (and every few seconds while
// something waits). The server records a key once, so a resend never duplicates an entry. Only a refusal of the
// entry itself (400, 404) drops it, with the reason shown; a lost session (403, redirect to the login page) keeps it.
// No inline script: the form carries its configuration in data- attributes (CSP script-src 'self').
(() => {
  const RETRY_MS = 5000;

  const uuid = () => {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = window.crypto.getRandomValues(new Uint8Array(16)); // plain http on a LAN: no randomUUID
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };

  const storeKey = (form) => `resilis:logbook:${new URL(form.action, window.location.href).pathname}`;
  const load = (form) => {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey(form)) || "[]");
    } catch (error) {
      return [];
    }
  };
  const save = (form, items) => {
    try {
      window.localStorage.setItem(storeKey(form), JSON.stringify(items));
    } catch (error) {
      // Storage full or forbidden: the entry is still sent now, it just cannot wait for the network.
    }
  };
  const csrf = (form) => {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  const pendingRow = (form, item) => {
    const list = document.getElementById(form.dataset.logbookPending);
    let row = list.querySelector(`[data-key="${item.key}"]`);
    if (!row) {
      row = document.createElement("li");
      row.dataset.key = item.key;
      row.className = "logbook-row logbook-pending-row";
      const time = document.createElement("time");
      time.dateTime = item.occurred_at;
      time.textContent = new Date(item.occurred_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      const text = document.createElement("span");
      text.className = "logbook-text";
      text.textContent = item.fields.text;
      const status = document.createElement("small");
      status.className = "logbook-status";
      row.append(time, " ", text, " ", status);
      list.prepend(row);
    }
    return row;
  };
  const setStatus = (row, label, state) => {
    row.querySelector(".logbook-status").textContent = label;
    row.dataset.state = state;
  };

  const insertEntry = (form, html) => {
    const list = document.getElementById(form.dataset.logbookList);
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const entry = holder.content.firstElementChild;
    if (!list || !entry) return;
    if (entry.dataset.key && list.querySelector(`[data-key="${entry.dataset.key}"]`)) return; // a poll brought it
    const empty = list.querySelector(".logbook-empty");
    if (empty) empty.remove();
    list.prepend(entry);
  };

  const flushing = new WeakSet();
  const again = new WeakSet(); // asked to send while a send was running: run once more after it
  const flush = async (form) => {
    if (flushing.has(form)) {
      again.add(form);
      return;
    }
    flushing.add(form);
    let blocked = false;
    try {
      for (const item of load(form)) {
        const row = pendingRow(form, item);
        setStatus(row, form.dataset.labelSending, "sending");
        const body = new FormData();
        Object.entries(item.fields).forEach(([name, value]) => body.append(name, value));
        body.append("key", item.key);
        body.append("occurred_at", item.occurred_at);
        body.append("csrfmiddlewaretoken", csrf(form));
        let response;
        try {
          response = await window.fetch(form.action, {
            method: "POST", body, credentials: "same-origin", redirect: "manual",
            headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrf(form) },
          });
        } catch (error) {
          setStatus(row, form.dataset.labelWaiting, "waiting"); // offline: keep it, try again later
          blocked = true;
          return;
        }
        if (response.type === "opaqueredirect" || response.status === 403) {
          setStatus(row, form.dataset.labelLogin, "waiting"); // session lost: keep it until the user is back
          blocked = true;
          return;
        }
        if (response.status >= 500 || response.status === 0 || response.status === 408 || response.status === 429) {
          setStatus(row, form.dataset.labelWaiting, "waiting");
          blocked = true;
          return;
        }
        save(form, load(form).filter((queued) => queued.key !== item.key));
        if (response.ok) {
          insertEntry(form, await response.text());
          row.remove();
        } else {
          setStatus(row, `${form.dataset.labelRefused} ${await response.text()}`, "refused");
        }
      }
    } finally {
      flushing.delete(form);
      if (again.has(form)) {
        again.delete(form);
        if (!blocked) flush(form);
      }
    }
  };

  const setUp = (form) => {
    if (form.dataset.logbookReady) return;
    form.dataset.logbookReady = "1";
    const text = form.querySelector("[name=text]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = (text.value || "").trim();
      if (!value) return;
      const fields = {};
      for (const [name, field] of new FormData(form).entries()) {
        if (typeof field === "string" && !["csrfmiddlewaretoken", "key", "occurred_at"].includes(name)) {
          fields[name] = field;
        }
      }
      fields.text = value;
      const item = { key: uuid(), occurred_at: new Date().toISOString(), fields };
      save(form, [...load(form), item]);
      pendingRow(form, item);
      text.value = "";
      const who = form.querySelector("[name=who]");
      if (who) who.value = "";
      text.focus();
      flush(form);
    });
    load(form).forEach((item) => pendingRow(form, item));
    window.addEventListener("online", () => flush(form));
    window.setInterval(() => {
      if (load(form).length && navigator.onLine !== false) flush(form);
    }, RETRY_MS);
    flush(form);
  };

  const init = (root) => root.querySelectorAll("form[data-logbook]").forEach(setUp);
  document.addEventListener("DOMContentLoaded", () => init(document));
})();
