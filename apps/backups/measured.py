"""A system's measured capability, derived on read from its restoration tests, never stored.

The rule, written once: the **latest** (by test date, then id) restoration test of scope « remise en
production / application complète » whose result is « Réussi » sets the system's measured RTO (its measured
duration) and measured RPO (the age of the restored data point, ``data_loss_hours``). File and virtual-machine
restores, partial and failed tests are evidence only. Nothing is copied onto the BIA resource: recording,
editing or deleting a test changes the next read (the BIA fingerprint includes the tests' table, so the
cached analysis is recomputed too).

This module imports only the backups models, so the BIA selectors can use it without a cycle.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import F, Model, OuterRef, Q, QuerySet, Subquery

from apps.backups.models import RestoreTest

if TYPE_CHECKING:
    from apps.bia.models import Resource
    from apps.tenants.models import Organization

M = TypeVar("M", bound="Model")

#: The tests that measure a system: a successful restoration back into production.
MEASURING = Q(scope=RestoreTest.Scope.PRODUCTION, result=RestoreTest.Result.SUCCESS)
#: Which of them wins: the latest by test date, then by id.
LATEST = (F("tested_on").desc(), F("id").desc())

# Annotation names set by ``annotate_measures`` and read by ``Resource.measure``.
ANNOTATIONS = ("measure_test_id", "measure_rto", "measure_rpo", "measure_on")


@dataclass(frozen=True)
class Measure:
    test_id: int
    rto_hours: float
    rpo_hours: float | None
    tested_on: datetime.date


def _measure(test_id: Any, rto: Any, rpo: Any, tested_on: Any) -> Measure | None:
    if test_id is None:
        return None
    return Measure(test_id=test_id, rto_hours=float(rto), rpo_hours=float(rpo) if rpo is not None else None,
                   tested_on=tested_on)


def measures(*, organization: Organization, resource_ids: Iterable[int] | None = None) -> dict[int, Measure]:
    """resource id → its measure, for every system that has one (one query)."""
    return _measures_by_org(organization.pk, resource_ids)


def _measures_by_org(organization_id: int, resource_ids: Iterable[int] | None) -> dict[int, Measure]:
    qs = RestoreTest.objects.filter(MEASURING, organization_id=organization_id)
    if resource_ids is not None:
        qs = qs.filter(resource_id__in=list(resource_ids))
    rows = (qs.order_by("resource_id", *LATEST).distinct("resource_id")
            .values_list("resource_id", "id", "measured_hours", "data_loss_hours", "tested_on"))
    result = {}
    for resource_id, *values in rows:
        measure = _measure(*values)
        if measure is not None:
            result[resource_id] = measure
    return result


def annotate_measures(qs: QuerySet[M]) -> QuerySet[M]:
    """Add the measure to a ``Resource`` queryset (four correlated subqueries, no query per row)."""
    latest = RestoreTest.objects.filter(MEASURING, resource=OuterRef("pk")).order_by(*LATEST)
    return qs.annotate(**{name: Subquery(latest.values(column)[:1]) for name, column in zip(
        ANNOTATIONS, ("id", "measured_hours", "data_loss_hours", "tested_on"), strict=True)})


def measure_of(resource: Resource) -> Measure | None:
    """The measure of one resource: from ``annotate_measures`` when the row has it, else one query."""
    values = resource.__dict__
    if all(name in values for name in ANNOTATIONS):
        return _measure(*(values[name] for name in ANNOTATIONS))
    row = (RestoreTest.objects.filter(MEASURING, resource_id=resource.pk).order_by(*LATEST)
           .values_list("id", "measured_hours", "data_loss_hours", "tested_on").first())
    return _measure(*row) if row is not None else None


def attach_measures(resources: Iterable[Resource]) -> None:
    """Fill ``Resource.measure`` on loaded rows with one query (no query per row in a template)."""
    rows = [r for r in resources if "measure" not in r.__dict__]
    if not rows:
        return
    by_org: dict[int, list[Resource]] = {}
    for r in rows:
        by_org.setdefault(r.organization_id, []).append(r)
    for org_id, group in by_org.items():
        found = _measures_by_org(org_id, [r.pk for r in group])
        for r in group:
            r.__dict__["measure"] = found.get(r.pk)
