"""Exercise pages; included under ``/o/<org_slug>/exercices/`` by ``resilis.urls``."""

from django.urls import path

from apps.exercises.views import chronogramme, planning, retex, run, schedule

app_name = "exercises"

urlpatterns = [
    path("", planning.ExerciseListView.as_view(), name="list"),
    path("nouveau/", planning.ExerciseCreateView.as_view(), name="create"),
    path("planning/", schedule.ScheduleView.as_view(), name="schedule"),
    path("planning/<int:plan>/", schedule.ScheduleFormView.as_view(), name="schedule-update"),
    path("bibliotheque/", chronogramme.LibraryView.as_view(), name="library"),
    path("bibliotheque/nouveau/", chronogramme.TemplateFormView.as_view(), name="template-create"),
    path("bibliotheque/recharger/", chronogramme.LibraryReloadView.as_view(), name="library-reload"),
    path("bibliotheque/<int:pk>/", chronogramme.TemplateUpdateView.as_view(), name="template-update"),
    path("bibliotheque/<int:pk>/supprimer/", chronogramme.TemplateDeleteView.as_view(), name="template-delete"),
    path("<int:pk>/", planning.ExerciseDetailView.as_view(), name="detail"),
    path("<int:pk>/modifier/", planning.ExerciseUpdateView.as_view(), name="update"),
    path("<int:pk>/annuler/", planning.ExerciseCancelView.as_view(), name="cancel"),
    path("<int:pk>/deroulement/", planning.RecordRunView.as_view(), name="record-run"),
    path("<int:pk>/objectifs/nouveau/", planning.ObjectiveFormView.as_view(), name="objective-create"),
    path("<int:pk>/objectifs/<int:item>/", planning.ObjectiveFormView.as_view(), name="objective-update"),
    path("<int:pk>/objectifs/<int:item>/supprimer/", planning.ObjectiveDeleteView.as_view(), name="objective-delete"),
    path("<int:pk>/objectifs/<int:item>/mesure/", run.MeasureView.as_view(), name="objective-measure"),
    path("<int:pk>/participants/nouveau/", planning.ParticipantFormView.as_view(), name="participant-create"),
    path("<int:pk>/participants/<int:item>/", planning.ParticipantFormView.as_view(), name="participant-update"),
    path("<int:pk>/participants/<int:item>/supprimer/", planning.ParticipantDeleteView.as_view(),
         name="participant-delete"),
    path("<int:pk>/kits/", planning.KitJobsView.as_view(), name="kits"),
    path("<int:pk>/kits/<slug:kit>/", planning.KitRequestView.as_view(), name="kit-request"),
    path("<int:pk>/chronogramme/", chronogramme.ChronogrammeView.as_view(), name="chronogramme"),
    path("<int:pk>/chronogramme/nouveau/", chronogramme.StimulusFormView.as_view(), name="stimulus-create"),
    path("<int:pk>/chronogramme/bibliotheque/", chronogramme.StimuliImportView.as_view(), name="stimuli-import"),
    path("<int:pk>/chronogramme/<int:item>/", chronogramme.StimulusFormView.as_view(), name="stimulus-update"),
    path("<int:pk>/chronogramme/<int:item>/supprimer/", chronogramme.StimulusDeleteView.as_view(),
         name="stimulus-delete"),
    path("<int:pk>/chronogramme/<int:item>/envoye/", run.StimulusSentView.as_view(), name="stimulus-sent"),
    path("<int:pk>/direct/", run.LiveView.as_view(), name="live"),
    path("<int:pk>/direct/panneau/", run.LivePanelView.as_view(), name="live-panel"),
    path("<int:pk>/direct/debex/", run.StartView.as_view(), name="start"),
    path("<int:pk>/direct/finex/", run.FinishView.as_view(), name="finish"),
    path("<int:pk>/main-courante/", run.LogEntryCreateView.as_view(), name="log-add"),
    path("<int:pk>/main-courante/entrees/", run.LogEntriesView.as_view(), name="log-entries"),
    path("<int:pk>/retex/", retex.RetexView.as_view(), name="retex"),
    path("<int:pk>/retex/envoyer/", retex.RetexSubmitView.as_view(), name="retex-submit"),
    path("<int:pk>/retex/decision/<slug:decision>/", retex.RetexDecisionView.as_view(), name="retex-decision"),
    path("<int:pk>/constats/nouveau/", retex.FindingFormView.as_view(), name="finding-create"),
    path("<int:pk>/constats/<int:item>/", retex.FindingFormView.as_view(), name="finding-update"),
    path("<int:pk>/constats/<int:item>/supprimer/", retex.FindingDeleteView.as_view(), name="finding-delete"),
    path("<int:pk>/constats/<int:item>/action/", retex.FindingActionView.as_view(), name="finding-action"),
]
