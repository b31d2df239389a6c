"""Files past one machine: evidence and exports in an S3-compatible bucket (moto's server on 127.0.0.1).

The web side is this test process, the worker side a real Celery worker process with its own, empty
MEDIA_ROOT: what one host writes, the other reads from the bucket only. Downloads stay behind the
permission checks (outsider 404, wrong role 403), objects are private, deletions reach the bucket, and
the local backend still serves the files written before under the same names.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.compliance.models import Evidence
from apps.compliance.pdf import minimal_pdf
from apps.core.models import AuditEvent
from apps.exports import services as export_services
from apps.exports.models import ExportJob
from apps.tenants.roles import Role
from tests.exports.conftest import Worker, pdf_text, wait_for
from tests.exports.factories import done_job_with_file
from tests.storage.conftest import ObjectStore, storage_settings_from_env
from tests.test_compose import ROOT


def local_files(root: Path | str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def fetch(url: str, timeout: float = 10):
    """GET from the test's S3 server only (127.0.0.1)."""
    assert url.startswith("http://127.0.0.1:"), url
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - a loopback http URL, checked above


def evidence_url(name: str, org, **kwargs) -> str:
    return reverse(f"compliance:evidence-{name}", kwargs={"org_slug": org.slug, **kwargs})


def export_url(name: str, org, **kwargs) -> str:
    return reverse(f"exports:{name}", kwargs={"org_slug": org.slug, **kwargs})


def missing(store: ObjectStore, name: str) -> bool:
    try:
        store.head(name)
    except ClientError as error:
        return error.response["Error"]["Code"] in {"404", "NoSuchKey"}
    return False


@pytest.mark.django_db
def test_evidence_is_uploaded_to_the_bucket_downloaded_behind_the_checks_and_deleted_from_it(
        org, admin_user, outsider_user, member_factory, client_for, s3, django_capture_on_commit_callbacks) -> None:
    content = minimal_pdf("PSSI du GHT")
    admin = client_for(admin_user)
    response = admin.post(evidence_url("upload", org), {
        "file": SimpleUploadedFile("PSSI signée (v3).pdf", content, content_type="application/pdf"),
        "title": "PSSI v3", "requirement_ids": ["D2.P1"]})
    assert response.status_code == 302
    evidence = Evidence.objects.get(organization=org)
    name = evidence.file.name

    # Stored in the bucket under the random name derived from the organization, private, nothing on disk.
    assert name.startswith(f"evidence/{org.pk}/") and name.endswith(".pdf") and "PSSI" not in name
    assert s3.names() == [name]
    assert s3.read(name) == content and hashlib.sha256(content).hexdigest() == evidence.sha256
    grants = s3.client.get_object_acl(Bucket=s3.bucket, Key=s3.key(name))["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and "URI" not in grants[0]["Grantee"]  # owner only
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        fetch(f"{s3.endpoint}/{s3.bucket}/{s3.key(name)}")
    assert anonymous.value.code == 403
    assert local_files(settings.MEDIA_ROOT) == []

    # Downloads: streamed from the bucket to members with the capability; audited; others refused, unaudited.
    url = evidence_url("download", org, pk=evidence.pk)
    assert client_for(outsider_user).get(url).status_code == 404
    assert client_for(member_factory(org, Role.BUSINESS_OWNER)).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()
    response = admin.get(url)
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Type"] == "application/pdf" and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''PSSI%20sign%C3%A9e%20%28v3%29.pdf"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=admin_user).count() == 1
    assert admin.get(settings.MEDIA_URL + name).status_code == 404  # no route serves stored files

    # Soft delete: out of the lists and downloads, kept in the bucket for the history.
    assert admin.post(evidence_url("delete", org, pk=evidence.pk)).status_code == 302
    assert admin.get(url).status_code == 404
    assert s3.names() == [name]
    # Deleted for good (its organization deleted): the object goes once the deletion commits.
    with django_capture_on_commit_callbacks(execute=True):
        Evidence.objects.filter(pk=evidence.pk).delete()
    assert s3.names() == []


@pytest.mark.django_db
def test_an_evidence_file_missing_from_the_bucket_is_a_404_not_an_error(org, admin_user, client_for, s3) -> None:
    from tests.compliance.factories import EvidenceFactory

    evidence = EvidenceFactory(organization=org)
    s3.client.delete_object(Bucket=s3.bucket, Key=s3.key(evidence.file.name))
    assert client_for(admin_user).get(evidence_url("download", org, pk=evidence.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_exports_rendered_on_a_worker_host_are_served_by_the_web_host_from_the_bucket(
        org, admin_user, outsider_user, member_factory, client_for, s3, private_queue, tmp_path) -> None:
    worker_media = tmp_path / "worker-host-media"  # the worker's own disk: it must stay empty
    worker_media.mkdir()
    worker = Worker(private_queue, worker_media, tmp_path / "worker.log", extra_env=s3.env)
    try:
        worker.wait_ready()
        with scopes_disabled():
            jobs = [export_services.export_job_create(organization=org, actor=admin_user, kind=kind,
                                                      queue=private_queue)
                    for kind in (ExportJob.Kind.DOSSIER_PDF, ExportJob.Kind.WORKBOOK_XLSX)]

        def finished(job_id):
            with scopes_disabled():
                job = ExportJob.objects.get(pk=job_id)
            return job if job.is_finished else None

        pdf_job, xlsx_job = [wait_for(lambda j=j: finished(j.pk), timeout=600, message=worker.output)
                             for j in jobs]
    finally:
        worker.stop()
    assert [pdf_job.status, xlsx_job.status] == [ExportJob.Status.DONE] * 2, [pdf_job.error, xlsx_job.error]
    assert pdf_job.file_path == f"exports/{org.pk}/{pdf_job.pk}.pdf"
    assert xlsx_job.file_path == f"exports/{org.pk}/{xlsx_job.pk}.xlsx"
    assert s3.names() == sorted([pdf_job.file_path, xlsx_job.file_path])
    for job in (pdf_job, xlsx_job):
        stored = s3.read(job.file_path)
        assert hashlib.sha256(stored).hexdigest() == job.sha256 and len(stored) == job.size
        assert s3.head(job.file_path)["ContentType"] == job.content_type
    assert local_files(worker_media) == [] and local_files(settings.MEDIA_ROOT) == []

    # The web host streams them from the bucket, after the checks.
    admin = client_for(admin_user)
    for job in (pdf_job, xlsx_job):
        url = export_url("download", org, pk=job.pk)
        assert client_for(outsider_user).get(url).status_code == 404
        assert client_for(member_factory(org, Role.READER)).get(url).status_code == 403
        response = admin.get(url)
        assert response.status_code == 200 and response["Content-Type"] == job.content_type
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == job.sha256
        if job.kind == ExportJob.Kind.DOSSIER_PDF:
            (tmp_path / "dossier.pdf").write_bytes(body)
            assert "CH de Valmont" in pdf_text(tmp_path / "dossier.pdf")
        else:
            assert openpyxl.load_workbook(io.BytesIO(body), read_only=True).sheetnames
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == 2

    # Retention: the purge deletes the expired object; a job deleted for good takes its object with it.
    with scopes_disabled():
        ExportJob.objects.filter(pk=pdf_job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        assert export_services.export_purge_expired() == 1
        assert missing(s3, pdf_job.file_path) and s3.names() == [xlsx_job.file_path]
        assert admin.get(export_url("download", org, pk=pdf_job.pk)).status_code == 404
        ExportJob.objects.filter(pk=xlsx_job.pk).delete()
    assert s3.names() == []


@pytest.mark.django_db
def test_signed_downloads_redirect_after_the_checks_to_a_short_lived_private_url(
        org, admin_user, outsider_user, member_factory, client_for, s3) -> None:
    job = done_job_with_file(org, content=b"%PDF-1.7 signed")
    url = export_url("download", org, pk=job.pk)
    with override_settings(RESILIS_SIGNED_DOWNLOADS=True):
        outsider = client_for(outsider_user).get(url)
        reader = client_for(member_factory(org, Role.READER)).get(url)
        assert (outsider.status_code, reader.status_code) == (404, 403)
        assert "Location" not in outsider and "Location" not in reader
        response = client_for(admin_user).get(url)
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3.endpoint}/{s3.bucket}/{s3.key(job.file_path)}?")
    query = parse_qs(urlparse(location).query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    with fetch(location) as reply:
        assert reply.read() == b"%PDF-1.7 signed"
        assert reply.headers["Content-Disposition"].startswith('attachment; filename="dossier-care-d2-')
        assert reply.headers["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).count() == 1
    # The same URL without its signature is refused by the bucket.
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        fetch(location.split("?")[0])
    assert unsigned.value.code == 403


@pytest.mark.django_db
def test_files_written_before_under_media_root_still_download_with_the_local_backend(
        org, admin_user, client_for) -> None:
    """The names did not change: what the old code wrote at MEDIA_ROOT/<name> is served as before."""
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    job = ExportJob.objects.create(organization=org, kind=ExportJob.Kind.DOSSIER_PDF, status=ExportJob.Status.DONE,
                                   dossier_version=1, finished_at=timezone.now())
    old = Path(settings.MEDIA_ROOT) / "exports" / str(org.pk) / f"{job.pk}.pdf"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"%PDF-1.7 written by the old code")
    ExportJob.objects.filter(pk=job.pk).update(file_path=f"exports/{org.pk}/{job.pk}.pdf")
    response = client_for(admin_user).get(export_url("download", org, pk=job.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 written by the old code"
    # A path that leaves the organization's folder is never followed.
    ExportJob.objects.filter(pk=job.pk).update(file_path=f"exports/{org.pk}/../../../etc/passwd")
    assert client_for(admin_user).get(export_url("download", org, pk=job.pk)).status_code == 404


def _settings_run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60, check=False)


def test_s3_settings_are_private_by_default_and_refuse_a_missing_bucket() -> None:
    built = storage_settings_from_env({"RESILIS_STORAGE": "s3", "S3_BUCKET": "resilis-files"})
    options = built["default"]["OPTIONS"]
    assert built["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["querystring_expire"] == 60 and options["file_overwrite"] is True
    assert options["endpoint_url"] is None and options["access_key"] is None  # AWS and boto3's own credentials
    assert built["signed"] is False  # streaming through the views is the default
    assert storage_settings_from_env({"RESILIS_STORAGE": "local"})["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    result = _settings_run("import resilis.settings", RESILIS_STORAGE="s3", S3_BUCKET="")
    assert result.returncode != 0 and "S3_BUCKET" in result.stderr
    result = _settings_run("import resilis.settings", RESILIS_STORAGE="nfs")
    assert result.returncode != 0 and "RESILIS_STORAGE" in result.stderr


def test_check_deploy_is_clean_with_the_s3_backend() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(RESILIS_ENV="production", SECRET_KEY="k8#Fq2!vR9xL0pZ7mW3nB6cT1yH5sJ4dG8aE2uQ9iO0rV7tY3wX6zC1bN5mK2lP",
               ALLOWED_HOSTS="resilis.example.org", RESILIS_STORAGE="s3", S3_BUCKET="resilis-files",
               S3_ENDPOINT_URL="https://s3.example.org", S3_SIGNED_DOWNLOADS="true",
               DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://unused@localhost/unused"))
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
