"""Pages of the action plan: the plan, « Mes actions », the direction's view, an action, its follow-up page.

Thin views: resolve through the organization, call a selector or a service, render. Readers of the plan
(``actions.view``) open every action the establishment limit shows; every member (``actions.mine``) opens and
follows the actions they own — another's action answers 404, like one that does not exist.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.actions import forms, selectors, services, sources
from apps.actions.models import Action, SourceKind, Status
from apps.core.views import OrgFormView, OrgViewMixin, TenantObjectFormMixin


class ActionsMixin(OrgViewMixin):
    nav_stage = "actions"
    tab = ""
    kwargs: dict[str, Any]  # set by View, which every view also inherits

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {"tab": self.tab, **super().get_context_data(**kwargs)}

    def actions(self) -> Any:
        return selectors.action_queryset(organization=self.organization, membership=self.membership)

    def get_action(self) -> Action:
        if not hasattr(self, "_action"):
            self._action = self.tenant_object(self.actions().select_related("owner_member__user"),
                                              pk=self.kwargs["pk"])
        return self._action


class ActionListView(ActionsMixin, TemplateView):
    """The plan: filters, sort, search, 50 per page, and the counters at the top."""

    capability = "actions.view"
    template_name = "actions/list.html"
    tab = "list"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = forms.FilterForm(self.request.GET or None, organization=self.organization)
        form.is_valid()
        filters = form.filters()
        qs = selectors.action_list(organization=self.organization, membership=self.membership, filters=filters)
        page = Paginator(qs, selectors.PER_PAGE).get_page(self.request.GET.get("page"))
        ctx.update(form=form, filters=filters, page=page, actions=page.object_list,
                   counts=selectors.counts(qs=self.actions()), can_change=self.can("actions.change"),
                   stage_label=_stage_label(filters.stage))
        return ctx


def _stage_label(key: str) -> str:
    from apps.core.navigation import stages

    return next((str(s.label) for s in stages() if s.key == key), "") if key else ""


class MyActionsView(ActionsMixin, TemplateView):
    """« Mes actions »: what the member owns, open ones first."""

    capability = "actions.mine"
    template_name = "actions/mine.html"
    tab = "mine"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        qs = selectors.my_actions(organization=self.organization, membership=self.membership)
        page = Paginator(qs, selectors.PER_PAGE).get_page(self.request.GET.get("page"))
        ctx.update(page=page, actions=page.object_list, counts=selectors.counts(qs=qs))
        return ctx


class DirectionView(ActionsMixin, TemplateView):
    """The direction's view: what is late and who carries it, the burn-down, the plan by source."""

    capability = "actions.view"
    template_name = "actions/direction.html"
    tab = "direction"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        burndown = selectors.burndown(organization=self.organization)
        by_source = selectors.by_source(organization=self.organization)
        # Passed to static/actions/charts.js through json_script: no inline script (CSP), no remote asset.
        chart_data = {
            "burndown": burndown, "bySource": by_source,
            "text": {"open": _("Open actions"), "late": _("Overdue"), "onTime": _("Open, on time"),
                     "done": _("Done")},
        }
        ctx.update(counts=selectors.counts(qs=self.actions()), late=selectors.late_by_owner(
            organization=self.organization), chart_data=chart_data, by_source=by_source,
            burndown_rows=[(datetime.date.fromisoformat(label), value)
                           for label, value in zip(burndown["labels"], burndown["values"], strict=True)],
            by_source_rows=list(zip(by_source["labels"], by_source["kinds"], by_source["late"], by_source["open"],
                                    by_source["done"], strict=True)))
        return ctx


class ActionCreateView(ActionsMixin, OrgFormView):
    """« Créer une action »: from scratch, or pre-filled from a source (``?source=bia_gap&id=12&key=rto``)."""

    capability = "actions.change"
    template_name = "actions/form.html"
    form_class = forms.SourceForm

    def source_ref(self) -> sources.SourceRef | None:
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        kind = data.get("source_kind") or data.get("source") or ""
        if not kind or kind == SourceKind.NONE:
            return None
        raw_id = data.get("source_id") or data.get("id") or ""
        return sources.SourceRef(kind=kind, id=int(raw_id) if raw_id.isdigit() else None,
                                 key=(data.get("source_key") or data.get("key") or "")[:40])

    def source_info(self) -> sources.SourceInfo | None:
        if not hasattr(self, "_info"):
            ref = self.source_ref()
            self._info = sources.resolve(self.organization, ref) if ref is not None else None
            if ref is not None and self._info is None:
                raise Http404  # missing, another organization's, or another establishment's
        return self._info

    def get_form(self) -> forms.SourceForm:
        if self.request.method == "POST":
            return forms.SourceForm(self.request.POST, organization=self.organization)
        initial: dict[str, Any] = {}
        info = self.source_info()
        if info is not None:
            initial = {**services.source_defaults(info), "source_kind": info.ref.kind, "source_id": info.ref.id,
                       "source_key": info.ref.key, "establishments": list(info.establishment_ids)}
        elif self.request.GET.get("exigence"):
            initial["requirement_ids"] = [self.request.GET["exigence"]]
        return forms.SourceForm(organization=self.organization, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        info = self.source_info()
        ctx.update(source=info, existing=list(selectors.same_source(organization=self.organization, ref=info.ref))
                   if info is not None else [], title=_("New action"))
        return ctx

    def perform(self, form: forms.SourceForm) -> None:
        data = form.cleaned_data
        establishments = list(data.get("establishments") or [])
        info = self.source_info()
        if info is not None:
            existing = list(selectors.same_source(organization=self.organization, ref=info.ref))
            self.object = services.create_from_source(
                organization=self.organization, actor=self.user, kind=info.ref.kind, source_id=info.ref.id,
                key=info.ref.key, data=data, establishments=establishments)
            if existing:
                messages.warning(self.request, _(
                    "Another action already comes from this source: %(refs)s.") % {
                    "refs": ", ".join(a.reference for a in existing)})
        else:
            self.object = services.action_create(organization=self.organization, actor=self.user, data=data,
                                                 establishments=establishments)
        messages.success(self.request, _("Action %(reference)s created.") % {"reference": self.object.reference})

    def get_success_url(self) -> str:
        return self.org_url("actions:detail", pk=self.object.pk)


class ActionDetailView(ActionsMixin, TemplateView):
    """An action: what, why (its source and whether it still stands), who, when, notes, proof, history."""

    capability = "actions.mine"
    template_name = "actions/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        action = self.get_action()
        ctx.update(action=action, can_change=self.can("actions.change"),
                   can_follow=selectors.can_follow(membership=self.membership, action=action),
                   can_download=self.can("evidence.view") or selectors.can_follow(membership=self.membership,
                                                                                   action=action),
                   **selectors.action_detail(organization=self.organization, action=action, visible=self.actions()))
        return ctx


class ActionUpdateView(ActionsMixin, TenantObjectFormMixin[Action], OrgFormView):
    capability = "actions.change"
    template_name = "actions/form.html"
    form_class = forms.ActionForm
    model = Action
    success_message = gettext_lazy("Action saved.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": _("Edit the action"), "action": self.get_object()}

    def perform(self, form: forms.ActionForm) -> None:
        data = form.cleaned_data
        services.action_update(action=self.fresh_object(), actor=self.user, data=data,
                               establishments=list(data.get("establishments") or []))

    def get_success_url(self) -> str:
        return self.org_url("actions:detail", pk=self.kwargs["pk"])


class ActionFollowView(ActionsMixin, OrgFormView):
    """« Suivi de l'action », the page the e-mails link to: status, progress note, proof of closure."""

    capability = "actions.mine"
    template_name = "actions/follow.html"
    form_class = forms.FollowForm
    success_message = gettext_lazy("Follow-up saved.")

    def get_action(self) -> Action:
        action = super().get_action()
        if not selectors.can_follow(membership=self.membership, action=action):
            raise PermissionDenied  # a reader of the plan who is not its owner
        return action

    def get_form(self) -> forms.FollowForm:
        action = self.get_action()
        kwargs: dict[str, Any] = {"organization": self.organization, "action": action,
                                  "can_reopen": self.can("actions.change"),
                                  "library": self.can("evidence.view")}
        if self.request.method == "POST":
            return forms.FollowForm(self.request.POST, self.request.FILES, **kwargs)
        return forms.FollowForm(**kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "action": self.get_action()}

    def perform(self, form: forms.FollowForm) -> None:
        data = form.cleaned_data
        action = self.get_action()
        with transaction.atomic():
            if data.get("note"):
                services.action_note_add(action=action, actor=self.user, text=data["note"])
            proof_given = bool(data.get("proof_upload") or data.get("proof_evidence")
                               or (data.get("proof_note") or "") != action.proof_note)
            if data["status"] != action.status or (data["status"] == Status.DONE and proof_given) \
                    or (data["status"] == Status.ABANDONED and data.get("abandon_reason") != action.abandon_reason):
                services.action_set_status(
                    action=action, actor=self.user, status=data["status"], proof_upload=data.get("proof_upload"),
                    proof_evidence=data.get("proof_evidence"), proof_note=data.get("proof_note"),
                    abandon_reason=data.get("abandon_reason") or "")

    def get_success_url(self) -> str:
        return self.org_url("actions:detail", pk=self.kwargs["pk"])


class ProofDownloadView(ActionsMixin, View):
    """The proof of closure of an action, for its readers and its owner (audited like every download)."""

    capability = "actions.mine"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        from apps.compliance.services import evidence_record_download

        evidence = selectors.proof_of(organization=self.organization, action=self.get_action())
        if evidence is None:
            raise Http404
        try:
            handle = evidence.file.open("rb")
        except (FileNotFoundError, ValueError) as error:
            raise Http404 from error
        evidence_record_download(evidence=evidence, actor=self.user, request=request)
        response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                                content_type=evidence.mime_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
