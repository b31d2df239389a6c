from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "apps.costs"
    label = "costs"
    verbose_name = _("Costs")

    def ready(self) -> None:
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        register_history("costs.costline")
        # Navigation only (``apps.compliance.journey.NOT_JOURNEY``): the costs are part of the dossier.
        register_stage(Stage(
            key="costs", order=880, label=_("Costs"), capability="compliance.view",
            description=_("The real costs engaged for the CaRE objectives, with their invoices."),
            links=(
                NavLink(_("Expense lines"), "costs:list", "compliance.view"),
                NavLink(_("Cost totals"), "costs:totals", "compliance.view"),
            ),
        ))
