"""The « what if » page: simulate with a GET, save with a POST; the saved simulation can seed an exercise-crisis."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.bia.models import ActivityDependency
from apps.crisis.models import Simulation
from apps.tenants.roles import Role
from tests.bia.factories import ResourceFactory
from tests.crisis.factories import urgences

pytestmark = pytest.mark.django_db


def test_what_if_page_simulates_and_saves(org, member_factory, client_for) -> None:
    client = client_for(member_factory(org, Role.CONTRIBUTOR))
    activity = urgences(org)
    directory = ResourceFactory(organization=org, name="Active Directory", kind="infrastructure")
    ActivityDependency.objects.create(organization=org, activity=activity, resource=directory)
    url = reverse("crisis:simulation", kwargs={"org_slug": org.slug})
    page = client.get(url, {"resources": [directory.pk], "duration_hours": 72})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Urgences" in html and re.search(r"<strong>H\+4,0</strong>", html)  # DMIA of 4 h exceeded at H+4
    assert "csrfmiddlewaretoken" in html and "Enregistrer cette simulation" in html
    saved = client.post(url, {"resources": [directory.pk], "duration_hours": 72, "title": "AD 72 h"})
    simulation = Simulation.objects.get(organization=org)
    assert saved.status_code == 302 and saved["Location"].endswith(f"/et-si/{simulation.pk}/")
    assert simulation.result["hit"][0]["dmia_exceeded_at"] == 4.0
    detail = client.get(saved["Location"])
    assert "Active Directory" in detail.content.decode()
