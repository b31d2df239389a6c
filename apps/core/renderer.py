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
  with ``django/forms/widgets/attrs.html``; ``django/forms/widgets/textarea.html``.

Escaping is the template engine's: ``conditional_escape`` on every value, SafeData kept as it is. Every
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
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData


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
            out.append(" " + conditional_escape(name))
            if value is not True:
                out.append('="' + _value(value) + '"')
    return "".join(out)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = "" if widget["value"] is None else ' value="' + _value(widget["value"]) + '"'
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f'{value}{_attrs(widget["attrs"])}>')


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return label
    tag = conditional_escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


def _help(field: Any) -> str:
    if not field.help_text:
        return ""
    auto_id = f' id="{conditional_escape(field.auto_id)}_helptext"' if field.auto_id else ""
    return f'<div class="helptext"{auto_id}>{field.help_text}</div>'  # ``|safe``: help texts are ours


def _field(context: Mapping[str, Any]) -> str:
    """``core/forms/field.html``, whitespace included (the renderer strips the ends)."""
    field = context["field"]
    errors = field.errors
    error_list = conditional_escape(errors) if errors else ""
    if field.widget_type == "checkbox":
        return (f'\n  <label for="{conditional_escape(field.id_for_label)}">{conditional_escape(field)} '
                f"{conditional_escape(field.label)}</label>\n  {_help(field)}\n  {error_list}\n")
    fieldset = field.use_fieldset
    if fieldset:
        describedby = field.aria_describedby
        aria = f' aria-describedby="{conditional_escape(describedby)}"' if describedby else ""
        head = f"<fieldset{aria}>\n  {field.legend_tag() if field.label else ''}\n"
    else:
        head = field.label_tag() if field.label else ""
    return (f"\n{head}\n{_help(field)}\n{error_list}\n{conditional_escape(field)}"
            f"{'</fieldset>' if fieldset else ''}\n")


_INPUTS = ("input", "text", "number", "email", "url", "password", "hidden", "checkbox", "date", "datetime", "time",
           "search", "tel", "color")
#: Template name → the function that writes the same HTML.
FAST_TEMPLATES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/label.html": _label,
    "core/forms/field.html": _field,
}


class ResilisFormRenderer(DjangoTemplates):
    """Django's renderer, with single checkboxes drawn inside their label (``core/forms/field.html``) and the
    most used templates written in Python (see the module docstring)."""

    field_template_name = "core/forms/field.html"

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = FAST_TEMPLATES.get(template_name)
        if fast is not None:
            return fast(context).strip()
        return super().render(template_name, context, request)



#: The templates written above in Python, with the digest (sha256, 16 hex) of the text they reproduce.
MIRRORED = {
    "django/forms/widgets/input.html": "770cf3acba1c18b6",
    "django/forms/widgets/attrs.html": "f729483efe44660f",
    "django/forms/widgets/textarea.html": "02fd58fa1a57514d",
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
