"""Forms of the guided flow; every choice queryset is limited to the organization in ``__init__``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.bia.models import Activity, CarePerimeter, OrgUnit
from apps.continuity.models import DegradedMode, PlanVersion, ReflexSheet, Scenario
from apps.core.forms import OrgForm, RowMultipleChoiceField, form_field
from apps.core.widgets import QuickCheckboxSelectMultiple
from apps.tenants.models import Establishment, Membership

if TYPE_CHECKING:
    from apps.tenants.models import Organization

class ActivitiesField(RowMultipleChoiceField):
    """Activities labelled with their establishment, CaRE perimeter and DMIA, from ``values_list``: the perimeter
    step lists every activity of the organization (300–1,200 in a GHT), with no model object per box."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(columns=("name", "establishment__short_name", "establishment__name", "care_perimeter",
                                  "dmia_override_hours", "dmia_derived_hours"), **kwargs)
        perimeters = {value: str(label) for value, label in CarePerimeter.choices}

        def label(row: tuple[Any, ...]) -> str:
            _pk, name, short_name, establishment, perimeter, hand, derived = row
            parts = [name, short_name or establishment]
            if perimeter != CarePerimeter.NONE:
                parts.append(perimeters.get(perimeter, perimeter))
            dmia = hand if hand is not None else derived
            if dmia is not None:
                parts.append(f"DMIA {dmia} h")
            return " — ".join(parts)

        self.option_label = label


class ApproverField(forms.ModelChoiceField):
    """Members labelled with their name (or e-mail) and role."""

    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.get_full_name() or obj.user.email} — {obj.get_role_display()}"


class PerimeterForm(OrgForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    care_perimeter = forms.ChoiceField(label=_("CaRE perimeter"), choices=CarePerimeter.choices)
    establishment = forms.ModelChoiceField(label=_("Establishment"), queryset=Establishment.objects.none(),
                                           required=False)
    unit = forms.ModelChoiceField(label=_("Pôle or service"), queryset=OrgUnit.objects.none(), required=False)
    activities = ActivitiesField(
        label=_("Activities of the perimeter"), queryset=Activity.objects.none(),
        widget=QuickCheckboxSelectMultiple(search=_("Filter the activities…")), required=False,
        help_text=_("The activities of the BIA this plan covers. Leave empty to take those of the chosen pôle or "
                    "service."))
    scenarios = forms.ModelMultipleChoiceField(
        label=_("Scenarios"), queryset=Scenario.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Information system unavailable is mandatory for CaRE; add at least one other scenario."))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        form_field(self, "establishment", forms.ModelChoiceField).queryset = (
            Establishment.objects.filter(organization=organization).order_by("name"))
        form_field(self, "unit", forms.ModelChoiceField).queryset = (
            OrgUnit.objects.filter(organization=organization).order_by("name"))
        # CaRE minimum perimeters first, then the others.
        form_field(self, "activities", ActivitiesField).queryset = (
            Activity.objects.filter(organization=organization).order_by("care_perimeter", "name"))
        form_field(self, "scenarios", forms.ModelMultipleChoiceField).queryset = (
            Scenario.objects.filter(organization=organization).order_by("id"))
        # Perimeter tags in the order CaRE lists them (the minimum ones before « None »).
        form_field(self, "care_perimeter", forms.ChoiceField).choices = [
            c for c in CarePerimeter.choices if c[0] != CarePerimeter.NONE] + [
            c for c in CarePerimeter.choices if c[0] == CarePerimeter.NONE]


class DegradedModeForm(forms.ModelForm):
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none())
    scenario = forms.ModelChoiceField(label=_("Scenario"), queryset=Scenario.objects.none())

    class Meta:
        model = DegradedMode
        fields = ["activity", "scenario", "trigger", "decided_by", "activation_delay_hours", "procedure",
                  "paper_forms", "minimum_staff", "fallback_premises", "data_capture", "data_reentry"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in
                   ("trigger", "paper_forms", "data_capture", "data_reentry")} | {
            "procedure": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, organization: Organization, activities: list[Activity], scenarios: list[Scenario],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "activity", forms.ModelChoiceField).queryset = Activity.objects.filter(
            organization=organization, pk__in=[a.pk for a in activities])
        form_field(self, "scenario", forms.ModelChoiceField).queryset = Scenario.objects.filter(
            organization=organization, pk__in=[s.pk for s in scenarios])

    def _post_clean(self) -> None:  # the service validates the instance it writes
        pass


class NotApplicableForm(forms.Form):
    """« Sans objet »: this activity needs no degraded mode under this scenario, and why."""

    activity = forms.ModelChoiceField(label=_("Activity needing no degraded mode"), queryset=Activity.objects.none())
    scenario = forms.ModelChoiceField(label=_("Under the scenario"), queryset=Scenario.objects.none())
    reason = forms.CharField(label=_("Why no degraded mode is needed"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)

    def __init__(self, *args: Any, organization: Organization, activities: list[Activity], scenarios: list[Scenario],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "activity", forms.ModelChoiceField).queryset = Activity.objects.filter(
            organization=organization, pk__in=[a.pk for a in activities])
        form_field(self, "scenario", forms.ModelChoiceField).queryset = Scenario.objects.filter(
            organization=organization, pk__in=[s.pk for s in scenarios])


class ReflexSheetForm(forms.ModelForm):
    class Meta:
        model = ReflexSheet
        fields = ["role", "first_actions", "who_to_call", "do_not", "order"]
        widgets = {"first_actions": forms.Textarea(attrs={"rows": 8}), "who_to_call": forms.Textarea(attrs={"rows": 4}),
                   "do_not": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def _post_clean(self) -> None:
        pass


class ReturnCommunicationForm(forms.ModelForm):
    class Meta:
        model = PlanVersion
        fields = ["return_checks", "return_data_reentry", "return_communication", "communication_internal",
                  "communication_patients", "communication_ars", "communication_press"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def _post_clean(self) -> None:
        pass


class RecoveryMoveForm(forms.Form):
    position = forms.IntegerField(label=_("New position"), min_value=1)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    confirm_dependency = forms.BooleanField(
        label=_("Restore it before a system it depends on anyway (the plan will carry a warning)"), required=False)

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ApproverForm(forms.Form):
    approver = ApproverField(label=_("Named approver"), queryset=Membership.objects.none(), required=False,
                             help_text=_("Besides the direction, this member may approve the plan."))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "approver", forms.ModelChoiceField).queryset = (
            Membership.objects.filter(organization=organization).select_related("user").order_by("user__last_name"))


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("Version"), min_value=1)
    b = forms.IntegerField(label=_("compared with version"), min_value=1)

    def __init__(self, *args: Any, versions: list[PlanVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"v{v.number} — {v.get_status_display()}") for v in versions]
        self.fields["a"] = forms.TypedChoiceField(label=_("Version"), choices=choices, coerce=int)
        self.fields["b"] = forms.TypedChoiceField(label=_("compared with version"), choices=choices, coerce=int)
