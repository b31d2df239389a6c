"""Crisis day — DOMAIN.md §11: activate the plans, follow the crisis live, close it; the offline kit and its
copy register; the « what if » simulation.

- ``Crisis``: a real crisis or an exercise (``is_exercise``), for the organization or one establishment, on a
  scenario, activating approved plan versions (``CrisisPlanVersion``); activated and closed by the direction.
  Several crises may coexist: one may be active while another is closed.
- ``CrisisLogEntry``: the crisis's **main courante** (``apps.core.logbook``, shared with the exercises).
- ``DegradedActivation``: « mode dégradé activé à … par … » for one activity of the crisis.
- ``ReflexTick``: one line of a fiche réflexe ticked (time-stamped, by whom).
- ``RecoveryProgress``: one system of the PRA recovery sequence on the day (à faire → en cours → restauré →
  vérifié par le référent métier, with times).
- ``SignalementDone``: a signalement duty (CERT Santé, ARS, ANSSI, CNIL 72 h, plainte) ticked as done.
- ``KitCopy``: one numbered copy of the offline crisis kit (« Copie n° 3 / 12 », holder, place, versions);
  flagged **périmée** when a newer version of one of its plans is approved, until replaced or destroyed.
- ``Simulation``: a saved « what if » (resources down for a duration) and its computed result.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.logbook import LogEntryBase
from apps.core.models import TenantModel

CRISIS = "crisis.Crisis"
MAX_SIMULATION_HOURS = 24 * 60


def _crisis_child(*extra: tenancy.Limit) -> tenancy.LimitedManager[Any]:
    return tenancy.child_manager("crisis", CRISIS, *extra)


@track_history()
class Crisis(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    scenario = models.ForeignKey("continuity.Scenario", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("scenario"))
    is_exercise = models.BooleanField(_("exercise"), default=False,
                                      help_text=_("An exercise runs the same way, flagged « exercice » everywhere."))
    establishment = models.ForeignKey("tenants.Establishment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("establishment"),
                                      help_text=_("Leave empty for a crisis of the whole organization."))
    description = models.TextField(_("what happened"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    activated_at = models.DateTimeField(_("activated at"))
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("activated by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))
    closing_note = models.TextField(_("closing note"), blank=True)
    simulation = models.ForeignKey("Simulation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("simulation used as scenario"))
    # The RETEX is the exercises' (hot debrief, cold RETEX, findings → actions): an exercise record opened at closing.
    retex_exercise = models.OneToOneField("exercises.Exercise", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="crisis", verbose_name=_("RETEX"))
    notified_count = models.PositiveIntegerField(_("crisis cell members notified"), default=0)
    # The crisis report (PDF), rendered by the worker at closing.
    report_file = models.CharField(_("report file"), max_length=255, blank=True, editable=False)
    report_pages = models.PositiveIntegerField(_("report pages"), null=True, blank=True, editable=False)
    report_error = models.TextField(_("report error"), blank=True, editable=False)

    objects: ClassVar[tenancy.LimitedManager[Crisis]] = tenancy.limited_manager(
        tenancy.shared_or_establishment(), tenancy.by_establishment())

    class Meta:
        ordering = ["-activated_at", "-id"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | Q(closed_at__isnull=False),
                                   name="crisis_closed_dated"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("activated_at")),
                                   name="crisis_closed_after_activation"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def elapsed(self) -> datetime.timedelta:
        return (self.closed_at or timezone.now()) - self.activated_at


@track_history()
class CrisisPlanVersion(TenantModel):
    """An approved plan version activated by the crisis (frozen: what the crisis cell follows)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="activated_versions",
                               verbose_name=_("crisis"))
    version = models.ForeignKey("continuity.PlanVersion", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("plan version"))

    objects: ClassVar[tenancy.LimitedManager[CrisisPlanVersion]] = _crisis_child()

    class Meta:
        verbose_name = _("plan activated")
        verbose_name_plural = _("plans activated")
        constraints = [models.UniqueConstraint(fields=["crisis", "version"], name="crisis_version_unique")]

    def __str__(self) -> str:
        return f"{self.crisis_id} → {self.version_id}"


@track_history()
class CrisisLogEntry(LogEntryBase):
    """One line of the crisis's main courante (``apps.core.logbook``)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="log_entries", verbose_name=_("crisis"))

    objects: ClassVar[tenancy.LimitedManager[CrisisLogEntry]] = _crisis_child()

    class Meta(LogEntryBase.Meta):
        verbose_name = _("main courante entry")
        verbose_name_plural = _("main courante entries")
        indexes = [models.Index(fields=["organization", "crisis", "-occurred_at"])]


@track_history()
class DegradedActivation(TenantModel):
    """« Mode dégradé activé à … par … » for one activity of the crisis."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="degraded_activations",
                               verbose_name=_("crisis"))
    activity = models.ForeignKey("bia.Activity", on_delete=models.CASCADE, related_name="+", verbose_name=_("activity"))
    activated_at = models.DateTimeField(_("activated at"))
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("activated by"))

    objects: ClassVar[tenancy.LimitedManager[DegradedActivation]] = _crisis_child(
        tenancy.by_establishment("activity__establishment"))

    class Meta:
        verbose_name = _("degraded mode activated")
        verbose_name_plural = _("degraded modes activated")
        constraints = [models.UniqueConstraint(fields=["crisis", "activity"], name="crisis_degraded_unique")]

    def __str__(self) -> str:
        return f"{self.crisis_id} → {self.activity_id}"


@track_history()
class ReflexTick(TenantModel):
    """One action of a fiche réflexe done (line number in its « first actions »), when and by whom."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="reflex_ticks", verbose_name=_("crisis"))
    sheet = models.ForeignKey("continuity.ReflexSheet", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("fiche réflexe"))
    line = models.PositiveSmallIntegerField(_("line"))
    ticked_at = models.DateTimeField(_("done at"))
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("done by"))

    objects: ClassVar[tenancy.LimitedManager[ReflexTick]] = _crisis_child()

    class Meta:
        verbose_name = _("fiche réflexe action done")
        verbose_name_plural = _("fiche réflexe actions done")
        constraints = [models.UniqueConstraint(fields=["crisis", "sheet", "line"], name="crisis_reflex_tick_unique")]

    def __str__(self) -> str:
        return f"{self.sheet_id}:{self.line}"


@track_history()
class RecoveryProgress(TenantModel):
    """One system of the PRA recovery sequence on the crisis day."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        RESTORED = "restored", _("Restored")
        VERIFIED = "verified", _("Verified by the business referent")

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="recovery", verbose_name=_("crisis"))
    resource = models.ForeignKey("bia.Resource", on_delete=models.CASCADE, related_name="+", verbose_name=_("system"))
    position = models.PositiveIntegerField(_("position"))
    required_rto_hours = models.DecimalField(_("required RTO (hours)"), max_digits=8, decimal_places=1, null=True,
                                             blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.TODO)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("verified by"))
    # A real crisis's measured RTA, recorded as a restoration back into production (``apps.backups``).
    evidence_test = models.ForeignKey("backups.RestoreTest", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("measured recovery recorded"))

    objects: ClassVar[tenancy.LimitedManager[RecoveryProgress]] = _crisis_child()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("recovery step on the day")
        verbose_name_plural = _("recovery steps on the day")
        constraints = [models.UniqueConstraint(fields=["crisis", "resource"], name="crisis_recovery_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.resource_id}"

    @property
    def rta_hours(self) -> float | None:
        """Recovery time actually measured: from activation to the business referent's check."""
        if self.verified_at is None:
            return None
        return round((self.verified_at - self.crisis.activated_at).total_seconds() / 3600, 2)


@track_history()
class SignalementDone(TenantModel):
    """A signalement duty of the crisis: its deadline from activation, ticked when done."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="signalements", verbose_name=_("crisis"))
    recipient = models.CharField(_("to whom"), max_length=20)
    label = models.CharField(_("label"), max_length=200)
    delay_hours = models.PositiveIntegerField(_("within (hours)"), null=True, blank=True)
    channel = models.CharField(_("how"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("done by"))

    objects: ClassVar[tenancy.LimitedManager[SignalementDone]] = _crisis_child()

    class Meta:
        ordering = ["delay_hours", "id"]
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [models.UniqueConstraint(fields=["crisis", "recipient"], name="crisis_signalement_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def deadline(self) -> datetime.datetime | None:
        if self.delay_hours is None:
            return None
        return self.crisis.activated_at + datetime.timedelta(hours=self.delay_hours)


class KitPlace(models.TextChoices):
    CRISIS_ROOM = "crisis_room", _("Crisis room")
    ON_CALL_HOME = "on_call_home", _("Home of the director on call")
    SAFE = "safe", _("Safe")
    OTHER = "other", _("Other")


@track_history()
class KitCopy(TenantModel):
    """One numbered copy of the offline crisis kit (the register of copies, DOMAIN.md §11)."""

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF to print")
        HTML = "html", _("Single HTML file (USB key)")

    class State(models.TextChoices):
        CURRENT = "current", _("Current")
        STALE = "stale", _("Out of date (périmée)")
        REPLACED = "replaced", _("Replaced")
        DESTROYED = "destroyed", _("Destroyed")

    class Build(models.TextChoices):
        PENDING = "pending", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    establishment = models.ForeignKey("tenants.Establishment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("establishment"),
                                      help_text=_("Leave empty for the kit of the whole organization."))
    number = models.PositiveIntegerField(_("copy number"))
    planned_total = models.PositiveIntegerField(_("copies planned"), default=1,
                                                validators=[MinValueValidator(1), MaxValueValidator(999)])
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.PDF)
    holder_member = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("holder (member)"))
    holder_name = models.CharField(_("holder"), max_length=150, blank=True)
    holder_email = models.EmailField(_("holder's e-mail"), blank=True)
    place = models.CharField(_("kept at"), max_length=20, choices=KitPlace.choices, default=KitPlace.CRISIS_ROOM)
    place_detail = models.CharField(_("place details"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.CURRENT)
    stale_since = models.DateTimeField(_("out of date since"), null=True, blank=True)
    stale_reason = models.CharField(_("why it is out of date"), max_length=300, blank=True)
    state_changed_at = models.DateTimeField(_("replaced or destroyed on"), null=True, blank=True)
    # What the copy holds: the plan versions it was built from (``[{"plan": id, "version": id, "number": n}]``)
    # and the plan ids, for the staleness query.
    versions = models.JSONField(_("plan versions"), default=list, blank=True)
    plan_ids = models.JSONField(_("plans"), default=list, blank=True)
    build = models.CharField(_("build"), max_length=8, choices=Build.choices, default=Build.PENDING)
    file = models.CharField(_("file"), max_length=255, blank=True, editable=False)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("issued by"))

    objects: ClassVar[tenancy.LimitedManager[KitCopy]] = tenancy.limited_manager(
        tenancy.shared_or_establishment(), tenancy.by_establishment())

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kit copy")
        verbose_name_plural = _("kit copies")
        constraints = [
            models.UniqueConstraint(fields=["organization", "establishment", "number"], name="crisis_kit_copy_number",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"n° {self.number}"

    @property
    def holder(self) -> str:
        if self.holder_member_id and self.holder_member:
            user = self.holder_member.user
            return user.get_full_name() or user.email
        return self.holder_name

    @property
    def is_stale(self) -> bool:
        return self.state == self.State.STALE


@track_history()
class Simulation(TenantModel):
    """A saved « what if »: these resources down for this duration, and what the engine found."""

    title = models.CharField(_("title"), max_length=200)
    establishment = models.ForeignKey("tenants.Establishment", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("establishment"))
    resource_ids = models.JSONField(_("resources down"), default=list)
    duration_hours = models.PositiveIntegerField(
        _("duration (hours)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_SIMULATION_HOURS)])
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("saved by"))

    objects: ClassVar[tenancy.LimitedManager[Simulation]] = tenancy.limited_manager(
        tenancy.shared_or_establishment(), tenancy.by_establishment())

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")

    def __str__(self) -> str:
        return self.title
