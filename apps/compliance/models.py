"""Evidence files (« pièces justificatives ») supporting the CaRE requirements, reusable by every app.

A file is stored through the storage API (``apps.core.files``: a local folder or an S3 bucket) as
``evidence/<organization id>/<random>.<ext>`` (the original name is kept in the row only); no URL
serves it: the only way out is ``compliance:evidence-download``, which checks organization and
capability, writes an audit entry and streams it. Deleting is soft: the row and the file stay for the
history; a row deleted for good (its organization deleted) takes its file with it.
"""

from __future__ import annotations

import secrets
from pathlib import PurePath
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A random name: the original one may carry personal data or path tricks, and must not be guessable.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.organization_id}/{secrets.token_hex(16)}{suffix}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def alive(self) -> EvidenceQuerySet:
        return self.filter(deleted_at__isnull=True)

    def for_requirement(self, requirement_id: str) -> EvidenceQuerySet:
        return self.filter(requirement_ids__contains=[requirement_id])


def evidence_visible(ids: frozenset[int]) -> Q:
    """Evidence linked to nothing or to an object without an establishment, or to an object the limit shows."""
    from django.apps import apps as django_apps

    # Evidence links to rows with an integer key (``object_id``); itself and export jobs (UUID) are left out.
    limited = {m: tenancy.model_limit(m) for m in django_apps.get_models()
               if m._meta.label != "compliance.Evidence" and isinstance(m._meta.pk, models.IntegerField)}
    types = ContentType.objects.get_for_models(*[m for m, limit in limited.items() if limit is not None])
    condition = Q(content_type__isnull=True) | ~Q(content_type__in=list(types.values()))
    for model, content_type in types.items():
        limit = limited[model]
        assert limit is not None
        condition |= Q(content_type=content_type,
                       object_id__in=model._base_manager.filter(limit.visible(ids)).values("pk"))
    return condition


# The limited manager with the queryset's methods (``Evidence.objects.alive()``).
EvidenceManagerBase = tenancy.LimitedManager.from_queryset(EvidenceQuerySet)


class EvidenceManager(EvidenceManagerBase):
    limit = tenancy.EstablishmentLimit(lambda ids: evidence_visible(ids))


@track_history(exclude=["file"])
class Evidence(TenantModel):
    """A supporting document: PSSI, lettre de mission, COPIL minutes, plan blanc, contract clause…"""

    class Kind(models.TextChoices):
        PSSI = "pssi", _("PSSI (information systems security policy)")
        BACKUP_POLICY = "backup_policy", _("Backup and restoration policy")
        BACKUP_PLAN = "backup_plan", _("Backup plan")
        PLAN_BLANC = "plan_blanc", _("Plan blanc / PGTHSSE")
        CRISIS_PROCEDURE = "crisis_procedure", _("Cyber crisis procedure")
        MINUTES = "minutes", _("Meeting minutes")
        MISSION_LETTER = "mission_letter", _("Lettre de mission")
        CONTRACT = "contract", _("Contract or contract clause")
        REPORT = "report", _("Test or exercise report")
        OTHER = "other", _("Other document")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of document"), max_length=30, choices=Kind.choices, default=Kind.OTHER,
                            help_text=_("Some requirements accept only one kind: D2.P1 needs a file of kind PSSI."))
    description = models.TextField(_("description"), blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True,
                                     help_text=_("Date of signature or validation of the document, if any."))
    requirement_ids = ArrayField(models.CharField(max_length=20), default=list, blank=True,
                                 verbose_name=_("CaRE requirements supported"))
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    mime_type = models.CharField(_("file type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    # Optional link to the object the file documents (a COPIL meeting, a plan…), for any app.
    content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("linked object type"))
    object_id = models.PositiveBigIntegerField(_("linked object id"), null=True, blank=True)
    linked_object = GenericForeignKey("content_type", "object_id")
    deleted_at = models.DateTimeField(_("deleted on"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("deleted by"))

    # A member limited to some establishments sees the files linked to nothing, or to what they may see.
    objects: ClassVar[EvidenceManager] = EvidenceManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        indexes = [models.Index(fields=["organization", "deleted_at"]),
                   models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def extension(self) -> str:
        return PurePath(self.original_name).suffix.lower().lstrip(".")

    def requirement_labels(self) -> list[Any]:
        return list(self.requirement_ids)
