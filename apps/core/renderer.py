"""The form renderer: Django's templates, with the few that every form draws many times written in Python.

A page with two small forms renders about thirty tiny templates (each field's group, its label, its widget,
the widget's attributes); through the template engine each costs a context, a lookup per variable and an
include, and together they were a sixth of the questionnaire's dependencies step. The functions below
produce the same bytes as these Django templates (``tests/core/test_renderer.py`` renders fields of every
kind both ways, hostile strings included, and compares them):

- ``core/forms/field.html`` (the project's field group: Django's ``django/forms/field.html`` inlined, a
  single checkbox inside its label);
- ``django/forms/label.html`` with ``django/forms/attrs.html`` (labels and legends);
- ``django/forms/widgets/input.html`` and the widgets that only include it (text, number, e-mail, date…),
  with ``django/forms/widgets/attrs.html``; ``django/forms/widgets/textarea.html``;
- ``django/forms/widgets/select.html`` with ``select_option.html`` (Select, SelectMultiple, NullBooleanSelect;
  a widget with its own option template goes through Django).

Every ``{{ value }}`` goes through Django's own ``render_value_in_context`` (local time, localized, escaped
unless safe); ``|stringformat:'s'`` keeps SafeData as it is and escapes the rest. Every
other template goes through Django. The system check ``core.E001`` (``check_mirrored_templates``) fails when
one of the mirrored templates is not the text the Python was written from (a Django upgrade changed it, the
project overrode it, ``core/forms/field.html`` was edited): the Python version would silently ignore it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.core import checks
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import escape
from django.utils.safestring import SafeData

_CONTEXT = Context(autoescape=True)  # what ``{{ value }}`` does: local time, localized, escaped unless safe


def _out(value: Any) -> str:
    """``{{ value }}``."""
    return render_value_in_context(value, _CONTEXT)


def _value(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the text of the value, escaped unless it is already safe."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: Mapping[str, Any] | None) -> str:
    """``django/forms/attrs.html`` and ``django/forms/widgets/attrs.html`` (the same loop)."""
    if not attrs:
        return ""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _out(name))
            if value is not True:
                out.append('="' + _value(value) + '"')
    return "".join(out)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = "" if widget["value"] is None else ' value="' + _value(widget["value"]) + '"'
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = _out(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _select(context: Mapping[str, Any]) -> str | None:
    """``django/forms/widgets/select.html`` with ``select_option.html`` (``None``: another option template)."""
    widget = context["widget"]
    out = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            # The option template's file ends with a newline, which the include keeps.
            out.append(f'\n  <option value="{_value(option["value"])}"{_attrs(option["attrs"])}>{_out(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _label(context: Mapping[str, Any]) -> str:
    label = _out(context["label"])
    if not context["use_tag"]:
        return label
    tag = _out(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _help(field: Any) -> str:
    if not field.help_text:
        return ""
    auto_id = f' id="{_out(field.auto_id)}_helptext"' if field.auto_id else ""
    return f'<div class="helptext"{auto_id}>{field.help_text}</div>'  # ``|safe``: help texts are ours


def _field(context: Mapping[str, Any]) -> str:
    """``core/forms/field.html``, whitespace included (the renderer strips the ends)."""
    field = context["field"]
    errors = field.errors
    error_list = _out(errors) if errors else ""
    if field.widget_type == "checkbox":
        return (f'\n  <label for="{_out(field.id_for_label)}">{_out(field)} {_out(field.label)}</label>\n'
                f"  {_help(field)}\n  {error_list}\n")
    fieldset = field.use_fieldset
    if fieldset:
        describedby = field.aria_describedby
        aria = f' aria-describedby="{_out(describedby)}"' if describedby else ""
        head = f"<fieldset{aria}>\n  {field.legend_tag() if field.label else ''}\n"
    else:
        head = field.label_tag() if field.label else ""
    return (f"\n{head}\n{_help(field)}\n{error_list}\n{_out(field)}"
            f"{'</fieldset>' if fieldset else ''}\n")


_INPUTS = ("input", "text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime", "time",
           "search", "tel", "color")
#: Template name → the function that writes the same HTML.
FAST_TEMPLATES: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/label.html": _label,
    "core/forms/field.html": _field,
}


class ResilisFormRenderer(DjangoTemplates):
    """Django's renderer, with single checkboxes drawn inside their label (``core/forms/field.html``) and the
    most used templates written in Python (see the module docstring)."""

    field_template_name = "core/forms/field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST_TEMPLATES.get(template_name)
        html = fast(context) if fast is not None else None
        if html is not None:
            return html.strip()
        return super().render(template_name, context, request)


#: The templates written above in Python, with the digest (sha256, 16 hex) of the text they reproduce.
MIRRORED = {
    "django/forms/widgets/input.html": "770cf3acba1c18b6",
    "django/forms/widgets/attrs.html": "f729483efe44660f",
    "django/forms/widgets/textarea.html": "02fd58fa1a57514d",
    "django/forms/widgets/select.html": "ed4d11ce3784486f",
    OPTION_TEMPLATE: "37fa6c7742580aa3",
    "django/forms/label.html": "d1b2427488fc1b97",
    "django/forms/attrs.html": "5053e00975c20246",
    "core/forms/field.html": "2c573cb7a60b595a",
    **{f"django/forms/widgets/{name}.html": "7d7a5bc4ccc075bb" for name in _INPUTS if name != "input"},
}


def template_digest(name: str) -> str:
    template = get_default_renderer().get_template(name)
    return hashlib.sha256(template.template.source.encode()).hexdigest()[:16]


@checks.register(checks.Tags.templates)
def check_mirrored_templates(**kwargs: Any) -> list[checks.CheckMessage]:
    """``core.E001``: each template the renderer writes in Python is still the text it was written from."""
    if not isinstance(get_default_renderer(), ResilisFormRenderer):
        return []
    return [
        checks.Error(f"The form template {name} changed (digest {digest}); apps.core.renderer writes it in Python "
                     f"from the text of digest {expected}.", hint="Update the Python function and MIRRORED.",
                     id="core.E001")
        for name, expected in MIRRORED.items() if (digest := template_digest(name)) != expected
    ]
