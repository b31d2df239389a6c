"""Shared view mixins for tenant pages.

Every view under ``/o/<org_slug>/`` inherits ``OrgViewMixin`` and declares the capability it
needs. The check runs in ``dispatch`` before any object is looked up, so a member without the
capability gets 403 whatever the URL's ids, and the isolation matrix (tests/test_isolation.py)
can check every view by introspecting the URLconf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views.generic.base import ContextMixin


class OrgViewMixin(ContextMixin):
    capability: str | None = None
    # Pages linked from a stage of the journey set this to highlight it in the navigation.
    nav_stage: str | None = None
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.capability is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare the capability it needs")
        if request.membership is None:  # type: ignore[attr-defined]
            raise ImproperlyConfigured(f"{type(self).__name__} must be routed under /o/<org_slug>/")
        if not self.has_permission():
            raise PermissionDenied
        self.organization = request.organization  # type: ignore[attr-defined]
        self.membership = request.membership  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def has_permission(self) -> bool:
        return self.request.membership.has_capability(self.capability)  # type: ignore[attr-defined]

    def can(self, capability: str) -> bool:
        return self.request.membership.has_capability(capability)  # type: ignore[attr-defined]

    def tenant_object(self, queryset: QuerySet, **lookup: Any) -> Model:
        """Look an object up *through the organization*; missing or foreign → 404."""
        return get_object_or_404(queryset.filter(organization=self.request.organization), **lookup)  # type: ignore[attr-defined]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("nav_stage", self.nav_stage)
        return ctx


class ObjectDeleteMixin:
    """POST removes one object of the organization through its service, then goes back.

    Subclasses set ``model``, ``remove`` (a staticmethod ``(obj, actor)`` calling the app's service) and
    ``get_back_url(obj)``. A service's ValidationError (e.g. "still in use") becomes an error message and
    nothing is deleted. Confirmation happens on the page (``data-confirm`` on the form).
    """

    http_method_names = ["post"]
    model: type[Model]
    remove: Callable[..., None]
    deleted_message = gettext_lazy("Deleted.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.tenant_object(self.model.objects.all(), pk=kwargs["pk"])  # type: ignore[attr-defined]
        back = self.get_back_url(obj)
        try:
            type(self).remove(obj, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.deleted_message)
        return HttpResponseRedirect(back)

    def get_back_url(self, obj: Model) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def capability_required(capability: str):  # noqa: ANN201 - decorator
    """The same contract as ``OrgViewMixin`` for the rare function view."""

    def decorator(view):  # noqa: ANN001, ANN202
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.membership is None or not request.membership.has_capability(capability):  # type: ignore[attr-defined]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator
