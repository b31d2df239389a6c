"""Export jobs: one row per requested dossier (PDF) or workbook (XLSX), rendered by a Celery worker."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel

# How long a finished file is kept before the purge task deletes it.
RETENTION = timedelta(days=7)
# The worker refreshes ``heartbeat_at`` at every progress step and from a background thread at least
# this often (seconds), so even one long WeasyPrint layout keeps it fresh.
HEARTBEAT_SECONDS = 10
# A running job without a heartbeat for this long has lost its worker (kill -9, out of memory, host
# lost): it is shown interrupted and re-queued (beat housekeeping, and any worker that starts).
STALE_AFTER = timedelta(seconds=45)


# The languages a dossier or workbook can be written in (the exports page's choice; French by default).
DOSSIER_LANGUAGES = [("fr", _("French")), ("en", _("English"))]
DEFAULT_DOSSIER_LANGUAGE = "fr"


def _default_expiry() -> datetime:
    return timezone.now() + RETENTION


# Progress and heartbeats change every few seconds: not worth a history row each.
@track_history(exclude=["progress", "progress_label", "heartbeat_at", "updated_at"])
class ExportJob(TenantModel):
    """A dossier or workbook requested by a member; the worker claims it, renders it and stores the file."""

    class Kind(models.TextChoices):
        DOSSIER_PDF = "dossier_pdf", _("CaRE D2 dossier (PDF)")
        WORKBOOK_XLSX = "workbook_xlsx", _("CaRE D2 workbook (XLSX)")
        EXERCISE_KIT = "exercise_kit", _("Exercise kit (PDF)")  # rendered by apps.exercises.kits
        COST_WORKBOOK = "cost_workbook", _("Cost justification workbook (XLSX)")  # apps.costs.workbook
        BUNDLE_ZIP = "bundle_zip", _("Complete dossier (ZIP)")  # apps.declaration.bundle
        DECLARATION = "declaration", _("Signed declaration (ZIP)")  # apps.declaration.freeze

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    progress_label = models.CharField(_("current step"), max_length=200, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    dossier_version = models.PositiveIntegerField(_("dossier version"), default=0)
    file_path = models.CharField(_("file"), max_length=500, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )
    # The language the worker renders in (``TenantTask`` activates it), chosen on the exports page: not the UI's.
    language = models.CharField(_("language"), max_length=10, default=DEFAULT_DOSSIER_LANGUAGE,
                                choices=DOSSIER_LANGUAGES)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), default=_default_expiry)
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)
    # The establishment limit of the member who asked (None: the whole organization). The worker renders
    # under it, and a member only sees the jobs whose limit lies inside their own.
    establishment_ids = ArrayField(models.PositiveIntegerField(), null=True, blank=True,
                                   verbose_name=_("limited to the establishments"))

    objects: ClassVar[tenancy.LimitedManager[ExportJob]] = tenancy.limited_manager(
        lambda ids: Q(establishment_ids__isnull=False, establishment_ids__contained_by=sorted(ids)))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="exportjob_progress_max_100"),
            models.UniqueConstraint(
                fields=["organization", "kind", "dossier_version"],
                condition=models.Q(dossier_version__gt=0),
                name="exportjob_unique_dossier_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.pk)

    @property
    def extension(self) -> str:
        if self.kind in (self.Kind.WORKBOOK_XLSX, self.Kind.COST_WORKBOOK):
            return "xlsx"
        if self.kind in (self.Kind.BUNDLE_ZIP, self.Kind.DECLARATION):
            return "zip"
        return "pdf"

    @property
    def content_type(self) -> str:
        return {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "zip": "application/zip"}.get(self.extension, "application/pdf")

    @property
    def storage_name(self) -> str:
        """``exports/<organization id>/<job id>.<ext>`` in the file storage (``apps.core.files``): derived from
        the job, never from user input; ``file_path`` holds it once the file is written."""
        return f"exports/{self.organization_id}/{self.pk}.{self.extension}"

    @property
    def is_interrupted(self) -> bool:
        """Running, but its worker has given no sign of life for ``STALE_AFTER``: computed on every read."""
        return (self.status == self.Status.RUNNING and self.heartbeat_at is not None
                and self.heartbeat_at < timezone.now() - STALE_AFTER)

    @property
    def status_label(self) -> str:
        return str(_("Interrupted")) if self.is_interrupted else str(self.get_status_display())

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_downloadable(self) -> bool:
        return (self.status == self.Status.DONE and bool(self.file_path) and self.purged_at is None
                and self.expires_at > timezone.now())
