"""Kwargs factories for the crisis day's URLs (see tests/isolation.py)."""

from __future__ import annotations

from typing import Any

from apps.continuity.models import ReflexSheet
from apps.crisis import selectors
from apps.crisis.models import RecoveryProgress, SignalementDone
from tests.crisis.factories import copy_in, crisis_in, plan_with_sheet, simulation_in, urgences


def _crisis(org: Any) -> Any:
    return crisis_in(org, plan=plan_with_sheet(org, activities=[urgences(org)]))


def _pk(org: Any) -> dict[str, Any]:
    return {"pk": _crisis(org).pk}


def _degraded(org: Any) -> dict[str, Any]:
    crisis = _crisis(org)
    return {"pk": crisis.pk, "activity": next(iter(selectors.crisis_activity_ids(crisis=crisis)))}


def _tick(org: Any) -> dict[str, Any]:
    crisis = _crisis(org)
    version = selectors.activated_versions(crisis=crisis)[0]
    sheet = ReflexSheet.objects.filter(organization=org, version=version).first()
    return {"pk": crisis.pk, "sheet": sheet.pk, "line": 0}


def _recovery(org: Any) -> dict[str, Any]:
    from tests.bia.factories import ResourceFactory
    from tests.establishments import target_establishment

    crisis = _crisis(org)
    resource = ResourceFactory(organization=org, name="DPI", establishment=target_establishment())
    row = RecoveryProgress.objects.create(organization=org, crisis=crisis, resource=resource, position=1)
    return {"pk": crisis.pk, "item": row.pk}


def _signalement(org: Any) -> dict[str, Any]:
    crisis = _crisis(org)
    return {"pk": crisis.pk, "item": SignalementDone.objects.filter(organization=org, crisis=crisis).first().pk}


def _stored(name: str) -> str:
    from django.core.files.base import ContentFile

    from apps.core import files

    return files.save_exactly(name, ContentFile(b"%PDF-1.4 test", name=name))


def _copy(org: Any) -> dict[str, Any]:
    from apps.crisis.models import KitCopy

    copy = copy_in(org)
    KitCopy.objects.filter(pk=copy.pk).update(build=KitCopy.Build.DONE, file=_stored(f"crisis/{org.pk}/kit-{copy.pk}.pdf"))
    return {"pk": copy.pk}


def _report(org: Any) -> dict[str, Any]:
    from apps.crisis import services
    from apps.crisis.models import Crisis

    crisis = services.crisis_close(crisis=_crisis(org), actor=None, closing_note="Retour au nominal")
    Crisis.objects.filter(pk=crisis.pk).update(report_file=_stored(f"crisis/{org.pk}/report-{crisis.pk}.pdf"))
    return {"pk": crisis.pk}


URL_KWARGS = {
    "crisis:live": _pk,
    "crisis:live-panel": _pk,
    "crisis:log-add": _pk,
    "crisis:log-entries": _pk,
    "crisis:degraded": _degraded,
    "crisis:reflex-tick": _tick,
    "crisis:recovery-advance": _recovery,
    "crisis:signalement": _signalement,
    "crisis:close": _pk,
    "crisis:report": _report,
    "crisis:kit-download": _copy,
    "crisis:kit-state": lambda org: {**_copy(org), "state": "remplacee"},
    "crisis:simulation-detail": lambda org: {"pk": simulation_in(org).pk},
}

ORG_WIDE: set[str] = set()
