"""The backup job feed: D2.O3.D supervision as data (issue 19).

The backup tool (or a script run after each job, ``scripts/post_backup_jobs.py``) posts each job's result
through the API (``POST /api/v1/o/<slug>/backup-jobs/``). From those rows Resilis derives, on read:

- the last successful job of every system, and the systems without a successful job within their PDMA
  (the strictest PDMA of the activities depending on them, from the BIA engine);
- an alert, opened after ``BackupPolicy.alert_after_failures`` failed jobs in a row (3 by default) and
  resolved by the next successful job;
- an action of the plan (source ``backup_alert``) when an alert stays unresolved for
  ``BackupPolicy.alert_action_after_hours`` (24 h by default): checked after every posted job and hourly by
  the beat task ``backups.escalate_alerts``.
The supervision check of D2.O3.D lists these figures as evidence (``apps.backups.checks``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.backups import selectors
from apps.backups.models import SYSTEM_KINDS, BackupAlert, BackupJob, BackupPolicy
from apps.bia.models import Resource
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from apps.actions.sources import SourceInfo, SourceRef

DEFAULT_FAILURES = 3
DEFAULT_ACTION_HOURS = 24
# A clock a little ahead on the backup server is not an error; a job « finished » tomorrow is.
CLOCK_LEEWAY = datetime.timedelta(minutes=10)
# An action opened from an unresolved alert is due a week later (the owner can change it).
ACTION_DUE_DAYS = 7


def thresholds(organization: Organization) -> tuple[int, int]:
    """(failed jobs in a row before an alert, hours before an unresolved alert becomes an action)."""
    policy = BackupPolicy.objects.filter(organization=organization).first()
    if policy is None:
        return DEFAULT_FAILURES, DEFAULT_ACTION_HOURS
    return policy.alert_after_failures, policy.alert_action_after_hours


def consecutive_failures(*, organization: Organization, resource: Resource) -> int:
    """Failed jobs since the last successful one (newest first), whatever the order they were posted in."""
    last_success = (BackupJob.objects.filter(organization=organization, resource=resource, success=True)
                    .order_by("-finished_at").values_list("finished_at", flat=True).first())
    failures = BackupJob.objects.filter(organization=organization, resource=resource, success=False)
    if last_success is not None:
        failures = failures.filter(finished_at__gt=last_success)
    return failures.count()


@dataclass
class JobOutcome:
    job: BackupJob
    consecutive_failures: int
    alert: BackupAlert | None


def find_system(*, organization: Organization, resource_id: Any = None, name: str = "") -> Resource:
    """The system a job is for: by id, or by exact name (case ignored); only applications and infrastructure."""
    systems = selectors.system_queryset(organization=organization)
    resource = None
    if resource_id not in (None, ""):
        try:
            resource = systems.filter(pk=int(resource_id)).first()
        except (TypeError, ValueError):
            resource = None
    elif name.strip():
        resource = systems.filter(name__iexact=name.strip()).first()
    if resource is None:
        raise ValidationError({"resource": _("Choose an application or an infrastructure of this organization.")})
    return resource


@transaction.atomic
def job_record(*, organization: Organization, resource: Resource, finished_at: datetime.datetime, success: bool,
               size_bytes: int | None = None, target: str = "", message: str = "", reported_by: str = "",
               now: datetime.datetime | None = None) -> JobOutcome:
    """Record one job result (D2.O3.D); a failure may open the system's alert, a success resolves it."""
    now = now or timezone.now()
    if resource.organization_id != organization.pk or resource.kind not in SYSTEM_KINDS:
        raise ValidationError({"resource": _("Choose an application or an infrastructure of this organization.")})
    if timezone.is_naive(finished_at):
        finished_at = timezone.make_aware(finished_at)
    if finished_at > now + CLOCK_LEEWAY:
        raise ValidationError({"finished_at": _("A job cannot have finished in the future.")})
    # One writer at a time per system: two jobs posted at once must not open two alerts.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    job = BackupJob(organization=organization, resource=resource, finished_at=finished_at, success=success,
                    size_bytes=size_bytes, target=target.strip(), message=message.strip(),
                    reported_by=reported_by[:160])
    job.full_clean()
    job.save()
    alert = BackupAlert.objects.filter(organization=organization, resource=resource, resolved_at__isnull=True).first()
    failures = consecutive_failures(organization=organization, resource=resource)
    if failures == 0 and alert is not None:
        alert.resolved_at = now
        alert.save(update_fields=["resolved_at", "updated_at"])
        alert = None
    elif failures:
        limit, _hours = thresholds(organization)
        if alert is None and failures >= limit:
            alert = BackupAlert.objects.create(organization=organization, resource=resource, opened_at=now,
                                               failures=failures)
        elif alert is not None:
            alert.failures = failures
            alert.save(update_fields=["failures", "updated_at"])
    selectors.forget_snapshot(organization)
    return JobOutcome(job=job, consecutive_failures=failures, alert=alert)


def alerts_escalate(*, organization: Organization, now: datetime.datetime | None = None) -> list[BackupAlert]:
    """Turn the alerts left unresolved past the organization's delay into actions (one each, once)."""
    from apps.actions.services import create_from_source

    now = now or timezone.now()
    _limit, hours = thresholds(organization)
    due = list(BackupAlert.objects.filter(organization=organization, resolved_at__isnull=True, action__isnull=True,
                                          opened_at__lte=now - datetime.timedelta(hours=hours)))
    for alert in due:
        with transaction.atomic():
            alert.action = create_from_source(organization=organization, actor=None, kind="backup_alert",
                                              source_id=alert.pk, notify=False)
            alert.save(update_fields=["action", "updated_at"])
    return due


def alert_source(organization: Organization, ref: SourceRef) -> SourceInfo | None:
    """The ``backup_alert`` source of an action: it stands while no successful job resolved the alert."""
    from apps.actions.models import Priority
    from apps.actions.sources import SourceInfo
    from apps.core.views import org_url

    if ref.id is None:
        return None
    alert = BackupAlert.objects.filter(organization=organization, pk=ref.id).select_related("resource").first()
    if alert is None:
        return None
    values = {"name": alert.resource.name, "count": alert.failures,
              "date": date_format(timezone.localtime(alert.opened_at), "SHORT_DATETIME_FORMAT")}
    return SourceInfo(
        ref=ref, label=(_("Backup alert: %(name)s, %(count)d failed jobs in a row since %(date)s") % values)[:300],
        title=(_("Make the backups of %(name)s succeed again") % values)[:200],
        url=org_url(organization, "backups:supervision"), priority=Priority.HIGH,
        establishment_ids=(alert.resource.establishment_id,) if alert.resource.establishment_id else (),
        requirement_ids=("D2.O3.D",), stands=alert.resolved_at is None,
        due_date=timezone.localdate() + datetime.timedelta(days=ACTION_DUE_DAYS),
        state=_("No successful job since the alert.") if alert.resolved_at is None
        else _("A successful job resolved it on %(date)s.") % {
            "date": date_format(timezone.localtime(alert.resolved_at), "SHORT_DATETIME_FORMAT")},
    )


@dataclass
class FeedRow:
    row: selectors.SystemRow
    last_job: BackupJob | None
    last_success: BackupJob | None
    alert: BackupAlert | None

    @property
    def within_pdma(self) -> bool | None:
        """Whether the last successful job is younger than the PDMA (None: no PDMA to compare with)."""
        pdma = self.row.required_pdma_hours
        if pdma is None:
            return None
        if self.last_success is None:
            return False
        return timezone.now() - self.last_success.finished_at <= datetime.timedelta(hours=pdma)


@dataclass
class FeedSummary:
    rows: list[FeedRow]
    critical: list[FeedRow]

    @property
    def fed(self) -> list[FeedRow]:
        return [r for r in self.critical if r.last_job is not None]

    @property
    def stale(self) -> list[FeedRow]:
        return [r for r in self.critical if r.within_pdma is False]

    @property
    def ok(self) -> list[FeedRow]:
        return [r for r in self.critical if r.within_pdma is True]

    @property
    def open_alerts(self) -> list[FeedRow]:
        return [r for r in self.rows if r.alert is not None]


def feed_summary(*, organization: Organization, rows: list[selectors.SystemRow] | None = None) -> FeedSummary:
    """Every system with its last job, last success and open alert (three queries whatever the size)."""
    rows = rows if rows is not None else selectors.system_rows(organization=organization)
    jobs = BackupJob.objects.filter(organization=organization)
    last = {j.resource_id: j for j in jobs.order_by("resource_id", "-finished_at", "-id").distinct("resource_id")}
    success = {j.resource_id: j for j in jobs.filter(success=True).order_by("resource_id", "-finished_at", "-id")
               .distinct("resource_id")}
    alerts = {a.resource_id: a for a in BackupAlert.objects.filter(organization=organization,
                                                                   resolved_at__isnull=True)}
    feed = [FeedRow(row=r, last_job=last.get(r.resource.pk), last_success=success.get(r.resource.pk),
                    alert=alerts.get(r.resource.pk)) for r in rows]
    critical_ids = {id(r) for r in ([r for r in rows if r.critical] or rows)}
    return FeedSummary(rows=feed, critical=[f for f in feed if id(f.row) in critical_ids])
