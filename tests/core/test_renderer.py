"""The form renderer writes the most used form templates in Python: the same bytes as Django's templates.

Every kind of field, unbound, bound, with errors, with hostile strings, with and without ids, is rendered
through ``apps.core.renderer.ResilisFormRenderer`` and through the template engine alone
(``TemplateRenderer``, Django's renderer with the project's field template), and compared. The crawl
(``tests/test_crawl.py``) does the same for every page of the demo's RPCRA.
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.checks import run_checks
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from apps.core import renderer
from apps.core.renderer import FAST_TEMPLATES, ResilisFormRenderer

HOSTILE = '"><script>alert(1)</script>&amp;\'<b>'


class TemplateRenderer(DjangoTemplates):
    """The reference: Django's templates for everything, the project's field template."""

    field_template_name = ResilisFormRenderer.field_template_name


class OwnOptionSelect(forms.Select):
    """A select with its own option template: rendered by Django, not by the Python version."""

    option_template_name = "django/forms/widgets/input_option.html"


class Everything(forms.Form):
    text = forms.CharField(label="Nom <b>&", help_text="Aide <em>riche</em>", max_length=20)
    question = forms.CharField(label=gettext_lazy("Name"), required=False, widget=forms.TextInput(
        attrs={"placeholder": HOSTILE, "data-on": True, "data-off": False, "data-safe": mark_safe("<ok>")}))
    ends_with_colon = forms.CharField(label="Déjà ponctué :", required=False)
    number = forms.IntegerField(min_value=1, max_value=10, help_text=gettext_lazy("Leave empty if unknown."))
    amount = forms.DecimalField(required=False, decimal_places=2, max_digits=8)
    flag = forms.BooleanField(required=False, label="Une case <i>", help_text="Aide de la case")
    flag_no_help = forms.BooleanField(label="Obligatoire")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    at = forms.DateTimeField(required=False)
    hour = forms.TimeField(required=False)
    email = forms.EmailField(required=False)
    website = forms.URLField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}), required=False)
    colour = forms.CharField(widget=forms.TextInput(attrs={"type": "color"}), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    choice = forms.ChoiceField(choices=[("a", "A <x>"), ("b", HOSTILE)], required=False)
    several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B <b>")], widget=forms.CheckboxSelectMultiple,
                                        required=False, help_text="Plusieurs")
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X"), ("y", "Y")], required=False)
    grouped = forms.ChoiceField(choices=[("Groupe <1>", [("a", "A"), ("b", HOSTILE)]), ("c", "C"), (1, [(2, "deux")])],
                                required=False, widget=forms.Select(attrs={"data-filter": "Filtrer…"}))
    typed = forms.TypedChoiceField(choices=[("", "—"), ("1", "1 — faible"), ("4", "4 — majeur")], coerce=int,
                                   required=False, empty_value=None)
    multiple = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y <y>")], required=False)
    unknown = forms.NullBooleanField()
    own_option = forms.ChoiceField(choices=[("a", "A")], required=False, widget=OwnOptionSelect)
    unlabelled = forms.CharField(label="", required=False)
    disabled = forms.CharField(disabled=True, required=False, initial=HOSTILE)
    file = forms.FileField(required=False)


BOUND = {"text": HOSTILE, "question": HOSTILE, "number": "0", "amount": "12.5", "flag": "on", "note": HOSTILE,
         "when": "2026-13-45", "email": "pas une adresse", "secret": HOSTILE, "hidden": HOSTILE, "choice": "b",
         "several": ["a", "b"], "radio": "y", "at": "2026-12-03 10:00", "hour": "25:00", "grouped": "b", "typed": "4",
         "multiple": ["x", "y"], "unknown": "true", "own_option": "a"}
INITIAL = {"text": HOSTILE, "note": "ligne 1\nligne 2 <b>", "when": datetime.date(2026, 12, 3), "number": 4,
           "amount": "3.50", "flag": True, "hidden": 7, "question": mark_safe("<i>sûr</i>"), "grouped": 2, "typed": 1,
           "multiple": ["y"], "unknown": False}


def _pair(**kwargs) -> tuple[forms.Form, forms.Form]:
    return (Everything(renderer=ResilisFormRenderer(), **kwargs), Everything(renderer=TemplateRenderer(), **kwargs))


CASES = {
    "unbound": {},
    "initial": {"initial": INITIAL},
    "bound with errors": {"data": BOUND},
    "bound, valid": {"data": {"text": "Urgences", "number": "3", "flag_no_help": "on"}},
    "no ids": {"auto_id": False, "data": BOUND},
    "prefixed, own ids, no suffix": {"prefix": "p", "auto_id": "x_%s", "label_suffix": "", "initial": INITIAL},
}


@pytest.mark.parametrize("case", CASES)
def test_every_field_renders_as_the_templates_do(case, settings) -> None:
    settings.LANGUAGE_CODE = "fr"
    fast, reference = _pair(**CASES[case])
    fast.required_css_class = reference.required_css_class = "required"
    for name in Everything.base_fields:
        ours, theirs = fast[name], reference[name]
        assert ours.as_field_group() == theirs.as_field_group(), name
        assert str(ours) == str(theirs), name
        assert ours.label_tag() == theirs.label_tag(), name
        assert ours.legend_tag(attrs={"class": HOSTILE}) == theirs.legend_tag(attrs={"class": HOSTILE}), name
    assert fast.render() == reference.render()
    assert "<script>" not in fast.render()  # every hostile string escaped


def test_every_fast_template_has_a_reference_and_the_check_passes() -> None:
    assert set(FAST_TEMPLATES) <= set(renderer.MIRRORED)
    assert not [m for m in run_checks() if m.id == "core.E001"]


def test_a_changed_mirrored_template_fails_the_system_check(monkeypatch) -> None:
    monkeypatch.setitem(renderer.MIRRORED, "django/forms/widgets/input.html", "0000000000000000")
    errors = [m for m in run_checks() if m.id == "core.E001"]
    assert len(errors) == 1 and "django/forms/widgets/input.html" in errors[0].msg


@override_settings(FORM_RENDERER="tests.core.test_renderer.TemplateRenderer")
def test_the_check_stays_silent_with_another_renderer() -> None:
    assert not [m for m in renderer.check_mirrored_templates()]
