"""The administrator's pages for API tokens (``/o/<org_slug>/api/``): list, create (shown once), revoke."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from apps.api import services
from apps.api.forms import CAPABILITY_LABELS, TokenForm
from apps.api.models import ApiToken
from apps.core.views import OrgFormView, OrgViewMixin, form_errors_from


class TokenListView(OrgViewMixin, TemplateView):
    capability = "org.manage"
    nav_stage = "organization"
    template_name = "api/token_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["tokens"] = ApiToken.objects.filter(organization=self.organization).select_related(
            "created_by", "revoked_by").prefetch_related("establishments")
        ctx["labels"] = CAPABILITY_LABELS
        return ctx


class TokenCreateView(OrgFormView):
    """The token's value is shown on the answer to the POST, once; only its digest is kept."""

    capability = "org.manage"
    nav_stage = "organization"
    template_name = "api/token_form.html"
    form_class = TokenForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if form.is_valid():
            try:
                token, plain = services.token_create(
                    organization=self.organization, actor=self.user, name=form.cleaned_data["name"],
                    capabilities=form.cleaned_data["capabilities"], expires_at=form.expires_at(),
                    establishments=list(form.cleaned_data["establishments"]), request=request)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "expires_at" in error.error_dict:
                    error = ValidationError({"expires_on": error.error_dict["expires_at"]})
                form_errors_from(error, form)
            else:
                response = self.render_to_response({**self.get_context_data(form=form), "token": token,
                                                    "plain": plain})
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TokenRevokeView(OrgViewMixin, View):
    capability = "org.manage"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = self.tenant_object(ApiToken.objects.all(), pk=kwargs["pk"])
        services.token_revoke(token=token, actor=self.user, request=request)
        messages.success(request, _("Token revoked: the next call with it gets 401."))
        return HttpResponseRedirect(self.org_url("apitokens:tokens"))
