"""The declaration; included under ``/o/<org_slug>/declaration/`` by ``resilis.urls``."""

from django.urls import path

from apps.declaration import views

app_name = "declaration"

urlpatterns = [
    path("", views.DeclarationPageView.as_view(), name="page"),
    path("dossier-complet/", views.BundleRequestView.as_view(), name="bundle"),
    path("signer/", views.DeclarationSignView.as_view(), name="sign"),
    path("<int:pk>/fichier/<slug:key>/", views.DeclarationFileView.as_view(), name="file"),
    path("relecteurs/", views.ReviewerListView.as_view(), name="reviewers"),
    path("relecteurs/<int:pk>/revoquer/", views.ReviewerRevokeView.as_view(), name="reviewer-revoke"),
]
