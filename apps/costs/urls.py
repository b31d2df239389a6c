"""Expense lines; included under ``/o/<org_slug>/couts/`` by ``resilis.urls``."""

from django.urls import path

from apps.costs import views

app_name = "costs"

urlpatterns = [
    path("", views.CostListView.as_view(), name="list"),
    path("totaux/", views.CostTotalsView.as_view(), name="totals"),
    path("nouvelle/", views.CostCreateView.as_view(), name="create"),
    path("classeur/", views.CostWorkbookRequestView.as_view(), name="workbook"),
    path("<int:pk>/modifier/", views.CostUpdateView.as_view(), name="update"),
    path("<int:pk>/supprimer/", views.CostDeleteView.as_view(), name="delete"),
    path("<int:pk>/facture/", views.CostProofView.as_view(), name="proof"),
    path("<int:pk>/lettre-de-mission/", views.CostProofView.as_view(), {"which": "lettre"}, name="mission-letter"),
]
