"""Business impact analysis pages; included under ``/o/<org_slug>/bia/`` by ``resilis.urls``."""

from django.urls import path

from apps.bia.views import activities, analysis, catalogue, questionnaire, resources, scales, workbook

app_name = "bia"

urlpatterns = [
    path("", activities.ActivityListView.as_view(), name="activities"),
    path("campagne/relancer/", activities.CampaignRemindView.as_view(), name="campaign-remind"),
    path("campagne/", activities.CampaignView.as_view(), name="campaign"),
    path("campagne/echeance/", activities.CampaignDeadlineView.as_view(), name="campaign-deadline"),
    path("mes-activites/", activities.MyActivitiesView.as_view(), name="my-activities"),
    path("activites/nouvelle/", activities.ActivityCreateView.as_view(), name="activity-create"),
    path("activites/<int:pk>/", activities.ActivityDetailView.as_view(), name="activity-detail"),
    path("activites/<int:pk>/modifier/", activities.ActivityUpdateView.as_view(), name="activity-update"),
    path("activites/<int:pk>/supprimer/", activities.ActivityDeleteView.as_view(), name="activity-delete"),
    path("activites/<int:pk>/revue/", activities.ActivityReviewView.as_view(), name="activity-review"),
    path("activites/<int:pk>/questionnaire/<int:step>/", questionnaire.QuestionnaireView.as_view(),
         name="questionnaire"),
    path("ressources/recherche/", questionnaire.ResourceSearchView.as_view(), name="resource-search"),
    path("activites/recherche/", questionnaire.ActivitySearchView.as_view(), name="activity-search"),
    path("ressources/", resources.ResourceListView.as_view(), name="resources"),
    path("ressources/nouvelle/", resources.ResourceCreateView.as_view(), name="resource-create"),
    path("ressources/<int:pk>/", resources.ResourceDetailView.as_view(), name="resource-detail"),
    path("ressources/<int:pk>/modifier/", resources.ResourceUpdateView.as_view(), name="resource-update"),
    path("ressources/<int:pk>/supprimer/", resources.ResourceDeleteView.as_view(), name="resource-delete"),
    path("ressources/<int:pk>/dependances/", resources.ResourceDependencyAddView.as_view(), name="resource-dependency-add"),
    path("dependances/<int:pk>/supprimer/", resources.ResourceDependencyRemoveView.as_view(),
         name="resource-dependency-remove"),
    path("catalogue/", catalogue.CatalogueView.as_view(), name="catalogue"),
    path("classeur/", workbook.WorkbookView.as_view(), name="workbook"),
    path("classeur/telecharger/", workbook.WorkbookDownloadView.as_view(), name="workbook-download"),
    path("classeur/appliquer/", workbook.WorkbookApplyView.as_view(), name="workbook-apply"),
    path("ecarts/", analysis.GapListView.as_view(), name="gaps"),
    path("cartographie/", analysis.MapView.as_view(), name="map"),
    path("cartographie/donnees/", analysis.MapDataView.as_view(), name="map-data"),
    path("matrice/", analysis.MatrixView.as_view(), name="matrix"),
    path("echelles/", scales.ScalesView.as_view(), name="scales"),
    path("echelles/criteres/<int:pk>/", scales.CriterionUpdateView.as_view(), name="criterion-update"),
    path("echelles/horizons/", scales.HorizonCreateView.as_view(), name="horizon-create"),
    path("echelles/horizons/<int:pk>/supprimer/", scales.HorizonDeleteView.as_view(), name="horizon-delete"),
]
