"""Hostile BIA workbooks are refused before any cell is read, with the reason in French.

A 200,000-row sheet (its ``<dimension>`` missing, as openpyxl's write-only mode leaves it), a sheet
whose ``<dimension>`` announces too much, one whose dimension lies (rows beyond it), a non-ZIP file
named .xlsx, and a zip bomb. Nothing is written in any case.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from apps.bia import workbook
from apps.bia.models import Activity, ImpactAnswer
from apps.tenants.models import Membership
from tests.bia.factories import activity_in
from tests.bia.test_workbook import download, edit, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org, scales, admin_user):
    urgences = activity_in(org, name="Urgences", care_perimeter="care_service")
    paie = activity_in(org, name="Paie")
    return {"urgences": urgences, "paie": paie, "membership": Membership.objects.get(organization=org, user=admin_user)}

TOO_MANY_ROWS = re.compile(r"Un onglet du classeur compte plus de 5\W?000 lignes .*: il a été refusé\.")


def _token_of(data: bytes) -> str:
    return load_workbook(io.BytesIO(data), read_only=True)["meta"]["A2"].value


def _rewrite(data: bytes, member: str, change) -> bytes:
    """Copy the archive with one entry's XML transformed (what a hand-edited or forged file does)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def _bia_sheet_member(data: bytes) -> str:
    names = load_workbook(io.BytesIO(data), read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index('BIA') + 1}.xml"


def _assert_nothing_written(org, setup) -> None:
    assert not ImpactAnswer.objects.filter(organization=org).exists()
    assert Activity.objects.get(pk=setup["urgences"].pk).pdma_hours is None
    assert Activity.objects.filter(organization=org).count() == 2


def test_a_200000_row_workbook_is_refused_for_its_size(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    token = _token_of(download(client, org))
    hostile = Workbook(write_only=True)  # write-only: no <dimension> element, the rows must be counted
    sheet = hostile.create_sheet("BIA")
    sheet.append(["Identifiant"])
    for number in range(200_000):
        sheet.append([setup["urgences"].pk if number == 0 else number])
    meta = hostile.create_sheet("meta")
    meta.append(["resilis-bia-workbook"])
    meta.append([token])
    out = io.BytesIO()
    hostile.save(out)
    assert b"<dimension" not in zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")[:2000]

    response = upload(client, org, out.getvalue())
    assert response.status_code == 400
    assert TOO_MANY_ROWS.search(response.context["file_error"]), response.context["file_error"]
    _assert_nothing_written(org, setup)


def test_a_dimension_announcing_too_many_rows_or_columns_is_refused(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    data = edit(download(client, org), {("Urgences", "PDMA (heures)"): 4})
    member = _bia_sheet_member(data)
    rows = _rewrite(data, member, lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:M200001"', xml))
    response = upload(client, org, rows)
    assert response.status_code == 400 and TOO_MANY_ROWS.search(response.context["file_error"])
    columns = _rewrite(data, member, lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD3"', xml))
    response = upload(client, org, columns)
    assert response.status_code == 400
    assert re.search(r"Un onglet du classeur compte plus de \d+ colonnes : il a été refusé\.",
                     response.context["file_error"])
    _assert_nothing_written(org, setup)


def test_a_lying_dimension_does_not_hide_rows_and_the_row_count_is_capped(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    wb = load_workbook(io.BytesIO(download(client, org)))
    wb["BIA"].cell(row=workbook.MAX_ROWS + 50, column=1, value=setup["paie"].pk)  # one row, far below
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    lying = _rewrite(data, _bia_sheet_member(data),
                     lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C3"', xml))
    response = upload(client, org, lying)  # few <row> elements: the streaming cap refuses it
    assert response.status_code == 400 and TOO_MANY_ROWS.search(response.context["file_error"])

    # A dimension that hides a real row beyond it: the row is still read and checked.
    wb = load_workbook(io.BytesIO(download(client, org)))
    wb["BIA"].cell(row=10, column=1, value=999_999)
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    hiding = _rewrite(data, _bia_sheet_member(data),
                      lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C2"', xml))
    response = upload(client, org, hiding)
    assert response.status_code == 400
    assert [(e.row, "inconnue" in e.message) for e in response.context["errors"]] == [(10, True)]
    _assert_nothing_written(org, setup)


def test_a_file_that_is_not_a_zip_is_refused_cleanly(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    for data in (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", b"Identifiant;Activite\n1;Urgences\n",
                 b"junk before the archive" + download(client, org)):
        response = upload(client, org, data, name="bia.xlsx")
        assert response.status_code == 400
        assert response.context["file_error"] == "Ce fichier n'est pas un classeur XLSX."
    _assert_nothing_written(org, setup)


def test_a_zip_bomb_is_refused_before_unpacking(org, setup, admin_user, client_for) -> None:
    client = client_for(admin_user)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            block = b" " * (1024 * 1024)
            for _ in range(workbook.MAX_UNCOMPRESSED_BYTES // len(block) + 20):
                entry.write(block)
    assert len(bomb.getvalue()) < workbook.MAX_UPLOAD_BYTES  # small on the wire…
    response = upload(client, org, bomb.getvalue())  # …huge once unpacked
    assert response.status_code == 400
    assert response.context["file_error"] == "Le classeur est trop volumineux une fois décompressé ; il a été refusé."
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(workbook.MAX_ENTRIES + 1):
            archive.writestr(f"xl/media/image{number}.bin", b"")
    response = upload(client, org, many.getvalue())
    assert response.status_code == 400
    assert response.context["file_error"] == "Le classeur est trop volumineux une fois décompressé ; il a été refusé."
    _assert_nothing_written(org, setup)
