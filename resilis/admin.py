"""The platform operators' admin. Tenant-owned managers are scoped, so admin views run unscoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_scopes import scopes_disabled

from apps.tenants.defaults import organization_defaults_ensure
from apps.tenants.models import Organization


class ResilisAdminSite(admin.AdminSite):
    site_header = "Resilis — administration de la plateforme"
    site_title = "Resilis"

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with scopes_disabled():
                response = inner(*args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
                return response

        return wrapper


class OrganizationAdmin(admin.ModelAdmin):
    """An organization created here starts with its defaults, like one from ``organization_create``."""

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            organization_defaults_ensure(organization=obj)
