from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiaConfig(AppConfig):
    name = "apps.bia"
    label = "bia"
    verbose_name = _("Business impact analysis")
