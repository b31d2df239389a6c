"""Reads of the exports app: the organization's jobs, and the entities shown in the dossier."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.exports.models import ExportJob
from apps.tenants.models import Establishment, Organization, Site


def export_list(*, organization: Organization) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(organization=organization).select_related("requested_by").order_by("-created_at")


def export_active(*, organization: Organization) -> QuerySet[ExportJob]:
    return export_list(organization=organization).filter(
        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    )


def establishments_with_sites(*, organization: Organization) -> list[Establishment]:
    """Establishments with their sites in ``site_rows`` (two queries whatever the size)."""
    establishments = list(Establishment.objects.filter(organization=organization).order_by("name"))
    by_establishment: dict[int, list[Site]] = {}
    for site in Site.objects.filter(organization=organization).order_by("name"):
        by_establishment.setdefault(site.establishment_id, []).append(site)
    for establishment in establishments:
        establishment.site_rows = by_establishment.get(establishment.pk, [])  # type: ignore[attr-defined]
    return establishments


def entity_rows(*, organization: Organization) -> list[tuple[Establishment, Any]]:
    """One row per site, or one per establishment without site (the workbook's « Entités » sheet)."""
    rows: list[tuple[Establishment, Any]] = []
    for establishment in establishments_with_sites(organization=organization):
        sites = establishment.site_rows  # type: ignore[attr-defined]
        if sites:
            rows.extend((establishment, site) for site in sites)
        else:
            rows.append((establishment, None))
    return rows


def export_perimeter(*, organization: Organization) -> str:
    """What the document covers, said on the PDF cover and the workbook's summary.

    A member limited to some establishments gets a document of those establishments only, and it says so.
    """
    from django.utils.translation import gettext as _

    from apps.core import tenancy

    if not tenancy.is_limited():
        return _("The whole organization")
    names = ", ".join(str(e) for e in Establishment.objects.filter(organization=organization).order_by("name"))
    return _("Limited to the establishments of the member who asked for it: %(names)s") % {"names": names or "—"}

