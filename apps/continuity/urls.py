"""Continuity plans pages; included under ``/o/<org_slug>/plans/`` by ``resilis.urls``."""

from django.urls import path

from apps.continuity import views

app_name = "continuity"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plans"),
    path("nouveau/", views.PlanCreateView.as_view(), name="plan-create"),
    path("couverture/", views.CoverageView.as_view(), name="coverage"),
    path("scenarios/", views.ScenarioListView.as_view(), name="scenarios"),
    path("scenarios/<int:pk>/", views.ScenarioUpdateView.as_view(), name="scenario-update"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("<int:pk>/etapes/<int:step>/", views.PlanStepView.as_view(), name="plan-step"),
    path("<int:pk>/modes-degrades/<int:item>/", views.DegradedModeUpdateView.as_view(), name="degraded-mode-update"),
    path("<int:pk>/fiches-reflexes/<int:item>/", views.ReflexSheetUpdateView.as_view(), name="reflex-sheet-update"),
    path("<int:pk>/supprimer/<slug:kind>/<int:item>/", views.ItemDeleteView.as_view(), name="item-delete"),
    path("<int:pk>/reprise/<int:item>/", views.RecoveryMoveView.as_view(), name="recovery-move"),
    path("<int:pk>/decision/<slug:decision>/", views.PlanDecisionView.as_view(), name="plan-decision"),
    path("<int:pk>/approbateur/", views.ApproverView.as_view(), name="approver"),
    path("<int:pk>/comparer/", views.CompareView.as_view(), name="compare"),
    path("<int:pk>/imprimer/", views.PrintView.as_view(), name="print"),
]
