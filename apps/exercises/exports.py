"""The exercises' parts of the CaRE dossier (autodiscovered by the exports app): the PDF section « Tests et
exercices » and the XLSX sheets « Exercices », « Chronogramme », « Main courante », « Constats » and « Planning des
tests ». They run in a worker inside the organization's scope (and the requester's establishment limit) and
language, with a fixed number of queries; sheets are written from ``values_list`` rows, user text neutralised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.compliance.registry import all_checks
from apps.compliance.selectors import run_check
from apps.continuity.models import Scenario
from apps.core.logbook import LogEntryBase
from apps.exercises import checks, selectors, services
from apps.exercises.models import (
    Channel,
    Exercise,
    ExerciseEstablishment,
    ExerciseLogEntry,
    ExercisePlanVersion,
    ExerciseScope,
    Finding,
    Format,
    Objective,
    Participant,
    Retex,
    Stimulus,
)
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.xlsx import neutralise

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _by_exercise(rows: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.exercise_id].append(row)
    return grouped


def section_context(organization: Organization) -> dict[str, Any]:
    """Each exercise with what the reviewer checks, the D2.O1.D checks, and the schedule (fixed query count)."""
    state = checks.state_for(organization)
    exercises = list(Exercise.objects.filter(organization=organization).exclude(status=Exercise.Status.CANCELLED)
                     .select_related("scenario").order_by("-planned_start", "-id"))  # all: no cut list
    ids = [e.pk for e in exercises]
    versions = _by_exercise(ExercisePlanVersion.objects.filter(organization=organization, exercise_id__in=ids)
                            .select_related("version__plan"))
    establishments = _by_exercise(ExerciseEstablishment.objects.filter(organization=organization, exercise_id__in=ids)
                                  .select_related("establishment").order_by("establishment__name"))
    objectives = _by_exercise(Objective.objects.filter(organization=organization, exercise_id__in=ids)
                              .select_related("activity", "resource"))
    participants = _by_exercise(Participant.objects.filter(organization=organization, exercise_id__in=ids)
                                .select_related("member__user", "crisis_role"))
    findings: dict[int, list[Finding]] = _by_exercise(Finding.objects.filter(organization=organization,
                                                                             exercise_id__in=ids))
    retexes = {r.exercise_id: r for r in Retex.objects.filter(organization=organization, exercise_id__in=ids)
               .select_related("approved_by")}
    actions = services.finding_actions(organization=organization,
                                       findings=[f for rows in findings.values() for f in rows])
    verdicts = {v.exercise.pk: v for v in state.verdicts}
    rows = []
    for e in exercises:
        functions: dict[str, list[Participant]] = defaultdict(list)
        exercise_findings: list[Finding] = findings.get(e.pk, [])
        for p in participants.get(e.pk, []):
            functions[p.get_function_display() if not p.is_animation else p.get_role_display()].append(p)
        rows.append({
            "exercise": e, "verdict": verdicts.get(e.pk), "versions": [r.version for r in versions.get(e.pk, [])],
            "establishments": [r.establishment for r in establishments.get(e.pk, [])],
            "objectives": objectives.get(e.pk, []), "functions": sorted(functions.items()),
            "findings": sorted(exercise_findings, key=lambda f: (f.severity_rank, f.pk)),
            "retex": retexes.get(e.pk), "actions": actions,
        })
    by_func = {c.func: c for c in all_checks()}
    return {"rows": rows, "schedule": state.plans,
            # The job's snapshot of the checks (computed once with the requirements, ``apps.exports.snapshot``).
            "results": [run_check(by_func[f], organization) if f in by_func else f(organization)
                        for f in (checks.field_exercise, checks.test_schedule, checks.tested_coverage)],
            "coverage": state.coverage, "annual_flag": checks.annual_exercise_flag(organization)}


def _text(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def exercise_rows(organization: Organization) -> Iterator[list[Any]]:
    formats, scopes = _labels(Format.choices), _labels(ExerciseScope.choices)
    statuses, kinds = _labels(Exercise.Status.choices), _labels(Scenario.Kind.choices)
    retex_statuses = _labels(Retex.Status.choices)
    plans: dict[int, list[str]] = defaultdict(list)
    for exercise_id, title, number in (ExercisePlanVersion.objects.filter(organization=organization)
                                       .order_by("version__plan__title")
                                       .values_list("exercise_id", "version__plan__title", "version__number")):
        plans[exercise_id].append(f"{title} v{number}")
    places: dict[int, list[str]] = defaultdict(list)
    for exercise_id, short, name in (ExerciseEstablishment.objects.filter(organization=organization)
                                     .order_by("establishment__name")
                                     .values_list("exercise_id", "establishment__short_name", "establishment__name")):
        places[exercise_id].append(short or name)
    retex = {row[0]: row[1:] for row in Retex.objects.filter(organization=organization).values_list(
        "exercise_id", "status", "hot_debrief_on", "cold_retex_on", "approved_at")}
    counting = {v.exercise.pk for v in checks.state_for(organization).counting}
    for pk, title, fmt, scope, status, kind, planned, debex, finex in (
            Exercise.objects.filter(organization=organization).order_by("-planned_start", "-id").values_list(
                "pk", "title", "format", "scope", "status", "scenario__kind", "planned_start", "debex_at", "finex_at")):
        r_status, hot, cold, approved = retex.get(pk, ("", None, None, None))
        yield [_text(title), formats.get(fmt, fmt), scopes.get(scope, scope), statuses.get(status, status),
               kinds.get(kind, kind), planned, debex, finex, _text("; ".join(plans.get(pk, []))),
               _text(", ".join(places.get(pk, []))), _("yes") if pk in counting else _("no"),
               retex_statuses.get(r_status, ""), hot, cold, approved]


def stimulus_rows(organization: Organization) -> Iterator[list[Any]]:
    channels = _labels(Channel.choices)
    for row in (Stimulus.objects.filter(organization=organization)
                .order_by("exercise__planned_start", "exercise_id", "offset_minutes", "order", "id")
                .values_list("exercise__title", "offset_minutes", "sender", "recipient", "channel", "content",
                             "expected_reaction", "objective__statement", "sent_at")):
        title, offset, sender, recipient, channel, content, expected, objective, sent = row
        yield [_text(title), offset, _text(sender), _text(recipient), channels.get(channel, channel), _text(content),
               _text(expected), _text(objective or ""), sent]


def log_rows(organization: Organization) -> Iterator[list[Any]]:
    kinds = _labels(LogEntryBase.Kind.choices)
    for row in (ExerciseLogEntry.objects.filter(organization=organization)
                .order_by("exercise_id", "occurred_at", "id")
                .values_list("exercise__title", "occurred_at", "kind", "who", "text", "author__first_name",
                             "author__last_name", "author__email", "stimulus__offset_minutes",
                             "objective__statement", "exercise__debex_at")
                .iterator(chunk_size=2000)):
        title, at, kind, who, text, first, last, email, offset, objective, debex = row
        minutes = int((at - debex).total_seconds() // 60) if debex else None
        author = f"{first} {last}".strip() or email or ""
        yield [_text(title), at, minutes, kinds.get(kind, kind), _text(who), _text(text), _text(author),
               offset, _text(objective or "")]


def finding_rows(organization: Organization) -> Iterator[list[Any]]:
    severities = _labels(Finding.Severity.choices)
    findings = list(Finding.objects.filter(organization=organization).order_by("exercise_id", "id"))
    actions = services.finding_actions(organization=organization, findings=findings)
    for pk, title, severity, exercise, objective, description, recommendation in (
            Finding.objects.filter(organization=organization).order_by("exercise_id", "id").values_list(
                "pk", "title", "severity", "exercise__title", "objective__statement", "description",
                "recommendation")):
        action = actions.get(pk)
        yield [_text(exercise), _text(title), severities.get(severity, severity), _text(objective or ""),
               _text(description), _text(recommendation), _text(str(action)) if action else ""]


def schedule_rows(organization: Organization) -> Iterator[list[Any]]:
    states = {"overdue": _("Overdue"), "unscheduled": _("To schedule"), "due_soon": _("Due soon"),
              "scheduled": _("Scheduled")}
    for t in selectors.schedule_rows(organization=organization):
        owner = t.schedule.owner.user if t.schedule and t.schedule.owner else None
        yield [_text(t.plan.title), f"v{t.approved.number}" if t.approved else "",
               t.last_tested_on, t.last.format_short if t.last else "", t.next_test_on,
               t.next_format, states[t.state],
               _text((owner.get_full_name() or owner.email) if owner else ""),
               _text(t.schedule.notes if t.schedule else "")]


register_pdf_section(PdfSection(
    key="exercises", order=600, title=gettext_lazy("Tests and exercises"), template="exercises/exports/section.html",
    context=section_context,
))
register_xlsx_sheet(XlsxSheet(
    key="exercises", order=600, title=gettext_lazy("Exercises"),
    columns=[
        Column(gettext_lazy("Exercise"), width=36), Column(gettext_lazy("Format"), width=22),
        Column(gettext_lazy("Kind of test"), width=22), Column(gettext_lazy("Status"), width=12),
        Column(gettext_lazy("Scenario"), width=26), Column(gettext_lazy("Planned on"), kind="datetime", width=16),
        Column(gettext_lazy("DEBEX"), kind="datetime", width=16), Column(gettext_lazy("FINEX"), kind="datetime", width=16),
        Column(gettext_lazy("Plans tested"), width=36), Column(gettext_lazy("Establishments"), width=30),
        Column(gettext_lazy("Counts for D2.O1.D"), width=12), Column(gettext_lazy("RETEX"), width=16),
        Column(gettext_lazy("Hot debrief on"), kind="date", width=14),
        Column(gettext_lazy("Cold RETEX on"), kind="date", width=14),
        Column(gettext_lazy("RETEX approved on"), kind="datetime", width=16),
    ],
    rows=exercise_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="exercises_chronogramme", order=610, title=gettext_lazy("Chronogramme"),
    columns=[
        Column(gettext_lazy("Exercise"), width=30), Column(gettext_lazy("T+ (minutes)"), kind="number", width=10),
        Column(gettext_lazy("Sender"), width=22), Column(gettext_lazy("Recipient"), width=22),
        Column(gettext_lazy("Channel"), width=14), Column(gettext_lazy("Content"), width=60),
        Column(gettext_lazy("Expected reaction"), width=50), Column(gettext_lazy("Objective"), width=36),
        Column(gettext_lazy("Sent at"), kind="datetime", width=16),
    ],
    rows=stimulus_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="exercises_log", order=620, title=gettext_lazy("Main courante"),
    columns=[
        Column(gettext_lazy("Exercise"), width=30), Column(gettext_lazy("Time"), kind="datetime", width=16),
        Column(gettext_lazy("T+ (minutes)"), kind="number", width=10), Column(gettext_lazy("Kind"), width=14),
        Column(gettext_lazy("Who"), width=22), Column(gettext_lazy("What"), width=70),
        Column(gettext_lazy("Typed by"), width=22), Column(gettext_lazy("Stimulus (T+)"), kind="number", width=10),
        Column(gettext_lazy("Objective"), width=36),
    ],
    rows=log_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="exercises_findings", order=630, title=gettext_lazy("Findings"),
    columns=[
        Column(gettext_lazy("Exercise"), width=30), Column(gettext_lazy("Finding"), width=40),
        Column(gettext_lazy("Severity"), width=12), Column(gettext_lazy("Objective"), width=36),
        Column(gettext_lazy("What was observed"), width=60), Column(gettext_lazy("Recommendation"), width=50),
        Column(gettext_lazy("Action"), width=36),
    ],
    rows=finding_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="exercises_schedule", order=640, title=gettext_lazy("Test schedule"),
    columns=[
        Column(gettext_lazy("Plan"), width=36), Column(gettext_lazy("Approved version"), width=10),
        Column(gettext_lazy("Last test"), kind="date", width=14), Column(gettext_lazy("Format"), width=22),
        Column(gettext_lazy("Next test"), kind="date", width=14), Column(gettext_lazy("Format"), width=22),
        Column(gettext_lazy("State"), width=14), Column(gettext_lazy("Owner"), width=24),
        Column(gettext_lazy("Notes"), width=40),
    ],
    rows=schedule_rows,
))
