"""Copying templates between a consultant's own client organizations.

A consultant who runs several clients reuses what they built for one in another: the impact scales (criteria
with their levels, time horizons), the BIA activity catalogue as adapted, plan skeletons (perimeter, scenarios,
degraded modes and fiches réflexes of the plan's current version — never its approvals, snapshot or recovery
order), fiches réflexes missing from plans of the same title, and the exercise stimulus library.

Rules:
- both organizations are ones where the user is a **consultant** member (``copy_sources``); any other source is
  refused (the view answers 404, as for an organization that does not exist);
- the source is read inside its own tenant scope, with the consultant's establishment limit there; what is read
  is turned into plain values first, so nothing written in the target points to a row of the source: every copy
  is a new row, establishments are replaced by the target establishment chosen (or left empty), pôles/services,
  owners and sites are cleared, activities and scenarios are found again in the target by name and kind;
- what already exists in the target by name (criterion code or name, horizon hours or label, activity name in
  the establishment, plan title, fiche réflexe role, stimulus title in its scenario) is skipped, never changed;
  names are compared as the imports compare them, accents, case and punctuation ignored
  (``apps.core.text.normalise``);
- ``copy_preview`` lists what ``copy_apply`` will create and what it will skip, from the same function; the apply
  runs in one transaction, records an audit entry in both organizations (naming neither to the other), and every
  row created is in the history (pghistory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scopes_disabled

from apps.core.models import AuditEvent
from apps.core.services import audit_log, ensure_same_organization
from apps.core.tenancy import tenant_scope
from apps.core.text import normalise
from apps.tenants.models import Establishment, Membership, Organization
from apps.tenants.roles import Role

if TYPE_CHECKING:
    from apps.accounts.models import User


class Template(models.TextChoices):
    SCALES = "scales", gettext_lazy("Impact scales (criteria with their levels, time horizons)")
    ACTIVITIES = "activities", gettext_lazy("BIA activity catalogue, as adapted")
    PLANS = "plans", gettext_lazy("Plan skeletons (perimeter, scenarios, degraded modes, fiches réflexes)")
    REFLEX_SHEETS = "reflex_sheets", gettext_lazy("Fiches réflexes missing from plans of the same title")
    STIMULI = "stimuli", gettext_lazy("Exercise stimulus library")


NEEDS_ESTABLISHMENT = {Template.ACTIVITIES}


@dataclass
class Line:
    """One thing the copy creates (``exists`` False) or skips because the target already has it."""

    kind: str
    label: str
    exists: bool
    note: str = ""


@dataclass
class CopyPlan:
    lines: list[Line] = field(default_factory=list)
    writes: list[Callable[[], None]] = field(default_factory=list)

    @property
    def created(self) -> list[Line]:
        return [line for line in self.lines if not line.exists]

    @property
    def skipped(self) -> list[Line]:
        return [line for line in self.lines if line.exists]

    def by_kind(self) -> list[tuple[str, list[Line]]]:
        return [(str(Template(k).label), [line for line in self.lines if line.kind == k])
                for k in Template.values if any(line.kind == k for line in self.lines)]


def _consultant_membership(user: User, organization: Organization) -> Membership | None:
    with scopes_disabled():  # memberships are the boundary itself (as apps.tenants.selectors)
        return (Membership.objects.filter(user=user, organization=organization, role=Role.CONSULTANT)
                .select_related("organization").first())


def copy_sources(*, user: User, target: Organization) -> list[Organization]:
    """The organizations this user may copy from into ``target``: those where they are a consultant, but it."""
    with scopes_disabled():
        mine = Membership.objects.filter(user=user, role=Role.CONSULTANT).values("organization_id")
        return list(Organization.objects.filter(pk__in=mine).exclude(pk=target.pk).order_by("name"))


# --- What the source holds, as plain values ------------------------------------------------------------------------

def _read_source(source: Organization, limit: frozenset[int] | None, kinds: set[str]) -> dict[str, Any]:
    from apps.bia.models import Activity, ImpactCriterion, ImpactLevel, TimeHorizon
    from apps.continuity.models import DegradedMode, NotApplicable, Plan, PlanActivity, PlanScenario, ReflexSheet
    from apps.continuity.services import DEGRADED_FIELDS, REFLEX_FIELDS, RETURN_FIELDS
    from apps.exercises.models import StimulusTemplate

    data: dict[str, Any] = {}
    with tenant_scope(source, establishments=limit):
        if Template.SCALES in kinds:
            levels: dict[int, list[dict[str, Any]]] = {}
            for lv in ImpactLevel.objects.filter(organization=source).order_by("level"):
                levels.setdefault(lv.criterion_id, []).append(
                    {"level": lv.level, "label": lv.label, "description": lv.description})
            data["criteria"] = [{"code": c.code, "name": c.name, "order": c.order, "is_active": c.is_active,
                                 "levels": levels.get(c.pk, [])}
                                for c in ImpactCriterion.objects.filter(organization=source)]
            data["horizons"] = list(TimeHorizon.objects.filter(organization=source).values("label", "hours", "order"))
        if Template.ACTIVITIES in kinds:
            seen: set[str] = set()
            data["activities"] = []
            for a in Activity.objects.filter(organization=source).order_by("name", "id").values(
                    "name", "process", "description", "catalogue_code", "care_perimeter"):
                if normalise(a["name"]) not in seen:
                    seen.add(normalise(a["name"]))
                    data["activities"].append(a)
        if kinds & {Template.PLANS, Template.REFLEX_SHEETS}:
            plans = list(Plan.objects.filter(organization=source, is_archived=False).order_by("title"))
            version_ids = [p.current_version_id for p in plans if p.current_version_id]
            members: dict[int, list[str]] = {}
            for plan_id, name in PlanActivity.objects.filter(organization=source, plan__in=plans).values_list(
                    "plan_id", "activity__name"):
                members.setdefault(plan_id, []).append(name)
            scenarios: dict[int, list[str]] = {}
            for plan_id, kind in PlanScenario.objects.filter(organization=source, plan__in=plans).values_list(
                    "plan_id", "scenario__kind"):
                scenarios.setdefault(plan_id, []).append(kind)
            modes: dict[int, list[dict[str, Any]]] = {}
            for d in DegradedMode.objects.filter(organization=source, version_id__in=version_ids).select_related(
                    "activity", "scenario"):
                modes.setdefault(d.version_id, []).append(
                    {"activity": d.activity.name, "scenario": d.scenario.kind, **{f: getattr(d, f) for f in DEGRADED_FIELDS}})
            not_applicable: dict[int, list[dict[str, Any]]] = {}
            for n in NotApplicable.objects.filter(organization=source, version_id__in=version_ids).select_related(
                    "activity", "scenario"):
                not_applicable.setdefault(n.version_id, []).append(
                    {"activity": n.activity.name, "scenario": n.scenario.kind, "reason": n.reason})
            sheets: dict[int, list[dict[str, Any]]] = {}
            for s in ReflexSheet.objects.filter(organization=source, version_id__in=version_ids).order_by("order", "id"):
                sheets.setdefault(s.version_id, []).append({f: getattr(s, f) for f in REFLEX_FIELDS})
            returns = {v["id"]: v for v in _versions(source, version_ids).values("id", *RETURN_FIELDS)}
            data["plans"] = [{
                "title": p.title, "care_perimeter": p.care_perimeter, "has_establishment": p.establishment_id is not None,
                "activities": sorted(members.get(p.pk, [])), "scenarios": scenarios.get(p.pk, []),
                "returns": {f: returns.get(p.current_version_id or 0, {}).get(f, "") for f in RETURN_FIELDS},
                "degraded_modes": modes.get(p.current_version_id or 0, []),
                "not_applicable": not_applicable.get(p.current_version_id or 0, []),
                "reflex_sheets": sheets.get(p.current_version_id or 0, []),
            } for p in plans]
        if Template.STIMULI in kinds:
            data["stimuli"] = list(StimulusTemplate.objects.filter(organization=source).values(
                "scenario_kind", "title", "offset_minutes", "sender", "recipient", "channel", "content",
                "expected_reaction", "order"))
    return data


def _versions(organization: Organization, ids: list[int]) -> models.QuerySet[Any]:
    from apps.continuity.models import PlanVersion

    return PlanVersion.objects.filter(organization=organization, pk__in=ids)


# --- What the target gets ------------------------------------------------------------------------------------------

def _plan_scales(plan: CopyPlan, target: Organization, data: dict[str, Any]) -> None:
    from apps.bia.models import ImpactCriterion, ImpactLevel, TimeHorizon
    from apps.bia.services.scales import activities_recompute

    codes, names = set(), set()
    for code, name in ImpactCriterion.objects.filter(organization=target).values_list("code", "name"):
        codes.add(code)
        names.add(normalise(name))
    new_criteria = []
    for c in data["criteria"]:
        exists = c["code"] in codes or normalise(c["name"]) in names
        plan.lines.append(Line(Template.SCALES, _("Criterion « %(name)s »") % {"name": c["name"]}, exists,
                               _("%(count)s levels") % {"count": len(c["levels"])}))
        if not exists:
            codes.add(c["code"])
            names.add(normalise(c["name"]))
            new_criteria.append(c)
    hours, labels = set(), set()
    for h, label in TimeHorizon.objects.filter(organization=target).values_list("hours", "label"):
        hours.add(h)
        labels.add(normalise(label))
    new_horizons = []
    for h in data["horizons"]:
        exists = h["hours"] in hours or normalise(h["label"]) in labels
        plan.lines.append(Line(Template.SCALES, _("Time horizon « %(label)s »") % {"label": h["label"]}, exists))
        if not exists:
            hours.add(h["hours"])
            labels.add(normalise(h["label"]))
            new_horizons.append(h)

    def write() -> None:
        for c in new_criteria:
            criterion = ImpactCriterion(organization=target, code=c["code"], name=c["name"], order=c["order"],
                                        is_active=c["is_active"])
            criterion.full_clean()
            criterion.save()
            for lv in c["levels"]:
                level = ImpactLevel(organization=target, criterion=criterion, **lv)
                level.full_clean()
                level.save()
        for h in new_horizons:
            horizon = TimeHorizon(organization=target, **h)
            horizon.full_clean()
            horizon.save()
        if new_criteria or new_horizons:
            activities_recompute(organization=target)  # a new horizon can change derived DMIAs

    plan.writes.append(write)


def _plan_activities(plan: CopyPlan, target: Organization, establishment: Establishment, data: dict[str, Any],
                     available: set[str]) -> None:
    from apps.bia.models import Activity

    existing = {normalise(n) for n in Activity.objects.filter(organization=target, establishment=establishment)
                .values_list("name", flat=True)}
    new = []
    for a in data["activities"]:
        exists = normalise(a["name"]) in existing
        plan.lines.append(Line(Template.ACTIVITIES, a["name"], exists, str(establishment)))
        if not exists:
            new.append(a)
        available.add(normalise(a["name"]))

    def write() -> None:
        for a in new:
            activity = Activity(organization=target, establishment=establishment, **a)
            activity.full_clean()
            activity.save()

    plan.writes.append(write)


def _target_activities(target: Organization, establishment: Establishment | None) -> dict[str, Any]:
    """The target's activities by lower-cased name, those of the chosen establishment first."""
    from apps.bia.models import Activity

    found: dict[str, Any] = {}
    for a in Activity.objects.filter(organization=target).order_by("name", "id"):
        key = normalise(a.name)
        if key not in found or (establishment is not None and a.establishment_id == establishment.pk):
            found[key] = a
    return found


def _plan_plans(plan: CopyPlan, target: Organization, establishment: Establishment | None, data: dict[str, Any],
                available: set[str], actor: User) -> set[str]:
    from apps.continuity.models import (
        DegradedMode,
        NotApplicable,
        Plan,
        PlanActivity,
        PlanScenario,
        PlanVersion,
        ReflexSheet,
        Scenario,
    )

    titles = {normalise(t) for t in Plan.objects.filter(organization=target).values_list("title", flat=True)}
    created: set[str] = set()
    new = []
    for p in data["plans"]:
        exists = normalise(p["title"]) in titles
        found = [n for n in p["activities"] if normalise(n) in available]
        modes = len([d for d in p["degraded_modes"] if normalise(d["activity"]) in available])
        sheets = len(p["reflex_sheets"])
        note = ", ".join([
            ngettext("%(found)s of %(total)s perimeter activity found here",
                     "%(found)s of %(total)s perimeter activities found here", len(found))
            % {"found": len(found), "total": len(p["activities"])},
            ngettext("%(count)s degraded mode", "%(count)s degraded modes", modes) % {"count": modes},
            ngettext("%(count)s fiche réflexe", "%(count)s fiches réflexes", sheets) % {"count": sheets}])
        plan.lines.append(Line(Template.PLANS, p["title"], exists, "" if exists else note))
        if not exists:
            titles.add(normalise(p["title"]))
            created.add(normalise(p["title"]))
            new.append(p)

    def write() -> None:
        scenarios = {s.kind: s for s in Scenario.objects.filter(organization=target)}
        activities = _target_activities(target, establishment)
        for p in new:
            members = [activities[normalise(n)] for n in p["activities"] if normalise(n) in activities]
            row = Plan(organization=target, title=p["title"], care_perimeter=p["care_perimeter"],
                       establishment=establishment if p["has_establishment"] else None,
                       wizard_step=1 if members else 0)
            row.full_clean()
            row.save()
            PlanActivity.objects.bulk_create([PlanActivity(organization=target, plan=row, activity=a) for a in members])
            kinds = [k for k in p["scenarios"] if k in scenarios]
            PlanScenario.objects.bulk_create([PlanScenario(organization=target, plan=row, scenario=scenarios[k])
                                              for k in kinds])
            version = PlanVersion(organization=target, plan=row, number=1, **p["returns"])
            version.full_clean()
            version.save()
            row.current_version = version
            row.save(update_fields=["current_version", "updated_at"])
            for d in p["degraded_modes"]:
                if normalise(d["activity"]) in activities and d["scenario"] in scenarios:
                    mode = DegradedMode(organization=target, version=version, activity=activities[normalise(d["activity"])],
                                        scenario=scenarios[d["scenario"]],
                                        **{k: v for k, v in d.items() if k not in ("activity", "scenario")})
                    mode.full_clean()
                    mode.save()
            for n in p["not_applicable"]:
                if normalise(n["activity"]) in activities and n["scenario"] in scenarios:
                    NotApplicable.objects.create(organization=target, version=version,
                                                 activity=activities[normalise(n["activity"])],
                                                 scenario=scenarios[n["scenario"]], reason=n["reason"])
            for s in p["reflex_sheets"]:
                sheet = ReflexSheet(organization=target, version=version, **s)
                sheet.full_clean()
                sheet.save()

    plan.writes.append(write)
    return created


def _plan_reflex_sheets(plan: CopyPlan, target: Organization, data: dict[str, Any], created_now: set[str],
                        actor: User) -> None:
    from apps.continuity.models import Plan, ReflexSheet
    from apps.continuity.services import reflex_sheet_save

    plans = {normalise(p.title): p for p in Plan.objects.filter(organization=target, is_archived=False)
             .select_related("current_version")}
    roles: dict[int, set[str]] = {}
    version_ids = [p.current_version_id for p in plans.values() if p.current_version_id]
    for version_id, role in ReflexSheet.objects.filter(organization=target, version_id__in=version_ids).values_list(
            "version_id", "role"):
        roles.setdefault(version_id, set()).add(normalise(role))
    todo: list[tuple[Any, dict[str, Any]]] = []
    for p in data["plans"]:
        key = normalise(p["title"])
        target_plan = plans.get(key)
        if target_plan is None or key in created_now:
            continue  # no such plan here (a plan skeleton copied now brings its own sheets)
        have = roles.get(target_plan.current_version_id or 0, set())
        for s in p["reflex_sheets"]:
            exists = normalise(s["role"]) in have
            plan.lines.append(Line(Template.REFLEX_SHEETS, _("« %(role)s » in « %(plan)s »") % {
                "role": s["role"], "plan": target_plan.title}, exists))
            if not exists:
                have.add(normalise(s["role"]))
                todo.append((target_plan, s))

    def write() -> None:
        for target_plan, s in todo:
            reflex_sheet_save(plan=target_plan, actor=actor, data=s)

    plan.writes.append(write)


def _plan_stimuli(plan: CopyPlan, target: Organization, data: dict[str, Any]) -> None:
    from apps.exercises.models import StimulusTemplate

    existing = {(k, normalise(t)) for k, t in StimulusTemplate.objects.filter(organization=target).values_list(
        "scenario_kind", "title")}
    new = []
    for s in data["stimuli"]:
        key = (s["scenario_kind"], normalise(s["title"]))
        exists = key in existing
        plan.lines.append(Line(Template.STIMULI, s["title"], exists))
        if not exists:
            existing.add(key)
            new.append(s)

    def write() -> None:
        for s in new:
            row = StimulusTemplate(organization=target, **s)
            row.full_clean()
            row.save()

    plan.writes.append(write)


def _check(actor: User, source: Organization, target: Organization) -> tuple[Membership, Membership]:
    source_membership = _consultant_membership(actor, source)
    target_membership = _consultant_membership(actor, target)
    if source_membership is None or target_membership is None or source.pk == target.pk:
        raise PermissionDenied
    return source_membership, target_membership


def _build(*, actor: User, source: Organization, target: Organization, kinds: Iterable[str],
           establishment: Establishment | None) -> CopyPlan:
    source_membership, target_membership = _check(actor, source, target)
    chosen: set[str] = {Template(k) for k in kinds}
    if not chosen:
        raise ValidationError({"kinds": _("Choose at least one kind of template.")})
    if chosen & NEEDS_ESTABLISHMENT and establishment is None:
        raise ValidationError({"establishment": _("Choose the establishment that receives the activities.")})
    if establishment is not None:
        ensure_same_organization(target, [establishment])
    data = _read_source(source, source_membership.allowed_establishment_ids, chosen)
    plan = CopyPlan()
    with tenant_scope(target, establishments=target_membership.allowed_establishment_ids):
        available: set[str] = set(_target_activities(target, establishment)) if chosen & {Template.PLANS} else set()
        if Template.SCALES in chosen:
            _plan_scales(plan, target, data)
        if Template.ACTIVITIES in chosen and establishment is not None:
            _plan_activities(plan, target, establishment, data, available)
        created_now: set[str] = set()
        if Template.PLANS in chosen:
            created_now = _plan_plans(plan, target, establishment, data, available, actor)
        if Template.REFLEX_SHEETS in chosen:
            _plan_reflex_sheets(plan, target, data, created_now, actor)
        if Template.STIMULI in chosen:
            _plan_stimuli(plan, target, data)
    return plan


def copy_preview(*, actor: User, source: Organization, target: Organization, kinds: Iterable[str],
                 establishment: Establishment | None = None) -> CopyPlan:
    """What ``copy_apply`` would create and skip (reads only)."""
    return _build(actor=actor, source=source, target=target, kinds=kinds, establishment=establishment)


@transaction.atomic
def copy_apply(*, actor: User, source: Organization, target: Organization, kinds: Iterable[str],
               establishment: Establishment | None = None, request: HttpRequest | None = None) -> CopyPlan:
    """Create in ``target`` the copies ``copy_preview`` lists, all or nothing."""
    kinds = list(kinds)
    plan = _build(actor=actor, source=source, target=target, kinds=kinds, establishment=establishment)
    target_membership = _consultant_membership(actor, target)
    assert target_membership is not None  # checked by _build
    with tenant_scope(target, establishments=target_membership.allowed_establishment_ids):
        for write in plan.writes:
            write()
        # The journals name neither organization to the other: each client only sees that templates moved.
        summary = {k: len([line for line in plan.created if line.kind == k]) for k in kinds}
        audit_log(action=AuditEvent.Action.TEMPLATES_COPIED, actor=actor, organization=target,
                  target=", ".join(str(Template(k).label) for k in kinds), details={"created": summary}, request=request)
    with tenant_scope(source):
        audit_log(action=AuditEvent.Action.TEMPLATES_SHARED, actor=actor, organization=source,
                  target=", ".join(str(Template(k).label) for k in kinds), details={"created": summary}, request=request)
    return plan
