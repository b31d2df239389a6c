from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class IdentityProviderForm(forms.Form):
    name = forms.CharField(label=_("name shown on the login page"), max_length=80)
    issuer_url = forms.URLField(label=_("issuer URL"), max_length=500, assume_scheme="https",
                                help_text=_("The provider's address; its discovery document is read from "
                                            "« /.well-known/openid-configuration » under it."))
    client_id = forms.CharField(label=_("client id"), max_length=191)
    client_secret = forms.CharField(label=_("client secret"), max_length=191, required=False,
                                    widget=forms.PasswordInput(render_value=False),
                                    help_text=_("Stored, never shown again; leave empty to keep the current one."))
    email_domains = forms.CharField(label=_("e-mail domains"), help_text=_("One or more, separated by commas "
                                                                             "or spaces (e.g. chu-valmont.fr)."))
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def domains(self) -> list[str]:
        return [d for d in self.cleaned_data["email_domains"].replace(",", " ").split() if d]


class DiscoverForm(forms.Form):
    email = forms.EmailField(label=_("Your professional e-mail address"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
