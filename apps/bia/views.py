"""BIA pages: activity map and campaign, the business owner's questionnaire, review, resources,
gaps, dependency map, matrix and scales. Views are thin: resolve, check, call a selector/service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from apps.bia import notifications, selectors, services, workbook
from apps.bia.forms import (
    ActivityDependencyForm,
    ActivityFilterForm,
    ActivityForm,
    ActivityLinkForm,
    BiaSettingsForm,
    CriterionForm,
    DataLossStepForm,
    DegradedModeStepForm,
    DescriptionStepForm,
    HorizonForm,
    ImpactGridForm,
    ResourceDependencyForm,
    ResourceForm,
    ReviewForm,
    StaffStepForm,
)
from apps.bia.models import (
    Activity,
    ActivityDependency,
    ActivityLink,
    Criticality,
    ImpactCriterion,
    Resource,
    ResourceDependency,
    TimeHorizon,
)
from apps.core import deletion
from apps.core.models import AuditEvent
from apps.core.services import audit_log
from apps.core.views import ObjectDeleteMixin, OrgViewMixin
from apps.tenants.views import OrgFormView, form_errors_from


class BiaViewMixin(OrgViewMixin):
    nav_stage = "bia"

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"bia:{name}", kwargs={"org_slug": self.organization.slug, **kwargs})

    def allowed_establishment_ids(self) -> list[int] | None:
        """None for a member who sees every establishment, else the ids they may see."""
        if not self.membership.restricted_to_establishments:
            return None
        return [e.pk for e in selectors.establishments(organization=self.organization, membership=self.membership)]


# --- Activity list and campaign -----------------------------------------------------------------

class ActivityListView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/activity_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization, membership=self.membership)
        form = ActivityFilterForm(self.request.GET or None, establishments=establishments)
        filters = form.cleaned_data if form.is_valid() else {}
        qs = selectors.activity_list(
            organization=self.organization, membership=self.membership, query=filters.get("q") or "",
            establishment_id=filters.get("establishment"), status=filters.get("status") or "",
            criticality=filters.get("criticality") or "", perimeter=filters.get("perimeter") or "",
        )
        ctx.update(
            filter_form=form, page=Paginator(qs, 50).get_page(self.request.GET.get("page")),
            progress=selectors.campaign_progress(
                qs=selectors.activity_queryset(organization=self.organization, membership=self.membership)),
            can_change=self.can("bia.change"), statuses=Activity.Status,
        )
        if self.can("bia.validate"):
            ctx["remind_owners"] = (notifications.unfinished(organization=self.organization,
                                                             establishment_ids=self.allowed_establishment_ids())
                                    .values("owner_id").distinct().count())
            ctx["last_reminder"] = (AuditEvent.objects.filter(organization=self.organization,
                                                              action=AuditEvent.Action.CAMPAIGN_REMINDED)
                                    .select_related("actor").order_by("-created_at").first())
        return ctx


class CampaignRemindView(BiaViewMixin, View):
    """RPCRA: e-mail every business owner whose BIA is not submitted yet (sent by the worker)."""

    capability = "bia.validate"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        count = services.campaign_remind(organization=self.organization, actor=request.user,
                                         establishment_ids=self.allowed_establishment_ids(), request=request)
        if count:
            messages.success(request, ngettext(
                "Reminder sent to %(count)s business owner.", "Reminder sent to %(count)s business owners.",
                count) % {"count": count})
        else:
            messages.info(request, _("Every assigned BIA is submitted: nobody to remind."))
        return redirect("bia:activities", org_slug=self.organization.slug)


class MyActivitiesView(BiaViewMixin, TemplateView):
    """The business owner's own activities (guardian object permission), with where each one stands."""

    capability = "bia.answer"
    template_name = "bia/my_activities.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["activities"] = list(selectors.my_activities(organization=self.organization, membership=self.membership))
        ctx["step_count"] = len(STEPS)
        return ctx


class ActivityDetailView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/activity_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        qs = selectors.activity_queryset(organization=self.organization, membership=self.membership)
        activity = self.tenant_object(
            qs.select_related("establishment", "site", "unit", "unit__parent", "owner", "submitted_by", "validated_by"),
            pk=self.kwargs["pk"],
        )
        scale = selectors.scales(organization=self.organization)
        detail = selectors.activity_detail(organization=self.organization, activity=activity)
        graph, analysis = selectors.bia_analysis(organization=self.organization)
        key = ("activity", activity.pk)
        ctx.update(
            activity=activity, scale=scale, grid=selectors.impact_grid(scale=scale, cells=detail["cells"]),
            review_form=ReviewForm(), can_validate=self.can("bia.validate"), can_change=self.can("bia.change"),
            can_answer=self.can("bia.answer"),
            requirement=analysis.rto_requirements.get(key), capability_row=analysis.capabilities.get(key),
            gaps=selectors.gap_rows(graph, [g for g in analysis.gaps if key in g.path][:20]),
            **detail,
        )
        return ctx


class ActivityCreateView(BiaViewMixin, OrgFormView):
    capability = "bia.change"
    template_name = "bia/activity_form.html"
    form_class = ActivityForm

    def get_form(self) -> ActivityForm:
        form = super().get_form()
        establishment = self.request.GET.get("establishment")
        if self.request.method == "GET" and establishment and establishment.isdigit():
            form.initial["establishment"] = int(establishment)
        return form

    def _place(self, form: ActivityForm) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        data["unit"] = services.org_unit_resolve(
            organization=self.organization, establishment=data["establishment"], pole=data.pop("pole", ""),
            service=data.pop("service", ""), site=data.get("site"),
        )
        return data

    @transaction.atomic
    def perform(self, form: ActivityForm) -> None:
        data = self._place(form)
        owner = data.pop("owner", None)
        self.object = services.activity_create(organization=self.organization, actor=self.request.user, data=data,
                                               owner=owner.user if owner else None, notify=True)
        messages.success(self.request, _("Activity added."))

    def get_success_url(self) -> str:
        return self.url("activity-detail", pk=self.object.pk)


class ActivityUpdateView(ActivityCreateView):
    def get_object(self) -> Activity:
        if not hasattr(self, "_object"):
            self._object = self.tenant_object(Activity.objects.select_related("unit", "unit__parent"),
                                              pk=self.kwargs["pk"])
        return self._object  # type: ignore[return-value]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization, "instance": self.get_object()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.get_object()
        return ctx

    @transaction.atomic
    def perform(self, form: ActivityForm) -> None:
        data = self._place(form)
        owner = data.pop("owner", None)
        activity = Activity.objects.get(pk=self.get_object().pk, organization=self.organization)
        self.object = services.activity_update(activity=activity, actor=self.request.user, data=data)
        if (owner.user_id if owner else None) != activity.owner_id:
            services.activity_assign_owner(activity=activity, actor=self.request.user,
                                           owner=owner.user if owner else None, notify=True)
        messages.success(self.request, _("Activity saved."))


class BiaDeleteView(BiaViewMixin, ObjectDeleteMixin, TemplateView):
    """GET: a confirmation page saying what goes with the object, or why it must stay; POST deletes."""

    capability = "bia.change"
    http_method_names = ["get", "post"]
    template_name = "bia/confirm_delete.html"
    detail_url_name: str
    list_url_name: str

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        obj = self.tenant_object(self.model.objects.all(), pk=self.kwargs["pk"])
        ctx.update(object=obj, blockers=deletion.blockers(obj), cancel_url=self.url(self.detail_url_name, pk=obj.pk))
        return ctx

    def get_back_url(self, obj: Any) -> str:
        # Deleted, or refused (a page opened before the object joined a frozen plan): the list says which.
        return self.url(self.list_url_name)


class ActivityDeleteView(BiaDeleteView):
    model = Activity
    remove = staticmethod(lambda activity, actor: services.activity_delete(activity=activity, actor=actor))
    deleted_message = gettext_lazy("Activity deleted.")
    detail_url_name, list_url_name = "activity-detail", "activities"


class ActivityReviewView(BiaViewMixin, View):
    """RPCRA: validate a submitted BIA, or send it back with a comment."""

    capability = "bia.validate"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        qs = selectors.activity_queryset(organization=self.organization, membership=self.membership)
        activity = self.tenant_object(qs, pk=kwargs["pk"])
        form = ReviewForm(request.POST)
        form.is_valid()
        comment = form.cleaned_data.get("comment", "")
        try:
            if request.POST.get("decision") == "send_back":
                services.activity_send_back(activity=activity, actor=request.user, comment=comment)
                messages.success(request, _("The BIA was sent back to its business owner."))
            else:
                services.activity_validate(activity=activity, actor=request.user, comment=comment)
                messages.success(request, _("The BIA is validated."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("bia:activity-detail", org_slug=self.organization.slug, pk=activity.pk)


# --- The guided questionnaire -------------------------------------------------------------------

STEPS: list[tuple[str, Any]] = [
    ("description", gettext_lazy("Description and critical periods")),
    ("impacts", gettext_lazy("Impacts over time")),
    ("data", gettext_lazy("Tolerable data loss")),
    ("dependencies", gettext_lazy("Dependencies")),
    ("staff", gettext_lazy("Minimum staff and key skills")),
    ("degraded", gettext_lazy("Existing degraded mode")),
    ("review", gettext_lazy("Review and submit")),
]
MODEL_STEP_FORMS = {"description": DescriptionStepForm, "data": DataLossStepForm, "staff": StaffStepForm,
                    "degraded": DegradedModeStepForm}


class QuestionnaireView(BiaViewMixin, TemplateView):
    """The business owner's guided questionnaire; each step is saved when submitted.

    Only the activity's owner (guardian ``bia.answer_activity``) or a BIA manager can open it; any
    other activity answers 404, as if it did not exist.
    """

    capability = "bia.answer"
    template_name = "bia/questionnaire.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not 1 <= kwargs["step"] <= len(STEPS):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def step_key(self) -> str:
        return STEPS[self.kwargs["step"] - 1][0]

    def get_activity(self) -> Activity:
        if not hasattr(self, "_activity"):
            qs = selectors.activity_queryset(organization=self.organization, membership=self.membership)
            self._activity = self.tenant_object(qs.select_related("establishment", "unit", "owner"),
                                                pk=self.kwargs["pk"])
        return self._activity  # type: ignore[return-value]

    def step_url(self, step: int) -> str:
        return self.url("questionnaire", pk=self.get_activity().pk, step=step)

    def build_form(self, data: Any = None) -> Any:
        activity = self.get_activity()
        key = self.step_key
        if key in MODEL_STEP_FORMS:
            return MODEL_STEP_FORMS[key](data, instance=activity)
        if key == "impacts":
            scale = selectors.scales(organization=self.organization)
            cells = selectors.activity_detail(organization=self.organization, activity=activity)["cells"]
            form = ImpactGridForm(data, criteria=scale["criteria"], horizons=scale["horizons"], cells=cells,
                                  initial={"dmia_override_hours": activity.dmia_override_hours,
                                           "dmia_override_justification": activity.dmia_override_justification})
            return form
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        activity = self.get_activity()
        step = self.kwargs["step"]
        ctx.update(
            activity=activity, step=step, step_key=self.step_key, step_label=STEPS[step - 1][1],
            steps=[{"number": i + 1, "label": label, "url": self.step_url(i + 1),
                    "done": i + 1 <= activity.questionnaire_step} for i, (_k, label) in enumerate(STEPS)],
            previous_url=self.step_url(step - 1) if step > 1 else None,
            is_owner=activity.owner_id == self.request.user.pk,
        )
        ctx.setdefault("form", self.build_form())
        if self.step_key == "impacts":
            ctx["scale"] = selectors.scales(organization=self.organization)
        if self.step_key in ("dependencies", "review"):
            ctx.update(selectors.activity_detail(organization=self.organization, activity=activity))
            ctx.setdefault("dependency_form", ActivityDependencyForm(organization=self.organization))
            ctx.setdefault("link_form", ActivityLinkForm(organization=self.organization, exclude=activity.pk))
        if self.step_key == "review":
            scale = selectors.scales(organization=self.organization)
            ctx["grid"] = selectors.impact_grid(scale=scale, cells=ctx["cells"])
            ctx["scale"] = scale
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        activity = self.get_activity()
        step = kwargs["step"]
        key = self.step_key
        try:
            if key == "dependencies":
                response = self._post_dependencies(request, activity, step)
                if response is not None:
                    return response
            elif key == "review":
                services.activity_submit(activity=activity, actor=request.user)
                messages.success(request, _("Your BIA is submitted; the RPCRA will review it."))
                return redirect("bia:my-activities", org_slug=self.organization.slug)
            else:
                form = self.build_form(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                if key == "impacts":
                    services.activity_save_step(
                        activity=activity, actor=request.user, step=step,
                        data={"dmia_override_hours": form.cleaned_data.get("dmia_override_hours"),
                              "dmia_override_justification": form.cleaned_data.get("dmia_override_justification") or ""},
                    )
                    services.impacts_save(activity=activity, actor=request.user, levels=form.levels(), step=step)
                else:
                    services.activity_save_step(activity=activity, actor=request.user, step=step,
                                                data=form.cleaned_data)
        except ValidationError as error:
            form = self.build_form(request.POST) if key not in ("dependencies", "review") else None
            if form is not None:
                form.is_valid()
                form_errors_from(error, form)
                return self.render_to_response(self.get_context_data(form=form), status=400)
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.step_url(step))
        messages.success(request, _("Step saved."))
        return HttpResponseRedirect(self.step_url(step + 1))

    def _post_dependencies(self, request: HttpRequest, activity: Activity, step: int) -> HttpResponse | None:
        action = request.POST.get("action", "next")
        if action == "add_dependency":
            form = ActivityDependencyForm(request.POST, organization=self.organization)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(dependency_form=form), status=400)
            services.activity_dependency_set(activity=activity, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Dependency saved."))
            return HttpResponseRedirect(self.step_url(step))
        if action == "add_link":
            form = ActivityLinkForm(request.POST, organization=self.organization, exclude=activity.pk)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(link_form=form), status=400)
            services.activity_link_set(activity=activity, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Upstream activity saved."))
            return HttpResponseRedirect(self.step_url(step))
        if action == "remove_dependency":
            dependency = self.tenant_object(ActivityDependency.objects.filter(activity=activity),
                                            pk=request.POST.get("dependency") or 0)
            services.activity_dependency_remove(dependency=dependency, actor=request.user)
            messages.success(request, _("Dependency removed."))
            return HttpResponseRedirect(self.step_url(step))
        if action == "remove_link":
            link = self.tenant_object(ActivityLink.objects.filter(activity=activity), pk=request.POST.get("link") or 0)
            services.activity_link_remove(link=link, actor=request.user)
            messages.success(request, _("Upstream activity removed."))
            return HttpResponseRedirect(self.step_url(step))
        services.activity_save_step(activity=activity, actor=request.user, step=step, data={})
        return None


# --- Resources ---------------------------------------------------------------------------------

class ResourceListView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/resource_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in Resource.Kind.values else ""
        query = self.request.GET.get("q", "").strip()
        qs = selectors.resource_list(organization=self.organization, kind=kind, query=query)
        ctx.update(page=Paginator(qs, 50).get_page(self.request.GET.get("page")), kind=kind, query=query,
                   kinds=Resource.Kind.choices, can_change=self.can("bia.change"))
        return ctx


class ResourceDetailView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/resource_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        resource = self.tenant_object(Resource.objects.select_related("establishment"), pk=self.kwargs["pk"])
        graph, analysis = selectors.bia_analysis(organization=self.organization, membership=self.membership)
        key = ("resource", resource.pk)
        ctx.update(
            resource=resource, can_change=self.can("bia.change"),
            dependency_form=ResourceDependencyForm(organization=self.organization, exclude=resource.pk),
            requirement=analysis.rto_requirements.get(key), rpo_requirement=analysis.rpo_requirements.get(key),
            requirement_steps=[selectors._step(graph, k) for k in analysis.rto_requirements[key].path]
            if key in analysis.rto_requirements else [],
            spof=next((s for s in selectors.spof_rows(graph, analysis, resource_id=resource.pk)), None),
            **selectors.resource_detail(organization=self.organization, resource=resource),
        )
        return ctx


class ResourceCreateView(BiaViewMixin, OrgFormView):
    capability = "bia.change"
    template_name = "bia/resource_form.html"
    form_class = ResourceForm

    def get_form(self) -> ResourceForm:
        form = super().get_form()
        if self.request.method == "GET" and self.request.GET.get("kind") in Resource.Kind.values:
            form.initial["kind"] = self.request.GET["kind"]
        return form

    def perform(self, form: ResourceForm) -> None:
        self.object = services.resource_create(organization=self.organization, actor=self.request.user,
                                               data=form.cleaned_data)
        messages.success(self.request, _("Resource added."))

    def get_success_url(self) -> str:
        return self.url("resource-detail", pk=self.object.pk)


class ResourceUpdateView(ResourceCreateView):
    def get_object(self) -> Resource:
        if not hasattr(self, "_object"):
            self._object = self.tenant_object(Resource.objects.all(), pk=self.kwargs["pk"])
        return self._object  # type: ignore[return-value]

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization, "instance": self.get_object()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.get_object()
        return ctx

    def perform(self, form: ResourceForm) -> None:
        resource = Resource.objects.get(pk=self.get_object().pk, organization=self.organization)
        self.object = services.resource_update(resource=resource, actor=self.request.user, data=form.cleaned_data)
        messages.success(self.request, _("Resource saved."))


class ResourceDeleteView(BiaDeleteView):
    model = Resource
    remove = staticmethod(lambda resource, actor: services.resource_delete(resource=resource, actor=actor))
    deleted_message = gettext_lazy("Resource deleted.")
    detail_url_name, list_url_name = "resource-detail", "resources"


class ResourceDependencyAddView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        resource = self.tenant_object(Resource.objects.all(), pk=kwargs["pk"])
        form = ResourceDependencyForm(request.POST, organization=self.organization, exclude=resource.pk)
        if form.is_valid():
            try:
                services.resource_dependency_set(resource=resource, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Dependency saved."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, _("Choose the resource this one depends on."))
        return redirect("bia:resource-detail", org_slug=self.organization.slug, pk=resource.pk)


class ResourceDependencyRemoveView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dependency = self.tenant_object(ResourceDependency.objects.all(), pk=kwargs["pk"])
        services.resource_dependency_remove(dependency=dependency, actor=request.user)
        messages.success(request, _("Dependency removed."))
        return redirect("bia:resource-detail", org_slug=self.organization.slug, pk=dependency.resource_id)


# --- Gaps, map, matrix --------------------------------------------------------------------------

class GapListView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/gap_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        graph, analysis = selectors.bia_analysis(organization=self.organization, membership=self.membership)
        page = Paginator(analysis.gaps, 50).get_page(self.request.GET.get("page"))
        spofs = analysis.spofs
        ctx.update(
            page=page, gap_count=len(analysis.gaps), gaps=selectors.gap_rows(graph, list(page.object_list)),
            missing=selectors.gap_rows(graph, analysis.missing_capabilities[:50]),
            missing_more=max(0, len(analysis.missing_capabilities) - 50),
            spofs=selectors.spof_rows(graph, analysis, limit=50), spofs_more=max(0, len(spofs) - 50),
            cycles=[[graph.name(k) for k in cycle] for cycle in analysis.cycles],
        )
        return ctx


class MapView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization, membership=self.membership)
        ctx.update(establishments=establishments,
                   criticalities=[c for c in Criticality.choices if c[0] != Criticality.UNKNOWN],
                   data_url=self.url("map-data"))
        # What map.js shows in its side panel: translated labels and the pages' addresses ("/0/" → the pk).
        ctx["map_config"] = {
            "activityUrl": self.url("activity-detail", pk=0), "resourceUrl": self.url("resource-detail", pk=0),
            "establishments": {e.pk: e.name for e in establishments},
            "kinds": {"activity": str(_("Activity")), **{k: str(v) for k, v in Resource.Kind.choices}},
            "criticalities": {k: str(v) for k, v in Criticality.choices},
            "text": {
                "criticality": str(_("Criticality")), "dmia": str(_("DMIA")), "required": str(_("Required recovery time")),
                "promised": str(_("Promised RTO")), "gap": str(_("Gap: the promised recovery is slower than the need.")),
                "spof": str(_("Single point of failure")), "open": str(_("Open its page")),
                "dependsOn": str(_("Depends on")), "usedBy": str(_("Used by")), "hours": str(_("{hours} h")),
                "none": "—", "count": str(_("{nodes} elements, {edges} links. Click an element to isolate its chain.")),
                "focus": str(_("Chain of « {name} »: {nodes} elements.")),
                "empty": str(_("No activity matches these filters: choose « All criticalities » or another "
                               "establishment.")),
            },
        }
        return ctx


class MapDataView(BiaViewMixin, View):
    """JSON elements for the dependency map (cytoscape), filtered by establishment and criticality."""

    capability = "bia.view"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        establishment = request.GET.get("establishment", "")
        criticality = request.GET.get("criticality", "")
        allowed = {e.pk for e in selectors.establishments(organization=self.organization, membership=self.membership)}
        establishment_id = int(establishment) if establishment.isdigit() else None
        if establishment_id is not None and establishment_id not in allowed:
            raise Http404
        graph, analysis = selectors.bia_analysis(organization=self.organization, membership=self.membership)
        data = selectors.map_elements(graph=graph, analysis=analysis, establishment_id=establishment_id,
                                      criticality=criticality if criticality in Criticality.values else "")
        return JsonResponse(data)


class MatrixView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/matrix.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization, membership=self.membership)
        establishment = self.request.GET.get("establishment", "")
        establishment_id = int(establishment) if establishment.isdigit() else None
        ctx.update(establishments=establishments, establishment_id=establishment_id,
                   **selectors.matrix(organization=self.organization, membership=self.membership,
                                      establishment_id=establishment_id, page=self.request.GET.get("page")))
        return ctx


# --- Scales ------------------------------------------------------------------------------------

class ScalesView(BiaViewMixin, TemplateView):
    capability = "bia.change"
    template_name = "bia/scales.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        scale = selectors.scales(organization=self.organization)
        ctx.update(scale=scale, horizon_form=HorizonForm())
        ctx.setdefault("form", BiaSettingsForm(instance=scale["settings"]))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scale = selectors.scales(organization=self.organization)
        form = BiaSettingsForm(request.POST, instance=scale["settings"])
        if form.is_valid():
            try:
                services.bia_settings_update(organization=self.organization, actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("BIA method saved; every DMIA and criticality was recomputed."))
                return redirect("bia:scales", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CriterionUpdateView(BiaViewMixin, TemplateView):
    capability = "bia.change"
    template_name = "bia/criterion_form.html"

    def get_criterion(self) -> ImpactCriterion:
        return self.tenant_object(ImpactCriterion.objects.prefetch_related("levels"), pk=self.kwargs["pk"])  # type: ignore[return-value]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        criterion = self.get_criterion()
        ctx["criterion"] = criterion
        ctx.setdefault("form", CriterionForm(levels=list(criterion.levels.all()),
                                             initial={"name": criterion.name, "order": criterion.order,
                                                      "is_active": criterion.is_active}))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        criterion = self.get_criterion()
        form = CriterionForm(request.POST, levels=list(criterion.levels.all()))
        if form.is_valid():
            services.criterion_update(
                criterion=criterion, actor=request.user,
                data={"name": form.cleaned_data["name"], "order": form.cleaned_data.get("order") or 0,
                      "is_active": form.cleaned_data["is_active"]},
                level_descriptions=form.level_descriptions(),
            )
            messages.success(request, _("Criterion saved."))
            return redirect("bia:scales", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HorizonCreateView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = HorizonForm(request.POST)
        if form.is_valid():
            try:
                services.horizon_create(organization=self.organization, actor=request.user,
                                        label=form.cleaned_data["label"], hours=form.cleaned_data["hours"])
                messages.success(request, _("Time horizon added."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        else:
            messages.error(request, _("Give the horizon a label and a number of hours."))
        return redirect("bia:scales", org_slug=self.organization.slug)


class HorizonDeleteView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        horizon = self.tenant_object(TimeHorizon.objects.all(), pk=kwargs["pk"])
        try:
            services.horizon_delete(horizon=horizon, actor=request.user)
            messages.success(request, _("Time horizon deleted."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("bia:scales", org_slug=self.organization.slug)


# --- Reference catalogue -----------------------------------------------------------------------

class CatalogueView(BiaViewMixin, TemplateView):
    """Import typical hospital activities (and the resources they use) into an establishment."""

    capability = "bia.change"
    template_name = "bia/catalogue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.bia import catalogue

        ctx = super().get_context_data(**kwargs)
        ctx.update(activities=catalogue.activities(), resources=catalogue.resources(),
                   establishments=selectors.establishments(organization=self.organization, membership=self.membership))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowed = {e.pk: e for e in selectors.establishments(organization=self.organization, membership=self.membership)}
        establishment_id = request.POST.get("establishment", "")
        establishment = allowed.get(int(establishment_id)) if establishment_id.isdigit() else None
        codes = request.POST.getlist("activity")
        resource_codes = request.POST.getlist("resource")
        if establishment is None or not (codes or resource_codes):
            messages.error(request, _("Choose an establishment and at least one activity or resource."))
            return self.render_to_response(self.get_context_data(), status=400)
        counts = services.catalogue_import(organization=self.organization, actor=request.user,
                                           establishment=establishment, activity_codes=codes,
                                           resource_codes=resource_codes)
        messages.success(request, _("Imported %(activities)s activities, %(resources)s resources and "
                                    "%(dependencies)s dependencies. Adapt them to your organization.") % counts)
        return redirect("bia:activities", org_slug=self.organization.slug)


# --- The BIA workbook --------------------------------------------------------------------------

class WorkbookView(BiaViewMixin, TemplateView):
    """Download the workbook; upload it back → error report or preview of the changes."""

    capability = "bia.change"
    template_name = "bia/workbook.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(
                file_error=_("Choose the workbook to import.")), status=400)
        if upload.size > workbook.MAX_UPLOAD_BYTES:
            return self.render_to_response(self.get_context_data(file_error=_(
                "The file is too big (more than 5 MB). Download a fresh workbook and fill it in.")), status=400)
        audit_log(action=AuditEvent.Action.UPLOAD, actor=request.user, organization=self.organization,
                  target=upload.name, details={"kind": "bia_workbook", "size": upload.size}, request=request)
        try:
            parsed = workbook.parse(data=upload.read(), organization=self.organization, membership=self.membership)
        except workbook.WorkbookError as error:
            return self.render_to_response(self.get_context_data(file_error=str(error)), status=400)
        if parsed.errors:
            return self.render_to_response(self.get_context_data(errors=parsed.errors), status=400)
        payload = workbook.payload_dumps(organization=self.organization, user=request.user, changes=parsed.changes)
        return self.render_to_response(self.get_context_data(preview=parsed.preview, payload=payload,
                                                             apply_url=self.url("workbook-apply")))


class WorkbookDownloadView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = workbook.build(organization=self.organization, membership=self.membership)
        audit_log(action=AuditEvent.Action.DOWNLOAD, actor=request.user, organization=self.organization,
                  target="bia-workbook.xlsx", details={"kind": "bia_workbook"}, request=request)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"bia-{self.organization.slug}-{timezone.localdate().isoformat()}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class WorkbookApplyView(BiaViewMixin, View):
    capability = "bia.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            changes = workbook.payload_loads(organization=self.organization, user=request.user,
                                             payload=request.POST.get("payload", ""))
            count = workbook.apply(organization=self.organization, membership=self.membership, actor=request.user,
                                   changes=changes)
        except (workbook.WorkbookError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("bia:workbook", org_slug=self.organization.slug)
        messages.success(request, _("Workbook imported: %(count)s activities updated.") % {"count": count})
        return redirect("bia:activities", org_slug=self.organization.slug)
