"""Writes for the backups: keyword-only, atomic, validated; related objects checked against the organization.

Row history is kept by pghistory; file uploads go through ``apps.compliance.services.evidence_upload``
(audited there).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.backups import selectors
from apps.backups.models import (
    SYSTEM_KINDS,
    BackupControl,
    BackupPolicy,
    Milestone,
    RestoreTest,
    Trajectory,
)
from apps.backups.selectors import forget_snapshot
from apps.bia.models import Resource
from apps.compliance.services import evidence_upload
from apps.core.services import ensure_same_organization, model_update
from apps.tenants.models import Organization

if TYPE_CHECKING:
    from apps.accounts.models import User

F = TypeVar("F", bound=Callable[..., Any])

CONTROL_FIELDS = ["mfa_unsupported", "plan_update_procedure",
    "product", "frequency_hours", "retention_days", "copies", "media_count", "offsite_copy", "offline_copy",
    "restore_errors_checked", "authentication", "least_privilege_role", "mfa_on_consoles", "network_isolated",
    "red_button_tested_on", "supervision_who", "supervision_frequency", "supervision_on_failure", "central_alerts",
    "rssi_control", "encrypted", "contract_clauses", "contract_clauses_note", "ads_score", "ads_audited_on",
    "plan_evidence", "notes",
]
POLICY_FIELDS = ["evidence", "version", "validated_on", "validated_by", "covers_outsourced",
                 "unresolved_alerts_procedure", "alert_after_failures", "alert_action_after_hours", "notes"]
TRAJECTORY_FIELDS = ["kind", "title", "description"]
MILESTONE_FIELDS = ["title", "due_on", "owner", "done_on"]
TEST_FIELDS = ["resource", "tested_on", "scope", "measured_hours", "data_loss_hours", "result", "referent_member",
               "referent_name", "report_evidence", "notes"]


def _forgets(func: F) -> F:
    """Every write forgets the snapshot the checks keep on the organization object."""
    import functools

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        result = func(**kwargs)
        for value in kwargs.values():
            if isinstance(value, Organization):
                forget_snapshot(value)
            elif isinstance(value, models.Model) and isinstance(owner := getattr(value, "organization", None),
                                                                 Organization):
                forget_snapshot(owner)
        return result

    return cast(F, wrapper)


def _attach(organization: Organization, actor: User | None, data: dict[str, Any], field: str, upload: UploadedFile | None,
            title: str, requirement_ids: list[str], document_date: datetime.date | None = None) -> None:
    """An uploaded file becomes an evidence row of the library and the value of ``field``."""
    if upload is not None:
        data[field] = evidence_upload(organization=organization, actor=actor, upload=upload, title=title,
                                      requirement_ids=requirement_ids, document_date=document_date)


@_forgets
@transaction.atomic
def control_save(*, organization: Organization, actor: User | None, resource: Resource, data: dict[str, Any],
                 plan_upload: UploadedFile | None = None) -> BackupControl:
    """Create or update the backup control of one system (CaRE D2.O2.B, D2.O3.A–D)."""
    if resource.organization_id != organization.pk or resource.kind not in SYSTEM_KINDS:
        raise ValidationError(_("Choose an application or an infrastructure of this organization."))
    data = dict(data)
    _attach(organization, actor, data, "plan_evidence", plan_upload,
            _("Backup plan — %(name)s") % {"name": resource.name}, ["D2.O2.B"])
    ensure_same_organization(organization, data)
    control = BackupControl.objects.filter(organization=organization, resource=resource).first()
    if control is None:
        control = BackupControl(organization=organization, resource=resource)
        for name in CONTROL_FIELDS:
            if name in data:
                setattr(control, name, data[name])
        control.full_clean()
        control.save()
        return control
    model_update(instance=control, data=data, fields=CONTROL_FIELDS)
    return control


@_forgets
@transaction.atomic
def policy_save(*, organization: Organization, actor: User | None, data: dict[str, Any],
                upload: UploadedFile | None = None) -> BackupPolicy:
    """The backup and restoration policy; its validation date must be on or after 16 July 2022 (D2.O2.A)."""
    data = dict(data)
    validated_on = data.get("validated_on")
    if validated_on is not None and validated_on > timezone.localdate():
        raise ValidationError({"validated_on": _("The validation date cannot be in the future.")})
    _attach(organization, actor, data, "evidence", upload, _("Backup and restoration policy"), ["D2.O2.A"],
            validated_on)
    ensure_same_organization(organization, data)
    policy = BackupPolicy.objects.filter(organization=organization).first()
    if policy is None:
        policy = BackupPolicy(organization=organization)
        for name in POLICY_FIELDS:
            if name in data:
                setattr(policy, name, data[name])
        policy.full_clean()
        policy.save()
        return policy
    model_update(instance=policy, data=data, fields=POLICY_FIELDS)
    return policy


@_forgets
@transaction.atomic
def trajectory_create(*, organization: Organization, actor: User | None, data: dict[str, Any]) -> Trajectory:
    trajectory = Trajectory(organization=organization, **{k: data[k] for k in TRAJECTORY_FIELDS if k in data})
    trajectory.full_clean()
    trajectory.save()
    return trajectory


@_forgets
@transaction.atomic
def trajectory_update(*, trajectory: Trajectory, actor: User | None, data: dict[str, Any]) -> Trajectory:
    model_update(instance=trajectory, data=data, fields=TRAJECTORY_FIELDS)
    return trajectory


@_forgets
@transaction.atomic
def trajectory_delete(*, trajectory: Trajectory, actor: User | None) -> None:
    trajectory.delete()


@_forgets
@transaction.atomic
def milestone_create(*, trajectory: Trajectory, actor: User | None, data: dict[str, Any]) -> Milestone:
    milestone = Milestone(organization_id=trajectory.organization_id, trajectory=trajectory,
                          **{k: data[k] for k in MILESTONE_FIELDS if k in data})
    milestone.full_clean()
    milestone.save()
    return milestone


@_forgets
@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: User | None, data: dict[str, Any]) -> Milestone:
    model_update(instance=milestone, data=data, fields=MILESTONE_FIELDS)
    return milestone


@_forgets
@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor: User | None) -> None:
    milestone.delete()


def _validate_test(organization: Organization, data: dict[str, Any]) -> None:
    resource = data.get("resource")
    if resource is None or resource.organization_id != organization.pk or resource.kind not in SYSTEM_KINDS:
        raise ValidationError({"resource": _("Choose an application or an infrastructure of this organization.")})
    if data.get("tested_on") and data["tested_on"] > timezone.localdate():
        raise ValidationError({"tested_on": _("A test cannot be dated in the future.")})
    if not data.get("referent_member") and not (data.get("referent_name") or "").strip():
        raise ValidationError({"referent_name": _("Name the business referent who checked the application works.")})
    ensure_same_organization(organization, data)


def _with_requirements(organization: Organization, data: dict[str, Any]) -> dict[str, Any]:
    rto, pdma = selectors.requirements_for(organization=organization, resource=data["resource"])
    data["required_rto_hours"] = Decimal(str(rto)) if rto is not None else None
    data["required_pdma_hours"] = Decimal(str(pdma)) if pdma is not None else None
    return data


@_forgets
@transaction.atomic
def restore_test_record(*, organization: Organization, actor: User | None, data: dict[str, Any],
                        report_upload: UploadedFile | None = None) -> RestoreTest:
    """Record a restoration test (CaRE D2.O4) against the RTO and PDMA the BIA requires of the system now.

    Nothing is copied onto the BIA resource: a successful restoration back into production, the latest one,
    is the system's measured capability on the next read (``apps.backups.measured``)."""
    data = dict(data)
    _validate_test(organization, data)
    _attach(organization, actor, data, "report_evidence", report_upload,
            _("Restoration test report — %(name)s") % {"name": data["resource"].name}, ["D2.O4"], data.get("tested_on"))
    data = _with_requirements(organization, data)
    test = RestoreTest(organization=organization, recorded_by=actor if getattr(actor, "is_authenticated", False)
                       else None, **{k: data[k] for k in [*TEST_FIELDS, "required_rto_hours", "required_pdma_hours"]
                                     if k in data})
    test.full_clean()
    test.save()
    return test


@_forgets
@transaction.atomic
def restore_test_update(*, test: RestoreTest, actor: User | None, data: dict[str, Any],
                        report_upload: UploadedFile | None = None) -> RestoreTest:
    organization = test.organization
    data = dict(data)
    _validate_test(organization, data)
    _attach(organization, actor, data, "report_evidence", report_upload,
            _("Restoration test report — %(name)s") % {"name": data["resource"].name}, ["D2.O4"], data.get("tested_on"))
    data = _with_requirements(organization, data)
    model_update(instance=test, data=data, fields=[*TEST_FIELDS, "required_rto_hours", "required_pdma_hours"])
    return test


@_forgets
@transaction.atomic
def restore_test_delete(*, test: RestoreTest, actor: User | None) -> None:
    """The system's measured capability is derived again on the next read: the previous qualifying test, or
    the promised RTO/RPO when none is left."""
    test.delete()
