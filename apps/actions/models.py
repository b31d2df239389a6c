"""The action plan: one register of what must be done, from every source, followed to closure.

An ``Action`` says who does what by when, why (its *source*: a BIA gap, a single point of failure, a COPIL
decision, a failed restoration test, a trajectory milestone, a CaRE requirement not met, later an exercise
finding; or nothing), for which CaRE requirements and establishments, and whether it is done (with a proof).

- The source is a kind plus ids (``source_kind``, ``source_id``, ``source_key``), resolved through the
  organization by ``apps.actions.sources`` (never a bare look-up), with ``source_label`` the words it had when
  the action was created. Closing an action does not close its source: whether the source still stands is
  derived on read from that source's own data (``sources.resolve``).
- Establishments (``ActionEstablishment``): an action naming none concerns the whole organization. For a member
  limited to some establishments (``apps.core.tenancy``) an action is *visible* when it names none or at least
  one of theirs, and *writable* when it names no establishment outside their limit; the services make a limited
  member name at least one of their own, so they never create an organization-wide action.
- ``ActionNote``: dated progress notes with their author.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel


class SourceKind(models.TextChoices):
    NONE = "none", _("Entered directly")
    BIA_GAP = "bia_gap", _("BIA gap")
    SPOF = "spof", _("Single point of failure")
    DECISION = "decision", _("COPIL decision")
    RESTORE_TEST = "restore_test", _("Restoration test")
    MILESTONE = "milestone", _("Trajectory milestone")
    REQUIREMENT = "requirement", _("CaRE requirement not met")
    # Reserved for the exercises (RETEX findings): ``services.create_from_source`` takes it once that app
    # registers its resolver in ``apps.actions.sources``.
    EXERCISE_FINDING = "exercise_finding", _("Exercise finding")
    # Registered by the backups app (``apps.backups.feed``): failed backup jobs left unresolved.
    BACKUP_ALERT = "backup_alert", _("Backup alert")


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


PRIORITY_RANK: dict[str, int] = {Priority.CRITICAL: 4, Priority.HIGH: 3, Priority.MEDIUM: 2, Priority.LOW: 1}


class Status(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


OPEN_STATUSES = (Status.TODO, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.DONE, Status.ABANDONED)


def _links() -> models.QuerySet[ActionEstablishment]:
    return ActionEstablishment._base_manager.filter(action=OuterRef("pk"))


def action_visible(ids: frozenset[int]) -> Q:
    """Names no establishment (the whole organization), or at least one of the allowed ones."""
    return ~Q(Exists(_links())) | Q(Exists(_links().filter(establishment_id__in=ids)))


def action_writable(ids: frozenset[int]) -> Q:
    """Names no establishment outside the allowed ones."""
    return ~Q(Exists(_links().exclude(establishment_id__in=ids)))


@track_history()
class Action(TenantModel):
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_kind = models.CharField(_("source"), max_length=30, choices=SourceKind.choices, default=SourceKind.NONE)
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source_key = models.CharField(_("source detail"), max_length=40, blank=True)
    source_label = models.CharField(_("source as it was when the action was created"), max_length=300, blank=True)
    requirement_ids = ArrayField(models.CharField(max_length=20), default=list, blank=True,
                                 verbose_name=_("CaRE requirements"))
    establishments = models.ManyToManyField("tenants.Establishment", through="ActionEstablishment", blank=True,
                                            related_name="+", verbose_name=_("establishments"))
    owner_member = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("owner (member)"))
    owner_name = models.CharField(_("owner (name, if not a member)"), max_length=150, blank=True)
    owner_email = models.EmailField(_("owner's e-mail (if not a member)"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    retro_entered = models.BooleanField(
        _("entered after the fact"), default=False,
        help_text=_("An action imported or recorded after the fact may have a due date in the past; it is then "
                    "shown as late."))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TODO)
    abandon_reason = models.TextField(_("why it was abandoned"), blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    proof_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("proof of closure (file)"))
    proof_note = models.TextField(_("proof of closure (note)"), blank=True)
    cost_estimate = models.DecimalField(_("cost estimate (€)"), max_digits=12, decimal_places=2, null=True,
                                        blank=True, validators=[MinValueValidator(0)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    objects: ClassVar[tenancy.LimitedManager[Action]] = tenancy.limited_manager(action_visible, action_writable)

    class Meta:
        ordering = ["number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="actions_number_per_org"),
            models.CheckConstraint(condition=Q(cost_estimate__isnull=True) | Q(cost_estimate__gte=0),
                                   name="actions_cost_not_negative"),
            models.CheckConstraint(condition=~Q(status="abandoned") | ~Q(abandon_reason=""),
                                   name="actions_abandon_has_reason"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"]),
            models.Index(fields=["organization", "source_kind", "source_id"]),
            models.Index(fields=["organization", "owner_member", "status"]),
            GinIndex(fields=["requirement_ids"], name="actions_requirements_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """« PA-012 » (plan d'actions), per organization."""
        return f"PA-{self.number:03d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_late_on(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def is_late(self) -> bool:
        return self.is_late_on(timezone.localdate())

    @property
    def is_external_owner(self) -> bool:
        return not self.owner_member_id and bool(self.owner_name)

    @property
    def owner_display(self) -> str:
        """The owner's name (a member's full name or e-mail, or the external person's name); "" when unassigned."""
        if self.owner_member_id and self.owner_member:
            user = self.owner_member.user
            return user.get_full_name() or user.email
        return self.owner_name

    @property
    def owner_address(self) -> str:
        """Where the owner's e-mails go ("" when nobody can be told)."""
        if self.owner_member_id and self.owner_member:
            return self.owner_member.user.email
        return self.owner_email

    @property
    def has_proof(self) -> bool:
        return bool(self.proof_evidence_id or self.proof_note.strip())


@track_history()
class ActionEstablishment(TenantModel):
    """An establishment an action concerns (its own row, so that the history and the limit see it)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="establishment_links",
                               verbose_name=_("action"))
    establishment = models.ForeignKey("tenants.Establishment", on_delete=models.CASCADE, related_name="+",
                                      verbose_name=_("establishment"))

    objects: ClassVar[tenancy.LimitedManager[ActionEstablishment]] = tenancy.child_manager(
        "action", "actions.Action", tenancy.by_establishment())

    class Meta:
        verbose_name = _("establishment of an action")
        verbose_name_plural = _("establishments of actions")
        constraints = [models.UniqueConstraint(fields=["action", "establishment"],
                                               name="actions_establishment_once")]

    def __str__(self) -> str:
        return f"{self.action_id} — {self.establishment_id}"


@track_history()
class ActionNote(TenantModel):
    """A dated progress note on an action, with its author."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes", verbose_name=_("action"))
    noted_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("progress note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))

    objects: ClassVar[tenancy.LimitedManager[ActionNote]] = tenancy.child_manager("action", "actions.Action")

    class Meta:
        ordering = ["-noted_on", "-id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return self.text[:80]
