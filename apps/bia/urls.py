"""Business impact analysis pages; included under ``/o/<org_slug>/bia/`` by ``resilis.urls``."""

from django.urls import path

from apps.bia import views

app_name = "bia"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activities"),
    path("campagne/relancer/", views.CampaignRemindView.as_view(), name="campaign-remind"),
    path("mes-activites/", views.MyActivitiesView.as_view(), name="my-activities"),
    path("activites/nouvelle/", views.ActivityCreateView.as_view(), name="activity-create"),
    path("activites/<int:pk>/", views.ActivityDetailView.as_view(), name="activity-detail"),
    path("activites/<int:pk>/modifier/", views.ActivityUpdateView.as_view(), name="activity-update"),
    path("activites/<int:pk>/supprimer/", views.ActivityDeleteView.as_view(), name="activity-delete"),
    path("activites/<int:pk>/revue/", views.ActivityReviewView.as_view(), name="activity-review"),
    path("activites/<int:pk>/questionnaire/<int:step>/", views.QuestionnaireView.as_view(), name="questionnaire"),
    path("ressources/", views.ResourceListView.as_view(), name="resources"),
    path("ressources/nouvelle/", views.ResourceCreateView.as_view(), name="resource-create"),
    path("ressources/<int:pk>/", views.ResourceDetailView.as_view(), name="resource-detail"),
    path("ressources/<int:pk>/modifier/", views.ResourceUpdateView.as_view(), name="resource-update"),
    path("ressources/<int:pk>/supprimer/", views.ResourceDeleteView.as_view(), name="resource-delete"),
    path("ressources/<int:pk>/dependances/", views.ResourceDependencyAddView.as_view(), name="resource-dependency-add"),
    path("dependances/<int:pk>/supprimer/", views.ResourceDependencyRemoveView.as_view(),
         name="resource-dependency-remove"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("classeur/", views.WorkbookView.as_view(), name="workbook"),
    path("classeur/telecharger/", views.WorkbookDownloadView.as_view(), name="workbook-download"),
    path("classeur/appliquer/", views.WorkbookApplyView.as_view(), name="workbook-apply"),
    path("ecarts/", views.GapListView.as_view(), name="gaps"),
    path("cartographie/", views.MapView.as_view(), name="map"),
    path("cartographie/donnees/", views.MapDataView.as_view(), name="map-data"),
    path("matrice/", views.MatrixView.as_view(), name="matrix"),
    path("echelles/", views.ScalesView.as_view(), name="scales"),
    path("echelles/criteres/<int:pk>/", views.CriterionUpdateView.as_view(), name="criterion-update"),
    path("echelles/horizons/", views.HorizonCreateView.as_view(), name="horizon-create"),
    path("echelles/horizons/<int:pk>/supprimer/", views.HorizonDeleteView.as_view(), name="horizon-delete"),
]
