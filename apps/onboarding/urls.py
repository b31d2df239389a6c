"""Tenant pages of the onboarding app; included under ``/o/<org_slug>/modeles/`` by ``resilis.urls``."""

from django.urls import path

from apps.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("copier/", views.TemplateCopyView.as_view(), name="copy"),
]
