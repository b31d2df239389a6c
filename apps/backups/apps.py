from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "apps.backups"
    label = "backups"
    verbose_name = _("Backups")

    def ready(self) -> None:
        from apps.actions.sources import register_source
        from apps.backups import (
            checks,  # noqa: F401 - registers the CaRE checks
            deletion,
            feed,
        )
        from apps.core.deletion import register_guard
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        register_guard("bia.resource", deletion.resource_guard)
        register_source("backup_alert", feed.alert_source)

        register_history("backups.backuppolicy", "backups.backupcontrol", "backups.trajectory", "backups.milestone",
            "backups.restoretest", "backups.backupalert")
        register_stage(Stage(
            key="backups", order=500, label=_("Backups and restoration"), capability="backups.view",
            description=_("Backup controls of the critical systems, isolation and 3-2-1 trajectories, "
                          "restoration tests."),
            links=(
                NavLink(_("Systems"), "backups:overview", "backups.view"),
                NavLink(_("Trajectories"), "backups:trajectories", "backups.view"),
                NavLink(_("Restoration tests"), "backups:tests", "backups.view"),
                NavLink(_("Job supervision"), "backups:supervision", "backups.view"),
                NavLink(_("Policy"), "backups:policy", "backups.view"),
            ),
            progress=checks.backups_progress,
        ))
