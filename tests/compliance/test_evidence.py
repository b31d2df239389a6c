"""Evidence files: real type checks, random storage names, permission-checked and audited download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.compliance import selectors, services
from apps.compliance.models import Evidence
from apps.compliance.pdf import minimal_pdf
from apps.core.models import AuditEvent
from apps.tenants.roles import Role
from tests.compliance.factories import EvidenceFactory

pytestmark = pytest.mark.django_db


def pdf_upload(name: str = "pssi.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf("PSSI"), content_type="application/pdf")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_upload_stores_a_random_name_outside_the_web_root_and_audits(org, admin_user, settings) -> None:
    evidence = services.evidence_upload(organization=org, actor=admin_user, upload=pdf_upload("PSSI signée.pdf"),
                                        title="", requirement_ids=["D2.P1"])
    assert evidence.original_name == "PSSI signée.pdf"
    assert evidence.title == "PSSI signée.pdf"
    assert "PSSI" not in evidence.file.name and evidence.file.name.startswith(f"evidence/{org.pk}/")
    assert evidence.file.path.startswith(str(settings.MEDIA_ROOT))
    assert evidence.mime_type == "application/pdf" and len(evidence.sha256) == 64
    assert AuditEvent.objects.filter(organization=org, action=AuditEvent.Action.UPLOAD, actor=admin_user).count() == 1


def test_office_documents_and_images_are_accepted(org, admin_user) -> None:
    docx = SimpleUploadedFile("lettre.docx", docx_bytes())
    png = SimpleUploadedFile("schema.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    for upload in (docx, png):
        assert services.evidence_upload(organization=org, actor=admin_user, upload=upload, title="x").pk


@pytest.mark.parametrize("name,content", [
    ("malware.pdf", b"MZ\x90\x00 this is a windows executable"),  # right extension, wrong content
    ("script.exe", minimal_pdf()),  # right content, forbidden extension
    ("fake.docx", b"PK\x03\x04 not really a zip"),
    ("image.png", minimal_pdf()),  # a PDF renamed as an image
])
def test_content_must_match_an_allowed_type(org, admin_user, name, content) -> None:
    with pytest.raises(ValidationError):
        services.evidence_upload(organization=org, actor=admin_user, upload=SimpleUploadedFile(name, content),
                                 title="x")
    assert not Evidence.objects.filter(organization=org).exists()


def test_size_limit(org, admin_user, settings) -> None:
    settings.RESILIS_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.evidence_upload(organization=org, actor=admin_user, upload=pdf_upload(), title="x")
    assert "file" in error.value.message_dict


def test_unknown_requirement_is_refused(org, admin_user) -> None:
    with pytest.raises(ValidationError):
        services.evidence_upload(organization=org, actor=admin_user, upload=pdf_upload(), title="x",
                                 requirement_ids=["D9.Z"])


def test_download_is_audited_and_served_as_attachment(org, admin_user, client_for) -> None:
    evidence = EvidenceFactory(organization=org, original_name="PSSI v3.pdf")
    response = client_for(admin_user).get(
        reverse("compliance:evidence-download", kwargs={"org_slug": org.slug, "pk": evidence.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(organization=org, action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == admin_user and event.details["evidence"] == evidence.pk


def test_download_refused_to_outsiders_404_and_to_members_without_capability_403(
        org, outsider_user, member_factory, client_for) -> None:
    evidence = EvidenceFactory(organization=org)
    url = reverse("compliance:evidence-download", kwargs={"org_slug": org.slug, "pk": evidence.pk})
    assert client_for(outsider_user).get(url).status_code == 404
    business_owner = member_factory(org, Role.BUSINESS_OWNER)
    assert client_for(business_owner).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_upload_view_links_the_requirement_and_returns_to_next(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    back = reverse("governance:step-documents", kwargs={"org_slug": org.slug})
    response = client.post(reverse("compliance:evidence-upload", kwargs={"org_slug": org.slug}), {
        "file": pdf_upload(), "title": "PSSI v3", "requirement_ids": ["D2.P1"], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert list(selectors.evidence_list(organization=org, requirement_id="D2.P1").values_list("title", flat=True)) \
        == ["PSSI v3"]


def test_upload_view_refuses_external_next_and_foreign_link(org, other_org, admin_user, client_for) -> None:
    foreign = EvidenceFactory(organization=other_org)
    client = client_for(admin_user)
    url = reverse("compliance:evidence-upload", kwargs={"org_slug": org.slug})
    response = client.post(url, {"file": pdf_upload(), "link_model": "compliance.evidence", "link_pk": foreign.pk})
    assert response.status_code == 400
    response = client.post(url, {"file": pdf_upload(), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"].endswith("/conformite/pieces/")


def test_soft_delete_hides_the_file_everywhere(org, admin_user, client_for) -> None:
    evidence = EvidenceFactory(organization=org, title="Ancienne PSSI")
    client = client_for(admin_user)
    response = client.post(reverse("compliance:evidence-delete", kwargs={"org_slug": org.slug, "pk": evidence.pk}))
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.deleted_at is not None and evidence.deleted_by == admin_user
    assert not selectors.evidence_list(organization=org).exists()
    client.get(reverse("compliance:evidence-list", kwargs={"org_slug": org.slug}))  # shows the flash message
    page = client.get(reverse("compliance:evidence-list", kwargs={"org_slug": org.slug}))
    assert "Ancienne PSSI" not in page.content.decode()
    download = reverse("compliance:evidence-download", kwargs={"org_slug": org.slug, "pk": evidence.pk})
    assert client.get(download).status_code == 404


def test_library_search_and_filter(org, admin_user, client_for) -> None:
    EvidenceFactory(organization=org, title="PSSI du GHT", requirement_ids=["D2.P1"])
    # A title that is not also a label of the page (« Lettre de mission » is now a kind of document in the form).
    EvidenceFactory(organization=org, title="Lettre de mission du RPCRA", requirement_ids=["D2.P2"])
    client = client_for(admin_user)
    url = reverse("compliance:evidence-list", kwargs={"org_slug": org.slug})
    body = client.get(url, {"exigence": "D2.P2"}).content.decode()
    assert "Lettre de mission du RPCRA" in body and "PSSI du GHT" not in body
    body = client.get(url, {"q": "pssi"}).content.decode()
    assert "PSSI du GHT" in body and "Lettre de mission du RPCRA" not in body


def test_library_query_count_does_not_grow(org, admin_user, client_for, django_assert_max_num_queries) -> None:
    client = client_for(admin_user)
    url = reverse("compliance:evidence-list", kwargs={"org_slug": org.slug})
    EvidenceFactory.create_batch(2, organization=org)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    EvidenceFactory.create_batch(20, organization=org)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
