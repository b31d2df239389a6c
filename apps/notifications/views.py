"""The bell, the « Notifications » page and each person's e-mail preference."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core.views import OrgFormView, OrgViewMixin
from apps.notifications import selectors, services
from apps.notifications.forms import PreferenceForm
from apps.notifications.kinds import sentence

PER_PAGE = 25


class NotificationListView(OrgViewMixin, TemplateView):
    capability = "org.view"
    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        unread_only = self.request.GET.get("non-lues") == "1"
        qs = selectors.notifications_for(organization=self.organization, user=self.user, unread_only=unread_only)
        page = Paginator(qs, PER_PAGE).get_page(self.request.GET.get("page"))
        ctx.update(page=page, rows=[{"n": n, "sentence": sentence(n)} for n in page.object_list],
                   unread_only=unread_only,
                   unread=selectors.unread_count(organization=self.organization, user=self.user))
        return ctx


class BellView(OrgViewMixin, TemplateView):
    """The header's bell with the unread count (loaded and refreshed by htmx)."""

    capability = "org.view"
    template_name = "notifications/_bell_link.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["unread"] = selectors.unread_count(organization=self.organization, user=self.user)
        return ctx


class MarkReadView(OrgViewMixin, View):
    """POST ``id``: mark that notification read and open its link; no ``id``: mark them all read."""

    capability = "org.view"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raw = request.POST.get("id", "")
        target = self.org_url("notifications:list")
        if raw.isdigit():
            services.notification_mark_read(organization=self.organization, user=self.user,
                                            notification_id=int(raw))
            notification = selectors.notifications_for(organization=self.organization, user=self.user).filter(
                pk=int(raw)).first()
            if notification is not None and notification.url and url_has_allowed_host_and_scheme(
                    notification.url, allowed_hosts=None):
                target = notification.url
        else:
            count = services.notification_mark_read(organization=self.organization, user=self.user)
            messages.success(request, _("%(count)s notification(s) marked read.") % {"count": count})
        return HttpResponseRedirect(target)


class PreferenceView(OrgFormView):
    capability = "org.view"
    template_name = "notifications/preferences.html"
    form_class = PreferenceForm
    success_message = gettext_lazy("Your notification preferences are saved.")

    def get_form(self) -> PreferenceForm:
        data = self.request.POST if self.request.method == "POST" else None
        pref = services.preference_for(self.user)
        return PreferenceForm(data, initial={"email": pref.email, "language": pref.language})

    def perform(self, form: Any) -> None:
        services.preference_save(user=self.user, email=form.cleaned_data["email"],
                                 language=form.cleaned_data["language"])

    def get_success_url(self) -> str:
        return self.org_url("notifications:preferences")
