"""The API's kit: token authentication, the organization and capability check, the tenant scope, throttling,
cursor pagination, the request's language, and form-validated writes.

Every endpoint lives under ``/api/v1/o/<organization_slug>/`` and declares ``capability`` (reads) and
``write_capability`` (writes). The order of the answers follows the pages: no valid token → 401; a token of
another organization (or no such organization) → 404; a capability the token lacks → 403. The view then runs
inside ``apps.core.tenancy.tenant_scope`` with the token's establishment limit, so the limited managers, the
services' checks and the write guard apply exactly as for a limited member. (The URL argument is not called
``org_slug``: the tenant middleware resolves *members* from that name; a token is not a member.)
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.authentication import TokenAuthentication, TokenCapability, TokenRateThrottle
from apps.api.models import ApiToken
from apps.api.services import token_touch
from apps.core.tenancy import tenant_scope
from apps.core.views import form_errors_from

if TYPE_CHECKING:
    from apps.tenants.models import Organization

class ApiCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ErrorSerializer(serializers.Serializer):
    """An error: ``detail`` (a sentence), or the form's errors by field (``non_field_errors`` for the rest)."""

    detail = serializers.CharField(required=False)


def _language(request: HttpRequest) -> str:
    """The API answers in the language the client asks for (Accept-Language), French otherwise."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    available = {code for code, _name in settings.LANGUAGES}
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in available:
            return code
    return settings.LANGUAGE_CODE


class OrgApiView(GenericAPIView):  # type: ignore[type-arg]
    capability: str = ""
    write_capability: str | None = None
    model: type[Model] | None = None
    authentication_classes = [TokenAuthentication]
    permission_classes = [TokenCapability]
    throttle_classes = [TokenRateThrottle]
    pagination_class: type[ApiCursorPagination] | None = ApiCursorPagination
    organization: Organization
    token: ApiToken

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        translation.activate(_language(request))
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        self._scope = ExitStack()
        super().initial(request, *args, **kwargs)
        self.token = request.auth
        self.organization = self.token.organization
        self._scope.enter_context(tenant_scope(self.organization,
                                               establishments=self.token.allowed_establishment_ids))
        token_touch(token=self.token, request=request)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        scope = getattr(self, "_scope", None)
        if scope is not None:
            scope.close()
        return response

    @property
    def limit(self) -> frozenset[int] | None:
        return self.token.allowed_establishment_ids

    def base_queryset(self) -> QuerySet[Any]:
        assert self.model is not None
        return self.model._default_manager.filter(organization=self.organization)

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular introspecting the view
            assert self.model is not None
            return self.model._base_manager.none()
        return self.filter_queryset(self.base_queryset())

    def query_int(self, name: str) -> int | None:
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except ValueError:
            raise exceptions.ValidationError({name: [_("Enter a whole number.")]}) from None
        if not 0 < number < 2**63:
            raise exceptions.ValidationError({name: [_("Enter a whole number.")]})
        return number

    def query_choice(self, name: str, choices: list[str]) -> str | None:
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return None
        if value not in choices:
            raise exceptions.ValidationError({name: [_("Choose one of: %(choices)s.") % {
                "choices": ", ".join(choices)}]})
        return value

    def list_response(self, queryset: QuerySet[Any]) -> Response:
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page if page is not None else queryset, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def object_or_404(self, queryset: QuerySet[Any], pk: Any) -> Any:
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise exceptions.NotFound
        return obj


def _clean_value(value: Any) -> Any:
    """A JSON value as a browser would post it to the page's form: text (``True`` → "True", which the form's
    boolean fields read as true; 12 → "12"), ``None`` for null, lists of text; NUL and nested objects → 400."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_clean_value(v) for v in value if not isinstance(v, (dict, list)) and v is not None]
    if isinstance(value, dict):
        raise exceptions.ValidationError({"detail": _("Send a value, not an object.")})
    text = str(value)
    if "\x00" in text:
        raise exceptions.ValidationError({"detail": _("The request contains a forbidden character (NUL).")})
    return text


def request_data(request: Request, initial: dict[str, Any] | None = None, *,
                 lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON body as a form's data (over ``initial`` for a partial update). Only the fields in ``lists`` take
    a list (a single value becomes a list of one); NUL, nested objects and misplaced lists → 400."""
    body = request.data
    if not isinstance(body, dict):
        raise exceptions.ValidationError({"detail": _("Send a JSON object.")})
    data = dict(initial or {})
    for key, value in body.items():
        if not isinstance(key, str) or "\x00" in key:
            raise exceptions.ValidationError({"detail": _("The request contains a forbidden character (NUL).")})
        if isinstance(value, list) and key not in lists:
            raise exceptions.ValidationError({key: [_("Send one value, not a list.")]})
        value = _clean_value(value)
        if key in lists and not isinstance(value, list):
            value = [] if value is None else [value]
        data[key] = value
    return data


def form_error_response(form: forms.BaseForm) -> Response:
    errors = {("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
              for field, messages in form.errors.items()}
    return Response(errors, status=400)


def run_form(form: forms.BaseForm, perform: Any) -> tuple[Any, Response | None]:
    """Validate ``form`` as the page does, then call ``perform(cleaned_data)`` (the app's service); a form or
    service error becomes a 400 with the messages in the request's language."""
    if not form.is_valid():
        return None, form_error_response(form)
    try:
        return perform(form.cleaned_data), None
    except DjangoValidationError as error:
        form_errors_from(error, form)
        return None, form_error_response(form)
