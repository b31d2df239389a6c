"""The foundation's own parts of the dossier and workbook: the candidate and its entities.

Autodiscovered with every app's ``exports`` module (``ExportsConfig.ready``); this module is
imported explicitly since it is the exports app's own contribution.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.compliance.coverage import SINGLE, SITE, coverage_share
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.selectors import entity_rows, establishments_with_sites, export_perimeter

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def candidate_context(organization: Organization) -> dict[str, Any]:
    establishments = establishments_with_sites(organization=organization)
    return {
        "establishments": establishments,
        "total_share": sum((e.establishment.activity_share for e in establishments), Decimal("0")),
        "weights": coverage_share(organization, []),  # the 66 % rule's level and weights (apps.compliance.coverage)
    }


def summary_rows(organization: Organization) -> Iterator[list[Any]]:
    establishments = establishments_with_sites(organization=organization)
    yield [str(_("Candidate")), organization.name]
    yield [str(_("Kind of candidate")), str(organization.get_kind_display())]
    yield [str(_("Region (ARS)")), str(organization.get_region_display() or "")]
    yield [capfirst(str(_("eCaRE file number"))), organization.ecare_number]
    yield [str(_("Establishments (FINESS EJ)")), len(establishments)]
    yield [str(_("Sites (FINESS EG)")), sum(len(e.sites) for e in establishments)]
    yield [str(_("Perimeter of this export")), export_perimeter(organization=organization)]
    yield [str(_("Exported on")), timezone.localtime()]


def entities_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per site (or per establishment without site) with the 66 % rule's weights, then the total.

    The weights shown are those the rule uses (``apps.compliance.coverage``): each legal entity's share, basis and
    date for a GHT (or a candidate weighted by EJ), each site's for a candidate outside a GHT with several sites.
    The last row gives the total over the whole organization and whether the weights are complete.
    """
    weights = coverage_share(organization, [])
    by_site = weights.level == SITE
    for establishment, site in entity_rows(organization=organization):
        yield [
            establishment.name,
            establishment.finess_ej,
            str(establishment.get_legal_status_display()),
            None if by_site else establishment.activity_share,
            site.name if site else "",
            site.finess_eg if site else "",
            site.city if site else "",
            "" if by_site else establishment.activity_share_basis,
            None if by_site else establishment.activity_share_date,
            site.activity_share if by_site and site else None,
            site.activity_share_basis if by_site and site else "",
            site.activity_share_date if by_site and site else None,
        ]
    if weights.level == SINGLE:
        label, state = str(_("Total of the shares (a single entity)")), str(_("A single entity weighs 100 %."))
    else:
        label = str(_("Total of the shares (sites, FINESS EG)") if by_site else
                    _("Total of the shares (legal entities, FINESS EJ)"))
        state = (str(_("Weights complete")) if weights.weights_complete else
                 str(_("Weights to complete: %(problems)s")) % {"problems": " ".join(weights.weight_problems)})
    yield [label, "", "", None if by_site else weights.total_weight, "", "", "", state, None,
           weights.total_weight if by_site else None, "", None]


register_pdf_section(PdfSection(
    key="candidate", order=100, title=_("Candidate and entities"),
    template="exports/sections/candidate.html", context=candidate_context,
))
register_xlsx_sheet(XlsxSheet(
    key="summary", order=0, title=pgettext_lazy("workbook sheet", "Summary"),
    columns=[Column(_("Item"), width=34), Column(_("Value"), width=60)],
    rows=summary_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="entities", order=100, title=_("Entities"),
    columns=[
        Column(_("Establishment"), width=40), Column(_("FINESS EJ"), width=12), Column(_("Legal status"), width=28),
        Column(_("Share of activity (%)"), width=14, kind="number"), Column(_("Site"), width=40),
        Column(_("FINESS EG"), width=12), Column(_("City"), width=24),
        Column(_("Basis of the share"), width=28), Column(_("Date of the share"), width=14, kind="date"),
        Column(_("Site's share of activity (%)"), width=14, kind="number"),
        Column(_("Basis of the site's share"), width=28), Column(_("Date of the site's share"), width=14, kind="date"),
    ],
    rows=entities_rows,
))
