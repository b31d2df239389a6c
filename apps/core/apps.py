from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from apps.core import renderer  # noqa: F401 - registers the mirrored templates' system check
        from apps.core.tenancy import install_write_guard

        install_write_guard()
