"""The external reviewer's pages (``apps.declaration.models.ReviewerGrant``); included under ``/relecture/`` by
``resilis.urls``, outside the member pages: no ``org_slug``, the access in the URL is checked against the account."""

from django.urls import path

from apps.declaration import views

app_name = "review"

urlpatterns = [
    path("", views.ReviewerHomeView.as_view(), name="home"),
    path("invitation/<str:token>/", views.ReviewerAcceptView.as_view(), name="accept"),
    path("<int:grant>/", views.ReviewerDeclarationView.as_view(), name="declaration"),
    path("<int:grant>/v<int:pk>/<slug:key>/", views.ReviewerFileView.as_view(), name="file"),
]
