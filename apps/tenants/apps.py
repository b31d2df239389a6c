from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "apps.tenants"
    label = "tenants"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from apps.core.navigation import NavLink, Stage, register_stage

        register_stage(Stage(
            key="home", order=0, label=_("Home"), capability="org.view",
            links=(NavLink(_("CaRE journey"), "tenants:home", "org.view"),),
        ))
        register_stage(Stage(
            key="organization", order=100, label=_("Organization"), capability="org.view",
            links=(
                NavLink(_("Establishments and sites"), "tenants:establishments", "org.view"),
                NavLink(_("Members"), "tenants:members", "org.manage"),
                NavLink(_("Activity log"), "tenants:audit", "audit.view"),
                NavLink(_("Settings"), "tenants:settings", "org.manage"),
                NavLink(_("Copy from another client"), "onboarding:copy", "templates.copy"),
            ),
        ))
