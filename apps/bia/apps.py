from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiaConfig(AppConfig):
    name = "apps.bia"
    label = "bia"
    verbose_name = _("Business impact analysis")

    def ready(self) -> None:
        from apps.bia import (
            checks,  # registers the D2.O1.C checks (exports.py is autodiscovered)
            refresh,
        )
        from apps.bia.services.scales import scales_ensure_defaults
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage
        from apps.tenants.defaults import register_defaults

        register_defaults(scales_ensure_defaults)
        refresh.connect()  # a committed write to the graph has the worker compute the analysis again
        register_history("bia.biasettings", "bia.impactcriterion", "bia.impactlevel", "bia.timehorizon", "bia.orgunit",
            "bia.activity", "bia.impactanswer", "bia.resource", "bia.activitydependency",
            "bia.resourcedependency", "bia.activitylink")
        register_stage(Stage(
            key="bia", order=300, label=_("Business impact analysis"), capability="org.view",
            description=_("Map the activities, measure their impacts over time, and compare needs with "
                          "what IT and suppliers can deliver."),
            links=(
                NavLink(_("Activities and campaign"), "bia:activities", "bia.view"),
                NavLink(_("My activities"), "bia:my-activities", "bia.answer"),
                NavLink(_("Campaign due dates"), "bia:campaign", "bia.view"),
                NavLink(_("Resources"), "bia:resources", "bia.view"),
                NavLink(_("Gaps and single points of failure"), "bia:gaps", "bia.view"),
                NavLink(_("Dependency map"), "bia:map", "bia.view"),
                NavLink(_("BIA workbook"), "bia:workbook", "bia.change"),
                NavLink(_("Imports"), "imports:start", "bia.change"),
                NavLink(_("Scales"), "bia:scales", "bia.change"),
            ),
            progress=checks.journey_progress,
        ))
