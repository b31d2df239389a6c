"""Forms of the exercises: every choice is limited to the organization (and the member's establishments) by
``apps.core.forms``; the services validate again what they write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.bia.models import Activity, Resource
from apps.continuity.models import PlanVersion, Scenario
from apps.core.forms import (
    MemberChoiceField,
    OrgForm,
    OrgModelForm,
    Refinement,
    SearchChoiceField,
    form_field,
)
from apps.core.widgets import QuickCheckboxSelectMultiple, SearchSelect
from apps.exercises.models import (
    ExerciseScope,
    Finding,
    Format,
    Objective,
    Participant,
    ScheduledTest,
    Stimulus,
    StimulusTemplate,
)
from apps.governance.models import CrisisRole
from apps.tenants.models import Establishment, Membership, Site

if TYPE_CHECKING:
    from apps.exercises.models import Exercise
    from apps.tenants.models import Organization

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]


class VersionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: PlanVersion) -> str:
        approved = f" — {timezone.localtime(obj.approved_at):%d/%m/%Y}" if obj.approved_at else ""
        return f"{obj.plan.title} — v{obj.number}{approved}"


class ActivitiesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Activity) -> str:
        return f"{obj.name} — {obj.establishment}"


class SitesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return f"{obj.name} ({obj.establishment})"


class ExerciseForm(OrgForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices, initial=Format.FIELD,
                               help_text=_("Only a field exercise « en conditions réelles » counts for CaRE D2.O1.D; a "
                                           "table-top or simulated exercise prepares it."))
    scope = forms.ChoiceField(label=_("Kind of test"), choices=ExerciseScope.choices, initial=ExerciseScope.PCA,
                              help_text=_("A restoration, a failover or a maintenance switch-over tests the IT only: it "
                                          "never counts as a PCA test (record restorations in « Restoration tests »)."))
    scenario = forms.ModelChoiceField(label=_("Scenario"), queryset=Scenario.objects.none(),
                                      help_text=_("A PCA test starts from a cyber incident: information system "
                                                  "unavailable."))
    cyber_triggered = forms.BooleanField(label=_("Triggered by a cyber incident"), required=False, initial=True)
    plan_versions = VersionsField(
        label=_("Approved plans tested"), queryset=PlanVersion.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The approved version is tested as it was frozen, never the draft being edited."))
    activities = ActivitiesField(
        label=_("Activities played"), queryset=Activity.objects.none(), required=False,
        widget=QuickCheckboxSelectMultiple(search=_("Filter the activities…")),
        help_text=_("Leave empty to play every activity of the plans tested."))
    establishments = forms.ModelMultipleChoiceField(
        label=_("Establishments covered"), queryset=Establishment.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The establishments of the activities and sites chosen are added. For a GHT, the establishments "
                    "tested must weigh at least 66 % of the combined activity."))
    sites = SitesField(label=_("Sites (FINESS EG)"), queryset=Site.objects.none(), required=False,
                       widget=forms.CheckboxSelectMultiple,
                       help_text=_("Leave empty when every site of the establishments takes part."))
    planned_start = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_WIDGET,
                                        input_formats=DATETIME_FORMATS)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=7 * 24 * 60,
                                          initial=180)
    owner = MemberChoiceField(label=_("Lead"), queryset=Membership.objects.none(), required=False,
                              help_text=_("Reminded 30 and 7 days before the exercise."))
    context = forms.CharField(label=_("Context given to the players"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Printed in the player kit; the chronogramme is not."))
    animation_notes = forms.CharField(label=_("Scenario for the animation team"), required=False, max_length=20000,
                                      widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, organization: Organization, exercise: Exercise | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, instance=exercise, **kwargs)
        versions = PlanVersion.objects.filter(organization=organization, status=PlanVersion.Status.APPROVED,
                                              plan__is_archived=False)
        if exercise is not None and exercise.pk:
            versions = versions | PlanVersion.objects.filter(organization=organization, pk__in=exercise.tested_versions
                                                             .values("version_id"))
        form_field(self, "plan_versions", forms.ModelMultipleChoiceField).queryset = (
            versions.select_related("plan").order_by("plan__title", "-number").distinct())
        form_field(self, "activities", forms.ModelMultipleChoiceField).queryset = (
            Activity.objects.filter(organization=organization).select_related("establishment").order_by("name"))
        form_field(self, "establishments", forms.ModelMultipleChoiceField).queryset = (
            Establishment.objects.filter(organization=organization).order_by("name"))
        form_field(self, "sites", forms.ModelMultipleChoiceField).queryset = (
            Site.objects.filter(organization=organization).select_related("establishment")
            .order_by("establishment__name", "name"))
        form_field(self, "scenario", forms.ModelChoiceField).queryset = (
            Scenario.objects.filter(organization=organization).order_by("id"))
        if exercise is not None and exercise.pk:
            for name, related, column in (("plan_versions", "tested_versions", "version_id"),
                                          ("activities", "exercise_activities", "activity_id"),
                                          ("establishments", "exercise_establishments", "establishment_id"),
                                          ("sites", "exercise_sites", "site_id")):
                self.initial[name] = list(getattr(exercise, related).values_list(column, flat=True))
            if exercise.planned_start:
                self.initial["planned_start"] = timezone.localtime(exercise.planned_start)


class RecordRunForm(forms.Form):
    debex_at = forms.DateTimeField(label=_("DEBEX (start)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)
    finex_at = forms.DateTimeField(label=_("FINEX (end)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ExerciseChildForm(OrgModelForm):
    """A form of one exercise's rows: choices limited to the organization, and to the exercise where it says so."""

    def __init__(self, *args: Any, organization: Organization, exercise: Exercise, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        self.exercise = exercise
        if "objective" in self.fields:
            form_field(self, "objective", forms.ModelChoiceField).queryset = Objective.objects.filter(
                organization=organization, exercise=exercise)

    def _post_clean(self) -> None:  # the service validates the row it writes (with its exercise)
        pass


class ObjectiveForm(ExerciseChildForm):
    choice_refinements: ClassVar[dict[str, Refinement]] = {
        "bia.Resource": lambda qs: qs.filter(kind__in=("application", "infrastructure")).order_by("name"),
        "bia.Activity": lambda qs: qs.order_by("name"),
    }
    # Options from values_list (a large GHT has 1,000+ activities and systems): no model object per option;
    # past 200 rows, a search field answered by the exercise's own endpoints (``objective-*-search``).
    activity = SearchChoiceField(label=_("Activity"), queryset=Activity.objects.none(), required=False,
                                 columns=("name", "establishment__short_name", "establishment__name"),
                                 option_label=lambda row: f"{row[1]} — {row[2] or row[3]}",  # GHTs repeat names
                                 search_columns=("name", "establishment__short_name", "establishment__name"),
                                 widget=SearchSelect(search=_("Filter the list…")),
                                 help_text=_("For a degraded-mode objective: the activity that switches."))
    resource = SearchChoiceField(label=_("System"), queryset=Resource.objects.none(), required=False,
                                 widget=SearchSelect(search=_("Filter the list…")),
                                 help_text=_("For an RTA or RPA objective: the system restored."))

    def __init__(self, *args: Any, organization: Organization, exercise: Exercise, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, exercise=exercise, **kwargs)
        for name, url in (("activity", "exercises:objective-activity-search"),
                          ("resource", "exercises:objective-system-search")):
            form_field(self, name, SearchChoiceField).search_url = reverse(
                url, kwargs={"org_slug": organization.slug, "pk": exercise.pk})

    class Meta:
        model = Objective
        fields = ["kind", "statement", "target_minutes", "activity", "resource", "observation_points", "order"]
        widgets = {"observation_points": forms.Textarea(attrs={"rows": 4})}


class ParticipantForm(ExerciseChildForm):
    member = MemberChoiceField(label=_("Member"), queryset=Membership.objects.none(), required=False)
    crisis_role = forms.ModelChoiceField(label=_("Crisis-cell role held"), queryset=CrisisRole.objects.none(),
                                         required=False)

    class Meta:
        model = Participant
        fields = ["role", "function", "job_title", "member", "external_name", "phone", "crisis_role"]


class StimulusForm(ExerciseChildForm):
    objective = forms.ModelChoiceField(label=_("Objective"), queryset=Objective.objects.none(), required=False)

    class Meta:
        model = Stimulus
        fields = ["offset_minutes", "sender", "recipient", "channel", "content", "expected_reaction", "objective",
                  "order"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "expected_reaction": forms.Textarea(attrs={"rows": 2})}


class FindingForm(ExerciseChildForm):
    objective = forms.ModelChoiceField(label=_("Objective"), queryset=Objective.objects.none(), required=False)

    class Meta:
        model = Finding
        fields = ["title", "severity", "objective", "description", "recommendation"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "recommendation": forms.Textarea(attrs={"rows": 2})}


class TemplatePickForm(OrgForm):
    templates = forms.ModelMultipleChoiceField(
        label=_("Stimuli of the library"), queryset=StimulusTemplate.objects.none(),
        widget=QuickCheckboxSelectMultiple(search=_("Filter the stimuli…")))

    def __init__(self, *args: Any, organization: Organization, scenario_kind: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        qs = StimulusTemplate.objects.filter(organization=organization)
        if scenario_kind:
            qs = qs.filter(scenario_kind=scenario_kind)
        field = form_field(self, "templates", forms.ModelMultipleChoiceField)
        field.queryset = qs.order_by("offset_minutes", "order", "id")
        field.label_from_instance = lambda obj: f"T+{obj.offset_minutes} min — {obj.title}"  # type: ignore[method-assign]


class StimulusTemplateForm(OrgModelForm):
    class Meta:
        model = StimulusTemplate
        fields = ["scenario_kind", "title", "offset_minutes", "sender", "recipient", "channel", "content",
                  "expected_reaction", "order"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "expected_reaction": forms.Textarea(attrs={"rows": 2})}


class MeasureForm(forms.Form):
    minutes = forms.DecimalField(label=_("Measured (minutes)"), required=False, min_value=0, max_digits=8,
                                 decimal_places=1, localize=True,
                                 help_text=_("Leave empty to take the time elapsed since DEBEX."))


class RetexForm(forms.Form):
    hot_debrief_on = forms.DateField(label=_("Hot debrief on"), required=False, widget=DATE_WIDGET)
    hot_debrief = forms.CharField(label=_("Hot debrief"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Right after FINEX: the players' and observers' first impressions."))
    cold_retex_on = forms.DateField(label=_("Cold RETEX on"), required=False, widget=DATE_WIDGET)
    what_worked = forms.CharField(label=_("What worked"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    what_did_not = forms.CharField(label=_("What did not work"), required=False, max_length=20000,
                                   widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, organization: Organization | None = None, objectives: list[Objective] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = objectives or []
        for o in self.objectives:
            self.fields[f"outcome_{o.pk}"] = forms.ChoiceField(
                label=_("Outcome"), required=False, choices=[("", "—"), *Objective.Outcome.choices],
                initial=o.outcome)
            self.fields[f"measured_{o.pk}"] = forms.DecimalField(
                label=_("Measured (minutes)"), required=False, min_value=0, max_digits=8, decimal_places=1,
                localize=True, initial=o.measured_minutes)
            self.fields[f"comment_{o.pk}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=2000, initial=o.outcome_comment,
                widget=forms.Textarea(attrs={"rows": 2}))

    def objective_rows(self) -> list[tuple[Objective, Any, Any, Any]]:
        return [(o, self[f"outcome_{o.pk}"], self[f"measured_{o.pk}"], self[f"comment_{o.pk}"])
                for o in self.objectives]

    def outcomes(self) -> dict[int, dict[str, Any]]:
        return {o.pk: {"outcome": self.cleaned_data.get(f"outcome_{o.pk}") or "",
                       "measured_minutes": self.cleaned_data.get(f"measured_{o.pk}"),
                       "outcome_comment": self.cleaned_data.get(f"comment_{o.pk}") or ""}
                for o in self.objectives}

    def retex_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("hot_debrief_on", "hot_debrief", "cold_retex_on", "what_worked",
                                                  "what_did_not")}


class ScheduleForm(OrgModelForm):
    owner = MemberChoiceField(label=_("Owner"), queryset=Membership.objects.none(), required=False,
                              help_text=_("Reminded 30 and 7 days before the test."))

    class Meta:
        model = ScheduledTest
        fields = ["next_test_on", "format", "owner", "notes"]
        widgets = {"next_test_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self) -> None:
        pass
