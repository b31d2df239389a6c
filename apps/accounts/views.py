from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.accounts.models import User
from apps.core.phones import PhoneFormField
from apps.core.services import model_update


class ProfileForm(forms.ModelForm):
    phone = PhoneFormField(label=gettext_lazy("Phone"), required=False, max_length=30)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "phone"]


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", ProfileForm(instance=self.request.user))
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = cast(User, request.user)  # LoginRequiredMixin: never anonymous here
        form = ProfileForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            model_update(instance=user, data=form.cleaned_data, fields=ProfileForm.Meta.fields)
            messages.success(request, _("Profile saved."))
            return redirect("profile")
        return self.render_to_response(self.get_context_data(form=form), status=400)
