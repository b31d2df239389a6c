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
const initFilters = (root) => root.querySelectorAll("select[data-filter]").forEach(addFilter);
document.addEventListener("DOMContentLoaded", () => initFilters(document));
document.addEventListener("htmx:load", (event) => initFilters(event.target));
