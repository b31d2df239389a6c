"""Form rendering shared by every app."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class ResilisFormRenderer(DjangoTemplates):
    """Django's renderer, with single checkboxes drawn inside their label (``core/forms/field.html``)."""

    field_template_name = "core/forms/field.html"
