"""API token pages; included under ``/o/<org_slug>/api/`` by ``resilis.urls`` (namespace ``apitokens``)."""

from django.urls import path

from apps.api import pages

app_name = "apitokens"

urlpatterns = [
    path("jetons/", pages.TokenListView.as_view(), name="tokens"),
    path("jetons/nouveau/", pages.TokenCreateView.as_view(), name="token-create"),
    path("jetons/<int:pk>/revoquer/", pages.TokenRevokeView.as_view(), name="token-revoke"),
]
