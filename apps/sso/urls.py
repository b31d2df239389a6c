"""Identity provider settings; included under ``/o/<org_slug>/sso/`` by ``resilis.urls``."""

from django.urls import path

from apps.sso import views

app_name = "sso"

urlpatterns = [
    path("", views.ProviderListView.as_view(), name="providers"),
    path("<int:pk>/", views.ProviderUpdateView.as_view(), name="provider-update"),
]
