"""The declaration of objectives reached (« déclaration d'atteinte des objectifs ») and its signed versions.

The direction reviews every requirement's computed status (``apps.compliance.selectors``), then signs: that
freezes a ``DeclarationVersion`` — the declaration text, who signed (name and function) and when, a snapshot of
what was declared (requirement statuses, plan versions, cost totals) with its SHA-256 (the « content checksum »
printed on the signature page), and the dossier files rendered by the export worker (PDF, XLSX, cost workbook)
with their SHA-256. The files are stored once under ``declarations/<organization>/<version>/`` and never
rewritten; the row keeps their names and checksums. Later changes show as a difference between the stored
snapshot and the data of now: the next signature makes the next version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.history import track_history
from apps.core.models import TenantModel


@track_history()
class DeclarationVersion(TenantModel):
    class Status(models.TextChoices):
        FREEZING = "freezing", _("Files being produced")
        SIGNED = "signed", _("Signed")
        FAILED = "failed", _("Files could not be produced")

    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FREEZING)
    text = models.TextField(_("declaration text"))
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("signed by"))
    signer_name = models.CharField(_("signatory's name"), max_length=200)
    signer_function = models.CharField(_("signatory's function"), max_length=200)
    signed_at = models.DateTimeField(_("signed on"))
    snapshot = models.JSONField(_("what was declared"), default=dict)
    content_sha256 = models.CharField(_("content checksum (SHA-256)"), max_length=64)
    files = models.JSONField(_("signed files"), default=list, blank=True)
    job = models.ForeignKey("exports.ExportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("export job"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="declaration_number_per_org")]

    def __str__(self) -> str:
        return f"v{self.number} — {self.signer_name}"

    def file(self, key: str) -> dict[str, str] | None:
        return next((f for f in self.files if f.get("key") == key), None)
