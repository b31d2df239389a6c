"""Backup controls and restoration tests (CaRE D2.O2, D2.O3, D2.O4).

The systems are the BIA's ``Resource`` rows of kind application or infrastructure. Each may get one
``BackupControl`` (its backup set-up, judged against 3-2-1 / 3-2-1-1-0 and the PDMA it serves);
``Trajectory`` + ``Milestone`` plan the isolation and 3-2-1 work the annex asks for; ``RestoreTest``
records a real restoration; the latest successful one back into production is the system's measured
capability in the BIA engine, derived on read (``apps.backups.measured``). ``BackupPolicy`` (one per
organization) holds the policy document (D2.O2.A). Files are
``apps.compliance`` evidence rows, linked by foreign key.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.bia.models import HOURS_VALIDATORS, MAX_HOURS
from apps.core import tenancy
from apps.core.history import track_history
from apps.core.models import TenantModel

SYSTEM_KINDS = ("application", "infrastructure")
# Bounds of what people type (issue 12): a restore lasts 0 < h ≤ a year (two decimals: 0.01 h is the least),
# the data it lost 0 ≤ h ≤ a year (0 h is a real, good result), a retention ≤ a century, copies and media ≤ 100.
DURATION_VALIDATORS = [MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_HOURS)]
DATA_LOSS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(MAX_HOURS)]
MAX_RETENTION_DAYS = 36_500
MAX_COPIES = 100
# The annex asks for the policy to be updated on or after this date (CaRE D2.O2.A).
POLICY_MIN_DATE = datetime.date(2022, 7, 16)


@track_history()
class BackupPolicy(TenantModel):
    """The backup and restoration policy (D2.O2.A): one per organization."""

    evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("policy document"))
    version = models.CharField(_("version"), max_length=40, blank=True)
    validated_on = models.DateField(_("validated on"), null=True, blank=True)
    validated_by = models.CharField(_("validated by"), max_length=200, blank=True)
    covers_outsourced = models.BooleanField(
        _("covers outsourced and SaaS applications through contract clauses"), default=False)
    unresolved_alerts_procedure = models.TextField(
        _("procedure for alerts left unresolved by an establishment"), blank=True,
        help_text=_("GHT (D2.O3.D): what the GHT does when an establishment leaves a backup alert unresolved."))
    # The job feed (D2.O3.D supervision as data, ``apps.backups.feed``).
    alert_after_failures = models.PositiveSmallIntegerField(
        _("open an alert after this many failed jobs in a row"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)])
    alert_action_after_hours = models.PositiveIntegerField(
        _("create an action when an alert stays unresolved for (hours)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)])
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("backup policy")
        verbose_name_plural = _("backup policies")
        constraints = [models.UniqueConstraint(fields=["organization"], name="backups_policy_one_per_org")]

    def __str__(self) -> str:
        return str(_("Backup and restoration policy"))


@track_history()
class BackupControl(TenantModel):
    """The backup set-up of one system (a BIA application or infrastructure)."""

    class Authentication(models.TextChoices):
        DEDICATED_DIRECTORY = "dedicated_directory", _("Dedicated directory")
        LOCAL_ACCOUNTS = "local_accounts", _("Local accounts")
        SHARED_AD = "shared_ad", _("Shared Active Directory")
        UNKNOWN = "unknown", _("Unknown")

    resource = models.OneToOneField("bia.Resource", on_delete=models.CASCADE, related_name="backup_control",
                                    verbose_name=_("system"))
    product = models.CharField(_("backup product"), max_length=200, blank=True)
    frequency_hours = models.PositiveIntegerField(_("backup frequency (hours)"), null=True, blank=True,
                                                  validators=HOURS_VALIDATORS,
                                                  help_text=_("Hours between two backups, compared with the PDMA."))
    retention_days = models.PositiveIntegerField(_("retention (days)"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)])
    copies = models.PositiveSmallIntegerField(_("number of copies"), default=1,
                                              validators=[MaxValueValidator(MAX_COPIES)])
    media_count = models.PositiveSmallIntegerField(_("number of different media"), default=1,
                                                   validators=[MaxValueValidator(MAX_COPIES)])
    offsite_copy = models.BooleanField(_("off-site copy"), default=False)
    offline_copy = models.BooleanField(_("offline or immutable copy"), default=False)
    restore_errors_checked = models.BooleanField(
        _("restores verified without error"), default=False,
        help_text=_("The « 0 » of 3-2-1-1-0: backups are checked by restoration without error."))
    authentication = models.CharField(_("authentication of the backup infrastructure"), max_length=30,
                                      choices=Authentication.choices, default=Authentication.UNKNOWN)
    least_privilege_role = models.BooleanField(_("least-privilege operator role"), default=False)
    mfa_on_consoles = models.BooleanField(_("MFA on the backup consoles"), default=False)
    mfa_unsupported = models.BooleanField(
        _("MFA not supported by the backup solution"), default=False,
        help_text=_("The annex asks for MFA « si la solution de sauvegarde le permet »."))
    network_isolated = models.BooleanField(_("backup network isolated"), default=False)
    red_button_tested_on = models.DateField(_("« bouton rouge » last tested on"), null=True, blank=True)
    supervision_who = models.CharField(_("who checks the backups"), max_length=200, blank=True)
    supervision_frequency = models.CharField(_("how often they are checked"), max_length=120, blank=True)
    supervision_on_failure = models.TextField(_("what happens on failure"), blank=True)
    central_alerts = models.BooleanField(_("central alerts (GHT)"), default=False)
    rssi_control = models.BooleanField(_("controlled by the RSSI"), default=False)
    encrypted = models.BooleanField(_("backups encrypted"), default=False)
    contract_clauses = models.BooleanField(
        _("contract clauses cover backup and restore"), default=False,
        help_text=_("For SaaS or outsourced systems."))
    contract_clauses_note = models.TextField(_("contract clauses"), blank=True)
    ads_score = models.PositiveSmallIntegerField(
        _("ANSSI ADS audit score"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("For a dedicated backup directory: at least 3 by the end of the operational phase."))
    ads_audited_on = models.DateField(_("ADS audit date"), null=True, blank=True)
    plan_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("backup plan document"))
    plan_update_procedure = models.TextField(
        _("how the backup plan is kept up to date"), blank=True,
        help_text=_("Who reviews it, when, and what triggers an update (D2.O2.B)."))
    notes = models.TextField(_("notes"), blank=True)

    objects: ClassVar[tenancy.LimitedManager[BackupControl]] = tenancy.limited_manager(
        tenancy.shared_or_establishment("resource__establishment"))

    class Meta:
        verbose_name = _("backup control")
        verbose_name_plural = _("backup controls")
        constraints = [
            models.CheckConstraint(condition=Q(ads_score__isnull=True) | Q(ads_score__lte=5),
                                   name="backups_control_ads_range"),
        ]

    def __str__(self) -> str:
        return str(self.resource)

    def clean(self) -> None:
        super().clean()
        if self.mfa_on_consoles and self.mfa_unsupported:
            raise ValidationError({"mfa_unsupported": _(
                "MFA cannot be both enabled on the consoles and not supported by the solution.")})


@track_history()
class Trajectory(TenantModel):
    """A planned trajectory the annex asks for: isolation of the backups (D2.O3.B) or 3-2-1 (D2.O3.C)."""

    class Kind(models.TextChoices):
        ISOLATION = "isolation", _("Isolation of the backup infrastructure")
        THREE_TWO_ONE = "321", _("3-2-1")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["kind", "title", "id"]
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int:
        """Percent of milestones done (``selectors.trajectory_list`` prefetches them: no query per trajectory)."""
        from apps.backups.computations import trajectory_progress

        return trajectory_progress(list(self.milestones.all()))


@track_history()
class Milestone(TenantModel):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="milestones",
                                   verbose_name=_("trajectory"))
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due date"))
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


@track_history()
class RestoreTest(TenantModel):
    """A real restoration of a system (D2.O4). The latest successful one back into production measures the
    system's RTO (``measured_hours``) and RPO (``data_loss_hours``): ``apps.backups.measured``."""

    class Scope(models.TextChoices):
        FILE = "file", _("Files")
        VM = "vm", _("Virtual machine")
        PRODUCTION = "production", _("Full application back in production")

    class Result(models.TextChoices):
        SUCCESS = "success", _("Success")
        PARTIAL = "partial", _("Partial")
        FAILURE = "failure", _("Failure")

    resource = models.ForeignKey("bia.Resource", on_delete=models.CASCADE, related_name="restore_tests",
                                 verbose_name=_("system"))
    tested_on = models.DateField(_("test date"))
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    measured_hours = models.DecimalField(_("measured duration (hours)"), max_digits=7, decimal_places=2,
                                         validators=DURATION_VALIDATORS)
    required_rto_hours = models.DecimalField(
        _("required RTO (hours)"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("From the BIA when the test was recorded: the strictest DMIA of the activities depending on it."))
    data_loss_hours = models.DecimalField(_("data lost (hours)"), max_digits=7, decimal_places=2, null=True,
                                          blank=True, validators=DATA_LOSS_VALIDATORS,
                                          help_text=_("Age of the restored data point."))
    required_pdma_hours = models.DecimalField(_("required PDMA (hours)"), max_digits=7, decimal_places=2,
                                              null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    referent_member = models.ForeignKey("tenants.Membership", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("business referent (member)"))
    referent_name = models.CharField(_("business referent (name)"), max_length=200, blank=True)
    report_evidence = models.ForeignKey("compliance.Evidence", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("test report"))
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))

    objects: ClassVar[tenancy.LimitedManager[RestoreTest]] = tenancy.limited_manager(
        tenancy.shared_or_establishment("resource__establishment"))

    class Meta:
        ordering = ["-tested_on", "-id"]
        verbose_name = _("restoration test")
        verbose_name_plural = _("restoration tests")
        indexes = [models.Index(fields=["organization", "resource", "-tested_on"])]

    def __str__(self) -> str:
        return f"{self.resource} — {self.tested_on:%Y-%m-%d}"

    @property
    def referent(self) -> str:
        if self.referent_member_id and self.referent_member:
            user = self.referent_member.user
            return user.get_full_name() or user.email
        return self.referent_name

    @property
    def duration_gap(self) -> bool:
        return self.required_rto_hours is not None and self.measured_hours > self.required_rto_hours

    @property
    def data_gap(self) -> bool:
        return (self.required_pdma_hours is not None and self.data_loss_hours is not None
                and self.data_loss_hours > self.required_pdma_hours)

    @property
    def outcome(self) -> str:
        """``computations.test_outcome``: « success », « success_off_target », « partial » or « failure »."""
        from apps.backups.computations import test_outcome

        return test_outcome(self)

    @property
    def outcome_label(self) -> str:
        from apps.backups.computations import outcome_label

        return outcome_label(self.outcome)

    @property
    def outcome_badge(self) -> str:
        from apps.backups.computations import OUTCOME_BADGES

        return OUTCOME_BADGES.get(self.outcome, "bad")


class BackupJob(TenantModel):
    """One backup job result, posted by the backup tool through the API (D2.O3.D: supervision as data).

    Append-only machine data: no row history (one event row per job would double every write)."""

    resource = models.ForeignKey("bia.Resource", on_delete=models.CASCADE, related_name="backup_jobs",
                                 verbose_name=_("system"))
    finished_at = models.DateTimeField(_("finished at"))
    success = models.BooleanField(_("succeeded"))
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    target = models.CharField(_("copy target"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    reported_by = models.CharField(_("reported by"), max_length=160, blank=True)

    objects: ClassVar[tenancy.LimitedManager[BackupJob]] = tenancy.limited_manager(
        tenancy.shared_or_establishment("resource__establishment"))

    class Meta:
        ordering = ["-finished_at", "-id"]
        verbose_name = _("backup job")
        verbose_name_plural = _("backup jobs")
        indexes = [models.Index(fields=["organization", "resource", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.resource} — {self.finished_at:%Y-%m-%d %H:%M}"


@track_history()
class BackupAlert(TenantModel):
    """A system whose backup failed ``BackupPolicy.alert_after_failures`` times in a row; resolved by the next
    successful job. Left unresolved for ``alert_action_after_hours``, it becomes an action of the plan."""

    resource = models.ForeignKey("bia.Resource", on_delete=models.CASCADE, related_name="backup_alerts",
                                 verbose_name=_("system"))
    opened_at = models.DateTimeField(_("opened on"))
    failures = models.PositiveIntegerField(_("failed jobs in a row"))
    resolved_at = models.DateTimeField(_("resolved on"), null=True, blank=True)
    action = models.ForeignKey("actions.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("action"))

    objects: ClassVar[tenancy.LimitedManager[BackupAlert]] = tenancy.limited_manager(
        tenancy.shared_or_establishment("resource__establishment"))

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("backup alert")
        verbose_name_plural = _("backup alerts")
        constraints = [models.UniqueConstraint(fields=["resource"], condition=Q(resolved_at__isnull=True),
                                               name="backups_one_open_alert_per_system")]

    def __str__(self) -> str:
        return f"{self.resource} — {self.opened_at:%Y-%m-%d %H:%M}"
