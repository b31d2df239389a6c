from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    name = "apps.continuity"
    label = "continuity"
    verbose_name = _("Continuity plans")
