"""Synthetic BIA data at real size, for the benchmark command and the query-count tests."""

from __future__ import annotations

import random
from typing import Any

from apps.bia.models import (
    Activity,
    ActivityDependency,
    ImpactAnswer,
    ImpactCriterion,
    Resource,
    ResourceDependency,
    TimeHorizon,
)
from apps.bia.services.scales import activities_recompute, scales_ensure_defaults
from apps.core.db import analyze
from apps.tenants.models import Establishment, Organization

KINDS = [Resource.Kind.APPLICATION] * 5 + [Resource.Kind.INFRASTRUCTURE] * 2 + [
    Resource.Kind.SUPPLIER, Resource.Kind.BIOMEDICAL, Resource.Kind.SKILL]


def seed_large(*, organization: Organization, establishment: Establishment, activities: int = 300,
               resources: int = 400, dependencies: int = 3000, seed: int = 42, prefix: str = "") -> dict[str, Any]:
    """Bulk-create activities (with impact grids), resources and dependencies; about 2/3 of the
    dependencies go activity → resource, the rest resource → resource (lower to higher ids, plus a few cycles).
    The tables are analysed at the end, as after any bulk write (``apps.core.db.analyze``)."""
    rng = random.Random(seed)
    scales_ensure_defaults(organization=organization)
    criteria = list(ImpactCriterion.objects.filter(organization=organization).order_by("order"))
    horizons = list(TimeHorizon.objects.filter(organization=organization).order_by("hours"))
    acts = Activity.objects.bulk_create([
        Activity(organization=organization, establishment=establishment, name=f"{prefix}Activité {i:04d}",
                 status=rng.choice(list(Activity.Status.values)), pdma_hours=rng.choice([1, 4, 24, 72]),
                 care_perimeter=rng.choice(["care_service", "admin_process", "technical_platform", "none", "none"]))
        for i in range(activities)
    ])
    answers = []
    for activity in acts:
        for criterion in criteria[:3]:
            for index, horizon in enumerate(horizons):
                answers.append(ImpactAnswer(organization=organization, activity=activity, criterion=criterion,
                                            horizon=horizon, level=min(4, 1 + index + rng.randint(0, 2))))
    ImpactAnswer.objects.bulk_create(answers, batch_size=2000)
    res = Resource.objects.bulk_create([
        Resource(organization=organization, kind=KINDS[i % len(KINDS)], name=f"{prefix}Ressource {i:04d}",
                 rto_capability_hours=rng.choice([None, 2, 4, 8, 24, 72]), rpo_capability_hours=rng.choice([1, 4, 24]))
        for i in range(resources)
    ])
    to_activity = dependencies * 2 // 3
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < min(to_activity, activities * resources):
        pairs.add((rng.randrange(activities), rng.randrange(resources)))
    ActivityDependency.objects.bulk_create([
        ActivityDependency(organization=organization, activity=acts[a], resource=res[r],
                           workaround_exists=rng.random() < 0.2)
        for a, r in pairs
    ], batch_size=2000)
    rpairs: set[tuple[int, int]] = set()
    while len(rpairs) < min(dependencies - to_activity, resources * (resources - 1) // 2):
        a, b = sorted(rng.sample(range(resources), 2))
        rpairs.add((a, b) if rng.random() > 0.01 else (b, a))
    ResourceDependency.objects.bulk_create([
        ResourceDependency(organization=organization, resource=res[a], depends_on=res[b]) for a, b in rpairs
    ], batch_size=2000)
    activities_recompute(organization=organization)
    analyze(Activity, ImpactAnswer, Resource, ActivityDependency, ResourceDependency)
    return {"activities": acts, "resources": res}
