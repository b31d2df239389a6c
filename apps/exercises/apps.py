from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    name = "apps.exercises"
    label = "exercises"
    verbose_name = _("Exercises and tests")

    def ready(self) -> None:
        from apps.core.deletion import register_guard
        from apps.core.history import register_history
        from apps.core.navigation import NavLink, Stage, register_stage
        from apps.exercises import (
            checks,  # registers the D2.O1.D checks (exports.py is autodiscovered)
            deletion,
            kits,  # registers the exercise kits with the export worker
        )
        from apps.exercises.services import actions_installed as services_actions_installed
        from apps.exercises.services import stimulus_library_ensure
        from apps.tenants.defaults import register_defaults

        del kits
        if services_actions_installed():
            from apps.exercises import action_source

            action_source.register()  # RETEX findings become a source of the action plan
        register_defaults(stimulus_library_ensure)
        register_guard("bia.activity", deletion.activity_guard)
        register_guard("bia.resource", deletion.resource_guard)
        register_history(
            "exercises.exercise", "exercises.exerciseplanversion", "exercises.exerciseactivity",
            "exercises.exerciseestablishment", "exercises.exercisesite", "exercises.objective",
            "exercises.participant", "exercises.stimulus", "exercises.stimulustemplate", "exercises.exerciselogentry",
            "exercises.retex", "exercises.finding", "exercises.scheduledtest")
        register_stage(Stage(
            key="exercises", order=600, label=_("Tests and exercises"), capability="org.view",
            description=_("Test a PCA in a field exercise (chronogramme, main courante, RETEX, findings) and keep "
                          "the schedule of the other tests (D2.O1.D)."),
            links=(
                NavLink(_("Exercises"), "exercises:list", "exercises.view"),
                NavLink(_("Test schedule"), "exercises:schedule", "exercises.view"),
                NavLink(_("Stimulus library"), "exercises:library", "exercises.view"),
            ),
            progress=checks.journey_progress,
        ))
