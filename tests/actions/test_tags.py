"""« Créer une action » next to each source: the fragments written in Python are the template's bytes."""

from __future__ import annotations

import pytest
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import translation

from apps.actions.templatetags.actions_tags import SOURCE_TEMPLATE, render_source

HOSTILE_URL = '/o/x/actions/nouvelle/?source=bia_gap&id=1&key="><script>alert(1)</script>'


@pytest.mark.parametrize("data", [
    {"show": False},
    {"show": True, "actions": [], "open": [], "closed": [], "can_change": False, "stylesheet": False},
    {"show": True, "actions": [], "open": [], "closed": [], "can_change": True, "stylesheet": True,
     "create_url": HOSTILE_URL},
    {"show": True, "actions": [], "open": [], "closed": [], "can_change": True, "stylesheet": False,
     "create_url": "/o/x/actions/nouvelle/?source=spof&id=3&key="},
], ids=["hidden", "read only", "first on the page", "next ones"])
def test_a_source_without_action_reads_as_the_template_gives_it(data) -> None:
    context = Context()
    context.template = engines["django"].from_string("").template
    with translation.override("fr"):
        assert render_source(context, data) == render_to_string(SOURCE_TEMPLATE, data)
    assert "<script>" not in render_source(context, data)
