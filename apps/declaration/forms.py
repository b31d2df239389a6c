from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.forms import OrgForm
from apps.declaration.models import REVIEW_DAYS_DEFAULT, REVIEW_DAYS_MAX


class SignForm(OrgForm):
    signer_function = forms.CharField(label=_("Your function"), max_length=200,
                                      help_text=_("For example: Directeur général du GHT."))
    text = forms.CharField(label=_("Declaration text"), widget=forms.Textarea(attrs={"rows": 5}))
    confirm = forms.BooleanField(label=_("I have reviewed the requirements above and sign this declaration."))


class ReviewerInviteForm(OrgForm):
    """« Inviter un relecteur »: the address and how many days the access lasts (bounded)."""

    email = forms.EmailField(label=_("Reviewer's e-mail address"),
                             help_text=_("The reviewer logs in, or creates their account, with this address."))
    days = forms.IntegerField(label=_("Access for (days)"), min_value=1, max_value=REVIEW_DAYS_MAX,
                              initial=REVIEW_DAYS_DEFAULT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted here, in the request's language (a lazy string formatted at import would be frozen).
        self.fields["days"].help_text = gettext("From today; at most %(max)d days. You can revoke it sooner.") % {
            "max": REVIEW_DAYS_MAX}
