"""Deleting from the BIA never breaks a frozen plan or loses restoration tests (apps.core.deletion guards)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.bia import services
from apps.bia.models import Activity, Resource
from tests.backups.factories import RestoreTestFactory
from tests.bia.factories import ResourceFactory, activity_in
from tests.continuity.factories import approved_plan, plan_in

pytestmark = pytest.mark.django_db


def test_an_activity_of_an_approved_plan_stays(org, admin_user, client_for) -> None:
    urgences = activity_in(org, name="Accueil des urgences")
    approved_plan(org, activities=[urgences], title="PCA Urgences")
    url = reverse("bia:activity-delete", kwargs={"org_slug": org.slug, "pk": urgences.pk})
    client = client_for(admin_user)
    page = client.get(url).content.decode()
    assert "Suppression impossible :" in page
    assert "« Accueil des urgences » figure dans « PCA Urgences » version 1 (Approuvé)" in page
    assert 'class="danger"' not in page  # no delete button
    # A POST from a page opened earlier is refused too, with the reason, and nothing is deleted.
    response = client.post(url, follow=True)
    assert "version 1 (Approuvé)" in response.content.decode()
    assert Activity.objects.filter(pk=urgences.pk).exists()
    with pytest.raises(ValidationError):
        services.activity_delete(activity=urgences, actor=admin_user)


def test_an_activity_only_in_a_draft_plan_can_go(org, admin_user, client_for) -> None:
    brouillon = activity_in(org, name="Salle de naissance")
    plan_in(org, activities=[brouillon], title="PCA Maternité", with_mode=True)
    url = reverse("bia:activity-delete", kwargs={"org_slug": org.slug, "pk": brouillon.pk})
    client = client_for(admin_user)
    assert 'class="danger"' in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Activité supprimée." in response.content.decode()
    assert not Activity.objects.filter(pk=brouillon.pk).exists()


def test_a_system_with_restoration_tests_stays(org, admin_user, client_for) -> None:
    dpi = ResourceFactory(organization=org, name="DPI")
    RestoreTestFactory(resource=dpi)
    RestoreTestFactory(resource=dpi)
    url = reverse("bia:resource-delete", kwargs={"org_slug": org.slug, "pk": dpi.pk})
    client = client_for(admin_user)
    page = client.get(url).content.decode()
    assert "2 tests de restauration sont enregistrés pour « DPI »" in page
    client.post(url)
    assert Resource.objects.filter(pk=dpi.pk).exists()
    unused = ResourceFactory(organization=org, name="Ancien serveur de fax")
    client.post(reverse("bia:resource-delete", kwargs={"org_slug": org.slug, "pk": unused.pk}))
    assert not Resource.objects.filter(pk=unused.pk).exists()
