from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    name = "apps.continuity"
    label = "continuity"
    verbose_name = _("Continuity plans")

    def ready(self) -> None:
        from apps.continuity import (
            checks,  # registers the D2.O1.C checks (exports.py is autodiscovered)
            deletion,
        )
        from apps.continuity.services import scenarios_ensure_defaults
        from apps.core.deletion import register_guard
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage
        from apps.tenants.defaults import register_defaults

        register_defaults(scenarios_ensure_defaults)
        register_guard("bia.activity", deletion.activity_guard)
        register_guard("bia.resource", deletion.resource_guard)
        register_history("continuity.scenario", "continuity.plan", "continuity.planactivity", "continuity.planscenario",
            "continuity.planversion", "continuity.degradedmode", "continuity.reflexsheet", "continuity.recoverystep")
        register_stage(Stage(
            key="plans", order=400, label=_("Continuity plans"), capability="org.view",
            description=_("Build the PCA/PRA of each perimeter from the BIA: degraded modes, fiches réflexes, "
                          "recovery sequence, approval."),
            links=(
                NavLink(_("Plans"), "continuity:plans", "plans.view"),
                NavLink(_("Coverage matrix"), "continuity:coverage", "plans.view"),
                NavLink(_("Scenarios"), "continuity:scenarios", "plans.view"),
            ),
            progress=checks.journey_progress,
        ))
