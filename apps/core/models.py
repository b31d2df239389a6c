"""Shared model bases: every tenant-owned row inherits ``TenantModel``.

``TenantModel.objects`` is a django-scopes manager: a query outside ``scope(organization=…)``
raises ``ScopeError`` instead of silently reading every hospital's data. Views under
``/o/<slug>/`` run inside that scope (see ``apps.tenants.middleware``); Celery tasks enter it
through ``apps.core.tasks.tenant_scope``. Explicit ``filter(organization=…)`` is still required:
the scope is the safety net, not the rule.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.tenancy import OrganizationManager


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimeStampedModel):
    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )

    objects = OrganizationManager()

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Security-relevant events (logins, MFA, roles, exports, downloads) next to the row history.

    Row history (who changed which field) is kept by pghistory triggers; this log records the
    actions that change no domain row but must be traceable.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        LOCKOUT = "lockout", _("Account locked")
        PASSWORD_RESET = "password_reset", _("Password reset")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        MFA_ENABLED = "mfa_enabled", _("MFA enabled")
        MFA_DISABLED = "mfa_disabled", _("MFA disabled")
        MFA_RECOVERY_CODES = "mfa_recovery_codes", _("Recovery codes generated")
        MEMBER_INVITED = "member_invited", _("Member invited")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        ACCESS_RESTRICTED = "access_restricted", _("Establishment access changed")
        SETTINGS_CHANGED = "settings_changed", _("Organization settings changed")
        EXPORT_REQUESTED = "export_requested", _("Export requested")
        DOWNLOAD = "download", _("File downloaded")
        UPLOAD = "upload", _("File uploaded")
        CAMPAIGN_REMINDED = "campaign_reminded", _("BIA campaign reminder sent")
        CRISIS_ACTIVATED = "crisis_activated", _("Crisis activated")
        CRISIS_CLOSED = "crisis_closed", _("Crisis closed")
        KIT_COPY_ISSUED = "kit_copy_issued", _("Crisis kit copy issued")
        # The « relecteur » access to the signed declaration (``apps.declaration``): details carry the grant's id.
        REVIEWER_INVITED = "reviewer_invited", _("Reviewer invited")
        REVIEWER_ACCEPTED = "reviewer_accepted", _("Reviewer access accepted")
        REVIEWER_REVOKED = "reviewer_revoked", _("Reviewer access revoked")
        REVIEWER_VIEWED = "reviewer_viewed", _("Signed declaration read by a reviewer")
        ORGANIZATION_CREATED = "organization_created", _("Organization created")
        TEMPLATES_COPIED = "templates_copied", _("Templates copied from another organization")
        TEMPLATES_SHARED = "templates_shared", _("Templates copied to another organization")
        # Business events, shown as their own rows in the object's « Historique » (``details`` name the object).
        PLAN_SUBMITTED = "plan_submitted", _("Submitted for approval")
        PLAN_APPROVED = "plan_approved", _("Approved")
        PLAN_RETURNED = "plan_returned", _("Returned")
        BIA_SUBMITTED = "bia_submitted", _("BIA submitted")
        BIA_VALIDATED = "bia_validated", _("BIA validated")
        BIA_SENT_BACK = "bia_sent_back", _("BIA sent back")

    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organization"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    target = models.CharField(_("target"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    # The establishments the event concerns: the actor's limit when a limited member acted, None when
    # the actor works organization-wide. A limited reader of the log sees only events inside their limit.
    establishment_ids = ArrayField(models.IntegerField(), null=True, blank=True,
                                   verbose_name=_("establishments concerned"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.target}"
