// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]")) {
    target.form.submit();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // One click sends once: a POST form's buttons are disabled once it is on its way (after this event, so
  // the clicked button's name and value are still sent). The server refuses a replayed form token too.
  if (form.method.toLowerCase() === "post" && !form.hasAttribute("data-no-disable")) {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    window.setTimeout(() => {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach((button) => {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
      });
    }, 0);
  }
});
// Back/forward cache: a page shown again must have its buttons back.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent]").forEach((form) => {
    delete form.dataset.sent;
    form.querySelectorAll("button[aria-busy], input[aria-busy]").forEach((button) => {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
});
// Long lists (apps/core/widgets.py, with ``search``): a filter box above the list hides what does not
// contain the typed text (accents and case ignored), and says so when nothing is left.
const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
// ``filter(needle)`` hides the non-matching items and returns whether any item is still shown.
const addFilterBox = (list, placeholder, filter) => {
  if (list.dataset.filterReady) return;
  list.dataset.filterReady = "1";
  const box = document.createElement("input");
  box.type = "search";
  box.className = "select-filter";
  box.placeholder = placeholder;
  box.setAttribute("aria-label", placeholder);
  if (list.id) box.setAttribute("aria-controls", list.id);
  const status = document.createElement("small");
  status.className = "select-filter-status";
  status.setAttribute("aria-live", "polite");
  list.before(box, status);
  box.addEventListener("input", () => {
    const needle = fold(box.value.trim());
    const any = filter(needle);
    status.textContent = needle && !any ? list.dataset.filterNone : "";
  });
};
// A drop-down (QuickSelect): options and their group's label are searched; the first match is selected.
const filterSelect = (select) => addFilterBox(select, select.dataset.filter, (needle) => {
  let first = null;
  for (const option of select.options) {
    const text = `${option.text} ${option.parentElement.label || ""}`;
    const match = !needle || !option.value || fold(text).includes(needle);
    option.hidden = !match;
    if (match && option.value && !first) first = option;
  }
  for (const group of select.querySelectorAll("optgroup")) {
    group.hidden = ![...group.children].some((option) => !option.hidden);
  }
  if (needle && first && (!select.value || select.selectedOptions[0]?.hidden)) select.value = first.value;
  return first !== null;
});
// A checkbox list (QuickCheckboxSelectMultiple): ticked boxes always stay visible.
const filterCheckboxes = (list) => addFilterBox(list, list.dataset.filterCheckboxes, (needle) => {
  let shown = 0;
  for (const item of list.children) {
    const ticked = item.querySelector("input:checked") !== null;
    item.hidden = !(!needle || ticked || fold(item.textContent).includes(needle));
    if (!item.hidden) shown += 1;
  }
  return shown > 0;
});
const initFilters = (root) => {
  root.querySelectorAll("select[data-filter]").forEach(filterSelect);
  root.querySelectorAll("[data-filter-checkboxes]").forEach(filterCheckboxes);
};
document.addEventListener("DOMContentLoaded", () => initFilters(document));
document.addEventListener("htmx:load", (event) => initFilters(event.target));
// Navigation on a narrow screen (< 900 px): the journey's sidebar folds behind the « Menu » button of the header
// (a disclosure: aria-expanded on the button, aria-controls names the sidebar). Escape folds it back.
const NARROW = window.matchMedia("(max-width: 900px)");
const initNavToggle = () => {
  const button = document.querySelector(".nav-toggle");
  const sidebar = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!button || !sidebar) return;
  const show = (open) => {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    sidebar.dataset.collapsed = open ? "false" : "true";
  };
  show(!NARROW.matches);
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    show(open);
    if (open) sidebar.querySelector("a")?.focus();
  });
  sidebar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && NARROW.matches) {
      show(false);
      button.focus();
    }
  });
  NARROW.addEventListener("change", () => show(!NARROW.matches));
};
document.addEventListener("DOMContentLoaded", initNavToggle);
// Search fields of the long lists (apps/core/widgets.py SearchSelect, the ARIA combobox pattern): htmx fills
// the listbox with the matches of the typed text; ↓/↑ move through them, Enter or a click chooses one (it
// becomes the only option of the hidden <select> the form submits), Escape closes the list. Without
// JavaScript the « Search » button and the short <select> of matches stay.
const initCombobox = (box) => {
  if (box.dataset.comboboxReady) return;
  box.dataset.comboboxReady = "1";
  const input = box.querySelector("[role=combobox]");
  const listbox = box.querySelector("[role=listbox]");
  const choice = box.querySelector("select[data-combobox-choice]");
  const status = box.querySelector("[role=status]");
  box.querySelector("[data-combobox-fallback]")?.remove();  // Enter then submits with the form's own button
  choice.hidden = true;
  choice.setAttribute("aria-hidden", "true");
  choice.tabIndex = -1;
  choice.required = false;  // a hidden control cannot take the browser's « required » bubble: the server says it
  let chosen = choice.value ? choice.selectedOptions[0].text : "";
  const options = () => [...listbox.querySelectorAll("[role=option]:not([aria-disabled=true])")];
  const active = () => listbox.querySelector("[aria-selected=true]");
  const open = (yes) => {
    listbox.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
    if (!yes) input.removeAttribute("aria-activedescendant");
  };
  const activate = (option) => {
    for (const other of listbox.querySelectorAll("[aria-selected=true]")) other.setAttribute("aria-selected", "false");
    if (!option) return input.removeAttribute("aria-activedescendant");
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  };
  const choose = (option) => {
    choice.replaceChildren(new Option(option.textContent, option.dataset.value, true, true));
    input.value = chosen = option.textContent;
    open(false);
    status.textContent = `${option.textContent} ✓`;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
  };
  listbox.addEventListener("htmx:afterSwap", () => {
    listbox.querySelectorAll("[role=option]").forEach((option, index) => { option.id = `${listbox.id}-${index}`; });
    const count = options().length;
    status.textContent = count ? "" : listbox.textContent.trim();
    open(listbox.children.length > 0 && document.activeElement === input);
    activate(null);
  });
  input.addEventListener("input", () => {
    if (input.value !== chosen && choice.value) choice.replaceChildren(new Option("", "", true, true));
  });
  input.addEventListener("keydown", (event) => {
    const list = options();
    const index = list.indexOf(active());
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (listbox.hidden) {
        if (listbox.children.length) open(true); else htmx.trigger(input, "combobox:open");
        if (!list.length) return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(list[(index + step + list.length) % list.length] || list[0]);
    } else if (event.key === "Enter") {
      if (!listbox.hidden && index >= 0) { event.preventDefault(); choose(list[index]); }
      else if (!listbox.hidden || !choice.value) event.preventDefault();  // never submit without a choice
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      open(false);
    }
  });
  input.addEventListener("blur", () => setTimeout(() => open(false), 150));
  listbox.addEventListener("mousedown", (event) => event.preventDefault());  // keep the focus in the box
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]:not([aria-disabled=true])");
    if (option) choose(option);
  });
};
const initComboboxes = (root) => root.querySelectorAll("[data-combobox]").forEach(initCombobox);
document.addEventListener("DOMContentLoaded", () => initComboboxes(document));
document.addEventListener("htmx:load", (event) => initComboboxes(event.target));
