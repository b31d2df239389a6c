"""Resolve the organization of every ``/o/<org_slug>/…`` request and run the view in its scope.

- anonymous → login page;
- not a member (or no such organization) → 404, the same answer for "missing" and "not yours"; an external
  reviewer of the signed declaration (``apps.declaration.models.ReviewerGrant``) is no member and gets 404 here
  too: their pages live under ``/relecture/`` and open the organization's scope themselves;
- the organization requires MFA and the member has none → the TOTP enrolment page;
- otherwise ``request.organization`` and ``request.membership`` are set and the view runs inside
  ``apps.core.tenancy.tenant_scope``: any tenant-owned query outside it fails loudly, and for a member
  limited to some establishments every establishment-bound query only returns theirs.
Capability checks (403) are the views' job (``apps.core.views.OrgViewMixin``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from apps.core.tenancy import tenant_scope
from apps.tenants.selectors import membership_with_switcher


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("org_slug")
        if slug is None:
            return self.get_response(request)

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # The header's switcher comes with the membership, in the same query.
        membership, request.switcher = membership_with_switcher(user=request.user, org_slug=slug)  # type: ignore[attr-defined]
        if membership is None:
            raise Http404("No such organization")
        organization = membership.organization
        if organization.mfa_required and not request.user.has_mfa:
            messages.warning(
                request,
                _("%(org)s requires two-factor authentication. Please set up an authenticator app to continue.")
                % {"org": organization.name},
            )
            return redirect("mfa_activate_totp")
        request.organization = organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        with tenant_scope(organization, establishments=membership.allowed_establishment_ids):
            response = self.get_response(request)
            # Render lazy responses inside the scope: templates may still run queries.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response
