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
from apps.backups.models import BackupControl, RestoreTest
from apps.bia.models import Resource
from apps.compliance.registry import Check, all_checks
from apps.compliance.selectors import run_check
from apps.exports.registry import Column, PdfSection, XlsxSheet, register_pdf_section, register_xlsx_sheet
from apps.exports.xlsx import choice_labels

if TYPE_CHECKING:
    from apps.tenants.models import Organization


def backups_context(organization: Organization) -> dict[str, Any]:
    snap = checks.snapshot_for(organization)
    by_func = {c.func: c for c in all_checks()}
    registered = [by_func.get(f) or Check(requirement_id="", key=f"backups.{f.__name__}", func=f) for f in checks.CHECKS]
    return {
        "rows": snap.rows, "policy": snap.policy, "trajectories": snap.trajectories, "tests": snap.tests,
        # The checks' results of the job's snapshot (computed once with the requirements, ``apps.exports.snapshot``).
        "results": [run_check(c, organization) for c in registered],
    }


RULE_LABELS = {"32110": "3-2-1-1-0", "321": "3-2-1"}


def system_rows(organization: Organization) -> Iterator[list[Any]]:
    """One row per critical system of the backups snapshot (the checks' own rows); labels from dictionaries."""
    kinds = choice_labels(Resource, "kind")
    authentications = choice_labels(BackupControl, "authentication")
    yes, no, not_321, no_control = _("yes"), _("no"), _("not 3-2-1"), _("no control")
    for row in checks.snapshot_for(organization).rows:
        c = row.control
        last = row.last_test
        yield [
            row.resource.name, kinds.get(row.resource.kind, row.resource.kind), yes if row.serves_care else no,
            yes if row.bia_gap else no, RULE_LABELS.get(row.rule, not_321 if c else no_control),
            c.product if c else "", c.frequency_hours if c else None, row.required_pdma_hours,
            yes if row.frequency_too_loose else no, c.retention_days if c else None, c.copies if c else None,
            c.media_count if c else None, yes if c and c.offsite_copy else no, yes if c and c.offline_copy else no,
            authentications.get(c.authentication, c.authentication) if c else "",
            yes if c and c.mfa_on_consoles else no, c.red_button_tested_on if c else None,
            c.ads_score if c else None, "; ".join(str(m.label) for m in row.missing),
            last.tested_on if last else None, last.outcome_label if last else "",
        ]


def test_rows(organization: Organization) -> Iterator[list[Any]]:
    """Every restoration test with its result as the pages word it (« Réussi hors objectif » over the RTO or
    the PDMA, never plain « Réussi »)."""
    scopes = choice_labels(RestoreTest, "scope")
    for t in checks.snapshot_for(organization).tests:
        yield [t.tested_on, t.resource.name, scopes.get(t.scope, t.scope), float(t.measured_hours),
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
             Column(gettext_lazy("Last restoration test"), kind="date", width=14),
             Column(gettext_lazy("Result of the last restoration test"), width=16)],
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
