from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationConfig(AppConfig):
    name = "apps.declaration"
    label = "declaration"
    verbose_name = _("Declaration")

    def ready(self) -> None:
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        register_history("declaration.declarationversion")
        # Navigation only (``apps.compliance.journey.NOT_JOURNEY``).
        register_stage(Stage(
            key="declaration", order=950, label=_("Declaration"), capability="compliance.view",
            description=_("The direction reviews what is met and signs the declaration of objectives reached."),
            links=(NavLink(_("Declaration"), "declaration:page", "compliance.view"),),
        ))
