from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "apps.actions"
    label = "actions"
    verbose_name = _("Action plan")

    def ready(self) -> None:
        from apps.actions import sources  # noqa: F401 - registers the source kinds (exports.py is autodiscovered)
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage

        register_history("actions.action", "actions.actionestablishment", "actions.actionnote")
        # Navigation only (``apps.compliance.journey.NOT_JOURNEY``): each stage of the journey shows its own
        # open actions instead.
        register_stage(Stage(
            key="actions", order=700, label=_("Action plan"), capability="actions.mine",
            description=_("What must be done, from every source, who carries it and by when, followed to closure."),
            links=(
                NavLink(_("Action plan"), "actions:list", "actions.view"),
                NavLink(_("My actions"), "actions:mine", "actions.mine"),
                NavLink(_("Direction view"), "actions:direction", "actions.view"),
            ),
        ))
