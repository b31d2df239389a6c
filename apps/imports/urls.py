"""Import pages; included under ``/o/<org_slug>/imports/`` by ``resilis.urls``."""

from django.urls import path

from apps.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportStartView.as_view(), name="start"),
    path("<uuid:pk>/colonnes/", views.ImportMappingView.as_view(), name="mapping"),
    path("<uuid:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("<uuid:pk>/appliquer/", views.ImportApplyView.as_view(), name="apply"),
]
