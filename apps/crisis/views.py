"""Crisis day pages; included under ``/o/<org_slug>/crise/`` by ``resilis.urls``. Thin: resolve through the
organization (and the member's establishments), check the capability, call a selector or a service, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.bia.models import Activity
from apps.continuity.models import ReflexSheet
from apps.core import files
from apps.core.logbook import LogEntryBase, LogEntryCreateMixin, prepare_entries
from apps.core.models import AuditEvent
from apps.core.navigation import link_allowed
from apps.core.services import audit_log
from apps.core.views import OrgFormView, OrgViewMixin
from apps.crisis import forms, selectors, senders, services
from apps.crisis.models import Crisis, CrisisLogEntry, KitCopy, RecoveryProgress, SignalementDone, Simulation

LIVE_ENTRIES = 100


class CrisisBaseMixin(OrgViewMixin):
    nav_stage = "crisis"


class CrisisMixin(CrisisBaseMixin):
    """Views under ``<pk>/``: ``get_crisis()`` (404 outside the organization or the member's establishments)."""

    kwargs: dict[str, Any]
    _crisis: Crisis

    def get_crisis(self) -> Crisis:
        if not hasattr(self, "_crisis"):
            self._crisis = self.tenant_object(selectors.crisis_queryset(organization=self.organization),
                                              pk=self.kwargs["pk"])
        return self._crisis

    def child(self, queryset: QuerySet[Any], key: str = "item") -> Any:
        return self.tenant_object(queryset.filter(crisis=self.get_crisis()), pk=self.kwargs[key])

    def back(self) -> HttpResponse:
        return HttpResponseRedirect(self.org_url("crisis:live", pk=self.get_crisis().pk))

    def run(self, action: Any, success: str = "") -> HttpResponse:
        error_text = ""
        try:
            action()
        except ValidationError as error:
            error_text = " ".join(error.messages)
        if self.request.headers.get("HX-Request") and isinstance(self, LiveMixin):
            # The panel again, fresh: what this tablet did and what the others did.
            if hasattr(self, "_crisis"):
                del self._crisis
            ctx = {**self.live_context(), "organization": self.organization, "panel_error": error_text}
            return TemplateResponse(self.request, "crisis/_live_panel.html", ctx)
        if error_text:
            messages.error(self.request, error_text)
        elif success:
            messages.success(self.request, success)
        return self.back()


class CrisisListView(CrisisBaseMixin, TemplateView):
    capability = "crisis.view"
    template_name = "crisis/crisis_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        crises = selectors.crisis_list(organization=self.organization)
        ctx.update(active=[c for c in crises if c.is_active], closed=[c for c in crises if not c.is_active],
                   can_activate=self.can("crisis.activate"), stale=selectors.stale_count(organization=self.organization),
                   simulations=Simulation.objects.filter(organization=self.organization)[:20])
        return ctx


class ActivateView(CrisisBaseMixin, OrgFormView):
    """« Déclencher », with an explicit confirmation."""

    capability = "crisis.activate"
    template_name = "crisis/activate.html"
    form_class = forms.ActivateForm

    def get_form(self) -> Any:
        form = super().get_form()
        simulation = self.request.GET.get("simulation")
        if simulation and simulation.isdigit() and not form.is_bound:
            form.initial.update(simulation=int(simulation), is_exercise=True)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "sms": senders.sms_configured()}

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        self.crisis = services.crisis_activate(
            organization=self.organization, actor=self.user, title=data["title"], scenario=data["scenario"],
            versions=list(data["versions"]), establishment=data.get("establishment"),
            is_exercise=data.get("is_exercise", False), description=data.get("description", ""),
            simulation=data.get("simulation"))

    def get_success_url(self) -> str:
        messages.success(self.request, _("Crisis activated: the crisis cell is being notified."))
        return self.org_url("crisis:live", pk=self.crisis.pk)


def entries_context(crisis: Crisis) -> dict[str, Any]:
    entries = list(selectors.log_entries(crisis=crisis)[:LIVE_ENTRIES])
    hidden = max(0, CrisisLogEntry.objects.filter(organization_id=crisis.organization_id, crisis=crisis).count()
                 - len(entries))
    return {"entries": prepare_entries(entries, origin=crisis.activated_at), "hidden_count": hidden}


class LiveMixin(CrisisMixin):
    def live_context(self) -> dict[str, Any]:
        crisis = self.get_crisis()
        writable = not crisis.establishment_id or Crisis.objects.writable().filter(pk=crisis.pk).exists()
        state = selectors.live_state(crisis=crisis)
        for clock in state.activities:
            clock.dmia_label = selectors.duration_label(clock.dmia_left_seconds)  # type: ignore[attr-defined]
            clock.degraded_label = selectors.duration_label(clock.degraded_left_seconds)  # type: ignore[attr-defined]
        for s in state.signalements:
            s.left_label = selectors.duration_label(s.left_seconds)  # type: ignore[attr-defined]
        return {"crisis": crisis, "state": state, "elapsed": selectors.duration_label(state.elapsed_seconds),
                "can_change": self.can("crisis.change") and crisis.is_active and writable,
                "can_close": self.can("crisis.activate") and crisis.is_active and writable,
                "panel_url": self.org_url("crisis:live-panel", pk=crisis.pk), "sms": senders.sms_configured()}


class LiveView(LiveMixin, TemplateView):
    """Usable on a tablet and a phone: the clock, the countdowns, the checklists, the main courante."""

    capability = "crisis.view"
    template_name = "crisis/live.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = {**super().get_context_data(**kwargs), **self.live_context()}
        crisis = self.get_crisis()
        ctx.update(entries_context(crisis), kinds=LogEntryBase.Kind.choices, new_key=uuid.uuid4(),
                   log_url=self.org_url("crisis:log-add", pk=crisis.pk),
                   entries_url=self.org_url("crisis:log-entries", pk=crisis.pk), close_form=forms.CloseForm(),
                   retex_visible=self._retex_visible(crisis))
        return ctx

    def _retex_visible(self, crisis: Crisis) -> bool:
        """The RETEX covers the establishments of the plans activated: a member limited to others sees the crisis
        of the whole organization but not that exercise, so the page offers no link to it."""
        from apps.exercises.models import Exercise

        return bool(crisis.retex_exercise_id and link_allowed(self.membership, "exercises:retex")
                    and Exercise.objects.filter(pk=crisis.retex_exercise_id).exists())


class LivePanelView(LiveMixin, TemplateView):
    """The dynamic parts (countdowns, checklists, recovery board, signalements), refreshed by htmx."""

    capability = "crisis.view"
    template_name = "crisis/_live_panel.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **self.live_context()}


class LogEntriesView(CrisisMixin, TemplateView):
    capability = "crisis.view"
    template_name = "core/logbook/_entries.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        crisis = self.get_crisis()
        ctx.update(entries_context(crisis), entries_url=self.org_url("crisis:log-entries", pk=crisis.pk),
                   list_id="logbook")
        return ctx


class LogEntryCreateView(LogEntryCreateMixin, CrisisMixin, View):
    """One entry of the main courante (the browser's queue resends it with the same key)."""

    capability = "crisis.change"
    entry_model = CrisisLogEntry

    def log_parent(self) -> dict[str, Any]:
        crisis = self.get_crisis()
        if crisis.establishment_id and not Crisis.objects.writable().filter(pk=crisis.pk).exists():
            raise ValidationError(_("This crisis concerns an establishment you cannot change."))
        return {"crisis": crisis}

    def log_entry_context(self, entry: Any) -> dict[str, Any]:
        return {"entry": prepare_entries([entry], origin=self.get_crisis().activated_at)[0]}

    def log_redirect_url(self) -> str:
        return self.org_url("crisis:live", pk=self.get_crisis().pk)


class PostMixin(LiveMixin, View):
    capability = "crisis.change"
    http_method_names = ["post"]


class DegradedView(PostMixin):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        activity = self.tenant_object(Activity.objects.all(), pk=kwargs["activity"])
        return self.run(lambda: services.degraded_activate(crisis=self.get_crisis(), actor=self.user,
                                                           activity=activity))


class ReflexTickView(PostMixin):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sheet = self.tenant_object(ReflexSheet.objects.all(), pk=kwargs["sheet"])
        done = request.POST.get("done", "1") != "0"
        return self.run(lambda: services.reflex_tick(crisis=self.get_crisis(), actor=self.user, sheet=sheet,
                                                     line=kwargs["line"], done=done))


class RecoveryAdvanceView(PostMixin):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        progress = self.child(RecoveryProgress.objects.select_related("resource"))
        return self.run(lambda: services.recovery_advance(crisis=self.get_crisis(), actor=self.user,
                                                          progress=progress, membership=self.membership))


class SignalementView(PostMixin):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        row = self.child(SignalementDone.objects.all())
        done = request.POST.get("done", "1") != "0"
        return self.run(lambda: services.signalement_set(crisis=self.get_crisis(), actor=self.user, signalement=row,
                                                         done=done))


class CloseView(CrisisMixin, View):
    capability = "crisis.activate"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.CloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Write the closing note: how the crisis ended, what comes next."))
            return self.back()
        return self.run(lambda: services.crisis_close(crisis=self.get_crisis(), actor=self.user,
                                                      closing_note=form.cleaned_data["closing_note"]),
                        _("Crisis closed: its report is being written."))


class ReportView(CrisisMixin, View):
    """The crisis report (PDF), once the worker has rendered it."""

    capability = "crisis.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        crisis = self.get_crisis()
        if not crisis.report_file:
            raise Http404
        audit_log(action=AuditEvent.Action.DOWNLOAD, actor=self.user, organization=self.organization,
                  target=crisis.title, details={"crisis": crisis.pk, "file": "report"}, request=request)
        name = f"rapport-de-crise-{slugify(crisis.title)[:60]}-{timezone.localdate(crisis.activated_at):%Y%m%d}.pdf"
        return files.download_response(crisis.report_file, filename=name, content_type="application/pdf")


# --- The kit and its register ---------------------------------------------------------------

class KitView(CrisisBaseMixin, OrgFormView):
    """The copy register, and « issue a copy » (any member who reads the plans: the copy is registered)."""

    capability = "crisis.view"
    template_name = "crisis/kit.html"
    form_class = forms.KitCopyForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        copies = selectors.register(organization=self.organization)
        ctx.update(copies=copies, stale=sum(1 for c in copies if c.is_stale),
                   has_own_html=any(c.format == KitCopy.Format.HTML and c.holder_member_id == self.membership.pk
                                    and c.build == KitCopy.Build.DONE for c in copies),
                   pending=any(c.build == KitCopy.Build.PENDING for c in copies),
                   can_change=self.can("crisis.change"))
        return ctx

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        services.kit_copy_issue(organization=self.organization, actor=self.user,
                                establishment=data.get("establishment"), fmt=data["format"],
                                holder_member=data.get("holder_member"), holder_name=data.get("holder_name", ""),
                                place=data["place"], place_detail=data.get("place_detail", ""),
                                planned_total=data["planned_total"])

    def get_success_url(self) -> str:
        messages.success(self.request, _("Copy registered: it is being built, download it from the register."))
        return self.org_url("crisis:register")


class KitCopyDownloadView(CrisisBaseMixin, View):
    capability = "crisis.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        copy = self.tenant_object(KitCopy.objects.all(), pk=kwargs["pk"])
        if copy.build != KitCopy.Build.DONE or not copy.file:
            raise Http404
        audit_log(action=AuditEvent.Action.DOWNLOAD, actor=self.user, organization=self.organization,
                  target=f"{copy.number}", details={"copy": copy.pk, "file": "kit"}, request=request)
        extension = "pdf" if copy.format == KitCopy.Format.PDF else "html"
        content_type = "application/pdf" if extension == "pdf" else "text/html; charset=utf-8"
        name = f"kit-de-crise-{slugify(self.organization.name)[:40]}-copie-{copy.number}.{extension}"
        return files.download_response(copy.file, filename=name, content_type=content_type)


class KitCopyStateView(CrisisBaseMixin, View):
    capability = "crisis.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        copy = self.tenant_object(KitCopy.objects.writable(), pk=kwargs["pk"])
        state = {"remplacee": KitCopy.State.REPLACED, "detruite": KitCopy.State.DESTROYED}.get(kwargs["state"], "")
        try:
            services.kit_copy_set_state(copy=copy, actor=self.user, state=state)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(self.org_url("crisis:register"))


class OfflineKitView(CrisisBaseMixin, View):
    """The latest HTML kit copy of this member, shown inline: the page the service worker keeps for offline use."""

    capability = "crisis.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        copy = (KitCopy.objects.filter(organization=self.organization, format=KitCopy.Format.HTML,
                                       build=KitCopy.Build.DONE, holder_member=self.membership)
                .order_by("-created_at", "-id").first())
        body = b""
        if copy is not None:
            try:
                stream, _size = files.open_stream(copy.file)
            except FileNotFoundError:
                copy = None
            else:
                with stream:
                    body = stream.read()
        if copy is None:
            return TemplateResponse(request, "crisis/kit_offline_none.html", {"organization": self.organization})
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        # The kit's own inline styles (a single self-contained file), and nothing else: no script, no request.
        response["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
        return response


class KitServiceWorkerView(CrisisBaseMixin, View):
    """The offline kit's service worker, served under this organization's kit folder so that its scope is it."""

    capability = "crisis.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib.staticfiles import finders

        path = finders.find("crisis/kit-sw.js")
        with open(str(path), "rb") as handle:
            response = HttpResponse(handle.read(), content_type="text/javascript; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        response["Service-Worker-Allowed"] = self.org_url("crisis:register")
        return response


# --- « What if » ----------------------------------------------------------------------------

class SimulationView(CrisisBaseMixin, TemplateView):
    """Choose resources down and a duration; see what is hit and when; save it."""

    capability = "crisis.change"
    template_name = "crisis/simulation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = kwargs.get("form") or forms.SimulationForm(self.request.GET or None, organization=self.organization)
        ctx["form"] = form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            _graph, _result, result = selectors.run_simulation(
                organization=self.organization, resource_ids=[r.pk for r in data["resources"]],
                duration_hours=data["duration_hours"], establishment=data.get("establishment"))
            ctx["result"] = result
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = forms.SimulationForm(request.POST, organization=self.organization)
        if form.is_valid():
            data = form.cleaned_data
            try:
                simulation = services.simulation_save(
                    organization=self.organization, actor=self.user,
                    title=data.get("title") or _("What if: %(names)s down for %(hours)s h") % {
                        "names": ", ".join(r.name for r in data["resources"])[:120], "hours": data["duration_hours"]},
                    resource_ids=[r.pk for r in data["resources"]], duration_hours=data["duration_hours"],
                    establishment=data.get("establishment"))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Simulation saved."))
                return HttpResponseRedirect(self.org_url("crisis:simulation-detail", pk=simulation.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SimulationDetailView(CrisisBaseMixin, TemplateView):
    capability = "crisis.view"
    template_name = "crisis/simulation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        simulation = self.tenant_object(Simulation.objects.all(), pk=kwargs["pk"])
        ctx.update(simulation=simulation, result=simulation.result, can_activate=self.can("crisis.activate"))
        return ctx
