"""Identity provider settings; included under ``/o/<org_slug>/sso/`` by ``resilis.urls``."""

from django.urls import path

from apps.sso import views

app_name = "sso"

urlpatterns = [
    path("", views.ProviderListView.as_view(), name="providers"),
    path("saml/", views.SamlProviderCreateView.as_view(), name="saml-create"),
    path("<int:pk>/", views.ProviderUpdateView.as_view(), name="provider-update"),
    path("<int:pk>/metadata.xml", views.SamlMetadataView.as_view(), name="saml-metadata"),
]
