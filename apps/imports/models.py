"""Imports of the lists a hospital already has (CMDB or GLPI exports, spreadsheets of activities and
dependencies), with the column mapping remembered per organization and kind of import."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.models import TenantModel


class ImportKind(models.TextChoices):
    RESOURCES = "resources", _("Applications, infrastructure, suppliers (resources)")
    ACTIVITIES = "activities", _("Activities")
    DEPENDENCIES = "dependencies", _("Dependencies")


class ColumnMapping(TenantModel):
    """The last mapping used for a kind of import: Resilis field → the file's column header."""

    kind = models.CharField(_("kind of import"), max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="imports_mapping_one_per_kind")]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ImportRun(TenantModel):
    """One uploaded file on its way: mapped, previewed, then applied all or nothing (or failed, nothing written).

    The file is parsed once, at upload (after the hostile-file checks), and its cells kept in the row until it is
    applied: the preview and the apply read the same cells, never a copy the browser sends back."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("To map")
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed, nothing changed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind of import"), max_length=20, choices=ImportKind.choices)
    # Resources only: the kind given to rows whose file has no « kind » column.
    resource_kind = models.CharField(_("kind of resource"), max_length=20, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    headers = models.JSONField(_("columns of the file"), default=list)
    # [[row number, [cell, …]], …]: the cells as read (dates as ISO text), emptied once applied.
    rows = models.JSONField(_("rows of the file"), default=list)
    formula_cells = models.JSONField(_("cells holding a formula"), default=list)  # [[row number, column], …]
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    # [{"row": 2, "status": "new"|"updated"|"unchanged"|"refused", "label": str, "message": str}]
    report = models.JSONField(_("row-by-row report"), default=list)
    counts = models.JSONField(_("counts"), default=dict)
    error = models.TextField(_("reason of the failure"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("imported by"))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    preview_seconds = models.FloatField(_("preview time (s)"), null=True, blank=True)
    apply_seconds = models.FloatField(_("apply time (s)"), null=True, blank=True)
    # The establishment limit of the member who uploaded (None: the whole organization); a member only sees
    # the runs whose limit lies inside their own (their rows may name those establishments).
    establishment_ids = ArrayField(models.PositiveIntegerField(), null=True, blank=True,
                                   verbose_name=_("limited to the establishments"))

    objects: ClassVar[tenancy.LimitedManager[ImportRun]] = tenancy.limited_manager(
        lambda ids: Q(establishment_ids__isnull=False, establishment_ids__contained_by=sorted(ids)))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return self.filename
