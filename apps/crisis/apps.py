from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _on_plan_approved(sender: Any, version: Any, **kwargs: Any) -> None:
    from apps.crisis.services import kit_copies_mark_stale

    kit_copies_mark_stale(organization=version.plan.organization, version=version)


class CrisisConfig(AppConfig):
    name = "apps.crisis"
    label = "crisis"
    verbose_name = _("Crisis day")

    def ready(self) -> None:
        from apps.continuity.signals import plan_version_approved
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage
        from apps.crisis import checks

        plan_version_approved.connect(_on_plan_approved, dispatch_uid="crisis.kit_copies_mark_stale")
        register_history("crisis.crisis", "crisis.crisisplanversion", "crisis.crisislogentry",
                         "crisis.degradedactivation", "crisis.reflextick", "crisis.recoveryprogress",
                         "crisis.signalementdone", "crisis.kitcopy", "crisis.simulation")
        register_stage(Stage(
            key="crisis", order=650, label=_("Crisis day"), capability="crisis.view",
            description=_("Activate the plans, follow the crisis live, keep the offline kit and its copies up to "
                          "date, simulate « what if »."),
            links=(
                NavLink(_("Crises"), "crisis:list", "crisis.view"),
                NavLink(_("Offline kit and copies"), "crisis:register", "crisis.view"),
                NavLink(_("What if"), "crisis:simulation", "crisis.change"),
            ),
            progress=checks.journey_progress,
        ))
