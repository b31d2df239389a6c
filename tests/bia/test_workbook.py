"""The BIA workbook: download, offline edits (openpyxl and a LibreOffice round-trip), checked re-import."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.bia import services, workbook
from apps.bia.models import Activity, ImpactAnswer
from apps.tenants.models import Membership
from tests.bia.factories import activity_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org, scales, admin_user):
    urgences = activity_in(org, name="Urgences", care_perimeter="care_service")
    paie = activity_in(org, name="Paie")
    return {"urgences": urgences, "paie": paie, "membership": Membership.objects.get(organization=org, user=admin_user)}


def download(client, org) -> bytes:
    response = client.get(reverse("bia:workbook-download", kwargs={"org_slug": org.slug}))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def edit(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """Set cells by (activity name, header) like a user would."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb["BIA"]
    headers = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(row=r, column=3).value: r for r in range(2, ws.max_row + 1)}
    for (name, header), value in edits.items():
        ws.cell(row=rows[name], column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, org, data: bytes, name: str = "bia.xlsx"):
    return client.post(reverse("bia:workbook", kwargs={"org_slug": org.slug}),
                       {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def grid_header(scales) -> str:
    return f"{scales['criteria'][0].name} — {scales['horizons'][0].label}"


def test_download_has_instructions_protection_dropdowns_and_hidden_metadata(org, setup, admin_user, client_for) -> None:
    wb = load_workbook(io.BytesIO(download(client_for(admin_user), org)))
    assert wb.sheetnames == ["Instructions", "BIA", "Dépendances", "meta"]
    assert wb["meta"].sheet_state == "veryHidden"
    ws = wb["BIA"]
    assert ws.protection.sheet is True
    assert ws["A1"].protection.locked and ws["A2"].protection.locked and not ws["E2"].protection.locked
    assert any('"1,2,3,4"' in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    assert {ws.cell(row=r, column=3).value for r in (2, 3)} == {"Urgences", "Paie"}


def test_round_trip_preview_then_apply(org, setup, scales, admin_user, client_for) -> None:
    client = client_for(admin_user)
    data = edit(download(client, org), {("Urgences", "PDMA (heures)"): 2, ("Urgences", grid_header(scales)): 4,
                                        ("Paie", "Périmètre CaRE"): "Processus administratif le plus critique"})
    response = upload(client, org, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Modifications à appliquer" in page and "Processus administratif le plus critique" in page
    assert Activity.objects.get(pk=setup["urgences"].pk).pdma_hours is None  # nothing written yet
    payload = response.context["payload"]
    response = client.post(reverse("bia:workbook-apply", kwargs={"org_slug": org.slug}), {"payload": payload})
    assert response.status_code == 302
    urgences = Activity.objects.get(pk=setup["urgences"].pk)
    assert (urgences.pdma_hours, urgences.dmia_hours, urgences.criticality) == (2, 4, "critical")
    assert Activity.objects.get(pk=setup["paie"].pk).care_perimeter == "admin_process"


def test_libreoffice_edited_workbook_round_trip(org, setup, scales, admin_user, client_for, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    client = client_for(admin_user)
    edited = edit(download(client, org), {("Urgences", "PDMA (heures)"): 1, ("Urgences", grid_header(scales)): 3})
    source = tmp_path / "src" / "bia.xlsx"
    source.parent.mkdir()
    source.write_bytes(edited)
    out = tmp_path / "out"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)], check=True, timeout=180,
                   capture_output=True)
    resaved = (out / "bia.xlsx").read_bytes()
    assert resaved != edited  # LibreOffice wrote its own file
    response = upload(client, org, resaved)
    assert response.status_code == 200, response.content.decode()[:3000]
    client.post(reverse("bia:workbook-apply", kwargs={"org_slug": org.slug}), {"payload": response.context["payload"]})
    urgences = Activity.objects.get(pk=setup["urgences"].pk)
    assert urgences.pdma_hours == 1 and urgences.dmia_hours == 4


def test_wrong_types_are_reported_row_by_row_and_nothing_changes(org, setup, scales, admin_user, client_for) -> None:
    client = client_for(admin_user)
    data = edit(download(client, org), {("Urgences", "PDMA (heures)"): "deux heures",
                                        ("Urgences", grid_header(scales)): 7,
                                        ("Paie", "DMIA fixée manuellement (heures)"): 8,
                                        ("Paie", "Effectif minimal"): 3})
    response = upload(client, org, data)
    assert response.status_code == 400
    errors = response.context["errors"]
    # Rows follow the activity list order: Paie (row 2), then Urgences (row 3).
    assert {(e.row, e.column) for e in errors} >= {(3, "PDMA (heures)"), (3, grid_header(scales)),
                                                   (2, "Justification de la DMIA fixée manuellement")}
    assert "Refusé" in response.content.decode() or "refusé" in response.content.decode()
    assert Activity.objects.get(pk=setup["paie"].pk).minimum_staff is None
    assert not ImpactAnswer.objects.filter(activity__organization=org).exists()


def test_formulas_are_refused(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    data = edit(download(client, org), {("Urgences", "PDMA (heures)"): "=1+1"})
    response = upload(client, org, data)
    assert response.status_code == 400
    assert any("formule" in e.message.lower() for e in response.context["errors"])


def test_foreign_or_tampered_workbook_is_refused(org, other_org, setup, admin_user, member_factory, client_for) -> None:
    foreign_admin = member_factory(other_org)
    activity_in(other_org, name="Urgences")
    foreign = download(client_for(foreign_admin), other_org)
    response = upload(client_for(admin_user), org, foreign)
    assert response.status_code == 400 and "autre organisation" in response.context["file_error"]
    wb = load_workbook(io.BytesIO(download(client_for(admin_user), org)))
    wb["meta"]["A2"] = wb["meta"]["A2"].value[:-3] + "abc"
    out = io.BytesIO()
    wb.save(out)
    response = upload(client_for(admin_user), org, out.getvalue())
    assert response.status_code == 400 and "signature" in response.context["file_error"]


def test_huge_file_and_zip_bomb_are_refused(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    response = upload(client, org, b"0" * (workbook.MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 400 and "5" in response.context["file_error"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (workbook.MAX_UNCOMPRESSED_BYTES + 10))
    response = upload(client, org, bomb.getvalue())
    assert response.status_code == 400 and "décompress" in response.context["file_error"].lower() or \
        "trop volumineux" in response.context["file_error"]
    assert upload(client, org, b"not a workbook").status_code == 400


def test_rows_cannot_be_added_or_point_elsewhere(org, other_org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    foreign = activity_in(other_org, name="Ailleurs")
    wb = load_workbook(io.BytesIO(download(client, org)))
    ws = wb["BIA"]
    ws.cell(row=2, column=1, value=foreign.pk)
    out = io.BytesIO()
    wb.save(out)
    response = upload(client, org, out.getvalue())
    assert response.status_code == 400
    assert any("inconnue" in e.message for e in response.context["errors"])


def test_tampered_preview_payload_changes_nothing(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    response = client.post(reverse("bia:workbook-apply", kwargs={"org_slug": org.slug}), {"payload": "forged"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=setup["urgences"].pk).pdma_hours is None
    services.scales_ensure_defaults(organization=org)
