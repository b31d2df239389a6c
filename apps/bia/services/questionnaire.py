"""Questionnaire and campaign writes: answers step by step, the impact grid, submission, review
(validate / send back) and the reminder to business owners.

The DMIA derived from the impact grid = the first horizon where any active criterion reaches the
organization's intolerable level; an override needs a justification."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bia import notifications
from apps.bia.models import Activity, ImpactAnswer, ImpactCriterion, TimeHorizon
from apps.bia.services.scales import activities_recompute
from apps.bia.tasks import campaign_remind as campaign_remind_task
from apps.bia.tasks import notify_sent_back
from apps.core import tenancy
from apps.core.models import AuditEvent
from apps.core.services import audit_log, model_update
from apps.core.tasks import enqueue_on_commit
from apps.notifications import events
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from django.http import HttpRequest

    from apps.accounts.models import User

QUESTIONNAIRE_FIELDS = ["description", "critical_periods", "pdma_hours", "minimum_staff", "key_skills",
                        "degraded_mode_exists", "degraded_mode_description", "degraded_mode_reference",
                        "degraded_mode_updated_on", "fallback_premises", "data_to_reenter",
                        "dmia_override_hours", "dmia_override_justification"]


def _validate_override(activity: Activity) -> None:
    if activity.dmia_override_hours is not None and not activity.dmia_override_justification.strip():
        raise ValidationError({"dmia_override_justification": _("Explain why the DMIA is set by hand.")})


@transaction.atomic
def activity_save_step(*, activity: Activity, actor: User | None, step: int, data: dict[str, Any]) -> Activity:
    """Save one questionnaire step as submitted; the campaign moves to « in progress »."""
    model_update(instance=activity, data=data, fields=QUESTIONNAIRE_FIELDS)
    _validate_override(activity)
    if activity.dmia_override_hours is None and activity.dmia_override_justification:
        activity.dmia_override_justification = ""
    if activity.status in (Activity.Status.NOT_STARTED, Activity.Status.SENT_BACK, Activity.Status.VALIDATED,
                           Activity.Status.SUBMITTED):
        # Any change after submission or validation needs a new review.
        activity.status = Activity.Status.IN_PROGRESS
    activity.questionnaire_step = max(activity.questionnaire_step, step)
    activity.full_clean()
    activity.save()
    activities_recompute(organization=activity.organization, activity_ids=[activity.pk])
    activity.refresh_from_db()
    return activity


@transaction.atomic
def impacts_save(*, activity: Activity, actor: User | None, levels: Mapping[tuple[int, int], int | None],
                 step: int = 0) -> Activity:
    """Replace the activity's impact grid cells given in ``levels`` ((criterion_id, horizon_id) → 1–4)."""
    organization = activity.organization
    criteria = set(ImpactCriterion.objects.filter(organization=organization).values_list("id", flat=True))
    horizons = set(TimeHorizon.objects.filter(organization=organization).values_list("id", flat=True))
    existing = {(a.criterion_id, a.horizon_id): a for a in ImpactAnswer.objects.filter(activity=activity)}
    to_create, to_update, to_delete = [], [], []
    for (criterion_id, horizon_id), level in levels.items():
        if criterion_id not in criteria or horizon_id not in horizons:
            raise ValidationError(_("Unknown criterion or time horizon."))
        if level is not None and not 1 <= int(level) <= 4:
            raise ValidationError(_("Impact levels go from 1 to 4."))
        answer = existing.get((criterion_id, horizon_id))
        if level is None:
            if answer is not None:
                to_delete.append(answer.pk)
        elif answer is None:
            to_create.append(ImpactAnswer(organization=organization, activity=activity, criterion_id=criterion_id,
                                          horizon_id=horizon_id, level=int(level)))
        elif answer.level != int(level):
            answer.level = int(level)
            to_update.append(answer)
    ImpactAnswer.objects.bulk_create(to_create)
    ImpactAnswer.objects.bulk_update(to_update, ["level", "updated_at"])
    ImpactAnswer.objects.filter(pk__in=to_delete).delete()
    return activity_save_step(activity=activity, actor=actor, step=step, data={})


@transaction.atomic
def activity_submit(*, activity: Activity, actor: User | None) -> Activity:
    """The business owner hands the BIA over for validation; the grid and PDMA must be filled."""
    missing = []
    if activity.dmia_hours is None and not ImpactAnswer.objects.filter(activity=activity).exists():
        missing.append(_("the impact grid"))
    if activity.pdma_hours is None:
        missing.append(_("the tolerable data loss (PDMA)"))
    if missing:
        raise ValidationError(_("Fill in before submitting: %(items)s.") % {"items": ", ".join(str(m) for m in missing)})
    if activity.status == Activity.Status.VALIDATED:
        raise ValidationError(_("This BIA is already validated."))
    activity.status = Activity.Status.SUBMITTED
    activity.submitted_at = timezone.now()
    activity.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    activity.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    events.bia_submitted(activity=activity, actor=actor)
    return activity


@transaction.atomic
def activity_validate(*, activity: Activity, actor: User | None, comment: str = "") -> Activity:
    """The RPCRA validates a submitted BIA."""
    if activity.status != Activity.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted BIA can be validated."))
    activity.status = Activity.Status.VALIDATED
    activity.validated_at = timezone.now()
    activity.validated_by = actor
    activity.review_comment = comment
    activity.save(update_fields=["status", "validated_at", "validated_by", "review_comment", "updated_at"])
    events.bia_validated(activity=activity, actor=actor)
    return activity


@transaction.atomic
def activity_send_back(*, activity: Activity, actor: User | None, comment: str) -> Activity:
    """The RPCRA sends a BIA back to its owner with a comment saying what to change."""
    if activity.status not in (Activity.Status.SUBMITTED, Activity.Status.VALIDATED):
        raise ValidationError(_("Only a submitted or validated BIA can be sent back."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the business owner should change.")})
    activity.status = Activity.Status.SENT_BACK
    activity.review_comment = comment
    activity.validated_at = None
    activity.validated_by = None
    activity.save(update_fields=["status", "review_comment", "validated_at", "validated_by", "updated_at"])
    if activity.owner_id is not None:
        enqueue_on_commit(notify_sent_back, activity.organization, activity.pk, user=actor)
    events.bia_sent_back(activity=activity, actor=actor, reason=comment)
    return activity


def campaign_remind(*, organization: Organization, actor: User | None, request: HttpRequest | None = None) -> int:
    """``campaign_remind_owners``, counting only the owners who will get an e-mail."""
    return campaign_remind_owners(organization=organization, actor=actor, request=request)[0]


def campaign_remind_owners(*, organization: Organization, actor: User | None,
                           request: HttpRequest | None = None) -> tuple[int, int]:
    """Remind (by e-mail, through the worker) every business owner whose BIA is not submitted yet, in the
    current scope (a member limited to some establishments reminds their owners only; the worker runs in it).

    An owner reminded less than 24 h ago (by hand or by the campaign's automatic reminders) is skipped
    (``apps.bia.campaign.claim_owners``). Returns (owners who will get an e-mail, owners throttled); the reminder
    is in the activity log.
    """
    from apps.bia import campaign

    owners = notifications.owners_to_remind(organization=organization)
    if not owners:
        return 0, 0
    claimed, throttled = campaign.claim_owners(organization=organization, owner_ids=sorted(o.pk for o in owners))
    if claimed:
        audit_log(action=AuditEvent.Action.CAMPAIGN_REMINDED, actor=actor, organization=organization,
                  target=str(_("BIA campaign")),
                  details={"owners": len(claimed), **({"throttled": len(throttled)} if throttled else {})},
                  request=request)
        enqueue_on_commit(campaign_remind_task, organization, owner_ids=claimed, user=actor,
                          establishments=tenancy.allowed_establishments())
    return len(claimed), len(throttled)
