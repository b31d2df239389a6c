"""The project's URLs plus one view that fails, to see the 500 page as production renders it."""

from django.urls import path

from resilis.urls import urlpatterns as project


def boom(request):
    raise RuntimeError("boom (test of the 500 page)")


urlpatterns = [path("boom-500/", boom), *project]
