"""Swagger UI under the site's Content-Security-Policy: drf-spectacular's « split » view (the init script is
a separate file, no inline script) with a template whose only inline style moved to a static file."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Resilis API"
