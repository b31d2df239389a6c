from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    label = "compliance"
    verbose_name = _("CaRE compliance")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from apps.compliance.portfolio import drop_summary_on_change
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        register_history("compliance.evidence")
        register_stage(Stage(
            key="compliance", order=850, label=_("CaRE compliance"), capability="compliance.view",
            links=(
                NavLink(_("CaRE requirements"), "compliance:requirements", "compliance.view"),
                NavLink(_("Evidence files"), "compliance:evidence-list", "evidence.view"),
            ),
        ))
        # Any saved or deleted tenant row drops its organization's portfolio summary.
        post_save.connect(drop_summary_on_change, dispatch_uid="portfolio-drop-on-save")
        post_delete.connect(drop_summary_on_change, dispatch_uid="portfolio-drop-on-delete")
        # A row deleted for good takes its stored file with it.
        from apps.compliance.services import evidence_file_forget

        post_delete.connect(evidence_file_forget, sender="compliance.Evidence", dispatch_uid="evidence-file-forget")
