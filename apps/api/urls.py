"""The REST API under ``/api/``: the OpenAPI schema, its Swagger UI page, and ``v1`` per organization.

No Redoc page: drf-spectacular's Redoc template loads Google Fonts and Redoc injects inline styles, both
refused by the site's Content-Security-Policy; Swagger UI runs under it unchanged (``apps.api.docs``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from apps.api import views
from apps.api.docs import SwaggerView

app_name = "api"

org = [
    path("establishments/", views.EstablishmentList.as_view(), name="establishments"),
    path("sites/", views.SiteList.as_view(), name="sites"),
    path("activities/", views.ActivityList.as_view(), name="activities"),
    path("activities/<int:pk>/", views.ActivityDetail.as_view(), name="activity"),
    path("resources/", views.ResourceList.as_view(), name="resources"),
    path("resources/<int:pk>/", views.ResourceDetail.as_view(), name="resource"),
    path("activity-dependencies/", views.ActivityDependencyList.as_view(), name="activity-dependencies"),
    path("resource-dependencies/", views.ResourceDependencyList.as_view(), name="resource-dependencies"),
    path("gaps/", views.GapList.as_view(), name="gaps"),
    path("plans/", views.PlanVersionList.as_view(), name="plans"),
    path("backup-controls/", views.BackupControlList.as_view(), name="backup-controls"),
    path("restore-tests/", views.RestoreTestList.as_view(), name="restore-tests"),
    path("backup-jobs/", views.BackupJobList.as_view(), name="backup-jobs"),
    path("actions/", views.ActionList.as_view(), name="actions"),
    path("actions/<int:pk>/", views.ActionDetail.as_view(), name="action"),
    path("exercises/", views.ExerciseList.as_view(), name="exercises"),
    path("requirements/", views.RequirementStatusList.as_view(), name="requirements"),
]

urlpatterns = [
    path("", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/o/<slug:organization_slug>/", include(org)),
]
