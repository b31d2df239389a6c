"""In-app notifications and each person's e-mail preference.

- ``Notification``: one event told to one member of one organization (a plan submitted for approval, a BIA sent
  back…). It keeps the event's *kind* and its parameters (the subject's name, the reason), not a sentence: the
  sentence is written when it is read, in the reader's language (``apps.notifications.kinds``). ``dedupe_key``
  makes a repeated event (a beat task run twice, an action overdue checked every day) one row.
- ``NotificationPreference``: per person (all their organizations): e-mail each notification, a daily digest,
  or none; and the language of the e-mails (empty: the organization's).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel


class Kind(models.TextChoices):
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted for approval")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    PLAN_RETURNED = "plan_returned", _("Plan returned")
    BIA_SUBMITTED = "bia_submitted", _("BIA submitted")
    BIA_VALIDATED = "bia_validated", _("BIA validated")
    BIA_SENT_BACK = "bia_sent_back", _("BIA sent back")
    ACTION_ASSIGNED = "action_assigned", _("Action assigned")
    ACTION_OVERDUE = "action_overdue", _("Action overdue")
    EXERCISE_SOON = "exercise_soon", _("Exercise soon")
    EVIDENCE_EXPIRING = "evidence_expiring", _("Evidence expiring")
    CAMPAIGN_REMINDER = "campaign_reminder", _("BIA campaign reminder")


class Notification(TenantModel):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("recipient"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    subject_label = models.CharField(_("subject"), max_length=255)
    reason = models.TextField(_("reason"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=120, blank=True, editable=False)
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["organization", "recipient", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["organization", "recipient", "kind", "dedupe_key"],
                                               condition=~Q(dedupe_key=""), name="notification_unique_dedupe")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject_label}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    class Email(models.TextChoices):
        EACH = "each", _("An e-mail for each notification")
        DIGEST = "digest", _("One daily digest")
        NONE = "none", _("No e-mail (in the application only)")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    email = models.CharField(_("e-mails"), max_length=10, choices=Email.choices, default=Email.EACH)
    language = models.CharField(_("language of the e-mails"), max_length=8, choices=settings.LANGUAGES, blank=True,
                                help_text=_("Empty: the organization's language."))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_email_display()}"
