from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from apps.accounts.views import ProfileView
from apps.compliance.views import PortfolioPrepareView, PortfolioView
from apps.core.views_health import health
from apps.onboarding.views import OrganizationOnboardView
from apps.sso.views import DiscoverView as SsoDiscoverView
from apps.sso.views import saml_single_logout_refused
from apps.tenants.models import Establishment, Membership, Organization, Site
from apps.tenants.views import InvitationAcceptView
from resilis.admin import OrganizationAdmin, ResilisAdminSite

admin_site = ResilisAdminSite(name="admin")


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's « page not found », and JSON under /api/ (an address no API route matches)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
admin_site.register(Organization, OrganizationAdmin)
for model in (get_user_model(), Establishment, Site, Membership):
    admin_site.register(model)

# Each app's tenant pages, mounted under /o/<org_slug>/<prefix>.
TENANT_APPS = [
    ("", "apps.tenants.urls"),
    ("gouvernance/", "apps.governance.urls"),
    ("bia/", "apps.bia.urls"),
    ("plans/", "apps.continuity.urls"),
    ("sauvegardes/", "apps.backups.urls"),
    ("exercices/", "apps.exercises.urls"),
    ("actions/", "apps.actions.urls"),
    ("crise/", "apps.crisis.urls"),
    ("conformite/", "apps.compliance.urls"),
    ("couts/", "apps.costs.urls"),
    ("declaration/", "apps.declaration.urls"),
    ("exports/", "apps.exports.urls"),
    ("imports/", "apps.imports.urls"),
    ("sso/", "apps.sso.urls"),
    ("recherche/", "apps.search.urls"),
    ("api/", "apps.api.urls_pages"),
    ("notifications/", "apps.notifications.urls"),
    ("modeles/", "apps.onboarding.urls"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portfolio", permanent=False)),
    path("health/", health, name="health"),
    path("portefeuille/", PortfolioView.as_view(), name="portfolio"),
    path("portefeuille/dossiers/", PortfolioPrepareView.as_view(), name="portfolio-prepare"),
    path("portefeuille/nouvelle-organisation/", OrganizationOnboardView.as_view(), name="organization-onboard"),
    path("invitation/<str:token>/", InvitationAcceptView.as_view(), name="invitation-accept"),
    # The external reviewer's pages (« relecteur »): outside /o/<slug>/, a reviewer is no member.
    path("relecture/", include("apps.declaration.urls_review")),
    path("compte/profil/", ProfileView.as_view(), name="profile"),
    path("compte/sso/", SsoDiscoverView.as_view(), name="sso-discover"),
    # Before allauth's URLs: its SAML single logout would accept unsigned LogoutRequests (apps.sso.views).
    path("compte/saml/<str:organization_slug>/sls/", saml_single_logout_refused),
    path("compte/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(settings.ADMIN_URL, admin_site.urls),
    # The REST API and its documentation (token-authenticated, outside the member pages).
    path("api/", include("apps.api.urls")),
]
for prefix, module in TENANT_APPS:
    urlpatterns.append(path(f"o/<slug:org_slug>/{prefix}", include(module)))
