from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import NotificationPreference


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(label=_("E-mails"), choices=NotificationPreference.Email.choices,
                              widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("Language of the e-mails"),
                                 choices=[("", _("The organization's language")), *settings.LANGUAGES], required=False)
