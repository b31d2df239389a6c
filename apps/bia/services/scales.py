"""BIA method writes: impact criteria and levels, time horizons, settings, and the derived DMIA and
criticality of every activity when they change (``engine.derive_dmia``, ``engine.criticality_for``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bia import engine
from apps.bia.defaults import DEFAULT_CRITERIA, DEFAULT_HORIZONS, DEFAULT_LEVEL_LABELS
from apps.bia.dmia_override import thresholds_of
from apps.bia.models import Activity, BiaSettings, ImpactAnswer, ImpactCriterion, ImpactLevel, TimeHorizon
from apps.core.services import model_update
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from apps.accounts.models import User


@transaction.atomic
def scales_ensure_defaults(*, organization: Organization) -> BiaSettings:
    """Create the default method (settings, six hospital criteria with levels 1–4, five horizons) once."""
    settings_row = BiaSettings.objects.filter(organization=organization).first()
    if settings_row is None:
        settings_row = BiaSettings(organization=organization)
        settings_row.full_clean()
        settings_row.save()
    if not ImpactCriterion.objects.filter(organization=organization).exists():
        for order, (code, name, descriptions) in enumerate(DEFAULT_CRITERIA):
            criterion = ImpactCriterion.objects.create(organization=organization, code=code, name=name, order=order)
            ImpactLevel.objects.bulk_create([
                ImpactLevel(organization=organization, criterion=criterion, level=level,
                            label=DEFAULT_LEVEL_LABELS[level], description=text)
                for level, text in descriptions.items()
            ])
    if not TimeHorizon.objects.filter(organization=organization).exists():
        TimeHorizon.objects.bulk_create([
            TimeHorizon(organization=organization, label=label, hours=hours, order=order)
            for order, (label, hours) in enumerate(DEFAULT_HORIZONS)
        ])
    return settings_row


def bia_settings(*, organization: Organization) -> BiaSettings:
    row = BiaSettings.objects.filter(organization=organization).first()
    return row if row is not None else scales_ensure_defaults(organization=organization)


def _grid_inputs(organization: Organization) -> tuple[list[tuple[int, int]], set[int]]:
    horizons = list(TimeHorizon.objects.filter(organization=organization).values_list("id", "hours"))
    active = set(ImpactCriterion.objects.filter(organization=organization, is_active=True).values_list("id", flat=True))
    return horizons, active


def activities_recompute(*, organization: Organization, activity_ids: Iterable[int] | None = None) -> int:
    """Recompute derived DMIA and criticality (after answers or scales change). Returns rows changed."""
    settings_row = bia_settings(organization=organization)
    horizons, active = _grid_inputs(organization)
    selected = Activity.objects.filter(organization=organization)
    if activity_ids is not None:
        selected = selected.filter(pk__in=list(activity_ids))
    activities = list(selected)
    cells: dict[int, dict[tuple[int, int], int]] = {a.pk: {} for a in activities}
    for activity_id, criterion_id, horizon_id, level in ImpactAnswer.objects.filter(
        organization=organization, activity_id__in=list(cells)
    ).values_list("activity_id", "criterion_id", "horizon_id", "level"):
        if criterion_id in active:
            cells[activity_id][(criterion_id, horizon_id)] = level
    thresholds = thresholds_of(settings_row)
    changed = []
    for activity in activities:
        before = (activity.dmia_derived_hours, activity.criticality)
        activity.dmia_derived_hours = engine.derive_dmia(cells[activity.pk], horizons, settings_row.intolerable_level)
        activity.criticality = engine.criticality_for(activity.dmia_hours, thresholds)
        if (activity.dmia_derived_hours, activity.criticality) != before:
            changed.append(activity)
    now = timezone.now()
    for activity in changed:
        activity.updated_at = now  # bulk_update skips auto_now; the graph fingerprint relies on it
    Activity.objects.bulk_update(changed, ["dmia_derived_hours", "criticality", "updated_at"])
    return len(changed)


@transaction.atomic
def bia_settings_update(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> BiaSettings:
    """Change the method; every activity's derived DMIA and criticality follow (never silently stale)."""
    row = bia_settings(organization=organization)
    fields = ["intolerable_level", "critical_max_dmia_hours", "high_max_dmia_hours", "medium_max_dmia_hours",
              "method_note"]
    changed = model_update(instance=row, data=data, fields=fields)[1]  # updates ``row`` in place
    if not (row.critical_max_dmia_hours <= row.high_max_dmia_hours <= row.medium_max_dmia_hours):
        raise ValidationError(_("The criticality thresholds must increase: critical ≤ high ≤ medium."))
    if changed:
        activities_recompute(organization=organization)
    return row


@transaction.atomic
def horizon_update(*, horizon: TimeHorizon, actor: User | None, data: dict[str, Any]) -> TimeHorizon:
    changed = model_update(instance=horizon, data=data, fields=["label", "hours", "order"])[1]
    if changed:
        activities_recompute(organization=horizon.organization)
    return horizon


@transaction.atomic
def horizon_create(*, organization: Organization, actor: User | None, label: str, hours: int) -> TimeHorizon:
    horizon = TimeHorizon(organization=organization, label=label, hours=hours,
                          order=TimeHorizon.objects.filter(organization=organization).count())
    horizon.full_clean()
    horizon.save()
    return horizon


@transaction.atomic
def horizon_delete(*, horizon: TimeHorizon, actor: User | None) -> None:
    """Only an unanswered horizon can go: answers would otherwise silently change meaning."""
    if ImpactAnswer.objects.filter(horizon=horizon).exists():
        raise ValidationError(_("This time horizon already has answers; it cannot be deleted."))
    horizon.delete()


@transaction.atomic
def criterion_create(*, organization: Organization, actor: User | None, code: str, name: str) -> ImpactCriterion:
    criterion = ImpactCriterion(organization=organization, code=code, name=name,
                                order=ImpactCriterion.objects.filter(organization=organization).count())
    criterion.full_clean()
    criterion.save()
    ImpactLevel.objects.bulk_create([
        ImpactLevel(organization=organization, criterion=criterion, level=level, label=label, description="")
        for level, label in DEFAULT_LEVEL_LABELS.items()
    ])
    return criterion


@transaction.atomic
def criterion_update(*, criterion: ImpactCriterion, actor: User | None, data: dict[str, Any],
                     level_descriptions: Mapping[int, str] | None = None) -> ImpactCriterion:
    """Rename, reorder, (de)activate a criterion; deactivating recomputes DMIAs without losing answers."""
    changed = model_update(instance=criterion, data=data, fields=["name", "order", "is_active"])[1]
    for level in criterion.levels.all():
        if level_descriptions and level.level in level_descriptions:
            model_update(instance=level, data={"description": level_descriptions[level.level]}, fields=["description"])
    if changed:
        activities_recompute(organization=criterion.organization)
    return criterion
