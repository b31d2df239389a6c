"""Continuity plans (PCA/PRA), built from the BIA — CaRE D2.O1.C, DOMAIN.md §3.

- ``Scenario``: per organization, one row per kind: information system unavailable (mandatory),
  site unavailable, people unavailable, critical supplier unavailable; the description is editable.
- ``Plan``: a perimeter (BIA activities through ``PlanActivity``, optionally an establishment or a
  pôle/service, with the CaRE perimeter tag) and the scenarios it covers (``PlanScenario``).
  ``current_version`` is the version being worked on or the last approved one.
- ``PlanVersion``: number, status (draft → submitted → approved → superseded); what is written in a
  version (return to nominal, communication plan, ``DegradedMode``, ``ReflexSheet``, ``RecoveryStep``)
  hangs off it, so an approved version is frozen: editing it creates a new draft (a copy). At approval
  the version stores ``snapshot`` (everything, as JSON) and ``bia_fingerprint`` (the BIA data it relies
  on) to flag the plan « à revoir » when the BIA changes later.
- ``DegradedMode`` (mode dégradé): one per activity × scenario in a version.
- ``ReflexSheet`` (fiche réflexe): one per role, short enough for one printed page.
- ``RecoveryStep``: the PRA recovery sequence (resource, position, required RTO); a manual position
  differs from the proposed one only with a reason; placing a system before one it depends on needs
  an explicit confirmation (``dependency_confirmed``) and is printed with a warning.
- ``VersionActivity`` / ``VersionScenario`` and ``PlanVersion.perimeter_establishment``: the perimeter
  frozen with the version at approval (the plan's members are the perimeter being edited).
- ``NotApplicable`` (« sans objet »): an activity × scenario of a version that needs no degraded mode,
  with its reason.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.bia.models import MAX_HOURS, STAFF_VALIDATORS, CarePerimeter
from apps.continuity import limits
from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel

# One printed A4 page at a readable size: about 2,400 characters across the three blocks.
REFLEX_SHEET_MAX_CHARS = 2400
REFLEX_SHEET_MAX_LINES = 40


@track_history()
class Scenario(TenantModel):
    class Kind(models.TextChoices):
        IS_UNAVAILABLE = "is_unavailable", _("Information system unavailable")
        SITE_UNAVAILABLE = "site_unavailable", _("Site unavailable")
        PEOPLE_UNAVAILABLE = "people_unavailable", _("People unavailable")
        SUPPLIER_UNAVAILABLE = "supplier_unavailable", _("Critical supplier unavailable")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [models.UniqueConstraint(fields=["organization", "kind"], name="continuity_scenario_unique_kind")]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def is_mandatory(self) -> bool:
        return self.kind == self.Kind.IS_UNAVAILABLE


@track_history()
class Plan(TenantModel):
    title = models.CharField(_("title"), max_length=200)
    care_perimeter = models.CharField(
        _("CaRE perimeter"), max_length=20, choices=CarePerimeter.choices, default=CarePerimeter.NONE
    )
    establishment = models.ForeignKey(
        "tenants.Establishment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("establishment"),
    )
    unit = models.ForeignKey(
        "bia.OrgUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("pôle or service"),
    )
    activities = models.ManyToManyField("bia.Activity", through="PlanActivity", related_name="+",
                                        verbose_name=_("activities"))
    scenarios = models.ManyToManyField(Scenario, through="PlanScenario", related_name="plans",
                                       verbose_name=_("scenarios"))
    current_version = models.ForeignKey(
        "PlanVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("current version"),
    )
    wizard_step = models.PositiveSmallIntegerField(_("last guided step saved"), default=0)
    is_archived = models.BooleanField(_("archived"), default=False)

    objects: ClassVar[tenancy.LimitedManager[Plan]] = tenancy.limited_manager(
        limits.plan_visible, limits.plan_writable)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("continuity plan")
        verbose_name_plural = _("continuity plans")
        permissions = [("approve_plan", "Can approve this plan")]
        constraints = [models.UniqueConstraint(fields=["organization", "title"], name="continuity_plan_unique_title")]

    def __str__(self) -> str:
        return self.title


@track_history()
class PlanActivity(TenantModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_activities", verbose_name=_("plan"))
    activity = models.ForeignKey("bia.Activity", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("activity"))

    objects: ClassVar[tenancy.LimitedManager[PlanActivity]] = tenancy.child_manager(
        "plan", "continuity.Plan", tenancy.by_establishment("activity__establishment"))

    class Meta:
        verbose_name = _("plan activity")
        verbose_name_plural = _("plan activities")
        constraints = [models.UniqueConstraint(fields=["plan", "activity"], name="continuity_plan_activity_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.activity_id}"


@track_history()
class PlanScenario(TenantModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_scenarios", verbose_name=_("plan"))
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="+", verbose_name=_("scenario"))

    objects: ClassVar[tenancy.LimitedManager[PlanScenario]] = tenancy.child_manager("plan", "continuity.Plan")

    class Meta:
        verbose_name = _("plan scenario")
        verbose_name_plural = _("plan scenarios")
        constraints = [models.UniqueConstraint(fields=["plan", "scenario"], name="continuity_plan_scenario_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.scenario_id}"


@track_history()
class PlanVersion(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Return to nominal and communication plan.
    return_checks = models.TextField(_("checks before returning to nominal"), blank=True)
    return_data_reentry = models.TextField(_("data re-entry"), blank=True)
    return_communication = models.TextField(_("announcing the return to nominal"), blank=True)
    communication_internal = models.TextField(_("internal communication"), blank=True)
    communication_patients = models.TextField(_("communication to patients and families"), blank=True)
    communication_ars = models.TextField(_("communication to the ARS"), blank=True)
    communication_press = models.TextField(_("communication to the press"), blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    snapshot = models.JSONField(_("frozen content"), default=dict, blank=True)
    bia_fingerprint = models.JSONField(_("BIA data at approval"), default=dict, blank=True)
    # The perimeter frozen at approval (activities and scenarios in VersionActivity / VersionScenario).
    perimeter_establishment = models.ForeignKey(
        "tenants.Establishment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("establishment of the perimeter"),
    )
    perimeter_frozen = models.BooleanField(_("perimeter frozen"), default=False)
    # Approving a plan the completeness checklist finds incomplete: who acknowledged it, when, and what was missing.
    incomplete_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("incomplete plan acknowledged by"))
    incomplete_acknowledged_at = models.DateTimeField(_("incomplete plan acknowledged on"), null=True, blank=True)
    incomplete_missing = models.JSONField(_("missing at approval"), default=list, blank=True)

    objects: ClassVar[tenancy.LimitedManager[PlanVersion]] = tenancy.child_manager("plan", "continuity.Plan")

    class Meta:
        ordering = ["plan_id", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="continuity_version_unique_number"),
            models.UniqueConstraint(fields=["plan"], condition=Q(status__in=["draft", "submitted"]),
                                    name="continuity_version_one_open"),
            models.CheckConstraint(condition=~Q(status="approved") | Q(approved_at__isnull=False),
                                   name="continuity_version_approved_dated"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} — v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


@track_history()
class VersionActivity(TenantModel):
    """An activity of the perimeter frozen with an approved version."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="perimeter_activities",
                                verbose_name=_("version"))
    activity = models.ForeignKey("bia.Activity", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("activity"))

    objects: ClassVar[tenancy.LimitedManager[VersionActivity]] = tenancy.child_manager(
        "version__plan", "continuity.Plan", tenancy.by_establishment("activity__establishment"))

    class Meta:
        verbose_name = _("activity of a plan version")
        verbose_name_plural = _("activities of a plan version")
        constraints = [models.UniqueConstraint(fields=["version", "activity"], name="continuity_version_activity_unique")]

    def __str__(self) -> str:
        return f"{self.version_id} → {self.activity_id}"


@track_history()
class VersionScenario(TenantModel):
    """A scenario of the perimeter frozen with an approved version."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="perimeter_scenarios",
                                verbose_name=_("version"))
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="+", verbose_name=_("scenario"))

    objects: ClassVar[tenancy.LimitedManager[VersionScenario]] = tenancy.child_manager(
        "version__plan", "continuity.Plan")

    class Meta:
        verbose_name = _("scenario of a plan version")
        verbose_name_plural = _("scenarios of a plan version")
        constraints = [models.UniqueConstraint(fields=["version", "scenario"], name="continuity_version_scenario_unique")]

    def __str__(self) -> str:
        return f"{self.version_id} → {self.scenario_id}"


@track_history()
class DegradedMode(TenantModel):
    """How a critical activity keeps going under a scenario (mode dégradé)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="degraded_modes",
                                verbose_name=_("version"))
    activity = models.ForeignKey("bia.Activity", on_delete=models.CASCADE, related_name="+", verbose_name=_("activity"))
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="+", verbose_name=_("scenario"))
    trigger = models.TextField(_("trigger and activation threshold"))
    decided_by = models.CharField(_("who decides"), max_length=200)
    activation_delay_hours = models.DecimalField(_("activate after (hours)"), max_digits=6, decimal_places=1,
                                                 null=True, blank=True,
                                                 validators=[MinValueValidator(0), MaxValueValidator(MAX_HOURS)])
    procedure = models.TextField(_("step-by-step procedure"))
    paper_forms = models.TextField(_("paper forms and downtime kit"), blank=True)
    minimum_staff = models.PositiveIntegerField(_("minimum staff"), null=True, blank=True, validators=STAFF_VALIDATORS)
    fallback_premises = models.CharField(_("fallback premises"), max_length=200, blank=True)
    data_capture = models.TextField(_("how data is captured meanwhile"), blank=True)
    data_reentry = models.TextField(_("how data is re-entered on return"), blank=True)

    objects: ClassVar[tenancy.LimitedManager[DegradedMode]] = tenancy.child_manager(
        "version__plan", "continuity.Plan", tenancy.by_establishment("activity__establishment"))

    class Meta:
        ordering = ["activity__name", "scenario_id"]
        verbose_name = _("degraded mode")
        verbose_name_plural = _("degraded modes")
        constraints = [
            models.UniqueConstraint(fields=["version", "activity", "scenario"], name="continuity_degraded_mode_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} — {self.scenario}"


@track_history()
class NotApplicable(TenantModel):
    """« Sans objet »: this activity needs no degraded mode under this scenario, and why."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="not_applicable",
                                verbose_name=_("version"))
    activity = models.ForeignKey("bia.Activity", on_delete=models.CASCADE, related_name="+", verbose_name=_("activity"))
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="+", verbose_name=_("scenario"))
    reason = models.TextField(_("why no degraded mode is needed"))

    objects: ClassVar[tenancy.LimitedManager[NotApplicable]] = tenancy.child_manager(
        "version__plan", "continuity.Plan", tenancy.by_establishment("activity__establishment"))

    class Meta:
        ordering = ["activity__name", "scenario_id"]
        verbose_name = _("« not applicable »")
        verbose_name_plural = _("« not applicable »")
        constraints = [
            models.UniqueConstraint(fields=["version", "activity", "scenario"], name="continuity_not_applicable_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="continuity_not_applicable_reasoned"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} — {self.scenario}"

    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": _("Say why this activity needs no degraded mode under this scenario.")})


@track_history()
class ReflexSheet(TenantModel):
    """Fiche réflexe: the first actions of one role, on one printed page."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="reflex_sheets",
                                verbose_name=_("version"))
    role = models.CharField(_("role"), max_length=120)
    first_actions = models.TextField(_("first actions, in order"), help_text=_("One action per line."))
    who_to_call = models.TextField(_("who to call"), blank=True)
    do_not = models.TextField(_("what not to do"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects: ClassVar[tenancy.LimitedManager[ReflexSheet]] = tenancy.child_manager("version__plan", "continuity.Plan")

    class Meta:
        ordering = ["order", "role"]
        verbose_name = _("fiche réflexe")
        verbose_name_plural = _("fiches réflexes")
        constraints = [models.UniqueConstraint(fields=["version", "role"], name="continuity_reflex_sheet_unique_role")]

    def __str__(self) -> str:
        return self.role

    def clean(self) -> None:
        text = "\n".join([self.role, self.first_actions, self.who_to_call, self.do_not])
        if len(text) > REFLEX_SHEET_MAX_CHARS or text.count("\n") + 1 > REFLEX_SHEET_MAX_LINES:
            raise ValidationError(_("A fiche réflexe must fit on one printed page: at most %(chars)s characters "
                                    "and %(lines)s lines in all.")
                                  % {"chars": REFLEX_SHEET_MAX_CHARS, "lines": REFLEX_SHEET_MAX_LINES})


@track_history()
class RecoveryStep(TenantModel):
    """One system in the PRA recovery sequence."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="recovery_steps",
                                verbose_name=_("version"))
    resource = models.ForeignKey("bia.Resource", on_delete=models.CASCADE, related_name="+", verbose_name=_("resource"))
    position = models.PositiveIntegerField(_("position"))
    proposed_position = models.PositiveIntegerField(_("proposed position"))
    required_rto_hours = models.DecimalField(_("required RTO (hours)"), max_digits=8, decimal_places=1,
                                             null=True, blank=True)
    adjusted = models.BooleanField(_("moved by hand"), default=False)
    adjustment_reason = models.TextField(_("reason for the manual adjustment"), blank=True)
    in_cycle = models.BooleanField(_("part of a dependency cycle"), default=False)
    dependency_confirmed = models.BooleanField(_("placed before a dependency, confirmed"), default=False)

    objects: ClassVar[tenancy.LimitedManager[RecoveryStep]] = tenancy.child_manager(
        "version__plan", "continuity.Plan", tenancy.shared_or_establishment("resource__establishment"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("recovery step")
        verbose_name_plural = _("recovery steps")
        constraints = [
            models.UniqueConstraint(fields=["version", "resource"], name="continuity_recovery_step_unique"),
            models.CheckConstraint(condition=Q(adjusted=False) | ~Q(adjustment_reason=""),
                                   name="continuity_recovery_adjustment_reasoned"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.resource}"

    def clean(self) -> None:
        if self.adjusted and not self.adjustment_reason.strip():
            raise ValidationError({"adjustment_reason": _("Say why the proposed order is changed.")})
