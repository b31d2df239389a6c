from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "apps.exports"
    label = "exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        # Each app contributes its dossier sections and workbook sheets in ``apps/<app>/exports.py``.
        autodiscover_modules("exports")
        from apps.exports import sections  # noqa: F401 - the foundation's own sections

        register_history("exports.exportjob")
        # A job deleted for good takes its stored file with it.
        from django.db.models.signals import post_delete

        from apps.exports.services import export_file_forget

        post_delete.connect(export_file_forget, sender="exports.ExportJob", dispatch_uid="export-file-forget")
        register_stage(Stage(
            key="dossier", order=900, label=_("CaRE dossier"), capability="exports.view",
            links=(NavLink(_("Exports"), "exports:list", "exports.view"),),
            description=_("The PDF dossier and the XLSX workbook to file on the CaRE platform."),
        ))
