"""Reads of the exports app: the organization's jobs, and the entities shown in the dossier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from apps.exports.models import ExportJob
from apps.tenants.models import Establishment, Organization, Site


def export_list(*, organization: Organization) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(organization=organization).select_related("requested_by").order_by("-created_at")


def export_active(*, organization: Organization) -> QuerySet[ExportJob]:
    return export_list(organization=organization).filter(
        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    )


@dataclass(frozen=True)
class EstablishmentSites:
    """An establishment and its sites, as the dossier's cover and the « Entités » sheet list them."""

    establishment: Establishment
    sites: list[Site]


def establishments_with_sites(*, organization: Organization) -> list[EstablishmentSites]:
    """Establishments with their sites (two queries whatever the size)."""
    establishments = Establishment.objects.filter(organization=organization).order_by("name")
    by_establishment: dict[int, list[Site]] = {}
    for site in Site.objects.filter(organization=organization).order_by("name"):
        by_establishment.setdefault(site.establishment_id, []).append(site)
    return [EstablishmentSites(establishment, by_establishment.get(establishment.pk, []))
            for establishment in establishments]


def entity_rows(*, organization: Organization) -> list[tuple[Establishment, Site | None]]:
    """One row per site, or one per establishment without site (the workbook's « Entités » sheet)."""
    rows: list[tuple[Establishment, Site | None]] = []
    for entry in establishments_with_sites(organization=organization):
        if entry.sites:
            rows.extend((entry.establishment, site) for site in entry.sites)
        else:
            rows.append((entry.establishment, None))
    return rows


def export_perimeter(*, organization: Organization) -> str:
    """What the document covers, said on the PDF cover and the workbook's summary.

    A member limited to some establishments gets a document of those establishments only, and it says so.
    """
    from django.utils.translation import gettext as _

    from apps.tenants.selectors import limit_names

    names = limit_names(organization=organization)
    if names is None:
        return _("The whole organization")
    return _("Limited to the establishments of the member who asked for it: %(names)s") % {"names": names}


def job_perimeters(*, organization: Organization, jobs: list[ExportJob]) -> dict[uuid.UUID, str]:
    """Job id → the names of the establishments a limited job covers (jobs of the whole organization: absent)."""
    ids = {pk for job in jobs for pk in (job.establishment_ids or [])}
    names = dict(Establishment.objects.filter(organization=organization, pk__in=ids).values_list("pk", "name")) \
        if ids else {}
    return {job.pk: ", ".join(names.get(pk, "—") for pk in job.establishment_ids)
            for job in jobs if job.establishment_ids is not None}

