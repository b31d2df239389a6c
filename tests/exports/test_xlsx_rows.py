"""The workbook's rows read with ``values_list`` and label dictionaries hold exactly what the model objects said.

Each rewritten ``rows`` function is checked against an oracle written the obvious way (ORM objects,
``get_…_display()``, ``str(establishment)``, ``get_full_name() or email``: the code the workbook used before),
on the demo GHT (several establishments, units, owners, validations, plans, restoration tests, evidence), for the
whole organization and for a member limited to one establishment. Then the workbook itself: plain data cells
(a styled header only, checked on the same demo to load it once), the same number of queries at two sizes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from apps.bia import exports as bia_exports
from apps.bia.models import Activity, ActivityDependency, ActivityLink, ResourceDependency
from apps.compliance import exports as compliance_exports
from apps.compliance import selectors as compliance_selectors
from apps.continuity import exports as continuity_exports
from apps.continuity import selectors as continuity_selectors
from apps.continuity.models import DegradedMode
from apps.core.tenancy import tenant_scope
from apps.exports.xlsx import render_workbook
from apps.tenants.demo import GHT_SLUG
from apps.tenants.models import Establishment, Organization

pytestmark = pytest.mark.django_db


def _person(user: Any) -> str:
    return (user.get_full_name() or user.email) if user else ""


# --- Oracles: the rows as the model objects give them -----------------------------------------------

def oracle_bia_rows(organization: Organization) -> Iterator[list[Any]]:
    scale = bia_exports.selectors.scales(organization=organization)
    cells: dict[int, dict[int, dict[int, int]]] = {}
    for answer in bia_exports.ImpactAnswer.objects.filter(organization=organization):
        cells.setdefault(answer.activity_id, {}).setdefault(answer.criterion_id, {})[answer.horizon_id] = answer.level
    horizon_labels = " · ".join(h.label for h in scale["horizons"])
    activities = list(Activity.objects.filter(organization=organization).select_related(
        "establishment", "site", "unit", "unit__parent", "owner", "validated_by"))
    activities.sort(key=lambda a: (a.dmia_hours is None, a.dmia_hours or 0, a.pdma_hours or 0, a.name))
    for a in activities:
        unit = a.unit
        pole = unit.parent.name if unit and unit.parent else (unit.name if unit and unit.kind == "pole" else "")
        service = unit.name if unit and unit.kind == "service" else ""
        yield [
            str(a.establishment), a.site.finess_eg if a.site else "", pole, service, a.process, a.name,
            str(a.get_care_perimeter_display()), _person(a.owner), str(a.get_status_display()),
            str(a.get_criticality_display()), a.dmia_hours, a.pdma_hours, a.dmia_override_justification,
            bia_exports._grid_text(cells.get(a.pk, {}), scale), horizon_labels, a.critical_periods, a.minimum_staff,
            a.key_skills, a.fallback_premises, a.degraded_mode_description if a.degraded_mode_exists else "",
            a.recovery_priority, a.validated_at.date() if a.validated_at else None, _person(a.validated_by),
        ]


def oracle_dependency_rows(organization: Organization) -> Iterator[list[Any]]:
    yes_no = lambda value: _("yes") if value else _("no")  # noqa: E731
    for d in (ActivityDependency.objects.filter(organization=organization)
              .select_related("activity", "activity__establishment", "resource")
              .order_by("activity__establishment__name", "activity__name", "resource__name")):
        yield [_("Activity"), d.activity.name, str(d.activity.establishment), str(d.resource.get_kind_display()),
               d.resource.name, yes_no(d.workaround_exists), d.workaround_hours, d.workaround_note]
    for rd in (ResourceDependency.objects.filter(organization=organization).select_related("resource", "depends_on")
               .order_by("resource__name", "depends_on__name")):
        yield [str(rd.resource.get_kind_display()), rd.resource.name, "", str(rd.depends_on.get_kind_display()),
               rd.depends_on.name, yes_no(rd.workaround_exists), rd.workaround_hours, rd.workaround_note]
    for link in (ActivityLink.objects.filter(organization=organization)
                 .select_related("activity", "activity__establishment", "depends_on", "depends_on__establishment")
                 .order_by("activity__establishment__name", "activity__name", "depends_on__name")):
        yield [_("Activity"), link.activity.name, str(link.activity.establishment), _("Upstream activity"),
               f"{link.depends_on.name} ({link.depends_on.establishment})", yes_no(link.workaround_exists),
               link.workaround_hours, link.workaround_note]


def oracle_plan_rows(organization: Organization) -> Iterator[list[Any]]:
    plans = continuity_selectors.plan_list(organization=organization)
    shown = continuity_exports._shown_versions(organization, plans)
    modes = {(d.version_id, d.activity_id, d.scenario_id): d for d in DegradedMode.objects.filter(
        organization=organization, version_id__in=[v.pk for v in shown.values()])}
    for item in plans:
        p, v = item.plan, shown.get(item.plan.pk)
        for a in sorted(item.activities, key=lambda a: (a.dmia_hours is None, a.dmia_hours or 0, a.name)):
            for s in item.scenarios:
                d = modes.get((v.pk, a.pk, s.pk)) if v else None
                yield [
                    p.title, str(p.get_care_perimeter_display()), str(p.establishment or ""), a.name, a.dmia_hours,
                    str(s), f"v{v.number}" if v else "", str(v.get_status_display()) if v else "",
                    _person(v.approved_by) if v else "", v.approved_at if v else None,
                    _("yes") if d else _("no"), d.trigger if d else "", d.decided_by if d else "",
                    d.procedure if d else "", _("yes") if item.review_changes else _("no"),
                ]


def oracle_coverage_rows(organization: Organization) -> Iterator[list[Any]]:
    matrix = continuity_selectors.coverage_matrix(organization=organization)
    for row in matrix["rows"]:
        a = row["activity"]
        for s, cell in zip(matrix["scenarios"], row["cells"], strict=True):
            plan_text = "; ".join(f"{p.title} v{v.number} ({v.get_status_display()})" for p, v in cell.plans)
            approved = [v.approved_at for _p, v in cell.plans if v.approved_at]
            yield [a.name, str(a.establishment), str(a.get_criticality_display()), a.dmia_hours, str(s),
                   _("yes") if cell.degraded_mode else _("no"), plan_text, max(approved) if approved else None]


def oracle_evidence_rows(organization: Organization) -> Iterator[list[Any]]:
    for e in compliance_selectors.evidence_list(organization=organization):
        yield [e.title, ", ".join(e.requirement_ids), e.original_name, e.document_date, e.created_at.date(),
               _person(e.uploaded_by), e.size, e.sha256]


PAIRS = [
    ("bia", bia_exports.bia_rows, oracle_bia_rows),
    ("dependencies", bia_exports.dependency_rows, oracle_dependency_rows),
    ("plans", continuity_exports.plan_rows, oracle_plan_rows),
    ("coverage", continuity_exports.coverage_rows, oracle_coverage_rows),
    ("evidence", compliance_exports.evidence_rows, oracle_evidence_rows),
]


@pytest.fixture
def demo() -> Organization:
    call_command("seed_demo", stdout=io.StringIO())
    return Organization.objects.get(slug=GHT_SLUG)


def test_rows_from_values_list_equal_the_model_objects_rows(demo, tmp_path) -> None:
    # The limit: the establishment of the plans' activities (the CHU), so every sheet still has rows.
    chu = DegradedMode.objects.filter(organization=demo).values_list("activity__establishment", flat=True).first()
    for limit in (None, [chu]):
        with tenant_scope(demo, establishments=limit), translation.override("fr"):
            for name, rows, oracle in PAIRS:
                ours, expected = list(rows(demo)), list(oracle(demo))
                assert expected, f"{name}: the demo should give rows to compare"
                assert ours == expected, name
                # Same Python types too (a Decimal stays a Decimal, a date a date).
                assert [[type(v) for v in r] for r in ours] == [[type(v) for v in r] for r in expected], name

    # The comparison means something: units, owners, validations, workarounds and plans are in the data.
    with translation.override("fr"):
        bia = list(oracle_bia_rows(demo))
        deps = list(oracle_dependency_rows(demo))
    assert any(r[2] for r in bia) and any(r[3] for r in bia)  # pôle and service
    assert any(r[7] for r in bia) and any(r[22] for r in bia)  # owner, validator
    assert {r[0] for r in deps} >= {"Activité", "Application"} and any(r[5] == "oui" for r in deps)
    assert any(r[3] == "Activité amont" for r in deps)

    # The workbook: data cells are plain values under a styled header; only dates (French format) and
    # percentages carry a number format, formula-like text its quote prefix.
    path = tmp_path / "classeur.xlsx"
    with tenant_scope(demo), translation.override("fr"):
        render_workbook(organization=demo, path=path)
    wb = openpyxl.load_workbook(path)
    formatted = []
    for ws in wb.worksheets:
        header, *rows = list(ws.iter_rows())
        assert all(c.font.b for c in header if c.value is not None), ws.title
        for row in rows:
            for c in row:
                if c.value is None:
                    continue
                assert not c.font.b and c.fill.fill_type is None, (ws.title, c.coordinate)
                if c.number_format != "General":
                    formatted.append(c)
    assert formatted and all((c.is_date and c.number_format in ("DD/MM/YYYY", "DD/MM/YYYY HH:MM"))
                             or c.number_format == "0 %" for c in formatted)
    assert wb["Besoins vs capacités"]["E1"].value.startswith("RTO mesuré")
    assert wb["Besoins vs capacités"]["H1"].value.startswith("RPO mesuré")


@pytest.fixture
def sized(org):
    """An organization whose BIA is seeded at two sizes, to count the workbook's queries at each."""
    from apps.bia.benchmark import seed_large

    def grow(step: int) -> Organization:
        establishment = Establishment.objects.create(organization=org, name=f"Établissement {step}",
                                                     finess_ej=f"75000{step:04d}")
        seed_large(organization=org, establishment=establishment, activities=8, resources=10, dependencies=30,
                   seed=step, prefix=f"E{step} ")
        return org

    return grow


def _workbook_queries(org: Organization, path) -> int:
    with tenant_scope(org), translation.override("fr"), CaptureQueriesContext(connection) as ctx:
        render_workbook(organization=org, path=path)
    return len(ctx.captured_queries)


def test_the_workbook_queries_do_not_grow_with_the_data(sized, tmp_path) -> None:
    org = sized(1)
    _workbook_queries(org, tmp_path / "warm.xlsx")  # caches of the first run (scales, analysis) out of the count
    small = _workbook_queries(org, tmp_path / "small.xlsx")
    sized(2)
    _workbook_queries(org, tmp_path / "warm2.xlsx")
    large = _workbook_queries(org, tmp_path / "large.xlsx")
    assert large == small
