from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    """Creating a client organization from the UI, and copying templates between a consultant's clients."""

    name = "apps.onboarding"
    label = "onboarding"
    verbose_name = _("Onboarding")
