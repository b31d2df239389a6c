"""Crisis day pages; included under ``/o/<org_slug>/crise/`` by ``resilis.urls``."""

from django.urls import path

from apps.crisis import views

app_name = "crisis"

urlpatterns = [
    path("", views.CrisisListView.as_view(), name="list"),
    path("declencher/", views.ActivateView.as_view(), name="activate"),
    path("kit/", views.KitView.as_view(), name="register"),
    path("kit/hors-ligne/", views.OfflineKitView.as_view(), name="kit-offline"),
    path("kit/sw.js", views.KitServiceWorkerView.as_view(), name="kit-sw"),
    path("kit/<int:pk>/", views.KitCopyDownloadView.as_view(), name="kit-download"),
    path("kit/<int:pk>/<slug:state>/", views.KitCopyStateView.as_view(), name="kit-state"),
    path("et-si/", views.SimulationView.as_view(), name="simulation"),
    path("et-si/<int:pk>/", views.SimulationDetailView.as_view(), name="simulation-detail"),
    path("<int:pk>/", views.LiveView.as_view(), name="live"),
    path("<int:pk>/panneau/", views.LivePanelView.as_view(), name="live-panel"),
    path("<int:pk>/main-courante/", views.LogEntryCreateView.as_view(), name="log-add"),
    path("<int:pk>/main-courante/entrees/", views.LogEntriesView.as_view(), name="log-entries"),
    path("<int:pk>/mode-degrade/<int:activity>/", views.DegradedView.as_view(), name="degraded"),
    path("<int:pk>/fiche/<int:sheet>/<int:line>/", views.ReflexTickView.as_view(), name="reflex-tick"),
    path("<int:pk>/reprise/<int:item>/", views.RecoveryAdvanceView.as_view(), name="recovery-advance"),
    path("<int:pk>/signalement/<int:item>/", views.SignalementView.as_view(), name="signalement"),
    path("<int:pk>/cloture/", views.CloseView.as_view(), name="close"),
    path("<int:pk>/rapport/", views.ReportView.as_view(), name="report"),
]
