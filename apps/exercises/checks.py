"""CaRE D2.O1.D, computed as the annex words it, and the « Tests et exercices » stage of the journey.

« Effectuer un test pour la mise en œuvre d'au moins un PCA […] dans le cadre d'un exercice terrain adapté pendant
la phase opérationnelle » and « établir un planning de test des autres exercices de PCA »; for a GHT with several
EJ (or a candidate with several EG) the test covers entities weighing ≥ 66 % of the combined activity
(DOMAIN.md §9). Three checks, all read from one ``D2O1DState`` (a fixed number of queries, kept on the
organization object for the rest of the request and dropped by every write of this app):

1. ``exercises.field_exercise`` — an exercise **counts** when it is a PCA exercise (never an IT-only test:
   restoration, failover, maintenance — DOMAIN.md §2), in the **field** format (« exercice terrain », not
   table-top nor simulated), **run** (DEBEX and FINEX recorded) on a day between the start of the operational
   phase (16/07/2025, catalogue data) and the declaration deposit date (``apps.compliance.dates``: today until
   it is filed), on at least one plan version **approved** by DEBEX, with a **RETEX** written (hot debrief or
   cold RETEX). Every other exercise says exactly what it lacks. Restoration tests alone never count.
2. ``exercises.schedule`` — every other approved plan (not tested by a counting exercise) has its next test on
   or after the reference date: a date in the planning des tests, or a planned exercise on it.
3. ``exercises.coverage_66`` — the one 66 % function (``apps.compliance.coverage.coverage_share``) over the
   establishments / sites the counting exercises covered; for a test, an entity counts once it was tested
   (« a minima un service/périmètre testé »), whatever its minimum perimeters.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.compliance.catalogue import current_catalogue
from apps.compliance.coverage import ESTABLISHMENT, SINGLE, CoverageResult, coverage_share, pct
from apps.compliance.dates import declaration_reference_date
from apps.compliance.registry import CheckResult, register_check
from apps.continuity.models import PlanVersion
from apps.exercises import selectors
from apps.exercises.models import (
    Exercise,
    ExerciseEstablishment,
    ExercisePlanVersion,
    ExerciseScope,
    ExerciseSite,
    Format,
)

if TYPE_CHECKING:
    from apps.tenants.models import Organization

CACHE_ATTRIBUTE = "_exercises_d2o1d"

# Why an exercise does not count (codes, so the journey knows which step is missing).
TECHNICAL, NOT_FIELD, NOT_RUN, BEFORE_PHASE, AFTER_DEPOSIT, NO_APPROVED_PLAN, NO_RETEX = (
    "technical", "not_field", "not_run", "before_phase", "after_deposit", "no_plan", "no_retex")


def short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


@dataclass
class Verdict:
    exercise: Exercise
    versions: list[PlanVersion]  # the tested versions approved by DEBEX (or approved now, for a planned one)
    retex: Any = None  # its Retex, if any
    reasons: list[tuple[str, str]] = field(default_factory=list)

    @property
    def counts(self) -> bool:
        return not self.reasons

    def lacks(self, *codes: str) -> bool:
        return any(code in codes for code, _text in self.reasons)


@dataclass
class D2O1DState:
    verdicts: list[Verdict]
    phase_start: datetime.date
    reference: datetime.date
    plans: list[selectors.PlanTest]  # the approved plans (the PCAs), with their tests
    coverage: CoverageResult
    restore_tests: int

    @property
    def counting(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.counts]

    @property
    def tested_plan_ids(self) -> set[int]:
        return {version.plan_id for v in self.counting for version in v.versions}

    @property
    def others(self) -> list[selectors.PlanTest]:
        return [p for p in self.plans if p.plan.pk not in self.tested_plan_ids]

    @property
    def unscheduled(self) -> list[selectors.PlanTest]:
        return [p for p in self.others if not p.scheduled]


def forget_state(organization: Organization) -> None:
    organization.__dict__.pop(CACHE_ATTRIBUTE, None)


def _verdict(exercise: Exercise, versions: list[PlanVersion], retex: Any, phase_start: datetime.date,
             reference: datetime.date) -> Verdict:
    name = exercise.title
    reasons: list[tuple[str, str]] = []
    if exercise.scope == ExerciseScope.TECHNICAL:
        reasons.append((TECHNICAL, _("« %(name)s » is a technical test (restoration, failover, maintenance): an "
                                     "IT-only test never counts as a PCA test.") % {"name": name}))
    if exercise.format != Format.FIELD:
        reasons.append((NOT_FIELD, _("« %(name)s » is a %(format)s: only a field exercise (real conditions) "
                                     "counts for D2.O1.D.") % {"name": name,
                                                               "format": exercise.format_short}))
    run_on = exercise.run_on if exercise.finex_at else None
    if run_on is None:
        planned = timezone.localdate(exercise.planned_start)
        reasons.append((NOT_RUN, _("« %(name)s » is planned for %(date)s: it counts once run (DEBEX and FINEX "
                                   "recorded).") % {"name": name, "date": short(planned)}
                        if exercise.status == Exercise.Status.PLANNED else
                        _("« %(name)s » is running: it counts once FINEX is recorded.") % {"name": name}))
    elif run_on < phase_start:
        reasons.append((BEFORE_PHASE, _("« %(name)s » was run on %(date)s, before the operational phase (from "
                                        "%(start)s).") % {"name": name, "date": short(run_on),
                                                          "start": short(phase_start)}))
    elif run_on > reference:
        reasons.append((AFTER_DEPOSIT, _("« %(name)s » was run on %(date)s, after the declaration was filed "
                                         "(%(deposit)s).") % {"name": name, "date": short(run_on),
                                                              "deposit": short(reference)}))
    if not versions:
        reasons.append((NO_APPROVED_PLAN, _("« %(name)s » tests no plan version approved before the exercise: it "
                                            "must test an approved PCA.") % {"name": name}))
    if run_on is not None and (retex is None or not retex.is_written):
        reasons.append((NO_RETEX, _("« %(name)s »: write its RETEX (hot debrief or cold RETEX).") % {"name": name}))
    return Verdict(exercise=exercise, versions=versions, retex=retex, reasons=reasons)


def state_for(organization: Organization) -> D2O1DState:
    """The D2.O1.D picture of the organization (twelve queries), kept on the organization object."""
    state = organization.__dict__.get(CACHE_ATTRIBUTE)
    if state is not None:
        return state
    from apps.backups.models import RestoreTest
    from apps.exercises.models import Retex
    from apps.tenants.models import Site

    phase_start = current_catalogue().operational_phase_start
    reference = declaration_reference_date(organization)
    exercises = list(Exercise.objects.filter(organization=organization).exclude(status=Exercise.Status.CANCELLED)
                     .order_by("-planned_start", "-id"))
    retexes = {r.exercise_id: r for r in Retex.objects.filter(organization=organization)}
    tested: dict[int, list[PlanVersion]] = {}
    for row in ExercisePlanVersion.objects.filter(organization=organization).select_related("version__plan"):
        tested.setdefault(row.exercise_id, []).append(row.version)
    verdicts = []
    for exercise in exercises:
        moment = exercise.debex_at or timezone.now()
        versions = [v for v in tested.get(exercise.pk, [])
                    if v.approved_at is not None and v.approved_at <= moment]
        verdicts.append(_verdict(exercise, versions, retexes.get(exercise.pk), phase_start, reference))
    counting_ids = [v.exercise.pk for v in verdicts if v.counts]
    state = D2O1DState(verdicts=verdicts, phase_start=phase_start, reference=reference,
                       plans=[t for t in selectors.schedule_rows(organization=organization, today=reference)
                              if t.approved is not None],
                       coverage=coverage_share(organization, _covered_rows(organization, counting_ids, Site),
                                               per_perimeter=False),
                       restore_tests=RestoreTest.objects.filter(organization=organization).count())
    organization.__dict__[CACHE_ATTRIBUTE] = state
    return state


def _covered_rows(organization: Organization, exercise_ids: list[int], site_model: Any) -> list[tuple[int, Any, str]]:
    """(establishment, site, perimeter) rows of what the counting exercises covered: their chosen sites, and every
    site of an establishment chosen without naming its sites."""
    if not exercise_ids:
        return []
    chosen_sites = set(ExerciseSite.objects.filter(organization=organization, exercise_id__in=exercise_ids)
                       .values_list("site_id", "site__establishment_id"))
    establishments = set(ExerciseEstablishment.objects.filter(organization=organization, exercise_id__in=exercise_ids)
                         .values_list("establishment_id", flat=True))
    with_sites = {est for _site, est in chosen_sites}
    rows: list[tuple[int, Any, str]] = [(est, site, "") for site, est in chosen_sites]
    whole = establishments - with_sites
    all_sites = list(site_model.objects.filter(organization=organization, establishment_id__in=whole)
                     .values_list("pk", "establishment_id"))
    rows += [(est, site, "") for site, est in all_sites]
    rows += [(est, None, "") for est in whole if est not in {e for _s, e in all_sites}]
    return rows


def _describe(v: Verdict) -> str:
    e = v.exercise
    plans = ", ".join(_("« %(plan)s » v%(number)s") % {"plan": version.plan.title, "number": version.number}
                      for version in v.versions)
    retex = v.retex
    text = _("« %(name)s », field exercise run on %(date)s, tests %(plans)s.") % {
        "name": e.title, "date": short(e.run_on) if e.run_on else "—", "plans": plans}
    if retex is not None and retex.approved_at:
        text += " " + _("RETEX approved on %(date)s.") % {"date": short(timezone.localdate(retex.approved_at))}
    elif retex is not None:
        text += " " + _("RETEX written, not approved by the direction yet.")
    return text


@register_check("D2.O1.D", key="exercises.field_exercise")
def field_exercise(organization: Organization) -> CheckResult:
    """At least one field exercise of an approved PCA run during the operational phase, with its RETEX."""
    state = state_for(organization)
    counting = state.counting
    window = {"start": short(state.phase_start), "end": short(state.reference)}
    summary = ngettext(
        "%(count)s field exercise of an approved PCA run between %(start)s and %(end)s with a RETEX (the operational "
        "phase, up to the declaration deposit; a table-top or simulated exercise and an IT-only test do not count).",
        "%(count)s field exercises of an approved PCA run between %(start)s and %(end)s with a RETEX (the operational "
        "phase, up to the declaration deposit; a table-top or simulated exercise and an IT-only test do not count).",
        len(counting)) % {"count": len(counting), **window}
    evidence: list[str | Promise] = [_describe(v) for v in counting]
    missing: list[str | Promise] = [text for v in state.verdicts if not v.counts for _code, text in v.reasons]
    if state.restore_tests and not counting:
        missing.append(ngettext("%(count)s restoration test recorded: it proves D2.O4, never a PCA test.",
                                "%(count)s restoration tests recorded: they prove D2.O4, never a PCA test.",
                                state.restore_tests) % {"count": state.restore_tests})
    if counting:
        status = CheckResult.MET
    elif state.verdicts:
        status = CheckResult.PARTIAL
    else:
        status = CheckResult.NOT_MET
        missing.insert(0, _("No exercise yet: plan a field exercise of an approved PCA."))
    return CheckResult(status=status, summary=summary, evidence=evidence,
                       missing=missing if status != CheckResult.MET else [],
                       action=(gettext_lazy("Plan a field exercise"), "exercises:create"))


@register_check("D2.O1.D", key="exercises.schedule")
def test_schedule(organization: Organization) -> CheckResult:
    """The planning des tests of the other PCAs: each approved plan not tested yet has its next test."""
    state = state_for(organization)
    others, unscheduled = state.others, state.unscheduled
    evidence: list[str | Promise] = [
        _("« %(plan)s »: next test on %(date)s (%(format)s).") % {
            "plan": p.plan.title, "date": short(p.next_test_on), "format": p.next_format}
        for p in others if p.scheduled and p.next_test_on]
    missing: list[str | Promise] = []
    for p in unscheduled:
        if p.overdue and p.schedule:
            missing.append(_("« %(plan)s »: its test was due on %(date)s: set a new date.")
                           % {"plan": p.plan.title, "date": short(p.schedule.next_test_on)})
        else:
            missing.append(_("« %(plan)s »: no next test in the schedule.") % {"plan": p.plan.title})
    if not state.plans:
        status = CheckResult.NOT_MET
        missing = [_("No approved plan yet: the schedule covers the approved plans.")]
    elif not unscheduled:
        status = CheckResult.MET
    elif len(unscheduled) < len(others):
        status = CheckResult.PARTIAL
    else:
        status = CheckResult.NOT_MET if not state.counting and not any(p.scheduled for p in state.plans) else \
            CheckResult.PARTIAL
    if not state.plans:
        summary = _("No approved plan to schedule yet.")
    elif not others:
        summary = _("Every approved plan (%(total)s) was tested in a counting field exercise.") % {
            "total": len(state.plans)}
    else:
        done = len(others) - len(unscheduled)
        summary = ngettext("%(done)s of %(total)s approved plans not tested yet has its next test in the schedule "
                           "(on or after %(date)s).",
                           "%(done)s of %(total)s approved plans not tested yet have their next test in the schedule "
                           "(on or after %(date)s).", done) % {"done": len(others) - len(unscheduled), "total": len(others),
                                                  "date": short(state.reference)}
    return CheckResult(status=status, summary=summary, evidence=evidence, missing=missing,
                       action=(gettext_lazy("Open the test schedule"), "exercises:schedule"))


@register_check("D2.O1.D", key="exercises.coverage_66")
def tested_coverage(organization: Organization) -> CheckResult:
    """The 66 % rule over the entities the counting field exercises covered."""
    state = state_for(organization)
    result = state.coverage
    action = (gettext_lazy("Plan a field exercise"), "exercises:create")
    threshold = pct(result.threshold)
    if result.level == SINGLE:
        summary = _("A single entity: the %(threshold)s %% rule is met once a field exercise counts.") % {
            "threshold": threshold}
        return CheckResult(status=CheckResult.MET if state.counting else CheckResult.NOT_MET, summary=summary,
                           missing=[] if state.counting else [_("No field exercise counts yet.")], action=action)
    evidence: list[str | Promise] = []
    missing: list[str | Promise] = list(result.weight_problems)
    for e in result.entities:
        weight = _("%(share)s %% of activity") % {"share": pct(e.weight)}
        if e.counts:
            evidence.append(_("%(name)s (%(weight)s): tested.") % {"name": e.name, "weight": weight})
        else:
            missing.append(_("%(name)s (%(weight)s): not covered by a counting field exercise.")
                           % {"name": e.name, "weight": weight})
    if not result.weights_complete:
        summary = _("Weights to complete: the %(threshold)s %% rule cannot be met until the shares total 100 %% "
                    "with their basis and date.") % {"threshold": threshold}
        action = (gettext_lazy("Complete the weights"), "tenants:establishments")
    else:
        values = {"share": pct(result.share), "threshold": threshold}
        if result.level == ESTABLISHMENT:
            summary = _("The legal entities (FINESS EJ) tested in counting field exercises weigh %(share)s %% of the "
                        "combined activity (%(threshold)s %% required).") % values
        else:
            summary = _("The sites (FINESS EG) tested in counting field exercises weigh %(share)s %% of the combined "
                        "activity (%(threshold)s %% required).") % values
    return CheckResult(status=result.status, summary=summary, evidence=evidence,
                       missing=missing if result.status != CheckResult.MET else [], action=action, coverage=result)


def annual_exercise_flag(organization: Organization) -> str | None:
    """The annual cyber crisis exercise (instruction of 30/01/2023): a sentence when none is planned within 12
    months, else None."""
    if selectors.annual_cyber_exercise(organization=organization) is not None:
        return None
    return _("No cyber crisis exercise is planned in the next 12 months (annual duty, instruction of 30/01/2023).")


def journey_progress(organization: Organization) -> dict[str, Any]:
    """The « Tests et exercices » stage: five steps towards D2.O1.D, what is missing and the next action."""
    from apps.core.views import org_url

    state = state_for(organization)
    pca_field = [v for v in state.verdicts if not v.lacks(TECHNICAL, NOT_FIELD, NO_APPROVED_PLAN)]
    run_in_phase = [v for v in pca_field if not v.lacks(NOT_RUN, BEFORE_PHASE, AFTER_DEPOSIT)]
    steps = [
        (bool(pca_field), _("Plan a field exercise of an approved PCA."),
         (_("Plan a field exercise"), "exercises:create")),
        (bool(run_in_phase), _("Run it during the operational phase (DEBEX → FINEX) and keep the main courante."),
         (_("Run the exercise"), org_url(organization, "exercises:detail", pk=pca_field[0].exercise.pk)
          if pca_field else "exercises:list")),
        (bool(state.counting), _("Write the RETEX of the field exercise."),
         (_("Write the RETEX"), org_url(organization, "exercises:retex", pk=run_in_phase[0].exercise.pk)
          if run_in_phase else "exercises:list")),
        (bool(state.plans) and not state.unscheduled, _("Schedule the next test of the other approved plans."),
         (_("Complete the test schedule"), "exercises:schedule")),
        (state.coverage.met, _("Cover entities weighing at least 66 % of the combined activity."),
         (_("Plan a field exercise"), "exercises:create")),
    ]
    done = sum(1 for ok, _text, _next in steps if ok)
    missing = [text for ok, text, _next in steps if not ok]
    next_action = next((action for ok, _text, action in steps if not ok), None)
    flag = annual_exercise_flag(organization)
    if flag:
        missing.append(flag)
    if next_action is None:
        next_action = (_("Plan the annual cyber crisis exercise"), "exercises:create") if flag else (
            _("Open the test schedule"), "exercises:schedule")
    return {"percent": round(100 * done / len(steps)), "missing": missing, "next_action": next_action}
