from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "apps.workspace"
    label = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from apps.workspace import queue

        queue.register_builtin_sources()
