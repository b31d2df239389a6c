"""Forms of the crisis day: every choice limited to the organization (and the member's establishments) by
``apps.core.forms``; the services validate again what they write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.bia.models import Resource
from apps.continuity.models import PlanVersion, Scenario
from apps.core.forms import MemberChoiceField, OrgForm, form_field
from apps.crisis.models import MAX_SIMULATION_HOURS, KitCopy, KitPlace, Simulation
from apps.exercises.forms import VersionsField
from apps.tenants.models import Establishment, Membership

if TYPE_CHECKING:
    from apps.tenants.models import Organization


class ActivateForm(OrgForm):
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("E.g. « Rançongiciel — DPI indisponible »."))
    scenario = forms.ModelChoiceField(label=_("Scenario"), queryset=Scenario.objects.none())
    versions = VersionsField(label=_("Plans activated"), queryset=PlanVersion.objects.none(),
                             widget=forms.CheckboxSelectMultiple,
                             help_text=_("Their approved version is followed as it was frozen."))
    establishment = forms.ModelChoiceField(label=_("Establishment"), queryset=Establishment.objects.none(),
                                           required=False, empty_label=_("The whole organization"))
    is_exercise = forms.BooleanField(label=_("This is an exercise"), required=False)
    simulation = forms.ModelChoiceField(label=_("« What if » used as scenario"), queryset=Simulation.objects.none(),
                                        required=False)
    description = forms.CharField(label=_("What happened"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("I confirm: activate the crisis now and notify the crisis cell"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        form_field(self, "versions", forms.ModelMultipleChoiceField).queryset = (
            PlanVersion.objects.filter(organization=organization, status=PlanVersion.Status.APPROVED,
                                       plan__is_archived=False).select_related("plan").order_by("plan__title"))
        form_field(self, "scenario", forms.ModelChoiceField).queryset = (
            Scenario.objects.filter(organization=organization).order_by("id"))


class CloseForm(forms.Form):
    closing_note = forms.CharField(label=_("Closing note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("How the crisis ended, the state of the systems, what comes next."))


class KitCopyForm(OrgForm):
    establishment = forms.ModelChoiceField(label=_("Kit of"), queryset=Establishment.objects.none(), required=False,
                                           empty_label=_("The whole organization"))
    format = forms.ChoiceField(label=_("Format"), choices=KitCopy.Format.choices)
    holder_member = MemberChoiceField(label=_("Holder (member)"), queryset=Membership.objects.none(), required=False,
                                      help_text=_("Told by e-mail when the copy is out of date."))
    holder_name = forms.CharField(label=_("Holder (if not a member)"), max_length=150, required=False)
    place = forms.ChoiceField(label=_("Kept at"), choices=KitPlace.choices)
    place_detail = forms.CharField(label=_("Place details"), max_length=200, required=False)
    planned_total = forms.IntegerField(label=_("Copies planned in all"), min_value=1, max_value=999, initial=1)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        form_field(self, "holder_member", forms.ModelChoiceField).queryset = (
            Membership.objects.filter(organization=organization).select_related("user").order_by("user__email"))


class SimulationForm(OrgForm):
    resources = forms.ModelMultipleChoiceField(label=_("Resources down"), queryset=Resource.objects.none(),
                                               widget=forms.SelectMultiple(attrs={"size": 10}))
    duration_hours = forms.IntegerField(label=_("Duration (hours)"), min_value=1, max_value=MAX_SIMULATION_HOURS,
                                        initial=72)
    establishment = forms.ModelChoiceField(label=_("Activities of"), queryset=Establishment.objects.none(),
                                           required=False, empty_label=_("The whole organization"))
    title = forms.CharField(label=_("Title (to save it)"), max_length=200, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        form_field(self, "resources", forms.ModelMultipleChoiceField).queryset = (
            Resource.objects.filter(organization=organization).order_by("kind", "name"))
