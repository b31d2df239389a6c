"""The cost-justification workbook: shaped by its layout data, totals equal to the lines, rendered by the
export pipeline; the dossier's « Coûts » section and sheet are registered."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import translation
from django_scopes import scope
from openpyxl import load_workbook

from apps.costs import workbook
from apps.costs.models import Category
from apps.exports import registry, services
from apps.exports.models import ExportJob
from tests.costs.factories import CostLineFactory
from tests.exports.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


def lines(org):
    CostLineFactory(organization=org, label="=HYPERLINK(\"x\")", category=Category.SMCA_TOOL,
                    amount_ht=Decimal("1234.56"), amount_ttc=Decimal("1481.47"), requirement_ids=["D2.O1.C", "D2.O1.D"])
    CostLineFactory(organization=org, category=Category.BACKUP_SYSTEM, amount_ht=Decimal("20000"),
                    amount_ttc=Decimal("24000"), requirement_ids=["D2.O3.C"])
    CostLineFactory(organization=org, category=Category.EXTERNAL_SERVICE, amount_ht=Decimal("0.10"),
                    amount_ttc=Decimal("0.12"), requirement_ids=["D2.O1.C"])


def render(org, tmp_path):
    path = tmp_path / "couts.xlsx"
    with scope(organization=org), translation.override("fr"):
        workbook.render_cost_workbook(organization=org, path=path)
    return load_workbook(path)


def test_the_layout_is_data_and_the_workbook_follows_it(org, tmp_path) -> None:
    lines(org)
    wb = render(org, tmp_path)
    raw = json.loads((workbook.LAYOUT_DIR / workbook.CURRENT_LAYOUT).read_text(encoding="utf-8"))
    assert wb.sheetnames == [s["title"] for s in raw["sheets"]]
    ws = wb["Dépenses"]
    header = [c.value for c in ws[1]]
    assert header == [c["header"] for c in raw["sheets"][1]["columns"]]


def test_totals_in_the_workbook_match_the_lines(org, tmp_path) -> None:
    lines(org)
    wb = render(org, tmp_path)
    ws = wb["Dépenses"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    data, total = rows[:-1], rows[-1]
    ht_col, ttc_col = 9, 10
    assert len(data) == 3
    assert Decimal(str(total[ht_col])) == sum(Decimal(str(r[ht_col])) for r in data) == Decimal("21234.66")
    assert Decimal(str(total[ttc_col])) == sum(Decimal(str(r[ttc_col])) for r in data) == Decimal("25481.59")
    # Formula-like text stays text.
    assert any(r[4] == '=HYPERLINK("x")' for r in data)
    assert ws.cell(row=2, column=5).data_type == "s"
    categories = wb["Par nature"]
    cat_rows = list(categories.iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(r[2])) for r in cat_rows[:-1]) == Decimal(str(cat_rows[-1][2])) == Decimal("21234.66")
    summary = wb["Synthèse"]
    values = [r for r in summary.iter_rows(values_only=True) if r and r[0] == "D2.O1.C"]
    assert Decimal(str(values[0][3])) == Decimal("1234.66")


def test_the_export_worker_renders_the_cost_workbook(org, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    lines(org)
    job = ExportJobFactory(organization=org, kind=ExportJob.Kind.COST_WORKBOOK)
    with scope(organization=org), translation.override("fr"):
        assert services.export_run(organization=org, job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file_path.endswith(".xlsx") and len(job.sha256) == 64
    assert load_workbook(tmp_path / job.file_path)["Dépenses"].max_row == 5


def test_the_dossier_has_a_costs_section_and_sheet() -> None:
    assert any(s.key == "costs" and s.order == 850 for s in registry.pdf_sections())
    with translation.override("fr"):
        assert any(str(s.title) == "Coûts" for s in registry.xlsx_sheets())
