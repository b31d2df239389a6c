"""QuickSelect: the same <select> Django would render, written without one template per option."""

from __future__ import annotations

import pytest
from django import forms
from django_scopes import scopes_disabled
from lxml import html

from apps.bia.forms import ResourceDependencyForm
from apps.bia.models import Resource
from apps.core.widgets import QuickCheckboxSelectMultiple, QuickSelect


def _parse(markup: str) -> html.HtmlElement:
    return html.fragment_fromstring(str(markup), create_parent="div")


def test_plain_choices_match_django_select() -> None:
    choices = [("", "---------"), ("a", "Alpha <b>"), ("b", "Bêta & co")]

    class Quick(forms.Form):
        pick = forms.ChoiceField(choices=choices, widget=QuickSelect(search="Filtrer"))

    class Plain(forms.Form):
        pick = forms.ChoiceField(choices=choices)

    quick = _parse(Quick(initial={"pick": "b"})["pick"].as_widget()).find("select")
    plain = _parse(Plain(initial={"pick": "b"})["pick"].as_widget()).find("select")
    assert [(o.get("value"), o.text, o.get("selected")) for o in quick.iter("option")] == \
        [(o.get("value"), o.text, o.get("selected")) for o in plain.iter("option")]
    assert quick.get("name") == plain.get("name") == "pick"
    assert quick.get("id") == plain.get("id") == "id_pick"
    assert quick.get("required") is not None
    assert quick.get("data-filter") == "Filtrer"
    # Labels are escaped, never injected as markup.
    assert "<b>" not in str(Quick()["pick"].as_widget()).replace("&lt;b&gt;", "")


def test_nested_choice_groups_are_rendered_as_optgroups() -> None:
    class Quick(forms.Form):
        pick = forms.ChoiceField(choices=[("Fruits", [("a", "Pomme"), ("b", "Poire")]), ("c", "Autre")],
                                 widget=QuickSelect)

    select = _parse(Quick(initial={"pick": "b"})["pick"].as_widget()).find("select")
    group = select.find("optgroup")
    assert group.get("label") == "Fruits"
    assert [o.text for o in group.iter("option")] == ["Pomme", "Poire"]
    assert [o.get("value") for o in select.iter("option") if o.get("selected") is not None] == ["b"]


@pytest.mark.django_db
def test_resource_drop_down_groups_by_kind_and_keeps_validation(org, other_org) -> None:
    organization, other = org, other_org
    with scopes_disabled():
        dpi = Resource.objects.create(organization=organization, name="DPI", kind=Resource.Kind.APPLICATION)
        Resource.objects.create(organization=organization, name="Active Directory", kind=Resource.Kind.INFRASTRUCTURE)
        Resource.objects.create(organization=organization, name="Éditeur <DPI>", kind=Resource.Kind.SUPPLIER)
        foreign = Resource.objects.create(organization=other, name="DPI voisin", kind=Resource.Kind.APPLICATION)
        form = ResourceDependencyForm(organization=organization)
        select = _parse(form["depends_on"].as_widget()).find("select")
        groups = {g.get("label"): [o.text for o in g.iter("option")] for g in select.iter("optgroup")}
        assert groups == {"Application": ["DPI (Application)"],
                          "Infrastructure": ["Active Directory (Infrastructure)"],
                          "Fournisseur": ["Éditeur <DPI> (Fournisseur)"]}
        assert "DPI voisin" not in str(form["depends_on"].as_widget())
        # Validation still goes through the organization's queryset: another tenant's resource is refused.
        refused = ResourceDependencyForm({"depends_on": foreign.pk}, organization=organization)
        assert not refused.is_valid() and "depends_on" in refused.errors
        accepted = ResourceDependencyForm({"depends_on": dpi.pk}, organization=organization)
        assert accepted.is_valid() and accepted.cleaned_data["depends_on"] == dpi


def test_checkbox_list_matches_django_markup() -> None:
    choices = [("1", "Urgences <adultes>"), ("2", "Réanimation"), ("3", "Bloc")]

    class Quick(forms.Form):
        picks = forms.MultipleChoiceField(choices=choices, widget=QuickCheckboxSelectMultiple(search="Filtrer"))

    class Plain(forms.Form):
        picks = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)

    def boxes(markup: str) -> list[tuple]:
        root = _parse(markup)
        return [(i.get("name"), i.get("value"), i.get("id"), i.get("checked") is not None,
                 i.getparent().get("for"), i.getparent().text_content().strip()) for i in root.iter("input")]

    quick = str(Quick(initial={"picks": ["2"]})["picks"].as_widget())
    plain = str(Plain(initial={"picks": ["2"]})["picks"].as_widget())
    assert boxes(quick) == boxes(plain)
    assert boxes(quick)[0][5] == "Urgences <adultes>"  # escaped in the markup, shown as typed
    assert _parse(quick).find("div").get("id") == "id_picks"
    assert _parse(quick).find("div").get("data-filter-checkboxes") == "Filtrer"
    # Submitted values are read back the same way.
    assert Quick({"picks": ["1", "3"]}).is_valid()
