"""The sign-off: statuses read from compliance, MFA re-authentication required, the signed files frozen by the
export pipeline with their checksums, a later change shown as a difference without touching the signed files."""

from __future__ import annotations

import hashlib
import zipfile
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from apps.core import files
from apps.declaration.models import DeclarationVersion
from apps.exports import services as export_services
from apps.exports.models import ExportJob
from apps.tenants.roles import Role
from tests.costs.factories import CostLineFactory

pytestmark = pytest.mark.django_db


def url(org, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


SIGN = {"signer_function": "Directrice générale", "text": "Je déclare les objectifs atteints.", "confirm": "on"}


def reauthenticate(client, secret: str) -> None:
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(reverse("mfa_reauthenticate"), {"code": code})
    assert response.status_code == 302, response.content[:400]


@pytest.fixture
def director(org, member_factory):
    return member_factory(org, Role.DIRECTION, user__first_name="Isabelle", user__last_name="Lefèvre")


def test_the_page_lists_every_requirement_with_its_status(org, director, client_for) -> None:
    page = client_for(director).get(url(org, "declaration:page"))
    assert page.status_code == 200
    body = page.content.decode()
    for requirement_id in ("D2.P1", "D2.O1.C", "D2.O4"):
        assert f'data-testid="requirement-{requirement_id}"' in body
    assert 'data-testid="mfa-needed"' in body  # no MFA yet


def test_a_signature_without_mfa_is_refused(org, director, client_for) -> None:
    response = client_for(director).post(url(org, "declaration:sign"), SIGN, follow=True)
    assert "double authentification" in response.content.decode() or "two-factor" in response.content.decode()
    assert not DeclarationVersion.objects.filter(organization=org).exists()


def test_a_signature_without_fresh_reauthentication_is_sent_to_it(org, director, client_for) -> None:
    TOTP.activate(director, generate_totp_secret())
    response = client_for(director).post(url(org, "declaration:sign"), SIGN)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not DeclarationVersion.objects.filter(organization=org).exists()


def test_a_reader_cannot_sign(org, member_factory, client_for) -> None:
    assert client_for(member_factory(org, Role.RPCRA)).post(url(org, "declaration:sign"), SIGN).status_code == 403


def test_signing_freezes_the_files_and_a_later_change_shows_without_touching_them(
        org, director, client_for, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    CostLineFactory(organization=org, amount_ht=Decimal("1000"), amount_ttc=Decimal("1200"))
    secret = generate_totp_secret()
    TOTP.activate(director, secret)
    client = client_for(director)
    reauthenticate(client, secret)
    response = client.post(url(org, "declaration:sign"), SIGN)
    assert response.status_code == 302 and response["Location"] == url(org, "declaration:page")
    version = DeclarationVersion.objects.get(organization=org)
    assert (version.signer, version.signer_function, version.number) == (director, "Directrice générale", 1)
    assert version.snapshot["costs"]["total_ht"] == "1000.00" and len(version.content_sha256) == 64
    job = version.job
    assert job.kind == ExportJob.Kind.DECLARATION
    with scope(organization=org), translation.override("fr"):
        assert export_services.export_run(organization=org, job_id=str(job.pk))
    version.refresh_from_db()
    assert version.status == DeclarationVersion.Status.SIGNED
    assert {f["key"] for f in version.files} == {"pdf", "xlsx", "costs"}
    storage = files.private_storage()
    for entry in version.files:
        with storage.open(entry["path"], "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == entry["sha256"]
    job.refresh_from_db()
    with zipfile.ZipFile(tmp_path / job.file_path) as archive:
        manifest = archive.read("SHA256SUMS").decode()
        for entry in version.files:
            assert f"{entry['sha256']}  {entry['name']}" in manifest
            assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
    # The PDF carries the signature page with the signatory and the content checksum.
    import subprocess

    pdf = next(f for f in version.files if f["key"] == "pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / pdf["path"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Isabelle Lefèvre" in text and version.content_sha256[:16] in text.replace("\n", "")
    # A change after signing: the page shows it, the signed files stay byte for byte.
    before = {f["path"]: (tmp_path / f["path"]).read_bytes() for f in version.files}
    CostLineFactory(organization=org, amount_ht=Decimal("500"), amount_ttc=Decimal("600"))
    page = client.get(url(org, "declaration:page"))
    changes = page.context["changes"]
    assert "Total des coûts HT : 1\xa0000,00 € → 1\xa0500,00 €" in changes
    assert {f["path"]: (tmp_path / f["path"]).read_bytes() for f in version.files} == before
    # The signed file downloads, audited.
    response = client.get(url(org, "declaration:file", pk=version.pk, key="pdf"))
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == pdf["sha256"]


def test_the_directors_queue_shows_the_declaration_to_sign(org, director, settings) -> None:
    from django.utils import timezone

    from apps.declaration import snapshot
    from apps.workspace.queue import approval_queue

    def queued() -> list[dict]:
        with scope(organization=org), translation.override("fr"):
            membership = director.memberships.get(organization=org)
            return next((s["items"] for s in approval_queue(organization=org, membership=membership)
                         if s["key"] == "declaration"), [])

    assert [(i["label"], i["detail"]) for i in queued()] == [("Déclaration d'atteinte des objectifs",
                                                             "Pas encore signée")]
    with scope(organization=org):
        DeclarationVersion.objects.create(
            organization=org, number=1, status=DeclarationVersion.Status.SIGNED, text="…", signer=director,
            signer_name="Isabelle Lefèvre", signer_function="Directrice générale", signed_at=timezone.now(),
            snapshot=snapshot.take(organization=org), content_sha256="0" * 64)
    assert queued() == []  # signed and unchanged: nothing waits
    CostLineFactory(organization=org, amount_ht=Decimal("500"), amount_ttc=Decimal("600"))
    items = queued()
    from apps.declaration import services

    with scope(organization=org):
        changes = services.changes_since(organization=org, version=services.latest_signed(organization=org))
    assert "Total des coûts HT : 0,00 € → 500,00 €" in changes  # the cost totals (HT, TTC…) moved
    assert len(items) == 1 and items[0]["detail"] == f"{len(changes)} modifications depuis la v1 signée"
    assert items[0]["url"] == url(org, "declaration:page")


def test_a_member_limited_to_some_establishments_cannot_download_the_signed_files(org, client_for) -> None:
    """The signed dossier covers every establishment of the candidate: not a limited member's to read."""
    from tests.declaration.isolation import _version_with_file
    from tests.establishments import limited_member
    from tests.factories import EstablishmentFactory, MembershipFactory

    kwargs = _version_with_file(org)
    limited = limited_member(org, Role.DIRECTION, EstablishmentFactory(organization=org))
    everyone = MembershipFactory(organization=org, role=Role.DIRECTION).user
    assert client_for(limited).get(url(org, "declaration:file", **kwargs)).status_code == 403
    assert client_for(everyone).get(url(org, "declaration:file", **kwargs)).status_code == 200


def _signed_version(org, director, client_for):
    secret = generate_totp_secret()
    TOTP.activate(director, secret)
    client = client_for(director)
    reauthenticate(client, secret)
    assert client.post(url(org, "declaration:sign"), SIGN).status_code == 302
    return client, DeclarationVersion.objects.get(organization=org)


def test_an_interrupted_freeze_resumes_beside_the_file_it_left_and_never_touches_it(
        org, director, client_for, settings, tmp_path) -> None:
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from apps.declaration import freeze

    settings.MEDIA_ROOT = tmp_path
    client, version = _signed_version(org, director, client_for)
    # A worker stored the PDF, then died before recording the version as signed: its heartbeat went silent.
    leftover = freeze.storage_name(version, "dossier-care-d2.pdf")
    files.private_storage().save(leftover, ContentFile(b"interrupted attempt"))
    ExportJob.objects.filter(pk=version.job_id).update(
        status=ExportJob.Status.RUNNING, attempts=1, heartbeat_at=timezone.now() - timedelta(hours=1))
    with scope(organization=org), translation.override("fr"):
        assert export_services.export_run(organization=org, job_id=str(version.job_id))
    version.refresh_from_db()
    assert version.status == DeclarationVersion.Status.SIGNED
    assert {f["path"] for f in version.files} == {
        f"declarations/{org.pk}/1/reprise-2/{name}" for _key, name in freeze.PARTS}
    for entry in version.files:
        assert hashlib.sha256((tmp_path / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    assert (tmp_path / leftover).read_bytes() == b"interrupted attempt"  # kept as it was, never served
    response = client.get(url(org, "declaration:file", pk=version.pk, key="pdf"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) != b"interrupted attempt"


def test_a_freeze_that_failed_is_shown_with_its_reason_and_can_be_started_again(
        org, director, client_for, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client, version = _signed_version(org, director, client_for)
    ExportJob.objects.filter(pk=version.job_id).update(status=ExportJob.Status.FAILED, error="Disque plein.")
    body = client.get(url(org, "declaration:page")).content.decode()
    assert 'data-testid="freeze-failed"' in body and "Disque plein." in body
    retry = reverse("exports:retry", kwargs={"org_slug": org.slug, "pk": version.job_id})
    assert f'action="{retry}"' in body
    assert client.post(retry).status_code == 302
    assert ExportJob.objects.get(pk=version.job_id).status == ExportJob.Status.PENDING
