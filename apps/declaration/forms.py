from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import OrgForm


class SignForm(OrgForm):
    signer_function = forms.CharField(label=_("Your function"), max_length=200,
                                      help_text=_("For example: Directeur général du GHT."))
    text = forms.CharField(label=_("Declaration text"), widget=forms.Textarea(attrs={"rows": 5}))
    confirm = forms.BooleanField(label=_("I have reviewed the requirements above and sign this declaration."))
