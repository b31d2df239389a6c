"""Per-organization API tokens (issue 19).

A token is created by an administrator of the organization (``apps.api.services.token_create``), shown once,
and stored as the SHA-256 of its secret: ``rsl_<prefix>_<secret>``. The prefix (public, unique) finds the row;
the digest of the whole token is compared in constant time. A token acts as a principal with its own
capabilities (a subset of ``apps.tenants.roles``), optionally limited to some establishments, like a member.

Use is recorded on the row (``last_used_at``, ``last_used_ip``, ``use_count``: one UPDATE per request by
``services.token_touch``) instead of one audit row per request; creation and revocation are audit events.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from apps.core.history import track_history
from apps.core.models import TenantModel


@track_history(exclude=["secret_hash", "last_used_at", "use_count"])
class ApiToken(TenantModel):
    name = models.CharField(_("name"), max_length=120,
                            help_text=_("What uses it, e.g. « Veeam backup reports » or « CMDB sync »."))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    capabilities = ArrayField(models.CharField(max_length=40), default=list, verbose_name=_("capabilities"))
    restricted_to_establishments = models.BooleanField(_("limited to some establishments"), default=False)
    establishments = models.ManyToManyField("tenants.Establishment", blank=True, related_name="+",
                                            verbose_name=_("establishments"))
    expires_at = models.DateTimeField(_("expires on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("revoked by"))
    last_used_at = models.DateTimeField(_("last used on"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    use_count = models.PositiveBigIntegerField(_("number of uses"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at:
            return str(_("Revoked"))
        if self.expires_at <= timezone.now():
            return str(_("Expired"))
        return str(_("Active"))

    def has_capability(self, capability: str) -> bool:
        from apps.tenants.roles import all_capabilities

        return capability in self.capabilities and capability in all_capabilities()

    @cached_property
    def allowed_establishment_ids(self) -> frozenset[int] | None:
        """``None`` for every establishment; a limited token with no establishment left sees none (fails closed)."""
        if not self.restricted_to_establishments:
            return None
        through = ApiToken.establishments.through
        return frozenset(through.objects.filter(apitoken_id=self.pk).values_list("establishment_id", flat=True))
