"""Kwargs factories for the declaration's URLs (see tests/isolation.py). A declaration covers the whole
organization: ``ORG_WIDE``."""

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.core import files
from tests.factories import MembershipFactory


def _version_with_file(org):
    from apps.declaration.models import DeclarationVersion

    signer = MembershipFactory(organization=org, role="direction").user
    version = DeclarationVersion.objects.create(
        organization=org, number=(DeclarationVersion.objects.filter(organization=org).count() + 1), text="Je déclare",
        signer=signer, signer_name="Isabelle Lefèvre", signer_function="Directrice générale",
        signed_at=timezone.now(), snapshot={}, content_sha256="0" * 64, status=DeclarationVersion.Status.SIGNED)
    name = f"declarations/{org.pk}/{version.number}/dossier-care-d2.pdf"
    files.private_storage().save(name, ContentFile(b"%PDF-1.7 signed", name="d.pdf"))
    version.files = [{"key": "pdf", "name": "dossier-care-d2.pdf", "path": name, "sha256": "1" * 64, "size": 15}]
    version.save(update_fields=["files"])
    return {"pk": version.pk, "key": "pdf"}


URL_KWARGS = {"declaration:file": _version_with_file}
ORG_WIDE = {"declaration:file"}
# The signed files cover every establishment: a limited member gets 403 (apps.declaration.views).
WHOLE_ORGANIZATION = {"declaration:file"}
