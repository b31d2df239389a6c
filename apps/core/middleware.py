"""Project-wide middleware: the French-first language choice, and the NUL-character guard.

French first: the interface is French unless the user chose another language with the switch.
Django's LocaleMiddleware would follow the browser's Accept-Language header; a hospital PC set up in
English would then show English to French users. Only the language cookie (set by the switch)
overrides ``LANGUAGE_CODE`` here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class FrenchFirstLocaleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """Answer 400 to a request whose path, query string or form fields contain a NUL character.

    PostgreSQL refuses NUL in text (``ValueError`` from psycopg, hence a 500) and no honest form or
    link ever sends one. Checked once here for every view: the path, keys and values of GET and POST
    — never the contents of uploaded files, which are binary (Django already cleans their names).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            reason = _("The request contains a forbidden character (NUL). Remove it and try again.")
            if request.path_info.startswith("/api/"):  # the REST API answers JSON, as its schema says
                return JsonResponse({"detail": reason}, status=400)
            return HttpResponseBadRequest(render_to_string("400.html", {"reason": reason}))
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path_info:
            return True
        data: list[QueryDict] = [request.GET]
        if request.method == "POST":
            data.append(request.POST)  # empty unless the body is a form (urlencoded or multipart)
        for values in data:
            for key, items in values.lists():
                if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in items):
                    return True
        return False
