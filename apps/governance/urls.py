"""Governance pages; included under ``/o/<org_slug>/gouvernance/`` by ``resilis.urls``."""

from django.urls import path

from apps.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("organisation/", views.OrganisationStepView.as_view(), name="step-organisation"),
    path("equipe/", views.MembersStepView.as_view(), name="step-members"),
    path("equipe/nouveau/", views.MemberCreateView.as_view(), name="member-create"),
    path("equipe/<int:pk>/", views.MemberUpdateView.as_view(), name="member-update"),
    path("equipe/<int:pk>/supprimer/", views.MemberDeleteView.as_view(), name="member-delete"),
    path("cellule-de-crise/", views.CrisisCellView.as_view(), name="crisis-cell"),
    path("cellule-de-crise/roles-usuels/", views.CrisisRolesStandardView.as_view(), name="crisis-roles-standard"),
    path("cellule-de-crise/roles/nouveau/", views.RoleCreateView.as_view(), name="role-create"),
    path("cellule-de-crise/roles/<int:pk>/", views.RoleUpdateView.as_view(), name="role-update"),
    path("cellule-de-crise/roles/<int:pk>/supprimer/", views.RoleDeleteView.as_view(), name="role-delete"),
    path("cellule-de-crise/roles/<int:pk>/designer/", views.AssignmentCreateView.as_view(), name="assignment-create"),
    path("cellule-de-crise/designations/<int:pk>/", views.AssignmentUpdateView.as_view(), name="assignment-update"),
    path("cellule-de-crise/designations/<int:pk>/supprimer/", views.AssignmentDeleteView.as_view(),
         name="assignment-delete"),
    path("logistique/", views.LogisticsStepView.as_view(), name="step-logistics"),
    path("signalement/", views.SignalementStepView.as_view(), name="step-signalement"),
    path("signalement/nouveau/", views.DutyCreateView.as_view(), name="duty-create"),
    path("signalement/<int:pk>/", views.DutyUpdateView.as_view(), name="duty-update"),
    path("signalement/<int:pk>/supprimer/", views.DutyDeleteView.as_view(), name="duty-delete"),
    path("documents/", views.DocumentsStepView.as_view(), name="step-documents"),
    path("copil/", views.MeetingListView.as_view(), name="meetings"),
    path("copil/nouvelle/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("copil/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("copil/<int:pk>/modifier/", views.MeetingUpdateView.as_view(), name="meeting-update"),
    path("copil/<int:pk>/supprimer/", views.MeetingDeleteView.as_view(), name="meeting-delete"),
    path("copil/<int:pk>/decisions/nouvelle/", views.DecisionCreateView.as_view(), name="decision-create"),
    path("decisions/<int:pk>/", views.DecisionUpdateView.as_view(), name="decision-update"),
    path("decisions/<int:pk>/supprimer/", views.DecisionDeleteView.as_view(), name="decision-delete"),
    path("priorites/", views.PrioritiesStepView.as_view(), name="step-priorities"),
    path("approuver/", views.ApproveView.as_view(), name="approve"),
]
