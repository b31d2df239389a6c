"""Kwargs factories for the declaration's URLs (see tests/isolation.py). A declaration covers the whole
organization: ``ORG_WIDE``."""

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.core import files
from tests.factories import MembershipFactory


def version_with_file(org, *, status: str = "signed"):
    from apps.declaration.models import DeclarationVersion

    signer = MembershipFactory(organization=org, role="direction").user
    version = DeclarationVersion.objects.create(
        organization=org, number=(DeclarationVersion.objects.filter(organization=org).count() + 1), text="Je déclare",
        signer=signer, signer_name="Isabelle Lefèvre", signer_function="Directrice générale",
        signed_at=timezone.now(), snapshot={}, content_sha256="0" * 64, status=status)
    name = f"declarations/{org.pk}/{version.number}/dossier-care-d2.pdf"
    files.private_storage().save(name, ContentFile(b"%PDF-1.7 signed", name="d.pdf"))
    version.files = [{"key": "pdf", "name": "dossier-care-d2.pdf", "path": name, "sha256": "1" * 64, "size": 15}]
    version.save(update_fields=["files"])
    return version


def _version_with_file(org):
    return {"pk": version_with_file(org).pk, "key": "pdf"}


def _reviewer_grant(org):
    from datetime import timedelta

    from apps.declaration.models import ReviewerGrant

    grant = ReviewerGrant.objects.create(organization=org, email=f"relecteur-{org.pk}@ars.example", days=30,
                                         expires_at=timezone.now() + timedelta(days=30))
    return {"pk": grant.pk}


URL_KWARGS = {"declaration:file": _version_with_file, "declaration:reviewer-revoke": _reviewer_grant}
ORG_WIDE = {"declaration:file", "declaration:reviewer-revoke"}
# The signed files cover every establishment: a limited member gets 403 (apps.declaration.views); so does the
# management of who reads them from outside.
WHOLE_ORGANIZATION = {"declaration:file", "declaration:reviewers", "declaration:reviewer-revoke"}
