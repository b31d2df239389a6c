"""The weights of the 66 % rule as a user records them: share, basis, date, and the perimeters an entity lacks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.tenants.models import Establishment, Site
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def url(name: str, org, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})


def test_an_establishment_records_its_share_basis_date_and_absent_perimeter(org, admin_user, client_for) -> None:
    client = client_for(admin_user)
    data = {"name": "Hôpital local", "short_name": "", "finess_ej": "410000566", "legal_status": "public",
            "activity_share": "12.5", "activity_share_basis": "Séjours 2025", "activity_share_date": "2026-01-31",
            "absent_perimeters": ["technical_platform"], "absent_perimeters_reason": ""}
    response = client.post(url("tenants:establishment-create", org), data)
    assert response.status_code == 400
    assert "absent_perimeters_reason" in response.context["form"].errors  # « s'ils existent » needs a reason
    data["absent_perimeters_reason"] = "PUI et imagerie assurées par le CHU"
    response = client.post(url("tenants:establishment-create", org), data)
    assert response.status_code == 302, response.context["form"].errors
    created = Establishment.objects.get(organization=org, name="Hôpital local")
    assert created.activity_share == Decimal("12.5") and created.activity_share_basis == "Séjours 2025"
    assert created.activity_share_date == datetime.date(2026, 1, 31)
    assert created.absent_perimeters == ["technical_platform"]


def test_a_share_above_100_is_refused(org, admin_user, client_for) -> None:
    establishment = Establishment.objects.get(organization=org)
    response = client_for(admin_user).post(url("tenants:establishment-update", org, pk=establishment.pk), {
        "name": establishment.name, "finess_ej": establishment.finess_ej, "legal_status": "public",
        "activity_share": "140"})
    assert response.status_code == 400 and "activity_share" in response.context["form"].errors


def test_a_site_records_its_weight_for_a_legal_entity_with_several_sites(org, admin_user, client_for) -> None:
    establishment = Establishment.objects.get(organization=org)
    site = SiteFactory(establishment=establishment, name="Site Nord")
    SiteFactory(establishment=establishment, name="Site Sud")
    response = client_for(admin_user).post(url("tenants:site-update", org, pk=site.pk), {
        "establishment": establishment.pk, "name": "Site Nord", "finess_eg": site.finess_eg, "city": "",
        "activity_share": "60", "activity_share_basis": "ETP SAE 2024", "activity_share_date": "2025-06-30"})
    assert response.status_code == 302, response.context["form"].errors
    site.refresh_from_db()
    assert site.activity_share == Decimal("60") and site.activity_share_basis == "ETP SAE 2024"
    page = client_for(admin_user).get(url("tenants:establishments", org)).content.decode()
    assert "ETP SAE 2024" in page  # the page shows the site weights at EG level
    assert "60 %" in page
    assert Site.objects.filter(organization=org).count() == 2
