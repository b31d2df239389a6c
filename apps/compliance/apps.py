from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    label = "compliance"
    verbose_name = _("CaRE compliance")

    def ready(self) -> None:
        from apps.core.navigation import NavLink, Stage, register_stage
        from apps.tenants.views import HISTORY_MODELS

        HISTORY_MODELS.update({"compliance.evidence"})
        register_stage(Stage(
            key="compliance", order=850, label=_("CaRE compliance"), capability="compliance.view",
            links=(
                NavLink(_("CaRE requirements"), "compliance:requirements", "compliance.view"),
                NavLink(_("Evidence files"), "compliance:evidence-list", "evidence.view"),
            ),
        ))
