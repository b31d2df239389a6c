"""« Dossier complet (ZIP) »: the three documents and every evidence file by requirement, an index whose SHA-256
match the bytes in the archive, built by the export pipeline and downloaded with its checks."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from apps.exports import services as export_services
from apps.exports.models import ExportJob
from tests.compliance.factories import EvidenceFactory
from tests.costs.factories import CostLineFactory

pytestmark = pytest.mark.django_db


def test_the_bundle_holds_the_documents_and_the_evidence_by_requirement(org, admin_user, client_for, settings,
                                                                        tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    EvidenceFactory(organization=org, title="PSSI", original_name="PSSI v3.pdf", requirement_ids=["D2.P1"])
    EvidenceFactory(organization=org, title="Politique", original_name="politique.pdf",
                    requirement_ids=["D2.O2.A", "D2.O2.B"],
                    file=ContentFile(b"%PDF-1.7 " + b"x" * 3_000_000, name="p.pdf"))
    EvidenceFactory(organization=org, title="Libre", requirement_ids=[])
    gone = EvidenceFactory(organization=org, title="Supprimée", requirement_ids=["D2.P1"])
    gone.deleted_at = gone.created_at
    gone.save()
    CostLineFactory(organization=org, amount_ht=Decimal("10"), amount_ttc=Decimal("12"))
    client = client_for(admin_user)
    assert client.post(reverse("declaration:bundle", kwargs={"org_slug": org.slug})).status_code == 302
    job = ExportJob.objects.get(organization=org, kind=ExportJob.Kind.BUNDLE_ZIP)
    with scope(organization=org), translation.override("fr"):
        assert export_services.export_run(organization=org, job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file_path.endswith(".zip")
    with zipfile.ZipFile(tmp_path / job.file_path) as archive:
        names = archive.namelist()
        assert {"dossier-care-d2.pdf", "classeur-care-d2.xlsx", "trame-justification-couts.xlsx",
                "index.csv"} <= set(names)
        assert any(n.startswith("D2.P1/") and n.endswith("-pssi-v3.pdf") for n in names)
        assert sum(n.startswith(("D2.O2.A/", "D2.O2.B/")) for n in names) == 2
        assert any(n.startswith("sans-exigence/") for n in names)
        assert not any("supprimee" in n for n in names)
        rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig")), delimiter=";"))
        header, body = rows[0], rows[1:]
        assert header[0] == "chemin" and header[-1] == "sha256"
        assert {row[0] for row in body} == set(names) - {"index.csv"}
        for row in body:
            assert hashlib.sha256(archive.read(row[0])).hexdigest() == row[-1]
    response = client.get(reverse("exports:download", kwargs={"org_slug": org.slug, "pk": job.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
