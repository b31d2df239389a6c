"""Reads for the backups pages, checks and exports; tenant first, a fixed number of queries."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from apps.backups import computations
from apps.backups.models import SYSTEM_KINDS, BackupControl, BackupPolicy, Milestone, RestoreTest, Trajectory
from apps.bia import engine
from apps.bia.models import Activity, CarePerimeter, Resource
from apps.bia.selectors import bia_analysis
from apps.tenants.models import Organization

CACHE_ATTRIBUTE = "_backups_snapshot"


def forget_snapshot(organization: Organization) -> None:
    """Drop the checks' snapshot kept on the organization object (after any write)."""
    organization.__dict__.pop(CACHE_ATTRIBUTE, None)


@dataclass
class SystemRow:
    resource: Resource
    control: BackupControl | None
    required_rto_hours: float | None
    required_pdma_hours: float | None
    serves_care: bool
    bia_gap: bool
    last_test: RestoreTest | None
    missing: list[computations.MissingControl] = field(default_factory=list)

    @property
    def rule(self) -> str:
        return computations.rule_status(self.control)

    @property
    def frequency_too_loose(self) -> bool:
        return computations.frequency_too_loose(self.control.frequency_hours if self.control else None,
                                                self.required_pdma_hours)

    @property
    def critical(self) -> bool:
        """Proposed first: systems serving a CaRE perimeter and systems with a gap in the BIA engine."""
        return self.serves_care or self.bia_gap


def system_queryset(*, organization: Organization) -> QuerySet[Resource]:
    return Resource.objects.filter(organization=organization, kind__in=SYSTEM_KINDS)


def _care_resource_ids(organization: Organization, graph: engine.Graph) -> set[int]:
    """Resources reached, through any dependency, from an activity of a CaRE D2.O1.C perimeter."""
    starts = list(Activity.objects.filter(organization=organization).exclude(care_perimeter=CarePerimeter.NONE)
                  .values_list("id", flat=True))
    adj: dict[engine.NodeKey, list[engine.NodeKey]] = {}
    for edge in graph.edges:
        adj.setdefault(edge.source, []).append(edge.target)
    seen = {(engine.ACTIVITY, pk) for pk in starts}
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        for nxt in adj.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return {pk for kind, pk in seen if kind == engine.RESOURCE}


def _hours(requirement: engine.Requirement | None) -> float | None:
    return requirement.hours if requirement is not None else None


def system_rows(*, organization: Organization, tests: list[RestoreTest] | None = None) -> list[SystemRow]:
    """Every application and infrastructure with its backup control, needs from the BIA and last test;
    critical systems (CaRE perimeters, BIA gaps) first. ``tests`` (newest first) saves a query when the
    caller already holds them."""
    graph, analysis = bia_analysis(organization=organization)
    care_ids = _care_resource_ids(organization, graph)
    gap_ids = {g.node[1] for g in analysis.gaps + analysis.missing_capabilities if g.node[0] == engine.RESOURCE}
    if tests is None:
        last_tests = {t.resource_id: t for t in RestoreTest.objects.filter(organization=organization)
                      .order_by("resource_id", "-tested_on", "-id").distinct("resource_id")}
    else:
        last_tests = {}
        for t in tests:
            last_tests.setdefault(t.resource_id, t)
    resources = system_queryset(organization=organization).select_related("backup_control").order_by("kind", "name")
    rows = []
    for resource in resources:
        try:
            control = resource.backup_control
        except BackupControl.DoesNotExist:
            control = None
        key = (engine.RESOURCE, resource.pk)
        rows.append(SystemRow(
            resource=resource, control=control,
            required_rto_hours=_hours(analysis.rto_requirements.get(key)),
            required_pdma_hours=_hours(analysis.rpo_requirements.get(key)),
            serves_care=resource.pk in care_ids, bia_gap=resource.pk in gap_ids,
            last_test=last_tests.get(resource.pk),
            missing=computations.missing_controls(control, is_saas=resource.is_saas),
        ))
    rows.sort(key=lambda r: (not r.serves_care, not r.bia_gap, r.resource.name.lower()))
    return rows


def requirements_for(*, organization: Organization, resource: Resource) -> tuple[float | None, float | None]:
    """(required RTO, required PDMA) of a system from the BIA engine."""
    _graph, analysis = bia_analysis(organization=organization)
    key = (engine.RESOURCE, resource.pk)
    return _hours(analysis.rto_requirements.get(key)), _hours(analysis.rpo_requirements.get(key))


def policy(*, organization: Organization) -> BackupPolicy | None:
    return BackupPolicy.objects.filter(organization=organization).select_related("evidence").first()


def trajectory_list(*, organization: Organization) -> list[Trajectory]:
    # ``Trajectory.progress`` reads the prefetched milestones.
    return list(Trajectory.objects.filter(organization=organization).prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.filter(organization=organization))))


def restore_test_list(*, organization: Organization) -> QuerySet[RestoreTest]:
    return (RestoreTest.objects.filter(organization=organization)
            .select_related("resource", "referent_member__user", "report_evidence", "recorded_by")
            .order_by("-tested_on", "-id"))


def ads_controls(*, organization: Organization) -> QuerySet[BackupControl]:
    return (BackupControl.objects.filter(organization=organization,
                                         authentication=BackupControl.Authentication.DEDICATED_DIRECTORY)
            .select_related("resource").order_by("resource__name"))
