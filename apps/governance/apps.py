from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "apps.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage
        from apps.governance import checks  # noqa: F401 - registers the CaRE completeness checks

        register_history("governance.governanceprofile", "governance.governancemember", "governance.copilmeeting",
            "governance.decision", "governance.crisisrole", "governance.crisisassignment",
            "governance.reportingduty")
        register_stage(Stage(
            key="governance", order=200, label=_("Organisation and governance"), capability="governance.view",
            description=_("Project organisation, COPIL, cellule de crise, reporting duties, PSSI and plan blanc."),
            links=(
                NavLink(_("Governance overview"), "governance:overview", "governance.view"),
                NavLink(_("Cellule de crise"), "governance:crisis-cell", "governance.view"),
                NavLink(_("COPIL meetings"), "governance:meetings", "governance.view"),
            ),
            progress=checks.governance_progress,
        ))
