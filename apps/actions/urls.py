"""Action plan pages; included under ``/o/<org_slug>/actions/`` by ``resilis.urls``."""

from django.urls import path

from apps.actions import views

app_name = "actions"

urlpatterns = [
    path("", views.ActionListView.as_view(), name="list"),
    path("mes-actions/", views.MyActionsView.as_view(), name="mine"),
    path("direction/", views.DirectionView.as_view(), name="direction"),
    path("nouvelle/", views.ActionCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="detail"),
    path("<int:pk>/modifier/", views.ActionUpdateView.as_view(), name="update"),
    path("<int:pk>/suivi/", views.ActionFollowView.as_view(), name="follow"),
    path("<int:pk>/preuve/", views.ProofDownloadView.as_view(), name="proof"),
]
