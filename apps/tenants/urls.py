"""Tenant pages; included under ``/o/<org_slug>/`` by ``resilis.urls``."""

from django.urls import path

from apps.tenants import views

app_name = "tenants"

urlpatterns = [
    path("", views.OrganizationHomeView.as_view(), name="home"),
    path("parametres/", views.OrganizationSettingsView.as_view(), name="settings"),
    path("etablissements/", views.EstablishmentListView.as_view(), name="establishments"),
    path("etablissements/nouveau/", views.EstablishmentCreateView.as_view(), name="establishment-create"),
    path("etablissements/<int:pk>/", views.EstablishmentUpdateView.as_view(), name="establishment-update"),
    path("sites/nouveau/", views.SiteCreateView.as_view(), name="site-create"),
    path("sites/<int:pk>/", views.SiteUpdateView.as_view(), name="site-update"),
    path("membres/", views.MemberListView.as_view(), name="members"),
    path("membres/inviter/", views.InvitationCreateView.as_view(), name="invite"),
    path("membres/<int:pk>/", views.MemberUpdateView.as_view(), name="member-update"),
    path("membres/<int:pk>/retirer/", views.MemberRemoveView.as_view(), name="member-remove"),
    path("invitations/<int:pk>/revoquer/", views.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path("journal/", views.AuditLogView.as_view(), name="audit"),
    path("historique/<str:model>/<int:pk>/", views.ObjectHistoryView.as_view(), name="history"),
]
