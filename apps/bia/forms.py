"""BIA forms. Choice querysets are set in ``__init__`` from the organization (never at import)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.bia import engine
from apps.bia.dmia_override import override_warning
from apps.bia.models import (
    MAX_HOURS,
    WORKAROUND_MAX_HOURS,
    Activity,
    BiaSettings,
    CarePerimeter,
    Criticality,
    ImpactCriterion,
    ImpactLevel,
    OrgUnit,
    Resource,
    TimeHorizon,
)
from apps.core.forms import OrgModelForm, RowChoiceField, SearchChoiceField, form_field
from apps.core.widgets import SearchSelect
from apps.tenants.models import Establishment, Membership, Organization, Site


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    return form_field(form, name, forms.ModelChoiceField)


class ActivityForm(OrgModelForm):
    establishment = forms.ModelChoiceField(label=_("Establishment"), queryset=Establishment.objects.none())
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    pole = forms.CharField(label=_("Pôle"), max_length=200, required=False)
    service = forms.CharField(label=_("Service / functional unit"), max_length=200, required=False)
    owner = RowChoiceField(label=_("Business owner"), queryset=Membership.objects.none(), required=False,
                           help_text=_("Only this person (and the BIA managers) can answer the questionnaire."))

    class Meta:
        model = Activity
        fields = ["establishment", "site", "name", "process", "care_perimeter", "recovery_priority"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        _model_choice(self, "establishment").queryset = Establishment.objects.filter(organization=organization)
        _model_choice(self, "site").queryset = Site.objects.filter(organization=organization)
        owner = form_field(self, "owner", RowChoiceField)
        roles = {value: str(label) for value, label in Membership._meta.get_field("role").choices or ()}
        owner.columns = ("user__first_name", "user__last_name", "user__email", "role")
        owner.option_label = lambda row: f"{f'{row[1]} {row[2]}'.strip() or row[3]} — {roles.get(row[4], row[4])}"
        owner.queryset = Membership.objects.filter(organization=organization)
        order = ["establishment", "site", "pole", "service", "name", "process", "care_perimeter", "owner",
                 "recovery_priority"]
        self.order_fields(order)
        unit = self.instance.unit if self.instance.pk else None
        if unit is not None:
            self.initial.setdefault("service", unit.name if unit.kind == OrgUnit.Kind.SERVICE else "")
            pole = unit.parent if unit.kind == OrgUnit.Kind.SERVICE else unit
            self.initial.setdefault("pole", pole.name if pole else "")
        if self.instance.pk and self.instance.owner_id:
            self.initial.setdefault("owner", Membership.objects.filter(
                organization=organization, user_id=self.instance.owner_id).values_list("pk", flat=True).first())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data
        site = data.get("site")
        if site and data.get("establishment") and site.establishment_id != data["establishment"].pk:
            self.add_error("site", _("This site belongs to another establishment."))
        return data


class DescriptionStepForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["description", "critical_periods"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "critical_periods": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "critical_periods": _("Nights, week-ends, seasonal peaks, end of month… when an interruption hurts most."),
        }


class DataLossStepForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["pdma_hours", "data_to_reenter"]
        widgets = {"data_to_reenter": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "pdma_hours": _("How many hours of recent data can be lost and re-entered from paper without danger?"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pdma_hours"].required = True


class StaffStepForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["minimum_staff", "key_skills", "fallback_premises"]
        widgets = {"key_skills": forms.Textarea(attrs={"rows": 3})}


class DegradedModeStepForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["degraded_mode_exists", "degraded_mode_description", "degraded_mode_reference",
                  "degraded_mode_updated_on"]
        widgets = {"degraded_mode_description": forms.Textarea(attrs={"rows": 4}),
                   "degraded_mode_updated_on": forms.DateInput(attrs={"type": "date"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data
        if data.get("degraded_mode_exists") and not (data.get("degraded_mode_description") or "").strip():
            self.add_error("degraded_mode_description", _("Describe the degraded mode in a few words."))
        return data


class ImpactGridForm(forms.Form):
    """One select per criterion × horizon, plus the optional DMIA override and its justification.

    Every DMIA set by hand needs its justification; one longer than the grid's (which relaxes the need and
    may lower the criticality) is refused without it with an error saying so (``apps.bia.dmia_override``).
    """

    dmia_override_hours = forms.IntegerField(
        label=_("DMIA set by hand (hours)"), required=False, min_value=1, max_value=MAX_HOURS,
        help_text=_("Leave empty to use the DMIA derived from the grid."),
    )
    dmia_override_justification = forms.CharField(label=_("Justification"), required=False,
                                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, criteria: list[ImpactCriterion], horizons: list[TimeHorizon],
                 cells: dict[tuple[int, int], int], settings_row: BiaSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria, self.horizons, self.settings_row = criteria, horizons, settings_row
        for criterion in criteria:
            if not criterion.is_active:
                continue
            levels = {lv.level: lv.label for lv in getattr(criterion, "level_rows", [])}
            choices = [("", "—")] + [(str(i), f"{i} — {levels.get(i, i)}") for i in range(1, 5)]
            for horizon in horizons:
                name = self.cell_name(criterion.pk, horizon.pk)
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{criterion.name} — {horizon.label}", choices=choices, coerce=int, required=False,
                    empty_value=None,
                )
                self.initial.setdefault(name, cells.get((criterion.pk, horizon.pk)))

    @staticmethod
    def cell_name(criterion_id: int, horizon_id: int) -> str:
        return f"c{criterion_id}_h{horizon_id}"

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"criterion": c, "cells": [self[self.cell_name(c.pk, h.pk)] for h in self.horizons]}
            for c in self.criteria if c.is_active
        ]

    def levels(self) -> dict[tuple[int, int], int | None]:
        return {
            (c.pk, h.pk): self.cleaned_data.get(self.cell_name(c.pk, h.pk))
            for c in self.criteria if c.is_active for h in self.horizons
        }

    def grid_dmia(self) -> int | None:
        """The DMIA the submitted grid gives (what the activity will get once saved)."""
        cells = {key: level for key, level in self.levels().items() if level is not None}
        return engine.derive_dmia(cells, [(h.pk, h.hours) for h in self.horizons], self.settings_row.intolerable_level)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data
        hand = data.get("dmia_override_hours")
        if hand is None or (data.get("dmia_override_justification") or "").strip():
            return data
        warning = override_warning(override_hours=hand, grid_hours=self.grid_dmia(), justification="",
                                   settings_row=self.settings_row)
        if warning is None:
            self.add_error("dmia_override_justification", _("Explain why the DMIA is set by hand."))
        elif warning.lowers_criticality:
            self.add_error("dmia_override_justification", _(
                "This DMIA (%(hand)s h) is longer than the grid's (%(grid)s h) and lowers the criticality from "
                "%(grid_criticality)s to %(criticality)s: explain why.") % {
                "hand": warning.hand_hours, "grid": warning.grid_hours,
                "grid_criticality": warning.grid_criticality_label, "criticality": warning.criticality_label})
        else:
            self.add_error("dmia_override_justification", _(
                "This DMIA (%(hand)s h) is longer than the grid's (%(grid)s h): explain why.") % {
                "hand": warning.hand_hours, "grid": warning.grid_hours})
        return data


def _resource_choices(field: RowChoiceField, queryset: QuerySet[Resource]) -> None:
    """Resources grouped by kind in the drop-down, from ``values_list`` (no model object per option); kind
    labels translated once, not once per option (``get_kind_display`` on 400 resources was a third of the
    resource page's time). The kind stays in the label too, for the filter box and screen readers."""
    kinds = {value: str(label) for value, label in Resource.Kind.choices}
    field.columns = ("name", "kind")
    field.group_label = lambda row: kinds[row[2]]
    field.option_label = lambda row: f"{row[1]} ({kinds[row[2]]})"
    field.queryset = queryset.order_by("kind", "name")


def _activity_choices(field: RowChoiceField, queryset: QuerySet[Activity]) -> None:
    """Activities grouped by establishment (its short name, as on the pages), from ``values_list``."""
    field.columns = ("name", "establishment__short_name", "establishment__name")
    field.group_label = lambda row: row[2] or row[3]
    field.option_label = lambda row: row[1]
    field.queryset = queryset.order_by("establishment__name", "establishment_id", "name")


def _search_url(name: str, organization: Organization, exclude: int | None) -> str:
    """The search endpoint of a long drop-down; it rebuilds the same form for the member (``exclude``: the
    row the choice is for, never offered for itself)."""
    url = reverse(name, kwargs={"org_slug": organization.slug})
    return f"{url}?exclude={exclude}" if exclude else url


def _workaround_hoursform_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Degraded mode holds (hours)"), required=False, min_value=1, max_value=WORKAROUND_MAX_HOURS,
        help_text=_("How long the activity can run in degraded mode without this dependency (1 to 8,760 h). "
                    "Known: the dependency must be back within this duration + the activity's DMIA. Unknown: "
                    "the need is not carried and the gap list warns about it."),
    )


def _clean_workaround(data: dict[str, Any], form: forms.Form) -> dict[str, Any]:
    """A degraded-mode duration only with a workaround."""
    if data.get("workaround_hours") is not None and not data.get("workaround_exists"):
        form.add_error("workaround_hours", _("Tick « A workaround exists » or leave the duration empty."))
    return data


class ActivityDependencyForm(forms.Form):
    resource = SearchChoiceField(label=_("Resource"), queryset=Resource.objects.none(),
                                 widget=SearchSelect(search=_("Filter the list…")))
    workaround_exists = forms.BooleanField(label=_("A workaround exists"), required=False)
    workaround_note = forms.CharField(label=_("Workaround"), required=False, max_length=2000)
    workaround_hours = _workaround_hoursform_field()

    def clean(self) -> dict[str, Any]:
        return _clean_workaround(super().clean() or {}, self)

    def __init__(self, *args: Any, organization: Organization, establishment_ids: Collection[int] | None = None,
                 **kwargs: Any) -> None:
        """``establishment_ids``: only shared resources and those of these establishments (a business owner's)."""
        super().__init__(*args, **kwargs)
        qs = Resource.objects.filter(organization=organization)
        if establishment_ids is not None:
            qs = qs.filter(Q(establishment__isnull=True) | Q(establishment_id__in=establishment_ids))
        field = form_field(self, "resource", SearchChoiceField)
        _resource_choices(field, qs)
        field.search_url = _search_url("bia:resource-search", organization, None)


class ActivityLinkForm(forms.Form):
    depends_on = SearchChoiceField(label=_("Upstream activity"), queryset=Activity.objects.none(),
                                   search_columns=("name", "establishment__short_name", "establishment__name"),
                                   widget=SearchSelect(search=_("Filter the list…")))
    workaround_exists = forms.BooleanField(label=_("A workaround exists"), required=False)
    workaround_note = forms.CharField(label=_("Workaround"), required=False, max_length=2000)
    workaround_hours = _workaround_hoursform_field()

    def clean(self) -> dict[str, Any]:
        return _clean_workaround(super().clean() or {}, self)

    def __init__(self, *args: Any, organization: Organization, exclude: int | None = None,
                 establishment_ids: Collection[int] | None = None, **kwargs: Any) -> None:
        """``establishment_ids``: only activities of these establishments (a business owner's own).

        Its ids start with ``id_link_``: the questionnaire shows it under the dependency form, whose workaround
        fields have the same names (one id twice would give two labels one target)."""
        kwargs.setdefault("auto_id", "id_link_%s")
        super().__init__(*args, **kwargs)
        qs = Activity.objects.filter(organization=organization)
        if exclude:
            qs = qs.exclude(pk=exclude)
        if establishment_ids is not None:
            qs = qs.filter(establishment_id__in=establishment_ids)
        field = form_field(self, "depends_on", SearchChoiceField)
        _activity_choices(field, qs)
        field.search_url = _search_url("bia:activity-search", organization, exclude)


class ResourceForm(OrgModelForm):
    establishment = forms.ModelChoiceField(label=_("Establishment"), queryset=Establishment.objects.none(),
                                           required=False,
                                           help_text=_("Leave empty for a resource shared by the whole organization."))

    class Meta:
        model = Resource
        fields = ["kind", "name", "description", "establishment", "vendor", "is_saas", "rto_capability_hours",
                  "rpo_capability_hours", "contract_reference", "contract_end", "sla", "contact_24_7"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "contract_end": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        _model_choice(self, "establishment").queryset = Establishment.objects.filter(organization=organization)


class ResourceDependencyForm(forms.Form):
    depends_on = SearchChoiceField(label=_("Depends on"), queryset=Resource.objects.none(),
                                   widget=SearchSelect(search=_("Filter the list…")))
    workaround_exists = forms.BooleanField(label=_("A workaround exists"), required=False)
    workaround_note = forms.CharField(label=_("Workaround"), required=False, max_length=2000)
    workaround_hours = _workaround_hoursform_field()

    def clean(self) -> dict[str, Any]:
        return _clean_workaround(super().clean() or {}, self)

    def __init__(self, *args: Any, organization: Organization, exclude: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Resource.objects.filter(organization=organization)
        if exclude:
            qs = qs.exclude(pk=exclude)
        field = form_field(self, "depends_on", SearchChoiceField)
        _resource_choices(field, qs)
        field.search_url = _search_url("bia:resource-search", organization, exclude)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment for the business owner"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class BiaSettingsForm(forms.ModelForm):
    class Meta:
        model = BiaSettings
        fields = ["intolerable_level", "critical_max_dmia_hours", "high_max_dmia_hours", "medium_max_dmia_hours",
                  "method_note"]
        widgets = {"method_note": forms.Textarea(attrs={"rows": 4})}


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, levels: Sequence[ImpactLevel] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in levels:
            self.fields[f"level_{level.level}"] = forms.CharField(
                label=_("Level %(level)s — %(label)s") % {"level": level.level, "label": level.label},
                required=False, widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial.setdefault(f"level_{level.level}", level.description)

    def level_descriptions(self) -> dict[int, str]:
        return {int(k.split("_")[1]): v for k, v in self.cleaned_data.items() if k.startswith("level_")}


class HorizonForm(forms.ModelForm):
    class Meta:
        model = TimeHorizon
        fields = ["label", "hours"]


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    establishment = forms.TypedChoiceField(label=_("Establishment"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses"))] + list(Activity.Status.choices))
    criticality = forms.ChoiceField(label=_("Criticality"), required=False,
                                    choices=[("", _("All criticalities"))] + list(Criticality.choices))
    perimeter = forms.ChoiceField(label=_("CaRE perimeter"), required=False,
                                  choices=[("", _("All perimeters"))] + list(CarePerimeter.choices))

    def __init__(self, *args: Any, establishments: list[Establishment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "establishment", forms.TypedChoiceField).choices = [("", _("All establishments"))] + [(e.pk, str(e)) for e in establishments]


class CampaignForm(forms.Form):
    """The due date of one establishment's BIA campaign, and its reminder days."""

    establishment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Establishment"),
                                                                       queryset=None)  # type: ignore[arg-type]
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    remind_days_before = forms.IntegerField(label=_("Remind this many days before"), min_value=0, max_value=90,
                                            initial=7)
    remind_days_after = forms.IntegerField(label=_("Remind again this many days after"), min_value=0, max_value=90,
                                           initial=3)

    def __init__(self, *args: Any, establishments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.tenants.models import Establishment

        field = self.fields["establishment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Establishment.objects.filter(pk__in=[e.pk for e in establishments])
