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
from django.core.validators import MaxValueValidator, MinValueValidator
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


# A reviewer's access lasts at most this long (the guichet's instruction of a file takes weeks, not months);
# the inviter chooses the number of days, ``REVIEW_DAYS_DEFAULT`` unless told.
REVIEW_DAYS_DEFAULT = 30
REVIEW_DAYS_MAX = 90


def _reviewer_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


@track_history(exclude=["token"])
class ReviewerGrant(TenantModel):
    """A read-only « relecteur » access for someone outside the organization (an ARS or GRADeS reviewer, an auditor).

    It is NOT a membership: the tenant middleware keeps answering 404 on every member page (``/o/<slug>/…``), and
    the reviewer's own pages (``/relecture/…``, ``apps.declaration.views``) show only the organization's signed
    declaration versions and their frozen files. The e-mailed link is used once: it binds the grant to the account
    that accepted it (same e-mail address). The access ends at ``expires_at`` (the number of days chosen at the
    invitation) or when revoked; every page view and download is an ``AuditEvent`` carrying the grant's id, from
    which the inviter's list derives the last access and the number of accesses (never stored, never stale).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Invitation sent")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=_reviewer_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("invited by"))
    # SET_NULL: deleting the account ends the access and keeps the row (who was invited, when, by whom).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="reviewer_grants", verbose_name=_("reviewer's account"))
    days = models.PositiveSmallIntegerField(
        _("length of the access (days)"), default=REVIEW_DAYS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(REVIEW_DAYS_MAX)])
    expires_at = models.DateTimeField(_("access until"))
    accepted_at = models.DateTimeField(_("accepted on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("revoked by"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reviewer access")
        verbose_name_plural = _("reviewer accesses")
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gte=1) & models.Q(days__lte=REVIEW_DAYS_MAX),
                                   name="reviewer_grant_days_range"),
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def running() -> models.Q:
        """The condition of a grant neither revoked nor expired (pending or active): ``state`` as a query."""
        from django.utils import timezone

        return models.Q(revoked_at__isnull=True, expires_at__gt=timezone.now())

    @property
    def state(self) -> str:
        from django.utils import timezone

        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.ACTIVE if self.accepted_at is not None else self.State.PENDING

    @property
    def state_label(self) -> str:
        return str(self.State(self.state).label)

    @property
    def is_pending(self) -> bool:
        """The link can still be accepted (once)."""
        return self.state == self.State.PENDING

    @property
    def is_active(self) -> bool:
        """The bound reviewer may read the signed declaration now."""
        return self.state == self.State.ACTIVE
