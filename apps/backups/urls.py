"""Backups pages; included under ``/o/<org_slug>/sauvegardes/`` by ``resilis.urls``."""

from django.urls import path

from apps.backups import views

app_name = "backups"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("systemes/<int:pk>/", views.ControlFormView.as_view(), name="control"),
    path("politique/", views.PolicyView.as_view(), name="policy"),
    path("trajectoires/", views.TrajectoryListView.as_view(), name="trajectories"),
    path("trajectoires/nouvelle/", views.TrajectoryCreateView.as_view(), name="trajectory-create"),
    path("trajectoires/<int:pk>/", views.TrajectoryUpdateView.as_view(), name="trajectory-update"),
    path("trajectoires/<int:pk>/supprimer/", views.TrajectoryDeleteView.as_view(), name="trajectory-delete"),
    path("trajectoires/<int:pk>/jalons/", views.MilestoneCreateView.as_view(), name="milestone-create"),
    path("jalons/<int:pk>/", views.MilestoneUpdateView.as_view(), name="milestone-update"),
    path("jalons/<int:pk>/supprimer/", views.MilestoneDeleteView.as_view(), name="milestone-delete"),
    path("supervision/", views.SupervisionView.as_view(), name="supervision"),
    path("tests/", views.RestoreTestListView.as_view(), name="tests"),
    path("tests/nouveau/", views.RestoreTestCreateView.as_view(), name="test-create"),
    path("tests/<int:pk>/", views.RestoreTestUpdateView.as_view(), name="test-update"),
    path("tests/<int:pk>/supprimer/", views.RestoreTestDeleteView.as_view(), name="test-delete"),
]
