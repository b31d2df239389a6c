"""``RequirementSnapshot``: each day's count of CaRE requirements by status, taken by Celery beat
(``apps.workspace.tasks.snapshot_all``), so that the direction's home draws « requirements met over time » from
stored figures instead of replaying every check for every past day."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class RequirementSnapshot(TenantModel):
    day = models.DateField(_("day"))
    met = models.PositiveIntegerField(_("met"), default=0)
    partial = models.PositiveIntegerField(_("partly met"), default=0)
    not_met = models.PositiveIntegerField(_("not met"), default=0)
    unchecked = models.PositiveIntegerField(_("not assessed yet"), default=0)

    class Meta:
        ordering = ["day"]
        verbose_name = _("requirements snapshot")
        verbose_name_plural = _("requirements snapshots")
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="requirement_snapshot_one_a_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.met}"

    @property
    def total(self) -> int:
        return self.met + self.partial + self.not_met + self.unchecked
