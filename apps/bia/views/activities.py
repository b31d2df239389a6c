"""BIA pages: the activity map and campaign, an activity's page, form, deletion and review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from apps.bia import notifications, selectors
from apps.bia.dmia_override import activity_override_warning
from apps.bia.forms import ActivityFilterForm, ActivityForm, ReviewForm
from apps.bia.models import Activity
from apps.bia.services.activities import (
    activity_assign_owner,
    activity_create,
    activity_delete,
    activity_update,
    org_unit_resolve,
)
from apps.bia.services.questionnaire import activity_send_back, activity_validate, campaign_remind_owners
from apps.bia.views.base import BiaDeleteView, BiaViewMixin
from apps.bia.views.questionnaire import STEPS
from apps.core.models import AuditEvent
from apps.core.views import OrgFormView, form_errors_from

# --- Activity list and campaign -----------------------------------------------------------------

class ActivityListView(BiaViewMixin, TemplateView):
    capability = "bia.view"
    template_name = "bia/activity_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization)
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
            ctx["remind_owners"] = (notifications.unfinished(organization=self.organization)
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
        count, throttled = campaign_remind_owners(organization=self.organization, actor=self.user, request=request)
        if count:
            messages.success(request, ngettext(
                "Reminder sent to %(count)s business owner.", "Reminder sent to %(count)s business owners.",
                count) % {"count": count})
        if throttled:
            messages.info(request, ngettext(
                "%(count)s business owner was already reminded less than 24 hours ago: not reminded again.",
                "%(count)s business owners were already reminded less than 24 hours ago: not reminded again.",
                throttled) % {"count": throttled})
        elif not count:
            messages.info(request, _("Every assigned BIA is submitted: nobody to remind."))
        return redirect("bia:activities", org_slug=self.organization.slug)


class MyActivitiesView(BiaViewMixin, TemplateView):
    """The business owner's own activities (guardian object permission), with where each one stands."""

    capability = "bia.answer"
    template_name = "bia/my_activities.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        from apps.bia import campaign

        activities = list(selectors.my_activities(organization=self.organization, membership=self.membership))
        due = campaign.deadlines(organization=self.organization, establishment_ids={a.establishment_id for a in activities})
        for activity in activities:
            # « Reprendre le questionnaire » opens the first step not saved yet.
            activity.resume_step = campaign.resume_step(activity)  # type: ignore[attr-defined]
            activity.deadline = due.get(activity.establishment_id)  # type: ignore[attr-defined]
        ctx["activities"] = activities
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
            override_warning=activity_override_warning(activity, scale["settings"]),
            review_form=ReviewForm(), can_validate=self.can("bia.validate"), can_change=self.can("bia.change"),
            can_answer=self.can("bia.answer"),
            requirement=analysis.rto_requirements.get(key), capability_row=analysis.capabilities.get(key),
            limiting=selectors.limiting_chain(graph, analysis, key),
            **selectors.uncarried_listed(graph, analysis, node=key),
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
        data["unit"] = org_unit_resolve(
            organization=self.organization, establishment=data["establishment"], pole=data.pop("pole", ""),
            service=data.pop("service", ""), site=data.get("site"),
        )
        return data

    @transaction.atomic
    def perform(self, form: ActivityForm) -> None:
        data = self._place(form)
        owner = data.pop("owner", None)
        self.object = activity_create(organization=self.organization, actor=self.user, data=data,
                                               owner=owner.user if owner else None, notify=True)
        messages.success(self.request, _("Activity added."))

    def get_success_url(self) -> str:
        return self.org_url("bia:activity-detail", pk=self.object.pk)


class ActivityUpdateView(ActivityCreateView):
    def get_object(self) -> Activity:
        if not hasattr(self, "_object"):
            self._object = self.tenant_object(Activity.objects.select_related("unit", "unit__parent"),
                                              pk=self.kwargs["pk"])
        return self._object

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
        self.object = activity_update(activity=activity, actor=self.user, data=data)
        if (owner.user_id if owner else None) != activity.owner_id:
            activity_assign_owner(activity=activity, actor=self.user,
                                           owner=owner.user if owner else None, notify=True)
        messages.success(self.request, _("Activity saved."))


class ActivityDeleteView(BiaDeleteView):
    model = Activity
    remove = staticmethod(lambda activity, actor: activity_delete(activity=activity, actor=actor))
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
                activity_send_back(activity=activity, actor=self.user, comment=comment)
                messages.success(request, _("The BIA was sent back to its business owner."))
            else:
                activity_validate(activity=activity, actor=self.user, comment=comment)
                messages.success(request, _("The BIA is validated."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("bia:activity-detail", org_slug=self.organization.slug, pk=activity.pk)


class CampaignView(BiaViewMixin, TemplateView):
    """The campaign of each establishment: its due date and reminders, and the progress of each business owner."""

    capability = "bia.view"
    template_name = "bia/campaign.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.bia import campaign
        from apps.bia.forms import CampaignForm
        from apps.bia.models import Campaign

        ctx = super().get_context_data(**kwargs)
        establishments = selectors.establishments(organization=self.organization)
        campaigns = {c.establishment_id: c for c in Campaign.objects.filter(organization=self.organization)}
        ctx.update(
            rows=[{"establishment": e, "campaign": campaigns.get(e.pk)} for e in establishments],
            owners=campaign.owner_progress(organization=self.organization),
            can_change=self.can("bia.change"), today=timezone.localdate(),
            form=kwargs.get("form") or CampaignForm(establishments=establishments),
        )
        return ctx


class CampaignDeadlineView(BiaViewMixin, TemplateView):
    """POST: set (or change) the due date and reminder days of one establishment's campaign."""

    capability = "bia.change"
    http_method_names = ["post"]
    template_name = "bia/campaign.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from apps.bia.forms import CampaignForm
        from apps.bia.services.activities import campaign_set

        establishments = selectors.establishments(organization=self.organization)
        form = CampaignForm(request.POST, establishments=establishments)
        if form.is_valid():
            try:
                campaign_set(organization=self.organization, actor=self.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(error, form)
            else:
                messages.success(request, _("Campaign due date saved."))
                return redirect("bia:campaign", org_slug=self.organization.slug)
        view = CampaignView(request=request, kwargs=kwargs)
        view.organization, view.membership, view.user = self.organization, self.membership, self.user
        return view.render_to_response(view.get_context_data(form=form), status=400)
