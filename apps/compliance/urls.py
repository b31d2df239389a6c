"""CaRE compliance pages; included under ``/o/<org_slug>/`` by ``resilis.urls``."""

from django.urls import path

from apps.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.RequirementListView.as_view(), name="requirements"),
    path("pieces/", views.EvidenceListView.as_view(), name="evidence-list"),
    path("pieces/ajouter/", views.EvidenceUploadView.as_view(), name="evidence-upload"),
    path("pieces/<int:pk>/", views.EvidenceUpdateView.as_view(), name="evidence-update"),
    path("pieces/<int:pk>/telecharger/", views.EvidenceDownloadView.as_view(), name="evidence-download"),
    path("pieces/<int:pk>/supprimer/", views.EvidenceDeleteView.as_view(), name="evidence-delete"),
]
