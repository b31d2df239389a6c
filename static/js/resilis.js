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
  }
});
// Long drop-downs (QuickSelect with search): a filter box above the list hides the options that do
// not contain the typed text (accents and case ignored) and selects the first match.
const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
const addFilter = (select) => {
  if (select.dataset.filterReady) return;
  select.dataset.filterReady = "1";
  const box = document.createElement("input");
  box.type = "search";
  box.className = "select-filter";
  box.placeholder = select.dataset.filter;
  box.setAttribute("aria-label", select.dataset.filter);
  if (select.id) box.setAttribute("aria-controls", select.id);
  const status = document.createElement("small");
  status.className = "select-filter-status";
  status.setAttribute("aria-live", "polite");
  select.before(box, status);
  box.addEventListener("input", () => {
    const needle = fold(box.value.trim());
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
    status.textContent = needle && !first ? select.dataset.filterNone : "";
    if (needle && first && (!select.value || select.selectedOptions[0]?.hidden)) select.value = first.value;
  });
};
// Long checkbox lists (QuickCheckboxSelectMultiple with search): same filter box; ticked boxes stay visible.
const addCheckboxFilter = (list) => {
  if (list.dataset.filterReady) return;
  list.dataset.filterReady = "1";
  const box = document.createElement("input");
  box.type = "search";
  box.className = "select-filter";
  box.placeholder = list.dataset.filterCheckboxes;
  box.setAttribute("aria-label", list.dataset.filterCheckboxes);
  if (list.id) box.setAttribute("aria-controls", list.id);
  const status = document.createElement("small");
  status.className = "select-filter-status";
  status.setAttribute("aria-live", "polite");
  list.before(box, status);
  box.addEventListener("input", () => {
    const needle = fold(box.value.trim());
    let shown = 0;
    for (const item of list.children) {
      const ticked = item.querySelector("input:checked") !== null;
      const match = !needle || ticked || fold(item.textContent).includes(needle);
      item.hidden = !match;
      if (match) shown += 1;
    }
    status.textContent = needle && !shown ? list.dataset.filterNone : "";
  });
};
const initFilters = (root) => {
  root.querySelectorAll("select[data-filter]").forEach(addFilter);
  root.querySelectorAll("[data-filter-checkboxes]").forEach(addCheckboxFilter);
};
document.addEventListener("DOMContentLoaded", () => initFilters(document));
document.addEventListener("htmx:load", (event) => initFilters(event.target));
