from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiaConfig(AppConfig):
    name = "apps.bia"
    label = "bia"
    verbose_name = _("Business impact analysis")

    def ready(self) -> None:
        from apps.tenants.views import HISTORY_MODELS

        HISTORY_MODELS.update({
            "bia.biasettings", "bia.impactcriterion", "bia.impactlevel", "bia.timehorizon", "bia.orgunit",
            "bia.activity", "bia.impactanswer", "bia.resource", "bia.activitydependency",
            "bia.resourcedependency", "bia.activitylink",
        })
