"""Writes for evidence files: upload, soft delete, audited download."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compliance.catalogue import current_catalogue
from apps.compliance.models import Evidence
from apps.compliance.validators import validate_evidence_file
from apps.core import files
from apps.core.models import AuditEvent, TenantModel
from apps.core.services import audit_log

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.tenants.models import Organization


def _clean_requirement_ids(requirement_ids: list[str]) -> list[str]:
    known = [r.id for r in current_catalogue().requirements]
    unknown = [r for r in requirement_ids if r not in known]
    if unknown:
        raise ValidationError({"requirement_ids": _("Unknown CaRE requirement: %(ids)s.") % {"ids": ", ".join(unknown)}})
    return [r for r in known if r in requirement_ids]  # catalogue order, no duplicates


def resolve_linked_object(*, organization: Organization, label: str, pk: Any) -> models.Model:
    """The tenant-owned object ``label``/``pk`` of ``organization``, or ValidationError (never another tenant's)."""
    try:
        model = django_apps.get_model(label)
    except (LookupError, ValueError) as error:
        raise ValidationError(_("Unknown linked object.")) from error
    if not issubclass(model, TenantModel):
        raise ValidationError(_("Unknown linked object."))
    obj = model.objects.filter(organization=organization, pk=pk).first()
    if obj is None:
        raise ValidationError(_("Unknown linked object."))
    return obj


@transaction.atomic
def evidence_upload(*, organization: Organization, actor: User | None, upload: UploadedFile, title: str, description: str = "",
                    document_date: date | None = None, requirement_ids: list[str] | None = None,
                    kind: str = "", linked_object: models.Model | None = None, request: HttpRequest | None = None) -> Evidence:
    """Store a supporting document after checking its size and its real type (magic bytes).

    The file is stored (``apps.core.files``: local folder or S3 bucket) under a random name,
    ``evidence/<organization>/<random>.<ext>``, that no URL serves; the upload is audited.
    """
    try:
        mime_type = validate_evidence_file(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        organization=organization, title=title.strip() or upload.name or "", description=description,
        document_date=document_date, requirement_ids=_clean_requirement_ids(requirement_ids or []),
        kind=kind or Evidence.Kind.OTHER, original_name=(upload.name or "document")[:255], mime_type=mime_type, size=upload.size or 0,
        sha256=digest.hexdigest(), uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if linked_object is not None:
        if getattr(linked_object, "organization_id", None) != organization.pk:
            raise ValidationError(_("Unknown linked object."))
        evidence.content_type = ContentType.objects.get_for_model(linked_object)
        evidence.object_id = linked_object.pk
    evidence.file.save(upload.name or "document", upload, save=False)
    # The file is stored now: remove it again if the row cannot be saved.
    stored_name = evidence.file.name
    try:
        evidence.full_clean()
        evidence.save()
    except Exception:
        files.delete_quietly(stored_name or "", storage=evidence.file.storage)
        raise
    audit_log(action=AuditEvent.Action.UPLOAD, actor=actor, organization=organization, target=evidence.title,
              details={"evidence": evidence.pk, "name": evidence.original_name, "size": evidence.size,
                       "sha256": evidence.sha256}, request=request)
    return evidence


@transaction.atomic
def evidence_update(*, evidence: Evidence, actor: User | None, title: str, description: str,
                    document_date: date | None, requirement_ids: list[str], kind: str = "") -> Evidence:
    evidence.title = title
    if kind:
        evidence.kind = kind
    evidence.description = description
    evidence.document_date = document_date
    evidence.requirement_ids = _clean_requirement_ids(requirement_ids)
    evidence.full_clean()
    evidence.save(update_fields=["title", "kind", "description", "document_date", "requirement_ids", "updated_at"])
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor: User | None) -> Evidence:
    """Soft delete: the file leaves every list and downloads but stays stored, for the history."""
    if evidence.deleted_at is None:
        evidence.deleted_at = timezone.now()
        evidence.deleted_by = actor if getattr(actor, "is_authenticated", False) else None
        evidence.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return evidence


def evidence_file_forget(sender: type[Evidence], instance: Evidence, **kwargs: Any) -> None:
    """``post_delete``: a row deleted for good (its organization deleted, the platform admin) takes its
    stored file with it once the deletion commits; a rolled-back deletion keeps it."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: files.delete_quietly(name, storage=storage), robust=True)


def evidence_record_download(*, evidence: Evidence, actor: User | None, request: HttpRequest | None = None) -> None:
    audit_log(action=AuditEvent.Action.DOWNLOAD, actor=actor, organization=evidence.organization,
              target=evidence.title, details={"evidence": evidence.pk, "name": evidence.original_name},
              request=request)
