"""Form widgets shared by the apps.

``QuickSelect`` exists for the long drop-downs of a large establishment (400 resources, 300
activities). Django renders every ``<option>`` through its own template; on the BIA resource page
that cost ~20 ms per request for one 400-option list, most of the page's server time. This widget
writes the same markup in Python, can group model choices in ``<optgroup>`` and, with ``search``,
asks ``static/js/resilis.js`` to add a filter box above the list (the list still works without
JavaScript, with the browser's own type-ahead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class QuickSelect(forms.Select):
    """A single ``<select>`` rendered without per-option templates.

    ``group_by(instance) -> str`` (model choices only) puts consecutive options with the same key in
    one ``<optgroup>``: order the queryset by that key. ``search`` is the filter box's placeholder.
    """

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Iterable[Any] = (), *,
                 group_by: Callable[[Any], str] | None = None, search: StrOrPromise | None = None) -> None:
        super().__init__(attrs, choices)
        self.group_by = group_by
        self.search = search

    def __deepcopy__(self, memo: dict[int, Any]) -> QuickSelect:
        obj = super().__deepcopy__(memo)
        obj.group_by, obj.search = self.group_by, self.search
        return obj

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.search:
            final_attrs["data-filter"] = str(self.search)
            final_attrs["data-filter-none"] = gettext("No match: clear the filter to see the whole list.")
        selected = set(self.format_value(value))
        parts: list[str] = [format_html("<select name=\"{}\"{}>", name, flatatt(final_attrs))]
        group: str | None = None
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # a plain (group, [(value, label), …]) choice
                parts.append(self._close(group))
                group = None
                parts.append(format_html("<optgroup label=\"{}\">", option_value))
                parts.extend(self._option(v, sub, selected) for v, sub in label)
                parts.append("</optgroup>")
                continue
            if self.group_by is not None and isinstance(option_value, ModelChoiceIteratorValue):
                key = str(self.group_by(option_value.instance))  # type: ignore[attr-defined]  # missing from the stubs
                if key != group:
                    parts.append(self._close(group))
                    parts.append(format_html("<optgroup label=\"{}\">", key))
                    group = key
            parts.append(self._option(option_value, label, selected))
        parts.append(self._close(group))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped by format_html/conditional_escape

    @staticmethod
    def _close(group: str | None) -> str:
        return "</optgroup>" if group is not None else ""

    @staticmethod
    def _option(value: Any, label: Any, selected: set[str]) -> str:
        text = "" if value is None else str(value)
        return "<option value=\"{}\"{}>{}</option>".format(
            conditional_escape(text), " selected" if text in selected else "", conditional_escape(label))


class QuickCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Django's checkbox list markup (``<div id><div><label for><input> label</label></div>…</div>``)
    written in Python: 300 activities cost ~25 ms through the per-option templates. ``search`` asks
    ``resilis.js`` for a filter box above the list; checked boxes always stay visible."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Iterable[Any] = (), *,
                 search: StrOrPromise | None = None) -> None:
        super().__init__(attrs, choices)
        self.search = search

    def __deepcopy__(self, memo: dict[int, Any]) -> QuickCheckboxSelectMultiple:
        obj = super().__deepcopy__(memo)
        obj.search = self.search
        return obj

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        base_id = final_attrs.pop("id", None)
        container = {"id": base_id, "class": final_attrs.pop("class", None)}
        if self.search:
            container["data-filter-checkboxes"] = str(self.search)
            container["data-filter-none"] = gettext("No match: clear the filter to see the whole list.")
        selected = set(self.format_value(value))
        parts: list[str] = [format_html("<div{}>", flatatt(container))]
        for index, (option_value, label) in enumerate(self.choices):
            text = "" if option_value is None else str(option_value)
            option_id = f"{base_id}_{index}" if base_id else None
            parts.append(format_html(
                "<div><label{}><input type=\"checkbox\" name=\"{}\" value=\"{}\"{}{}{}> {}</label></div>",
                flatatt({"for": option_id}), name, text, flatatt({"id": option_id}), flatatt(final_attrs),
                " checked" if text in selected else "", label))
        parts.append("</div>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped by format_html


class SearchSelect(QuickSelect):
    """A search field for a list too long for one drop-down (``apps.core.forms.SearchChoiceField``).

    Up to the field's ``threshold`` rows it renders the ``QuickSelect`` drop-down. Beyond, the page never
    lists every row: a labelled search box with the ARIA combobox pattern (``role="combobox"``,
    ``aria-controls`` its ``listbox``, ``aria-expanded``; ``static/js/resilis.js`` adds the arrow keys, Enter
    and Escape) asks the search endpoint through htmx for at most ``limit`` matching rows. Without
    JavaScript, the « Search » button re-submits the form and the short ``<select>`` under the box offers
    the matches of the typed text (nothing else typed in the form is lost: it comes back with the page).
    """

    source: Any = None  # the SearchChoiceField, bound by the field (rows, labels and the search itself)
    query: str = ""
    searched = False  # the form came back from the « Search » button (no JavaScript)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        self.query = str(data.get(f"{name}_q", ""))[:100]
        self.searched = bool(data.get(f"{name}_search"))
        return super().value_from_datadict(data, files, name)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        source = self.source
        if source is None or not source.is_long():
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.pop("data-filter", None)
        base_id = final_attrs.pop("id", None) or f"id_{name}"
        required = " required" if final_attrs.pop("required", False) else ""
        selected = None if value in (None, "") else source.row_label(value)
        # Nothing typed yet: no row is read (the box asks the endpoint when it opens; without JavaScript, the
        # « Search » button re-submits the form with the typed text).
        options, more = source.search_options(self.query) if self.query.strip() else ([], False)
        if selected is not None and all(str(pk) != str(selected[0]) for pk, _label in options):
            options = [selected, *options]
        text = self.query or (selected[1] if selected is not None else "")
        listbox, hint, status = f"{base_id}_listbox", f"{base_id}_hint", f"{base_id}_status"
        htmx = flatatt({"hx-get": source.search_url, "hx-trigger": "input changed delay:200ms, combobox:open",
                        "hx-target": f"#{listbox}", "hx-swap": "innerHTML", "hx-sync": "this:replace"}
                       ) if source.search_url else ""
        describedby = " ".join(filter(None, [hint, final_attrs.pop("aria-describedby", None)]))
        aria = flatatt({k: v for k, v in final_attrs.items() if k.startswith("aria-")})  # aria-invalid after an error
        parts = [
            "<div class=\"combobox\" data-combobox>",
            format_html(
                "<div class=\"combobox-search\"><input type=\"search\" id=\"{}\" name=\"{}_q\" value=\"{}\" "
                "role=\"combobox\" aria-autocomplete=\"list\" aria-expanded=\"false\" aria-controls=\"{}\" "
                "aria-describedby=\"{}\" autocomplete=\"off\" spellcheck=\"false\" placeholder=\"{}\"{}{}>"
                "<button type=\"submit\" name=\"{}_search\" value=\"1\" formnovalidate class=\"secondary\" "
                "data-combobox-fallback>{}</button></div>",
                base_id, name, text, listbox, describedby, gettext("Type part of the name…"), aria, htmx,
                name, gettext("Search")),
            format_html("<ul id=\"{}\" role=\"listbox\" aria-label=\"{}\" class=\"combobox-listbox\" hidden></ul>",
                        listbox, gettext("Results: %(label)s") % {"label": source.label or name}),
            format_html("<select name=\"{}\" id=\"{}_choice\" aria-label=\"{}\" data-combobox-choice{}>",
                        name, base_id, gettext("Choose among the results"), mark_safe(required)),  # noqa: S308 - a constant
            self._option("", source.empty_label or "---------", set()),
            *(self._option(pk, label, {str(value)} if value not in (None, "") else set()) for pk, label in options),
            "</select>",
            format_html("<small id=\"{}\" class=\"help\">{}</small>", hint, gettext(
                "Accents and case are ignored; at most %(limit)s results: type more letters to narrow them.")
                % {"limit": source.limit}),
            format_html("<small id=\"{}\" class=\"combobox-status\" role=\"status\">{}</small>", status,
                        gettext("More results: type more letters.") if more else ""),
            "</div>",
        ]
        return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every piece is escaped by format_html
