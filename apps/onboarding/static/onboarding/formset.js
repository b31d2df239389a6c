// « Ajouter une ligne » for the onboarding formsets: clones the formset's empty row (Django's __prefix__) and
// updates TOTAL_FORMS. Without JavaScript the page still works with the rows it shows.
(function () {
  "use strict";
  function setup(section) {
    var prefix = section.getAttribute("data-formset");
    var total = section.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var rows = section.querySelector("[data-formset-rows]");
    var template = section.querySelector("template[data-formset-empty]");
    var button = section.querySelector("[data-formset-add]");
    if (!total || !rows || !template || !button) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-formset]").forEach(setup);
  });
})();
