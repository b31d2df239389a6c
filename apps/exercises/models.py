"""Exercises and tests of the plans — CaRE D2.O1.D, DOMAIN.md §6 (ANSSI/CCA method) and §9.

The ANSSI/CCA guide's cycle: design → prepare → run → RETEX → action plan.

- ``Exercise``: title, **format** (table-top, simulated, field « en conditions réelles »), whether it is a
  business continuity exercise or an IT-only technical test (restoration, failover: never a PCA test), the
  organization's **scenario**, the **approved plan versions** it tests (frozen versions, ``ExercisePlanVersion``),
  the activities, establishments and sites it covers, the planned date and duration, DEBEX/FINEX as run.
- ``Objective``: measurable (« urgences en mode dégradé papier en moins de 30 min »), with its target and the
  measured value (minutes): degraded-mode activation of an activity, crisis cell reached, RTA / RPA of a system;
  its observation grid (points to observe, one per line); its outcome at the RETEX (achieved / partly / not).
- ``Participant``: a player by function (direction générale, directions métier, médical, soins, DSI/RSSI,
  communication…) with the crisis-cell role held, or a member of the animation team (directeur d'exercice,
  animateurs, observateurs).
- ``Stimulus``: one line of the **chronogramme**, from DEBEX to FINEX (offset, sender, recipient, channel,
  content, expected reaction, objective); ``StimulusTemplate``: the organization's editable library, started
  from the CaRE scenarios' starter data (``data/stimuli_care.json``).
- ``ExerciseLogEntry``: the **main courante** of the run (``apps.core.logbook``, shared with the crisis day).
- ``Retex`` (hot debrief and cold RETEX, approved by the direction) and its ``Finding``s (constats, by severity),
  each of which can become an action of the action plan.
- ``ScheduledTest``: the planning des tests, one row per plan (next test date and format, owner reminded).

Deleting is not offered: an exercise is cancelled, with its reason (its history matters).
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.continuity.models import Scenario
from apps.core import tenancy
from apps.core.history import track_history
from apps.core.logbook import LogEntryBase
from apps.core.models import TenantModel
from apps.exercises import limits
from apps.governance.models import PersonFields

MAX_DURATION_MINUTES = 7 * 24 * 60
MAX_OFFSET_MINUTES = 7 * 24 * 60


class Format(models.TextChoices):
    TABLETOP = "tabletop", _("Table-top exercise")
    SIMULATED = "simulated", _("Simulated exercise")
    FIELD = "field", _("Field exercise (real conditions)")


# How a format reads inside a sentence (« testé le 14/10/2026 (exercice terrain) »).
FORMAT_SHORT: dict[str, Any] = {
    Format.TABLETOP: _("table-top exercise"),
    Format.SIMULATED: _("simulated exercise"),
    Format.FIELD: _("field exercise"),
}


class ExerciseScope(models.TextChoices):
    PCA = "pca", _("Business continuity exercise (tests a PCA)")
    TECHNICAL = "technical", _("Technical test only (restoration, failover, maintenance)")


EXERCISE = "exercises.Exercise"


def _child(*extra: tenancy.Limit) -> tenancy.LimitedManager[Any]:
    return tenancy.child_manager("exercise", EXERCISE, *extra)


@track_history()
class Exercise(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Run")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default=Format.FIELD)
    scope = models.CharField(
        _("kind of test"), max_length=12, choices=ExerciseScope.choices, default=ExerciseScope.PCA,
        help_text=_("A restoration, a failover or a maintenance switch-over tests the IT only: it never counts as a "
                    "PCA test for CaRE (record restorations in « Restoration tests »)."))
    scenario = models.ForeignKey("continuity.Scenario", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("scenario"))
    cyber_triggered = models.BooleanField(
        _("triggered by a cyber incident"), default=True,
        help_text=_("The ARS expect a PCA test to start from a cyber incident and to check that care goes on in "
                    "degraded digital mode."))
    context = models.TextField(
        _("context given to the players"), blank=True,
        help_text=_("What the players are told at DEBEX; printed in the player kit (the chronogramme is not)."))
    animation_notes = models.TextField(_("scenario for the animation team"), blank=True,
                                       help_text=_("The whole story, its twists and its limits (not for players)."))
    planned_start = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=180, validators=[MinValueValidator(15), MaxValueValidator(MAX_DURATION_MINUTES)])
    owner = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("lead"), help_text=_("Reminded 30 and 7 days before the exercise."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    debex_at = models.DateTimeField(_("DEBEX (start)"), null=True, blank=True)
    finex_at = models.DateTimeField(_("FINEX (end)"), null=True, blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    reminder_30_for = models.DateField(_("30-day reminder sent for"), null=True, blank=True, editable=False)
    reminder_7_for = models.DateField(_("7-day reminder sent for"), null=True, blank=True, editable=False)
    plan_versions = models.ManyToManyField("continuity.PlanVersion", through="ExercisePlanVersion", related_name="+",
                                           verbose_name=_("plan versions tested"))
    activities = models.ManyToManyField("bia.Activity", through="ExerciseActivity", related_name="+",
                                        verbose_name=_("activities"))
    establishments = models.ManyToManyField("tenants.Establishment", through="ExerciseEstablishment",
                                            related_name="+", verbose_name=_("establishments"))
    sites = models.ManyToManyField("tenants.Site", through="ExerciseSite", related_name="+", verbose_name=_("sites"))

    objects: ClassVar[tenancy.LimitedManager[Exercise]] = tenancy.limited_manager(
        limits.exercise_visible, limits.exercise_writable)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        indexes = [models.Index(fields=["organization", "status", "planned_start"])]
        constraints = [
            models.CheckConstraint(condition=Q(finex_at__isnull=True) | Q(debex_at__isnull=False),
                                   name="exercises_finex_after_debex_set"),
            models.CheckConstraint(condition=Q(finex_at__isnull=True) | Q(finex_at__gte=models.F("debex_at")),
                                   name="exercises_finex_not_before_debex"),
            models.CheckConstraint(condition=~Q(status="finished") | Q(finex_at__isnull=False),
                                   name="exercises_finished_has_finex"),
            models.CheckConstraint(condition=~Q(status="running") | Q(debex_at__isnull=False),
                                   name="exercises_running_has_debex"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.debex_at and self.finex_at and self.finex_at < self.debex_at:
            raise ValidationError({"finex_at": _("FINEX cannot come before DEBEX.")})
        if self.status == self.Status.CANCELLED and not self.cancel_reason.strip():
            raise ValidationError({"cancel_reason": _("Say why the exercise is cancelled.")})

    @property
    def run_on(self) -> datetime.date | None:
        """The day it was run (DEBEX, in the organization's time zone)."""
        return timezone.localdate(self.debex_at) if self.debex_at else None

    @property
    def is_field(self) -> bool:
        return self.format == Format.FIELD

    @property
    def format_short(self) -> str:
        return str(FORMAT_SHORT.get(self.format, self.get_format_display()))

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.RUNNING)


@track_history()
class ExercisePlanVersion(TenantModel):
    """An approved, frozen plan version the exercise tests (never the live draft)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="tested_versions",
                                 verbose_name=_("exercise"))
    version = models.ForeignKey("continuity.PlanVersion", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("plan version"))

    objects: ClassVar[tenancy.LimitedManager[ExercisePlanVersion]] = _child(
        lambda ids: Q(version__plan__in=tenancy.visible_ids("continuity.Plan")(ids)))

    class Meta:
        verbose_name = _("plan version tested")
        verbose_name_plural = _("plan versions tested")
        constraints = [models.UniqueConstraint(fields=["exercise", "version"], name="exercises_version_unique")]

    def __str__(self) -> str:
        return f"{self.exercise_id} → {self.version_id}"


@track_history()
class ExerciseActivity(TenantModel):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="exercise_activities",
                                 verbose_name=_("exercise"))
    activity = models.ForeignKey("bia.Activity", on_delete=models.CASCADE, related_name="+", verbose_name=_("activity"))

    objects: ClassVar[tenancy.LimitedManager[ExerciseActivity]] = _child(
        tenancy.by_establishment("activity__establishment"))

    class Meta:
        verbose_name = _("activity of an exercise")
        verbose_name_plural = _("activities of an exercise")
        constraints = [models.UniqueConstraint(fields=["exercise", "activity"], name="exercises_activity_unique")]

    def __str__(self) -> str:
        return f"{self.exercise_id} → {self.activity_id}"


@track_history()
class ExerciseEstablishment(TenantModel):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="exercise_establishments",
                                 verbose_name=_("exercise"))
    establishment = models.ForeignKey("tenants.Establishment", on_delete=models.CASCADE, related_name="+",
                                      verbose_name=_("establishment"))

    # Not through the exercise: the exercise's own limit reads these rows (a cycle otherwise).
    objects: ClassVar[tenancy.LimitedManager[ExerciseEstablishment]] = tenancy.limited_manager(
        tenancy.by_establishment("establishment"))

    class Meta:
        verbose_name = _("establishment of an exercise")
        verbose_name_plural = _("establishments of an exercise")
        constraints = [models.UniqueConstraint(fields=["exercise", "establishment"],
                                               name="exercises_establishment_unique")]

    def __str__(self) -> str:
        return f"{self.exercise_id} → {self.establishment_id}"


@track_history()
class ExerciseSite(TenantModel):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="exercise_sites",
                                 verbose_name=_("exercise"))
    site = models.ForeignKey("tenants.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site"))

    objects: ClassVar[tenancy.LimitedManager[ExerciseSite]] = _child(tenancy.by_establishment("site__establishment"))

    class Meta:
        verbose_name = _("site of an exercise")
        verbose_name_plural = _("sites of an exercise")
        constraints = [models.UniqueConstraint(fields=["exercise", "site"], name="exercises_site_unique")]

    def __str__(self) -> str:
        return f"{self.exercise_id} → {self.site_id}"


@track_history()
class Objective(TenantModel):
    """A measurable objective of the exercise, its observation grid, what was measured and the RETEX outcome."""

    class Kind(models.TextChoices):
        DEGRADED_MODE = "degraded_mode", _("Degraded mode activated (activity)")
        CRISIS_CELL = "crisis_cell", _("Crisis cell reached and assembled")
        RTA = "rta", _("System restored: RTA (time to restore)")
        RPA = "rpa", _("System restored: RPA (data lost)")
        OTHER = "other", _("Other objective")

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="objectives",
                                 verbose_name=_("exercise"))
    kind = models.CharField(_("what is measured"), max_length=16, choices=Kind.choices, default=Kind.DEGRADED_MODE)
    statement = models.CharField(_("objective"), max_length=300,
                                 help_text=_("Measurable: « Switch the emergency department to paper degraded mode "
                                             "in less than 30 minutes »."))
    target_minutes = models.PositiveIntegerField(
        _("target (minutes)"), null=True, blank=True, validators=[MaxValueValidator(MAX_DURATION_MINUTES)],
        help_text=_("For an RPA: the data that may be lost, in minutes."))
    activity = models.ForeignKey("bia.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("activity"))
    resource = models.ForeignKey("bia.Resource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("system"))
    observation_points = models.TextField(
        _("observation grid"), blank=True,
        help_text=_("What the observers watch for this objective, one point per line."))
    measured_minutes = models.DecimalField(
        _("measured (minutes)"), max_digits=8, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_DURATION_MINUTES)])
    measured_at = models.DateTimeField(_("measured at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    outcome_comment = models.TextField(_("comment on the outcome"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects: ClassVar[tenancy.LimitedManager[Objective]] = _child(
        tenancy.shared_or_establishment("activity__establishment"),
        tenancy.shared_or_establishment("resource__establishment"))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.statement

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.DEGRADED_MODE and not self.activity_id:
            raise ValidationError({"activity": _("Choose the activity whose degraded mode is measured.")})
        if self.kind in (self.Kind.RTA, self.Kind.RPA) and not self.resource_id:
            raise ValidationError({"resource": _("Choose the system whose restoration is measured.")})

    @property
    def points(self) -> list[str]:
        return [line.strip() for line in self.observation_points.splitlines() if line.strip()]

    @property
    def on_target(self) -> bool | None:
        """Whether the measured value meets the target (None when either is missing)."""
        if self.measured_minutes is None or self.target_minutes is None:
            return None
        return self.measured_minutes <= self.target_minutes


class Function(models.TextChoices):
    GENERAL_MANAGEMENT = "general_management", _("General management")
    BUSINESS_DIRECTION = "business_direction", _("Business direction")
    MEDICAL = "medical", _("Medical")
    CARE = "care", _("Care (soins)")
    IT = "it", _("DSI / RSSI")
    COMMUNICATION = "communication", _("Communication")
    LOGISTICS = "logistics", _("Logistics and technical services")
    OTHER = "other", _("Other")


@track_history()
class Participant(PersonFields, TenantModel):
    """A player (by function, with the crisis-cell role held) or a member of the animation team."""

    class Role(models.TextChoices):
        PLAYER = "player", _("Player")
        DIRECTOR = "director", _("Exercise director")
        ANIMATOR = "animator", _("Animator")
        OBSERVER = "observer", _("Observer")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="participants",
                                 verbose_name=_("exercise"))
    role = models.CharField(_("part in the exercise"), max_length=10, choices=Role.choices, default=Role.PLAYER)
    function = models.CharField(_("function"), max_length=20, choices=Function.choices, default=Function.OTHER)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    crisis_role = models.ForeignKey("governance.CrisisRole", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("crisis-cell role held"))

    objects: ClassVar[tenancy.LimitedManager[Participant]] = _child()

    class Meta:
        ordering = ["role", "function", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return self.person_name

    @property
    def is_animation(self) -> bool:
        return self.role != self.Role.PLAYER


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    RADIO = "radio", _("Radio / pager")
    PAPER = "paper", _("Paper message")
    MEDIA = "media", _("Press / social media")
    OTHER = "other", _("Other")


class StimulusFields(models.Model):
    offset_minutes = models.PositiveIntegerField(_("time after DEBEX (minutes)"),
                                                 validators=[MaxValueValidator(MAX_OFFSET_MINUTES)])
    sender = models.CharField(_("sender"), max_length=150)
    recipient = models.CharField(_("recipient"), max_length=150)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PHONE)
    content = models.TextField(_("content"), max_length=4000)
    expected_reaction = models.TextField(_("expected reaction"), blank=True, max_length=4000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True


@track_history()
class Stimulus(StimulusFields, TenantModel):
    """One line of the chronogramme (DEBEX → FINEX)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="stimuli", verbose_name=_("exercise"))
    objective = models.ForeignKey(Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="stimuli",
                                  verbose_name=_("objective"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects: ClassVar[tenancy.LimitedManager[Stimulus]] = _child()

    class Meta:
        ordering = ["offset_minutes", "order", "id"]
        verbose_name = _("stimulus")
        verbose_name_plural = _("stimuli")

    def __str__(self) -> str:
        return f"T+{self.offset_minutes} — {self.content[:60]}"


@track_history()
class StimulusTemplate(StimulusFields, TenantModel):
    """The organization's stimulus library per scenario kind, started from the CaRE starter data, editable."""

    scenario_kind = models.CharField(_("scenario"), max_length=30, choices=Scenario.Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    library_key = models.CharField(_("starter library item"), max_length=60, blank=True, editable=False)

    class Meta:
        ordering = ["scenario_kind", "offset_minutes", "order", "id"]
        verbose_name = _("stimulus template")
        verbose_name_plural = _("stimulus library")
        constraints = [
            models.UniqueConstraint(fields=["organization", "library_key"], condition=~Q(library_key=""),
                                    name="exercises_template_unique_library_key"),
        ]

    def __str__(self) -> str:
        return self.title


@track_history()
class ExerciseLogEntry(LogEntryBase):
    """The exercise's main courante (``apps.core.logbook``)."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="log_entries",
                                 verbose_name=_("exercise"))
    stimulus = models.ForeignKey(Stimulus, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("stimulus"))
    objective = models.ForeignKey(Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("objective"))

    objects: ClassVar[tenancy.LimitedManager[ExerciseLogEntry]] = _child()

    class Meta(LogEntryBase.Meta):
        verbose_name = _("main courante entry")
        verbose_name_plural = _("main courante")
        indexes = [models.Index(fields=["exercise", "-occurred_at", "-id"])]


@track_history()
class Retex(TenantModel):
    """The hot debrief (same day) and the cold RETEX (weeks later), approved by the direction."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")

    exercise = models.OneToOneField(Exercise, on_delete=models.CASCADE, related_name="retex",
                                    verbose_name=_("exercise"))
    hot_debrief_on = models.DateField(_("hot debrief on"), null=True, blank=True)
    hot_debrief = models.TextField(_("hot debrief"), blank=True, max_length=20000,
                                   help_text=_("Collected right after FINEX: the players' first impressions."))
    cold_retex_on = models.DateField(_("cold RETEX on"), null=True, blank=True)
    what_worked = models.TextField(_("what worked"), blank=True, max_length=20000)
    what_did_not = models.TextField(_("what did not work"), blank=True, max_length=20000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))

    objects: ClassVar[tenancy.LimitedManager[Retex]] = _child()

    class Meta:
        verbose_name = _("RETEX")
        verbose_name_plural = _("RETEX")
        constraints = [models.CheckConstraint(condition=~Q(status="approved") | Q(approved_at__isnull=False),
                                              name="exercises_retex_approved_dated")]

    def __str__(self) -> str:
        return f"RETEX — {self.exercise_id}"

    @property
    def is_written(self) -> bool:
        """A RETEX counts once the hot debrief or the cold RETEX is written (D2.O1.D « avec un RETEX »)."""
        return bool(self.hot_debrief.strip() or self.what_worked.strip() or self.what_did_not.strip())


@track_history()
class Finding(TenantModel):
    """A constat of the RETEX; it becomes an action of the action plan in one click."""

    class Severity(models.TextChoices):
        CRITICAL = "critical", _("Critical")
        MAJOR = "major", _("Major")
        MODERATE = "moderate", _("Moderate")
        MINOR = "minor", _("Minor")

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="findings",
                                 verbose_name=_("exercise"))
    objective = models.ForeignKey(Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings",
                                  verbose_name=_("objective"))
    title = models.CharField(_("finding"), max_length=200)
    description = models.TextField(_("what was observed"), blank=True, max_length=4000)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    recommendation = models.TextField(_("recommendation"), blank=True, max_length=4000)

    objects: ClassVar[tenancy.LimitedManager[Finding]] = _child()

    class Meta:
        ordering = ["id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.title

    @property
    def severity_rank(self) -> int:
        return list(self.Severity.values).index(self.severity)


@track_history()
class ScheduledTest(TenantModel):
    """The planning des tests: the next test of one plan (date, format), its owner reminded 30 and 7 days before."""

    plan = models.OneToOneField("continuity.Plan", on_delete=models.CASCADE, related_name="test_schedule",
                                verbose_name=_("plan"))
    next_test_on = models.DateField(_("next test on"))
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default=Format.FIELD)
    owner = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"), help_text=_("Reminded 30 and 7 days before the test."))
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    reminder_30_for = models.DateField(_("30-day reminder sent for"), null=True, blank=True, editable=False)
    reminder_7_for = models.DateField(_("7-day reminder sent for"), null=True, blank=True, editable=False)

    objects: ClassVar[tenancy.LimitedManager[ScheduledTest]] = tenancy.child_manager("plan", "continuity.Plan")

    class Meta:
        ordering = ["next_test_on", "id"]
        verbose_name = _("planned test")
        verbose_name_plural = _("test schedule")

    def __str__(self) -> str:
        return f"{self.plan_id} — {self.next_test_on}"

    @property
    def format_short(self) -> str:
        return str(FORMAT_SHORT.get(self.format, self.get_format_display()))
