"""The backups' parts of the CaRE dossier (PDF section « Sauvegardes ») and workbook (two XLSX sheets).

Autodiscovered by the exports app; runs in a worker inside the organization's scope and language, reading
only through the backups selectors (constant number of queries).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.backups import checks
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def backups_context(organization: Organization) -> dict[str, Any]:
    snap = checks.snapshot_for(organization)
    return {
        "rows": snap.rows, "policy": snap.policy, "trajectories": snap.trajectories, "tests": snap.tests,
        "results": [check(organization) for check in checks.CHECKS],
    }


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


RULE_LABELS = {"32110": "3-2-1-1-0", "321": "3-2-1"}


def system_rows(organization: Organization) -> Iterator[list[Any]]:
    for row in checks.snapshot_for(organization).rows:
        c = row.control
        yield [
            row.resource.name, str(row.resource.get_kind_display()), _yes(row.serves_care), _yes(row.bia_gap),
            RULE_LABELS.get(row.rule, _("not 3-2-1") if c else _("no control")),
            c.product if c else "", c.frequency_hours if c else None, row.required_pdma_hours,
            _yes(row.frequency_too_loose), c.retention_days if c else None, c.copies if c else None,
            c.media_count if c else None, _yes(bool(c and c.offsite_copy)), _yes(bool(c and c.offline_copy)),
            str(c.get_authentication_display()) if c else "", _yes(bool(c and c.mfa_on_consoles)),
            c.red_button_tested_on if c else None, c.ads_score if c else None,
            "; ".join(str(m.label) for m in row.missing),
            row.last_test.tested_on if row.last_test else None,
        ]


def test_rows(organization: Organization) -> Iterator[list[Any]]:
    for t in checks.snapshot_for(organization).tests:
        yield [t.tested_on, t.resource.name, str(t.get_scope_display()), float(t.measured_hours),
               float(t.required_rto_hours) if t.required_rto_hours is not None else None,
               float(t.data_loss_hours) if t.data_loss_hours is not None else None,
               float(t.required_pdma_hours) if t.required_pdma_hours is not None else None,
               t.outcome_label, t.referent, t.report_evidence.title if t.report_evidence else "", t.notes]


register_pdf_section(PdfSection(
    key="backups", order=500, title=gettext_lazy("Backups"),
    template="backups/exports/section.html", context=backups_context,
))
register_xlsx_sheet(XlsxSheet(
    key="backups", order=500, title=gettext_lazy("Backups"),
    columns=[Column(gettext_lazy("System"), width=36), Column(gettext_lazy("Kind"), width=16),
             Column(gettext_lazy("CaRE perimeter"), width=10), Column(gettext_lazy("BIA gap"), width=10),
             Column(gettext_lazy("3-2-1"), width=12), Column(gettext_lazy("Backup product"), width=24),
             Column(gettext_lazy("Frequency (h)"), kind="number", width=10),
             Column(gettext_lazy("Required PDMA (h)"), kind="number", width=10),
             Column(gettext_lazy("Looser than the PDMA"), width=10),
             Column(gettext_lazy("Retention (days)"), kind="number", width=10),
             Column(gettext_lazy("Copies"), kind="number", width=8), Column(gettext_lazy("Media"), kind="number", width=8),
             Column(gettext_lazy("Off-site"), width=8), Column(gettext_lazy("Offline or immutable"), width=10),
             Column(gettext_lazy("Authentication"), width=20), Column(gettext_lazy("MFA"), width=8),
             Column(gettext_lazy("« Bouton rouge » tested on"), kind="date", width=14),
             Column(gettext_lazy("ADS score"), kind="number", width=8),
             Column(gettext_lazy("Missing controls"), width=60),
             Column(gettext_lazy("Last restoration test"), kind="date", width=14)],
    rows=system_rows,
))
register_xlsx_sheet(XlsxSheet(
    key="backups_tests", order=510, title=gettext_lazy("Restoration tests"),
    columns=[Column(gettext_lazy("Date"), kind="date", width=14), Column(gettext_lazy("System"), width=36),
             Column(gettext_lazy("Scope"), width=24), Column(gettext_lazy("Measured duration (h)"), kind="number"),
             Column(gettext_lazy("Required RTO (h)"), kind="number"), Column(gettext_lazy("Data lost (h)"), kind="number"),
             Column(gettext_lazy("Required PDMA (h)"), kind="number"), Column(gettext_lazy("Result"), width=12),
             Column(gettext_lazy("Business referent"), width=30), Column(gettext_lazy("Report"), width=30),
             Column(gettext_lazy("Notes"), width=50)],
    rows=test_rows,
))
