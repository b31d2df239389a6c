"""Governance forms: plain forms (choice querysets set per organization in ``__init__``); services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from apps.compliance.models import Evidence
from apps.core.forms import MemberChoiceField, OrgForm
from apps.core.phones import PhoneFormField
from apps.governance.models import (
    MAX_DELAY_HOURS,
    CopilMeeting,
    CrisisAssignment,
    CrisisRole,
    Decision,
    GovernanceMember,
    GovernanceProfile,
    ReportingDuty,
)
from apps.tenants.models import Membership

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class GovernanceMemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: GovernanceMember) -> str:
        return f"{obj.person_name} — {obj.function}" if obj.function else obj.person_name


def evidence_field(label: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, queryset=Evidence.objects.none(), required=False,
                                  help_text=_("Choose a file from the evidence library (add it below if needed)."))


MEMBER_LABEL = _("Member")


def member_field(label: Any = MEMBER_LABEL, required: bool = False) -> MemberChoiceField:
    return MemberChoiceField(label=label, queryset=Membership.objects.none(), required=required)


def _f(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name)


class OrganisationStepForm(OrgForm):
    rpcra = member_field(_f(GovernanceProfile, "rpcra").verbose_name)
    rpcra_mission_letter = evidence_field(_f(GovernanceProfile, "rpcra_mission_letter").verbose_name)
    project_scope = forms.CharField(label=_f(GovernanceProfile, "project_scope").verbose_name, required=False,
                                    widget=textarea(), help_text=_f(GovernanceProfile, "project_scope").help_text)
    copil_cadence = forms.ChoiceField(label=_f(GovernanceProfile, "copil_cadence").verbose_name, required=False,
                                      choices=[("", "—"), *GovernanceProfile.Cadence.choices])
    copil_mandate = forms.CharField(label=_f(GovernanceProfile, "copil_mandate").verbose_name, required=False,
                                    widget=textarea())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rpcra"].help_text = _f(GovernanceProfile, "rpcra").help_text


class LogisticsStepForm(OrgForm):
    phone_24_7 = PhoneFormField(label=_f(GovernanceProfile, "phone_24_7").verbose_name, required=False)
    phone_independent_of_it = forms.BooleanField(
        label=_f(GovernanceProfile, "phone_independent_of_it").verbose_name, required=False,
        help_text=_f(GovernanceProfile, "phone_independent_of_it").help_text)
    contacts_24_7 = forms.CharField(label=_f(GovernanceProfile, "contacts_24_7").verbose_name, required=False,
                                    widget=textarea(), help_text=_f(GovernanceProfile, "contacts_24_7").help_text)
    crisis_room = forms.CharField(label=_f(GovernanceProfile, "crisis_room").verbose_name, max_length=200,
                                  required=False)
    fallback_room = forms.CharField(label=_f(GovernanceProfile, "fallback_room").verbose_name, max_length=200,
                                    required=False)
    activation_criteria = forms.CharField(label=_f(GovernanceProfile, "activation_criteria").verbose_name,
                                          required=False, widget=textarea())
    activation_decider = forms.CharField(label=_f(GovernanceProfile, "activation_decider").verbose_name,
                                         max_length=200, required=False)


class SignalementStepForm(OrgForm):
    signalement_procedure = forms.CharField(
        label=_f(GovernanceProfile, "signalement_procedure").verbose_name, required=False, widget=textarea(5),
        help_text=_f(GovernanceProfile, "signalement_procedure").help_text)


class DocumentsStepForm(OrgForm):
    pssi_version = forms.CharField(label=_f(GovernanceProfile, "pssi_version").verbose_name, max_length=50,
                                   required=False)
    pssi_validated_on = forms.DateField(label=_f(GovernanceProfile, "pssi_validated_on").verbose_name, required=False,
                                        widget=DATE_WIDGET,
                                        help_text=_("CaRE D2.P1: the PSSI must have been reviewed between 16/07/2022 and the "
                                                    "candidacy deposit date (organization settings)."))
    pssi_signatory = forms.CharField(label=_f(GovernanceProfile, "pssi_signatory").verbose_name, max_length=200,
                                     required=False, help_text=_f(GovernanceProfile, "pssi_signatory").help_text)
    pssi_signatory_function = forms.CharField(
        label=_f(GovernanceProfile, "pssi_signatory_function").verbose_name, max_length=200, required=False,
        help_text=_f(GovernanceProfile, "pssi_signatory_function").help_text)
    pssi_signatory_is_legal_representative = forms.BooleanField(
        label=_f(GovernanceProfile, "pssi_signatory_is_legal_representative").verbose_name, required=False,
        help_text=_f(GovernanceProfile, "pssi_signatory_is_legal_representative").help_text)
    pssi_evidence = evidence_field(_f(GovernanceProfile, "pssi_evidence").verbose_name)
    plan_blanc_reference = forms.CharField(label=_f(GovernanceProfile, "plan_blanc_reference").verbose_name,
                                           max_length=200, required=False)
    plan_blanc_digital_risks = forms.CharField(label=_f(GovernanceProfile, "plan_blanc_digital_risks").verbose_name,
                                               required=False, widget=textarea(4))
    plan_blanc_evidence = evidence_field(_f(GovernanceProfile, "plan_blanc_evidence").verbose_name)
    crisis_procedures_summary = forms.CharField(label=_f(GovernanceProfile, "crisis_procedures_summary").verbose_name,
                                                required=False, widget=textarea(4))
    crisis_procedures_evidence = evidence_field(_f(GovernanceProfile, "crisis_procedures_evidence").verbose_name)


    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("pssi_signatory_is_legal_representative"):
            if not (data.get("pssi_signatory") or "").strip():
                self.add_error("pssi_signatory", _("Name the legal representative who signed the PSSI."))
            if not (data.get("pssi_signatory_function") or "").strip():
                self.add_error("pssi_signatory_function", _("Record the function of the legal representative."))
        return data


class PrioritiesStepForm(OrgForm):
    patient_safety_first = forms.BooleanField(label=_f(GovernanceProfile, "patient_safety_first").verbose_name,
                                              required=False)
    return_to_nominal_days = forms.IntegerField(label=_f(GovernanceProfile, "return_to_nominal_days").verbose_name,
                                                required=False, min_value=1, max_value=365)
    direction_priorities = forms.CharField(label=_f(GovernanceProfile, "direction_priorities").verbose_name,
                                           required=False, widget=textarea())


class PersonFormMixin(OrgForm):
    member = member_field()
    external_name = forms.CharField(label=_("Name (if not a member)"), max_length=150, required=False)
    phone = PhoneFormField(label=_("Phone"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data  # Form.clean returns cleaned_data
        if not data.get("member") and not (data.get("external_name") or "").strip():
            self.add_error("external_name", _("Choose a member or give the name of the person."))
        return data


class GovernanceMemberForm(PersonFormMixin):
    body = forms.ChoiceField(label=_f(GovernanceMember, "body").verbose_name, choices=GovernanceMember.Body.choices)
    function = forms.CharField(label=_f(GovernanceMember, "function").verbose_name, max_length=200, required=False,
                               help_text=_f(GovernanceMember, "function").help_text)
    role = forms.CharField(label=_f(GovernanceMember, "role").verbose_name, max_length=200, required=False,
                           help_text=_f(GovernanceMember, "role").help_text)
    mission_letter = evidence_field(_f(GovernanceMember, "mission_letter").verbose_name)

    field_order = ["body", "member", "external_name", "phone", "function", "role", "mission_letter"]


class CopilMeetingForm(OrgForm):
    held_on = forms.DateField(label=_f(CopilMeeting, "held_on").verbose_name, widget=DATE_WIDGET)
    title = forms.CharField(label=_f(CopilMeeting, "title").verbose_name, max_length=200, required=False)
    attendees = GovernanceMemberChoiceField(label=_f(CopilMeeting, "attendees").verbose_name,
                                            queryset=GovernanceMember.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    other_attendees = forms.CharField(label=_f(CopilMeeting, "other_attendees").verbose_name, required=False,
                                      widget=textarea(2))
    minutes = forms.CharField(label=_f(CopilMeeting, "minutes").verbose_name, required=False, widget=textarea(6))
    minutes_evidence = evidence_field(_f(CopilMeeting, "minutes_evidence").verbose_name)


class DecisionForm(OrgForm):
    text = forms.CharField(label=_f(Decision, "text").verbose_name, widget=textarea(2))
    owner = forms.CharField(label=_f(Decision, "owner").verbose_name, max_length=150, required=False)
    due_date = forms.DateField(label=_f(Decision, "due_date").verbose_name, required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(label=_f(Decision, "status").verbose_name, choices=Decision.Status.choices,
                               initial=Decision.Status.OPEN)
    action_reference = forms.CharField(label=_f(Decision, "action_reference").verbose_name, max_length=100,
                                       required=False)


class CrisisRoleForm(OrgForm):
    kind = forms.ChoiceField(label=_f(CrisisRole, "kind").verbose_name, choices=CrisisRole.Kind.choices)
    label = forms.CharField(label=_f(CrisisRole, "label").verbose_name, max_length=150, required=False,
                            help_text=_f(CrisisRole, "label").help_text)
    missions = forms.CharField(label=_f(CrisisRole, "missions").verbose_name, required=False, widget=textarea())
    order = forms.IntegerField(label=_f(CrisisRole, "order").verbose_name, min_value=0, initial=0, required=False)

    def clean_order(self) -> int:
        return self.cleaned_data.get("order") or 0


class CrisisAssignmentForm(PersonFormMixin):
    position = forms.ChoiceField(label=_f(CrisisAssignment, "position").verbose_name,
                                 choices=CrisisAssignment.Position.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _(
            "The number to reach this person during a crisis: French (06 12 34 56 78), international (+44 20 7946 "
            "0958) or short. A role counts as complete only when its holder and a deputy have a valid number.")

    field_order = ["position", "member", "external_name", "phone"]


class ReportingDutyForm(OrgForm):
    recipient = forms.ChoiceField(label=_f(ReportingDuty, "recipient").verbose_name,
                                  choices=ReportingDuty.Recipient.choices)
    recipient_detail = forms.CharField(label=_f(ReportingDuty, "recipient_detail").verbose_name, max_length=200,
                                       required=False)
    delay_hours = forms.IntegerField(label=_f(ReportingDuty, "delay_hours").verbose_name, min_value=0,
                                     max_value=MAX_DELAY_HOURS, required=False,
                                     help_text=_f(ReportingDuty, "delay_hours").help_text)
    responsible = forms.CharField(label=_f(ReportingDuty, "responsible").verbose_name, max_length=150, required=False)
    channel = forms.CharField(label=_f(ReportingDuty, "channel").verbose_name, max_length=200, required=False)
