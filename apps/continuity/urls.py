"""Continuity plans pages; included under ``/o/<org_slug>/`` by ``resilis.urls``."""

from django.urls import path  # noqa: F401

app_name = "continuity"

urlpatterns: list = []
