"""Running an exercise: the live page (clock since DEBEX, stimuli due and next, objectives to measure) and its
main courante (``apps.core.logbook``: quick entry, each entry saved at once, queued offline by the browser)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.core.logbook import LogEntryBase, LogEntryCreateMixin, prepare_entries
from apps.exercises import forms, selectors, services
from apps.exercises.models import Exercise, ExerciseLogEntry, Objective, Stimulus
from apps.exercises.views.base import ExerciseMixin

# The live page shows the latest entries of the main courante (a tablet reads the recent ones); « tout » shows
# them all up to ALL_ENTRIES; the XLSX export always holds every entry.
LIVE_ENTRIES = 100
ALL_ENTRIES = 5000


def entries_context(request: HttpRequest, exercise: Exercise) -> dict[str, Any]:
    """The main courante as the live page shows it: the latest entries, or all of them with ``?tout=1``."""
    show_all = request.GET.get("tout") == "1"
    limit = ALL_ENTRIES if show_all else LIVE_ENTRIES
    entries = list(selectors.log_entries(exercise=exercise)[:limit])
    # Always counted (one query), so the page's query count is the same with 50 entries or 5,000.
    hidden = max(0, ExerciseLogEntry.objects.filter(organization_id=exercise.organization_id, exercise=exercise)
                 .count() - len(entries))
    return {"entries": prepare_entries(entries, origin=exercise.debex_at), "hidden_count": hidden,
            "show_all": show_all}


class LiveMixin(ExerciseMixin):
    def live_context(self) -> dict[str, Any]:
        exercise = self.get_exercise()
        state = selectors.live_state(exercise=exercise)
        ctx = self.exercise_context()
        ctx.update(entries_context(self.request, exercise))
        ctx.update(tab="live", state=state, kinds=LogEntryBase.Kind.choices,
                   log_url=self.org_url("exercises:log-add", pk=exercise.pk),
                   entries_url=self.org_url("exercises:log-entries", pk=exercise.pk),
                   panel_url=self.org_url("exercises:live-panel", pk=exercise.pk),
                   log_open=exercise.debex_at is not None and exercise.status != Exercise.Status.CANCELLED,
                   measure_form=forms.MeasureForm(), new_key=uuid.uuid4())
        return ctx


class LiveView(LiveMixin, TemplateView):
    """Usable on a tablet: big targets, the clock, what to send now, the main courante."""

    capability = "exercises.view"
    template_name = "exercises/live.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **self.live_context()}


class LivePanelView(LiveMixin, TemplateView):
    """The stimuli and objectives panel, refreshed by htmx."""

    capability = "exercises.view"
    template_name = "exercises/_live_panel.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **self.live_context()}


class LogEntriesView(ExerciseMixin, TemplateView):
    """The main courante's list, refreshed by htmx (what the other tablets typed)."""

    capability = "exercises.view"
    template_name = "core/logbook/_entries.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        exercise = self.get_exercise()
        ctx.update(entries_context(self.request, exercise), exercise=exercise,
                   entries_url=self.org_url("exercises:log-entries", pk=exercise.pk), list_id="logbook")
        return ctx


class LogEntryCreateView(LogEntryCreateMixin, ExerciseMixin, View):
    """One entry of the main courante (quick entry; the browser's queue resends it with the same key)."""

    capability = "exercises.change"
    entry_model = ExerciseLogEntry

    def log_parent(self) -> dict[str, Any]:
        exercise = self.get_exercise()
        # The exercise's own rules (open from DEBEX, closed when cancelled), before the shared service writes.
        if exercise.debex_at is None:
            raise ValidationError(_("The main courante opens at DEBEX: start the exercise first."))
        if exercise.status == Exercise.Status.CANCELLED:
            raise ValidationError(_("This exercise is cancelled: its main courante is closed."))
        return {"exercise": exercise}

    def log_links(self, post: Any) -> dict[str, Any]:
        links: dict[str, Any] = {}
        for name, model in (("stimulus", Stimulus), ("objective", Objective)):
            value = post.get(name)
            if value:
                obj = model.objects.filter(organization=self.organization, exercise=self.get_exercise(),
                                           pk=value if str(value).isdigit() else 0).first()
                if obj is None:
                    raise ValidationError({name: _("Choose an item of this exercise.")})
                links[name] = obj
        return links

    def log_entry_context(self, entry: Any) -> dict[str, Any]:
        return {"entry": prepare_entries([entry], origin=self.get_exercise().debex_at)[0]}

    def log_redirect_url(self) -> str:
        return self.org_url("exercises:live", pk=self.get_exercise().pk)


class StartView(ExerciseMixin, View):
    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.exercise_start(exercise=self.get_exercise(), actor=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("DEBEX: the exercise has started."))
        return HttpResponseRedirect(self.org_url("exercises:live", pk=self.get_exercise().pk))


class FinishView(ExerciseMixin, View):
    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.exercise_finish(exercise=self.get_exercise(), actor=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(self.org_url("exercises:live", pk=self.get_exercise().pk))
        messages.success(request, _("FINEX: the exercise is over. Hold the hot debrief now."))
        return HttpResponseRedirect(self.org_url("exercises:retex", pk=self.get_exercise().pk))


class StimulusSentView(ExerciseMixin, View):
    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stimulus = self.child(Stimulus.objects.all())
        try:
            services.stimulus_mark_sent(exercise=self.get_exercise(), stimulus=stimulus, actor=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(self.org_url("exercises:live", pk=self.get_exercise().pk))


class MeasureView(ExerciseMixin, View):
    """« Mesurer »: the time since DEBEX now, or the value typed (an RPA, a correction)."""

    capability = "exercises.change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        objective = self.child(Objective.objects.all())
        form = forms.MeasureForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(" ".join(str(e) for errors in form.errors.values() for e in errors))
            services.objective_measure(exercise=self.get_exercise(), objective=objective, actor=self.user,
                                       minutes=form.cleaned_data.get("minutes"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Measure recorded."))
        return HttpResponseRedirect(self.org_url("exercises:live", pk=self.get_exercise().pk))
