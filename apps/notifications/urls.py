"""Notification pages; included under ``/o/<org_slug>/notifications/`` by ``resilis.urls``."""

from django.urls import path

from apps.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("cloche/", views.BellView.as_view(), name="bell"),
    path("lues/", views.MarkReadView.as_view(), name="mark-read"),
    path("preferences/", views.PreferenceView.as_view(), name="preferences"),
]
