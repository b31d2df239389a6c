"""Expense lines (« lignes de dépenses »): the real costs engaged for the CaRE D2 objectives.

CaRE pays on objectives reached **and on real costs engaged during the operational phase** (from the
arrêté's publication, 16/07/2025: ``Catalogue.operational_phase_start``, DOMAIN.md §10). A line says when
the cost was engaged, what it is (external service, SMCA tool, backup system, internal staff time — which
rests on a lettre de mission —, other), who was paid, the invoice, the amounts HT and TTC, the objectives
it serves (requirement ids of the catalogue), the establishment that bears it, and its proof (the invoice,
stored as an evidence file linked to the line, so the evidence library's establishment limit applies).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel


class Category(models.TextChoices):
    EXTERNAL_SERVICE = "external_service", _("External service")
    SMCA_TOOL = "smca_tool", _("Continuity management tool (SMCA)")
    BACKUP_SYSTEM = "backup_system", _("Backup system")
    INTERNAL_STAFF = "internal_staff", _("Internal staff time")
    OTHER = "other", _("Other")


@track_history()
class CostLine(TenantModel):
    engaged_on = models.DateField(_("date engaged"))
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    label = models.CharField(_("what was bought"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True,
                                help_text=_("For internal staff time: the team or the person."))
    invoice_reference = models.CharField(_("invoice reference"), max_length=100, blank=True)
    amount_ht = models.DecimalField(_("amount excluding VAT (€)"), max_digits=12, decimal_places=2)
    amount_ttc = models.DecimalField(_("amount including VAT (€)"), max_digits=12, decimal_places=2)
    requirement_ids = ArrayField(models.CharField(max_length=20), default=list, verbose_name=_("objectives served"))
    establishment = models.ForeignKey("tenants.Establishment", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("establishment"))
    proof = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("invoice (file)"))
    mission_letter = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("lettre de mission"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    objects: ClassVar[tenancy.LimitedManager[CostLine]] = tenancy.limited_manager(tenancy.by_establishment())

    class Meta:
        ordering = ["-engaged_on", "-id"]
        verbose_name = _("expense line")
        verbose_name_plural = _("expense lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount_ht__gte=0), name="costs_ht_not_negative"),
            models.CheckConstraint(condition=Q(amount_ttc__gte=F("amount_ht")), name="costs_ttc_at_least_ht"),
        ]
        indexes = [models.Index(fields=["organization", "engaged_on"]),
                   models.Index(fields=["organization", "category"])]

    def __str__(self) -> str:
        return f"{self.engaged_on:%d/%m/%Y} {self.label}"
