"""Backups forms: choice querysets are set per organization in ``__init__``; services write."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from apps.backups.models import SYSTEM_KINDS, BackupControl, BackupPolicy, Milestone, RestoreTest, Trajectory
from apps.bia.models import Resource
from apps.compliance.models import Evidence
from apps.core.forms import MemberChoiceField, OrgModelForm, Refinement, RowChoiceField
from apps.core.widgets import QuickSelect
from apps.tenants.models import Membership

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UPLOAD_HELP = _("Or upload a new file: it is added to the evidence library.")


class SystemsForm(OrgModelForm):
    """Backups forms: the systems offered are the organization's applications and infrastructure."""

    choice_refinements: ClassVar[dict[str, Refinement]] = {
        "bia.Resource": lambda qs: qs.filter(kind__in=SYSTEM_KINDS).order_by("name"),
    }


def evidence_field(label: StrOrPromise) -> forms.ModelChoiceField[Evidence]:
    return forms.ModelChoiceField(label=label, queryset=Evidence.objects.none(), required=False,
                                  help_text=_("Choose a file from the evidence library."))


class ControlForm(SystemsForm):
    plan_evidence = evidence_field(_("backup plan document"))
    plan_upload = forms.FileField(label=_("New backup plan file"), required=False, help_text=UPLOAD_HELP)

    SECTIONS = (
        (_("Backup set-up"), ["product", "frequency_hours", "retention_days", "encrypted"]),
        (_("Copies (3-2-1-1-0)"), ["copies", "media_count", "offsite_copy", "offline_copy",
                                   "restore_errors_checked"]),
        (_("Authentication of the backup infrastructure"), ["authentication", "least_privilege_role",
                                                           "mfa_on_consoles", "mfa_unsupported", "ads_score",
                                                           "ads_audited_on"]),
        (_("Isolation"), ["network_isolated", "red_button_tested_on"]),
        (_("Supervision"), ["supervision_who", "supervision_frequency", "supervision_on_failure", "central_alerts",
                            "rssi_control"]),
        (_("SaaS and outsourcing"), ["contract_clauses", "contract_clauses_note"]),
        (_("Backup plan"), ["plan_evidence", "plan_upload", "plan_update_procedure", "notes"]),
    )

    class Meta:
        model = BackupControl
        fields = ["product", "frequency_hours", "retention_days", "copies", "media_count", "offsite_copy",
                  "offline_copy", "restore_errors_checked", "authentication", "least_privilege_role",
                  "mfa_on_consoles", "mfa_unsupported", "network_isolated", "red_button_tested_on", "supervision_who",
                  "supervision_frequency", "supervision_on_failure", "central_alerts", "rssi_control", "encrypted",
                  "contract_clauses", "contract_clauses_note", "ads_score", "ads_audited_on", "plan_evidence",
                  "plan_update_procedure", "notes"]
        widgets = {"plan_update_procedure": forms.Textarea(attrs={"rows": 2}),"red_button_tested_on": DATE_WIDGET, "ads_audited_on": DATE_WIDGET,
                   "supervision_on_failure": forms.Textarea(attrs={"rows": 3}),
                   "contract_clauses_note": forms.Textarea(attrs={"rows": 2}),
                   "notes": forms.Textarea(attrs={"rows": 2})}

    def sections(self) -> list[tuple[StrOrPromise, list[BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class PolicyForm(SystemsForm):
    evidence = evidence_field(_("policy document"))
    upload = forms.FileField(label=_("New policy file"), required=False, help_text=UPLOAD_HELP)

    class Meta:
        model = BackupPolicy
        fields = ["evidence", "version", "validated_on", "validated_by", "covers_outsourced",
                  "unresolved_alerts_procedure", "alert_after_failures", "alert_action_after_hours", "notes"]
        widgets = {"validated_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}


class TrajectoryForm(SystemsForm):
    class Meta:
        model = Trajectory
        fields = ["kind", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MilestoneForm(SystemsForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "owner", "done_on"]
        widgets = {"due_on": DATE_WIDGET, "done_on": DATE_WIDGET}


class RestoreTestForm(SystemsForm):
    # Options from ``values_list`` (a large GHT has hundreds of systems): no model object per option.
    resource = RowChoiceField(label=_("system"), queryset=Resource.objects.none(),
                              widget=QuickSelect(search=_("Filter the list…")))
    referent_member = MemberChoiceField(label=_("business referent (member)"), queryset=Membership.objects.none(),
                                        required=False)
    report_evidence = evidence_field(_("test report"))
    report_upload = forms.FileField(label=_("New report file"), required=False, help_text=UPLOAD_HELP)

    class Meta:
        model = RestoreTest
        fields = ["resource", "tested_on", "scope", "measured_hours", "data_loss_hours", "result", "referent_member",
                  "referent_name", "report_evidence", "notes"]
        # French users type « 9,5 »: decimal fields follow the active locale.
        localized_fields = ["measured_hours", "data_loss_hours"]
        widgets = {"tested_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}


class BackupJobForm(forms.Form):
    """A job result posted by the backup tool (the API's ``backup-jobs`` endpoint)."""

    resource = forms.IntegerField(label=_("system"), required=False, min_value=1, max_value=2**63 - 1)
    system = forms.CharField(label=_("system name"), required=False, max_length=200)
    finished_at = forms.DateTimeField(label=_("finished at"))
    success = forms.NullBooleanField(label=_("succeeded"), required=False)
    size_bytes = forms.IntegerField(label=_("size (bytes)"), required=False, min_value=0, max_value=2**63 - 1)
    target = forms.CharField(label=_("copy target"), required=False, max_length=200)
    message = forms.CharField(label=_("message"), required=False, max_length=2000)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("resource") is None and not (data.get("system") or "").strip():
            raise forms.ValidationError(_("Give the system's id (resource) or its name (system)."))
        if data.get("success") is None and "success" not in self.errors:
            self.add_error("success", _("Say whether the job succeeded (true or false)."))
        return data
