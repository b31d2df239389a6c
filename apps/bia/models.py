"""BIA (bilan d'impact sur l'activité) models — the API other apps build on.

Scales (per organization, created with defaults by ``services.scales_ensure_defaults``):
- ``BiaSettings``: one row per organization; ``intolerable_level`` (1–4, default 3) and the DMIA
  thresholds that give an activity its ``criticality``.
- ``ImpactCriterion`` (sécurité patient, qualité des soins, juridique…), ``ImpactLevel`` (levels 1–4
  of one criterion with their descriptions), ``TimeHorizon`` (≤ 4 h, 4–24 h… each with ``hours``,
  the DMIA an activity gets when its impact becomes intolerable within that horizon).

Activity map:
- ``OrgUnit``: pôle (``kind=pole``) → service/UF (``kind=service``, ``parent`` = the pôle), per establishment.
- ``Activity``: ``establishment`` (FINESS EJ), optional ``site`` (FINESS EG) and ``unit``;
  ``care_perimeter`` (the three CaRE D2.O1.C perimeters or none); ``owner`` (the business owner; the
  guardian object permission ``bia.answer_activity`` is granted to them by
  ``services.activity_assign_owner``); ``status`` (campaign: not started / in progress / submitted /
  validated / sent back). Needs: ``dmia_hours`` (property: the override when set, else the one derived
  from the impact grid), ``pdma_hours`` (entered), ``criticality`` (stored, recomputed by the services).
- ``ImpactAnswer``: activity × criterion × horizon → level 1–4.

Resources and dependencies:
- ``Resource``: ``kind`` (application, infrastructure, biomedical equipment, supplier, premises, skill);
  promised ``rto_capability_hours`` / ``rpo_capability_hours``; the measured RTO/RPO derived on read from
  the latest successful restoration back into production (``apps.backups.measured``, never stored);
  ``effective_rto_hours`` / ``effective_rpo_hours`` (measured wins over promised). Supplier fields: contract, SLA, 24/7 contact.
- ``ActivityDependency`` (activity → resource, ``workaround_exists`` + ``workaround_note`` +
  ``workaround_hours``, how long the degraded mode holds),
  ``ResourceDependency`` (resource → resource it depends on, e.g. DPI → Active Directory → supplier),
  ``ActivityLink`` (``activity`` depends on the upstream ``depends_on`` activity).

Read through ``apps.bia.selectors`` (``activity_list``, ``resource_list``, ``bia_graph`` +
``apps.bia.engine`` for requirements, capabilities, gaps and single points of failure).
All durations are in hours.
"""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel

if TYPE_CHECKING:
    from apps.backups.measured import Measure

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]
# Every duration a user types is 0 < h ≤ 8,760 (a year): a DMIA of 10⁹ h or a PDMA of -5 h is a typing error.
MAX_HOURS = 8760
HOURS_VALIDATORS = [MinValueValidator(1), MaxValueValidator(MAX_HOURS)]
# A head count no service has (the whole AP-HP has ~100,000 staff).
MAX_STAFF = 100_000
STAFF_VALIDATORS = [MaxValueValidator(MAX_STAFF)]


@track_history()
class BiaSettings(TenantModel):
    """The organization's BIA method: intolerable level and criticality thresholds."""

    intolerable_level = models.PositiveSmallIntegerField(
        _("intolerable impact level"),
        default=3,
        validators=LEVEL_VALIDATORS,
        help_text=_("The DMIA is the first time horizon where any criterion reaches this level."),
    )
    critical_max_dmia_hours = models.PositiveIntegerField(
        _("critical activity: DMIA up to (hours)"), default=4, validators=HOURS_VALIDATORS
    )
    high_max_dmia_hours = models.PositiveIntegerField(_("high criticality: DMIA up to (hours)"), default=24,
                                                      validators=HOURS_VALIDATORS)
    medium_max_dmia_hours = models.PositiveIntegerField(_("medium criticality: DMIA up to (hours)"), default=72,
                                                        validators=HOURS_VALIDATORS)
    method_note = models.TextField(
        _("method"), blank=True, help_text=_("How the BIA campaign was run; printed in the dossier.")
    )

    class Meta:
        verbose_name = _("BIA settings")
        verbose_name_plural = _("BIA settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="bia_settings_one_per_org"),
            models.CheckConstraint(
                condition=Q(intolerable_level__gte=1) & Q(intolerable_level__lte=4), name="bia_settings_level_range"
            ),
        ]

    def __str__(self) -> str:
        return str(_("BIA settings"))


@track_history()
class ImpactCriterion(TenantModel):
    """An impact criterion (sécurité patient, financier…); deactivated rather than deleted once answered."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    # Not a field: the criterion's levels, set by ``selectors.scales`` (read once for the whole scale).
    level_rows: list[ImpactLevel]

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("impact criterion")
        verbose_name_plural = _("impact criteria")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="bia_criterion_unique_code")]

    def __str__(self) -> str:
        return self.name


@track_history()
class ImpactLevel(TenantModel):
    """What level 1–4 means for one criterion (shown next to the impact grid)."""

    criterion = models.ForeignKey(
        ImpactCriterion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("criterion")
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    label = models.CharField(_("label"), max_length=60)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["criterion__order", "level"]
        verbose_name = _("impact level")
        verbose_name_plural = _("impact levels")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "level"], name="bia_level_unique_per_criterion"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=4), name="bia_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.level} — {self.label}"


@track_history()
class TimeHorizon(TenantModel):
    """A time horizon of the impact grid; ``hours`` is the DMIA given when impact becomes intolerable in it."""

    label = models.CharField(_("label"), max_length=40)
    hours = models.PositiveIntegerField(
        _("upper bound (hours)"),
        validators=HOURS_VALIDATORS,
        help_text=_("An activity whose impact becomes intolerable within this horizon gets this DMIA."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["hours", "id"]
        verbose_name = _("time horizon")
        verbose_name_plural = _("time horizons")
        constraints = [
            models.UniqueConstraint(fields=["organization", "hours"], name="bia_horizon_unique_hours"),
            models.CheckConstraint(condition=Q(hours__gte=1), name="bia_horizon_positive"),
        ]

    def __str__(self) -> str:
        return self.label


@track_history()
class OrgUnit(TenantModel):
    """A pôle or a service/unité fonctionnelle (UF) of an establishment."""

    class Kind(models.TextChoices):
        POLE = "pole", _("Pôle")
        SERVICE = "service", _("Service / functional unit")

    establishment = models.ForeignKey(
        "tenants.Establishment", on_delete=models.CASCADE, related_name="+", verbose_name=_("establishment")
    )
    site = models.ForeignKey(
        "tenants.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("pôle")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code (UF)"), max_length=30, blank=True)

    objects: ClassVar[tenancy.LimitedManager[OrgUnit]] = tenancy.limited_manager(tenancy.by_establishment())

    class Meta:
        ordering = ["establishment__name", "name"]
        verbose_name = _("pôle or service")
        verbose_name_plural = _("pôles and services")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "establishment", "kind", "name"], name="bia_orgunit_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CarePerimeter(models.TextChoices):
    """The CaRE D2.O1.C minimum perimeters."""

    CARE_SERVICE = "care_service", _("Care service with major patient impact")
    ADMIN_PROCESS = "admin_process", _("Most critical administrative process")
    TECHNICAL_PLATFORM = "technical_platform", _("Plateau technique")
    NONE = "none", _("None")


class Criticality(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    UNKNOWN = "unknown", _("Not assessed")


# Keyed by the stored value (a ``Criticality`` is a str): rows and engine nodes carry plain strings.
CRITICALITY_RANK: dict[str, int] = {
    Criticality.CRITICAL: 4, Criticality.HIGH: 3, Criticality.MEDIUM: 2, Criticality.LOW: 1, Criticality.UNKNOWN: 0,
}


@track_history()
class Activity(TenantModel):
    """An activity (or process) of a service, with its business owner, campaign status and needs."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        VALIDATED = "validated", _("Validated")
        SENT_BACK = "sent_back", _("Sent back")

    establishment = models.ForeignKey(
        "tenants.Establishment", on_delete=models.CASCADE, related_name="+", verbose_name=_("establishment")
    )
    site = models.ForeignKey(
        "tenants.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities",
        verbose_name=_("service / functional unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    process = models.CharField(_("process"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    catalogue_code = models.CharField(_("reference catalogue code"), max_length=60, blank=True)
    care_perimeter = models.CharField(
        _("CaRE perimeter"), max_length=20, choices=CarePerimeter.choices, default=CarePerimeter.NONE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("business owner"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    questionnaire_step = models.PositiveSmallIntegerField(_("last questionnaire step saved"), default=0)
    critical_periods = models.TextField(_("critical periods"), blank=True)
    # Needs. DMIA = durée maximale d'interruption admissible (≈ MTPD); PDMA = perte de données maximale
    # admissible (≈ RPO). Both in hours.
    dmia_derived_hours = models.PositiveIntegerField(_("DMIA derived from the impact grid (hours)"), null=True,
                                                     blank=True)
    dmia_override_hours = models.PositiveIntegerField(_("DMIA set by hand (hours)"), null=True, blank=True,
                                                      validators=HOURS_VALIDATORS)
    dmia_override_justification = models.TextField(_("justification of the DMIA set by hand"), blank=True)
    pdma_hours = models.PositiveIntegerField(_("PDMA (hours)"), null=True, blank=True, validators=HOURS_VALIDATORS)
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.UNKNOWN
    )
    recovery_priority = models.PositiveSmallIntegerField(_("recovery priority"), null=True, blank=True)
    minimum_staff = models.PositiveIntegerField(_("minimum staff"), null=True, blank=True, validators=STAFF_VALIDATORS)
    key_skills = models.TextField(_("key skills"), blank=True)
    degraded_mode_exists = models.BooleanField(_("a degraded mode exists"), default=False)
    degraded_mode_description = models.TextField(_("degraded mode"), blank=True)
    degraded_mode_reference = models.CharField(_("degraded mode document reference"), max_length=120, blank=True)
    degraded_mode_updated_on = models.DateField(_("degraded mode last updated on"), null=True, blank=True)
    fallback_premises = models.CharField(_("fallback premises"), max_length=200, blank=True)
    data_to_reenter = models.TextField(_("data to re-enter after recovery"), blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    validated_at = models.DateTimeField(_("validated on"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("validated by"),
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)

    objects: ClassVar[tenancy.LimitedManager[Activity]] = tenancy.limited_manager(tenancy.by_establishment())

    class Meta:
        ordering = ["establishment__name", "name"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        permissions = [("answer_activity", "Can answer the BIA of this activity")]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "criticality"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "establishment", "name"], name="bia_activity_unique_name"),
            models.CheckConstraint(
                condition=Q(dmia_override_hours__isnull=True) | ~Q(dmia_override_justification=""),
                name="bia_activity_override_justified",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def dmia_hours(self) -> int | None:
        """The DMIA in force: the justified override when set, else the one derived from the grid."""
        return self.dmia_override_hours if self.dmia_override_hours is not None else self.dmia_derived_hours

    @property
    def is_dmia_overridden(self) -> bool:
        return self.dmia_override_hours is not None

    @property
    def is_dmia_override_beyond_grid(self) -> bool:
        """Set by hand longer than the grid's DMIA: relaxes the need and may lower the criticality, so it is shown
        as a warning with its justification (``apps.bia.dmia_override``)."""
        from apps.bia.dmia_override import is_beyond_grid

        return is_beyond_grid(self.dmia_override_hours, self.dmia_derived_hours)


@track_history()
class ImpactAnswer(TenantModel):
    """One cell of an activity's impact grid: criterion × horizon → level 1–4."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="impacts", verbose_name=_("activity"))
    # RESTRICT: a criterion or horizon that has answers cannot vanish and silently change DMIAs
    # (deleting the whole organization or activity, which cascades to the answers, stays possible).
    criterion = models.ForeignKey(
        ImpactCriterion, on_delete=models.RESTRICT, related_name="answers", verbose_name=_("criterion")
    )
    horizon = models.ForeignKey(TimeHorizon, on_delete=models.RESTRICT, related_name="answers",
                                verbose_name=_("time horizon"))
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)

    objects: ClassVar[tenancy.LimitedManager[ImpactAnswer]] = tenancy.limited_manager(
        tenancy.by_establishment("activity__establishment"))

    class Meta:
        verbose_name = _("impact answer")
        verbose_name_plural = _("impact answers")
        constraints = [
            models.UniqueConstraint(fields=["activity", "criterion", "horizon"], name="bia_answer_unique_cell"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=4), name="bia_answer_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} — {self.criterion} — {self.horizon}: {self.level}"


@track_history()
class Resource(TenantModel):
    """What activities depend on: applications, infrastructure, equipment, suppliers, premises, skills."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        BIOMEDICAL = "biomedical", _("Biomedical equipment")
        SUPPLIER = "supplier", _("Supplier")
        PREMISES = "premises", _("Premises")
        SKILL = "skill", _("Skill")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    catalogue_code = models.CharField(_("reference catalogue code"), max_length=60, blank=True)
    establishment = models.ForeignKey(
        "tenants.Establishment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("establishment"), help_text=_("Leave empty for a resource shared by the whole organization."),
    )
    vendor = models.CharField(_("vendor / product"), max_length=200, blank=True)
    is_saas = models.BooleanField(_("SaaS or outsourced hosting"), default=False)
    # Capabilities: what IT or the supplier promises, and what restoration tests measured.
    rto_capability_hours = models.PositiveIntegerField(_("promised recovery time (RTO, hours)"), null=True, blank=True,
                                                       validators=HOURS_VALIDATORS)
    rpo_capability_hours = models.PositiveIntegerField(_("promised data loss (RPO, hours)"), null=True, blank=True,
                                                       validators=HOURS_VALIDATORS)
    # Suppliers.
    contract_reference = models.CharField(_("contract reference"), max_length=120, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    sla = models.CharField(_("service level agreement (SLA)"), max_length=255, blank=True)
    contact_24_7 = models.CharField(_("24/7 contact"), max_length=255, blank=True)

    objects: ClassVar[tenancy.LimitedManager[Resource]] = tenancy.limited_manager(tenancy.shared_or_establishment())

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [models.Index(fields=["organization", "kind"])]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "name"], name="bia_resource_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    # The measured capability is derived on read from the restoration tests (``apps.backups.measured``), never
    # stored: a successful restoration back into production, the latest one, measures RTO and RPO.
    @cached_property
    def measure(self) -> Measure | None:
        from apps.backups.measured import measure_of

        return measure_of(self)

    @property
    def measured_rto_hours(self) -> float | None:
        return self.measure.rto_hours if self.measure is not None else None

    @property
    def measured_rpo_hours(self) -> float | None:
        return self.measure.rpo_hours if self.measure is not None else None

    @property
    def measured_on(self) -> datetime.date | None:
        return self.measure.tested_on if self.measure is not None else None

    @property
    def effective_rto_hours(self) -> float | None:
        """A measured restore duration, when there is one, wins over the promise."""
        if self.measured_rto_hours is not None:
            return self.measured_rto_hours
        return float(self.rto_capability_hours) if self.rto_capability_hours is not None else None

    @property
    def effective_rpo_hours(self) -> float | None:
        """The restored data point of the measuring test, when it records one, wins over the promise."""
        if self.measured_rpo_hours is not None:
            return self.measured_rpo_hours
        return float(self.rpo_capability_hours) if self.rpo_capability_hours is not None else None


WORKAROUND_MAX_HOURS = 8760


def workaround_hours_field() -> models.PositiveIntegerField[int | None, int | None]:
    """How long the degraded mode holds (hours, 1 to 8,760); the engine carries the need through the
    link as this duration + the activity's need, and carries nothing when it is unknown."""
    return models.PositiveIntegerField(
        _("degraded mode holds (hours)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(WORKAROUND_MAX_HOURS)],
        help_text=_("How long the activity can run in degraded mode without this dependency. Without a duration, "
                    "the activity's need is not carried to the dependency and the gap list warns about it."),
    )


def workaround_hours_constraints(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(workaround_hours__isnull=True)
            | (Q(workaround_exists=True) & Q(workaround_hours__gte=1) & Q(workaround_hours__lte=WORKAROUND_MAX_HOURS)),
            name=f"{prefix}_workaround_hours_bounded"),
    ]


@track_history()
class ActivityDependency(TenantModel):
    """An activity needs a resource; a workaround (degraded mode) breaks the chain for the engine."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="dependencies", verbose_name=_("activity")
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="activity_dependencies", verbose_name=_("resource")
    )
    workaround_exists = models.BooleanField(_("a workaround exists"), default=False)
    workaround_note = models.TextField(_("workaround"), blank=True)
    workaround_hours = workaround_hours_field()

    objects: ClassVar[tenancy.LimitedManager[ActivityDependency]] = tenancy.limited_manager(tenancy.all_of(
        tenancy.by_establishment("activity__establishment"), tenancy.shared_or_establishment("resource__establishment")))

    class Meta:
        ordering = ["activity_id", "resource__kind", "resource__name"]
        verbose_name = _("activity dependency")
        verbose_name_plural = _("activity dependencies")
        constraints = [
            models.UniqueConstraint(fields=["activity", "resource"], name="bia_activity_dependency_unique"),
            *workaround_hours_constraints("bia_activity_dependency"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.resource_id}"


@track_history()
class ResourceDependency(TenantModel):
    """A resource depends on another (DPI → Active Directory → supplier)."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="dependencies", verbose_name=_("resource")
    )
    depends_on = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="dependents", verbose_name=_("depends on")
    )
    workaround_exists = models.BooleanField(_("a workaround exists"), default=False)
    workaround_note = models.TextField(_("workaround"), blank=True)
    workaround_hours = workaround_hours_field()

    objects: ClassVar[tenancy.LimitedManager[ResourceDependency]] = tenancy.limited_manager(tenancy.all_of(
        tenancy.shared_or_establishment("resource__establishment"),
        tenancy.shared_or_establishment("depends_on__establishment")))

    class Meta:
        verbose_name = _("resource dependency")
        verbose_name_plural = _("resource dependencies")
        constraints = [
            models.UniqueConstraint(fields=["resource", "depends_on"], name="bia_resource_dependency_unique"),
            models.CheckConstraint(condition=~Q(resource=models.F("depends_on")), name="bia_resource_dependency_not_self"),
            *workaround_hours_constraints("bia_resource_dependency"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} → {self.depends_on_id}"


@track_history()
class ActivityLink(TenantModel):
    """``activity`` (downstream) depends on ``depends_on`` (upstream), e.g. urgences → laboratoire."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="upstream_links", verbose_name=_("activity")
    )
    depends_on = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="downstream_links", verbose_name=_("upstream activity")
    )
    workaround_exists = models.BooleanField(_("a workaround exists"), default=False)
    workaround_note = models.TextField(_("workaround"), blank=True)
    workaround_hours = workaround_hours_field()

    objects: ClassVar[tenancy.LimitedManager[ActivityLink]] = tenancy.limited_manager(tenancy.all_of(
        tenancy.by_establishment("activity__establishment"), tenancy.by_establishment("depends_on__establishment")))

    class Meta:
        verbose_name = _("link between activities")
        verbose_name_plural = _("links between activities")
        constraints = [
            models.UniqueConstraint(fields=["activity", "depends_on"], name="bia_activity_link_unique"),
            models.CheckConstraint(condition=~Q(activity=models.F("depends_on")), name="bia_activity_link_not_self"),
            *workaround_hours_constraints("bia_activity_link"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.depends_on_id}"


class Campaign(TenantModel):
    """The BIA campaign of one establishment: its due date and when the business owners are reminded
    (``apps.bia.campaign``: Celery beat, N days before and after the deadline, at most once per owner per 24 h)."""

    establishment = models.OneToOneField("tenants.Establishment", on_delete=models.CASCADE, related_name="bia_campaign",
                                         verbose_name=_("establishment"))
    due_date = models.DateField(_("due date"))
    remind_days_before = models.PositiveSmallIntegerField(_("reminder, days before the due date"), default=7)
    remind_days_after = models.PositiveSmallIntegerField(_("reminder, days after the due date"), default=3)

    objects: ClassVar[tenancy.LimitedManager[Campaign]] = tenancy.limited_manager(tenancy.by_establishment())

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("BIA campaign")
        verbose_name_plural = _("BIA campaigns")

    def __str__(self) -> str:
        return f"{self.establishment} — {self.due_date}"
