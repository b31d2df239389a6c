"""Exports pages; included under ``/o/<org_slug>/`` by ``resilis.urls``."""

from django.urls import path

from apps.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.ExportListView.as_view(), name="list"),
    path("demander/", views.ExportRequestView.as_view(), name="request"),
    path("<uuid:pk>/etat/", views.ExportStatusView.as_view(), name="status"),
    path("<uuid:pk>/relancer/", views.ExportRetryView.as_view(), name="retry"),
    path("<uuid:pk>/telecharger/", views.ExportDownloadView.as_view(), name="download"),
]
