"""The administrator's form for a new API token."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.api.services import API_CAPABILITIES
from apps.core.forms import OrgForm
from apps.tenants.models import Establishment

CAPABILITY_LABELS = {
    "org.view": _("Read the establishments and sites"),
    "bia.view": _("Read the BIA: activities, resources, dependencies, gaps"),
    "bia.change": _("Change the resources and dependencies"),
    "plans.view": _("Read the approved plans"),
    "backups.view": _("Read the backups: controls, restoration tests, job feed"),
    "backups.change": _("Write the backups: controls, restoration tests, job results"),
    "exercises.view": _("Read the exercises"),
    "actions.view": _("Read the action plan"),
    "actions.change": _("Write the action plan"),
    "compliance.view": _("Read the requirement statuses"),
}


class TokenForm(OrgForm):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("What uses it, e.g. « Veeam backup reports » or « CMDB sync »."))
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities"), widget=forms.CheckboxSelectMultiple,
        choices=[(c, f"{CAPABILITY_LABELS[c]} ({c})") for c in API_CAPABILITIES])
    expires_on = forms.DateField(label=_("Expires on"), widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("At most two years from today."))
    establishments = forms.ModelMultipleChoiceField(
        label=_("Limit to these establishments"), queryset=Establishment.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Leave empty to give access to every establishment."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishments"].queryset = Establishment.objects.filter(  # type: ignore[attr-defined]
            organization=self.organization).order_by("name")
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=365)

    def expires_at(self) -> datetime.datetime:
        day: datetime.date = self.cleaned_data["expires_on"]
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
