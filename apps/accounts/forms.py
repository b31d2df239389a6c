from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """allauth's form with our wording; the "forgot password" link sits under the form already."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        # E-mail domain routing: as the address is typed, the directory of its domain (apps.sso) is offered under
        # the form (« Se connecter avec … »); the password login stays as it is.
        self.fields["login"].widget.attrs.update({
            "hx-get": reverse_lazy("sso-discover"), "hx-trigger": "input changed delay:400ms, change",
            "hx-target": "#sso-offer", "hx-swap": "innerHTML", "hx-sync": "this:replace"})
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)
