"""Shared view mixins for tenant pages.

Every view under ``/o/<org_slug>/`` inherits ``OrgViewMixin`` and declares the capability it
needs. The check runs in ``dispatch`` before any object is looked up, so a member without the
capability gets 403 whatever the URL's ids, and the isolation matrix (tests/test_isolation.py)
can check every view by introspecting the URLconf.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django.views.generic.base import ContextMixin

from apps.core.forms import SearchChoiceField
from apps.core.http import TenantRequest, is_tenant_request

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from apps.accounts.models import User
    from apps.tenants.models import Membership, Organization

__all__ = ["TenantRequest", "is_tenant_request"]  # importable from here with the mixins

logger = logging.getLogger(__name__)


M = TypeVar("M", bound=Model)


def tenant_object(queryset: QuerySet[M], organization: Organization, **lookup: Any) -> M:
    """``get_object_or_404`` through the organization: the only way views look a tenant object up."""
    return get_object_or_404(queryset.filter(organization=organization), **lookup)


def org_url(organization: Organization, name: str, **kwargs: Any) -> str:
    """``reverse`` of a tenant URL (``/o/<slug>/…``); the ``org_url`` template tag is the same for templates."""
    return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


def back_url(request: HttpRequest) -> str:
    """The page a POST came from (same site only), else its own address."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return request.get_full_path()


class OrgViewMixin(ContextMixin):
    capability: str | None = None
    # Pages linked from a stage of the journey set this to highlight it in the navigation.
    nav_stage: str | None = None
    # ``self.request`` keeps View's type (a mixin cannot narrow it); what the tenant middleware resolved
    # is here, typed: the organization, the member's membership and the (authenticated) user.
    request: HttpRequest
    organization: Organization
    membership: Membership
    user: User

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.capability is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare the capability it needs")
        if not is_tenant_request(request):
            raise ImproperlyConfigured(f"{type(self).__name__} must be routed under /o/<org_slug>/")
        self.organization, self.membership, self.user = request.organization, request.membership, request.user
        if not self.has_permission():
            raise PermissionDenied
        try:
            # A mixin: the view class it is combined with (View, TemplateView…) provides dispatch.
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except IntegrityError:
            if request.method != "POST":
                raise
            # Two identical requests raced past validation and the database refused the second one (the
            # service's transaction rolled it back): say so instead of a server error.
            logger.info("integrity error on POST %s", request.path, exc_info=True)
            messages.error(request, _("This item already exists (it may have just been saved from another "
                                      "window). Nothing else was changed."))
            return HttpResponseRedirect(back_url(request))

    def has_permission(self) -> bool:
        return self.capability is not None and self.membership.has_capability(self.capability)

    def can(self, capability: str) -> bool:
        return self.membership.has_capability(capability)

    def tenant_object(self, queryset: QuerySet[M], **lookup: Any) -> M:
        """Look an object up *through the organization*; missing, foreign or outside the member's
        establishments (the limited managers of ``apps.core.tenancy``) → 404."""
        return tenant_object(queryset, self.organization, **lookup)

    def org_url(self, name: str, **kwargs: Any) -> str:
        return org_url(self.organization, name, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("nav_stage", self.nav_stage)
        return ctx


def form_errors_from(error: ValidationError, form: Any) -> None:
    """Attach a service's ValidationError to the form, next to the right field when possible."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


FORM_TOKEN_TTL = 6 * 3600


def _form_token_key(organization: Organization, token: str) -> str:
    return f"formtoken:{organization.pk}:{token[:64]}"


def form_token_claim(organization: Organization, token: str) -> bool:
    """Accept a one-time form token once (Redis SET NX, shared by every web process)."""
    try:
        return bool(cache.add(_form_token_key(organization, token), 1, FORM_TOKEN_TTL))
    except Exception:  # noqa: BLE001 - without the cache, a double click may save twice; never refuse the form
        logger.warning("form token not checked: cache unreachable", exc_info=True)
        return True


def form_token_release(organization: Organization, token: str) -> None:
    try:
        cache.delete(_form_token_key(organization, token))
    except Exception:  # noqa: BLE001 - the token expires on its own
        logger.warning("form token not released: cache unreachable", exc_info=True)


class OrgFormView(OrgViewMixin, TemplateView):
    """GET shows the form; POST calls ``perform`` (a service) and redirects, or re-renders with errors."""

    form_class: Any = None
    success_message: StrOrPromise = ""  # lazy translations are sent in the request's language

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization}

    def get_form(self) -> Any:
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, **self.get_form_kwargs())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", self.get_form())
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form.is_valid():
            token = getattr(form, "form_token", "")
            if token and not form_token_claim(self.organization, token):
                # The same form sent twice (double click, two tabs, a replay): the first one did the work.
                messages.info(request, _("This form had already been sent: it was saved once."))
                return HttpResponseRedirect(self.get_duplicate_url())
            try:
                self.perform(form)
            except ValidationError as error:
                form_errors_from(error, form)
            except IntegrityError:
                # Two identical requests raced past validation: the database kept one, this one says so.
                form.add_error(None, _("This item already exists (it may have just been saved from another "
                                       "window). Reload the page to see it."))
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                return HttpResponseRedirect(self.get_success_url())
            if token:
                form_token_release(self.organization, token)  # nothing was saved: the user may send it again
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_duplicate_url(self) -> str:
        """Where a form sent a second time goes: the page it came from, which shows what the first one saved."""
        return self.request.get_full_path()

    def perform(self, form: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_success_url(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class TenantObjectFormMixin(Generic[M]):
    """Edit views: the form's instance is the URL's object, looked up through the organization.

    ``TenantObjectFormMixin[Site]`` types ``get_object`` and ``fresh_object`` as ``Site``."""

    model: type[M]
    organization: Organization
    kwargs: dict[str, Any]

    def get_object(self) -> M:
        if not hasattr(self, "_object"):
            self._object = tenant_object(self.model._default_manager.all(), self.organization, pk=self.kwargs["pk"])
        return self._object

    def fresh_object(self) -> M:
        # The ModelForm wrote the submitted values onto its instance; services compare against the stored row.
        return tenant_object(self.model._default_manager.all(), self.organization, pk=self.get_object().pk)

    # A mixin in front of an OrgFormView subclass, which provides both methods.
    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.get_object()}  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "object": self.get_object()}  # type: ignore[misc]


class ObjectDeleteMixin:
    """POST removes one object of the organization through its service, then goes back.

    Subclasses set ``model``, ``remove`` (a staticmethod ``(obj, actor)`` calling the app's service) and
    ``get_back_url(obj)``. A service's ValidationError (e.g. "still in use") becomes an error message and
    nothing is deleted. Confirmation happens on the page (``data-confirm`` on the form).
    """

    http_method_names: Sequence[str] = ["post"]
    model: type[Model]
    remove: Callable[..., None]
    deleted_message = gettext_lazy("Deleted.")
    organization: Organization  # organization and user: set by OrgViewMixin, which the view also inherits
    user: User

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = tenant_object(self.model._default_manager.all(), self.organization, pk=kwargs["pk"])
        back = self.get_back_url(obj)
        try:
            type(self).remove(obj, self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, self.deleted_message)
        return HttpResponseRedirect(back)

    def get_back_url(self, obj: Model) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


FunctionView = Callable[..., HttpResponse]


def capability_required(capability: str) -> Callable[[FunctionView], FunctionView]:
    """The same contract as ``OrgViewMixin`` for the rare function view."""

    def decorator(view: FunctionView) -> FunctionView:
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_tenant_request(request) or not request.membership.has_capability(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Read by the isolation matrix (tests/test_isolation.py), like OrgViewMixin.capability.
        wrapped.capability = capability  # type: ignore[attr-defined]
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


class SearchOptionsView(OrgViewMixin, TemplateView):
    """The options of a ``SearchChoiceField`` matching the typed text, for its search field (htmx GET).

    A subclass returns the field from the same form the page shows (``get_field``), built for this member:
    the endpoint offers exactly what the form would accept, at most ``field.limit`` rows. The text comes as
    ``q`` or as the search box's own ``<field>_q`` (what htmx sends).
    """

    http_method_names = ["get"]
    template_name = "core/search_options.html"

    def get_field(self) -> SearchChoiceField:
        raise NotImplementedError

    def query(self) -> str:
        params = self.request.GET
        text = params.get("q")
        if text is None:
            text = next((params[key] for key in params if key.endswith("_q")), "")
        return text[:100]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        options, more = self.get_field().search_options(self.query())
        ctx.update(options=options, more=more)
        return ctx
